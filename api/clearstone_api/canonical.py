"""Canonical JSON and its SHA-256: the bytes that hashes, digests and signatures cover.

:func:`canonical_json` (sorted keys, no insignificant whitespace, UTF-8) is what the custody hash
chain, idempotency request hashes and record digests go through, so that they agree byte for
byte. :func:`jcs` (RFC 8785) is what attestations sign: a standard anyone can re-implement.
"""

from __future__ import annotations

import hashlib
import json
import math
from typing import Any

__all__ = ["GENESIS_HASH", "canonical_json", "chain_hash", "jcs", "sha256_hex"]

GENESIS_HASH = "0" * 64
"""The ``prev_hash`` of the first event in a chain."""


def canonical_json(value: Any) -> bytes:
    """``value`` (JSON types only) as canonical bytes."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def chain_hash(prev_hash: str, content_hash: str) -> str:
    """The hash of one link: what it follows and what it holds."""
    return sha256_hex(f"{prev_hash}:{content_hash}".encode("ascii"))


def jcs(value: Any) -> bytes:
    """``value`` in the JSON Canonicalization Scheme (RFC 8785), UTF-8 encoded.

    What attestations sign. Unlike :func:`canonical_json` it is defined byte for byte by a
    standard with implementations in many languages: members sorted by the UTF-16 code units of
    their names, no whitespace, strings escaped as ECMAScript's ``JSON.stringify`` does, numbers
    in ECMAScript's shortest round-trip form (``100.0`` is ``100``, ``1e-7`` is ``1e-7``).
    """
    try:
        plain = _plain(value)
    except _Exact:
        out: list[str] = []
        _jcs(value, out)
        return "".join(out).encode("utf-8")
    # Only JSON types whose RFC 8785 form json.dumps writes as is: ASCII member names (code
    # point order is then UTF-16 order), integers within 2**53, floats that print alike in
    # Python and ECMAScript. Python escapes strings as JSON.stringify does. At C speed.
    return json.dumps(plain, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


class _Exact(Exception):
    """``value`` needs the exact serializer."""


def _plain(value: Any) -> Any:
    """``value`` with integral floats as integers (``100.0`` is ``100`` in RFC 8785), or
    :class:`_Exact` when json.dumps would not write its RFC 8785 form."""
    kind = type(value)
    if kind is str or kind is bool or value is None:
        return value
    if kind is int:
        if abs(value) > 2**53:
            raise _Exact
        return value
    if kind is float:
        if value.is_integer():
            if abs(value) <= 2**53:
                return int(value)
            raise _Exact  # ECMAScript rounds the digits of larger ones; int() would not
        if 1e-4 <= abs(value) < 1e16:  # repr() and ECMAScript agree here: no exponent
            return value
        raise _Exact  # exponents, NaN, infinities
    if kind is dict:
        plain = {}
        for name, member in value.items():
            if type(name) is not str or not name.isascii():
                raise _Exact
            plain[name] = _plain(member)
        return plain
    if kind is list or kind is tuple:
        return [_plain(item) for item in value]
    raise _Exact


def _jcs(value: Any, out: list[str]) -> None:
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, str):
        # Python's escaping with ensure_ascii=False is JSON.stringify's: \b \f \n \r \t \" \\
        # short forms, other control characters as lowercase \u00xx, everything else literal.
        out.append(json.dumps(value, ensure_ascii=False))
    elif isinstance(value, int):
        if abs(value) > 2**53:
            raise ValueError("integers beyond 2**53 have no exact JSON number in RFC 8785")
        out.append(str(value))
    elif isinstance(value, float):
        out.append(_es_number(value))
    elif isinstance(value, dict):
        out.append("{")
        members = sorted(value.items(), key=lambda item: _utf16(item[0]))
        for index, (name, member) in enumerate(members):
            if index:
                out.append(",")
            _jcs(name, out)
            out.append(":")
            _jcs(member, out)
        out.append("}")
    elif isinstance(value, list | tuple):
        out.append("[")
        for index, item in enumerate(value):
            if index:
                out.append(",")
            _jcs(item, out)
        out.append("]")
    else:
        raise TypeError(f"{type(value).__name__} is not a JSON type")


def _utf16(name: object) -> bytes:
    if not isinstance(name, str):
        raise TypeError("JSON member names are strings")
    return name.encode("utf-16-be")


def _es_number(value: float) -> str:
    """ECMAScript's Number::toString for a finite double (RFC 8785 §3.2.2.3)."""
    if math.isnan(value) or math.isinf(value):
        raise ValueError("NaN and infinities are not JSON")
    if value == 0:
        return "0"  # and -0
    # repr() gives the shortest digits that round-trip, as ECMAScript's algorithm picks them.
    mantissa, _, exponent = repr(abs(value)).partition("e")
    whole, _, fraction = mantissa.partition(".")
    all_digits = whole + fraction
    stripped = all_digits.lstrip("0")
    # The value is 0.<digits> x 10**point.
    point = len(whole) + int(exponent or 0) - (len(all_digits) - len(stripped))
    digits = stripped.rstrip("0")
    count = len(digits)
    if count <= point <= 21:
        text = digits + "0" * (point - count)
    elif 0 < point <= 21:
        text = digits[:point] + "." + digits[point:]
    elif -6 < point <= 0:
        text = "0." + "0" * -point + digits
    else:
        power = point - 1
        text = digits[0] + ("." + digits[1:] if count > 1 else "") + f"e{power:+d}"
    return ("-" if value < 0 else "") + text
