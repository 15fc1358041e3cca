"""Offline verification of Clearstone's signed attestations (compact JWS, ES256).

An attestation is ``BASE64URL(header) . BASE64URL(payload) . BASE64URL(signature)`` (RFC 7515
§7.1), signed by Clearstone with an ECDSA P-256 key over the assessment's canonical JSON. Anyone
holding the published key set (``/.well-known/jwks.json``) can check it without calling
Clearstone, for as long as they keep the key set.

What is accepted, and nothing else:

- ``alg`` is ``ES256``: fixed here, never taken from the token (``none``, ``HS256`` signed with
  the public key, and every other algorithm are refused before any key is touched);
- ``typ`` is ``clearstone-attestation+jws``, so that an access token signed with the same keys
  cannot pass for an attestation;
- no ``crit`` header (no extension is understood, so none may be required), and no header that
  points at another key (``jku``, ``jwk``, ``x5u``, ``x5c``);
- ``kid`` names a key of the key set that is an EC P-256 signing key (``kty`` EC, ``crv`` P-256,
  ``use`` absent or ``sig``, ``alg`` absent or ES256); an unknown ``kid`` is refused;
- the signature is the 64-byte ``R || S`` of RFC 7518 §3.4, checked with ``cryptography``;
- the payload is a JSON object holding the signed consumer view under ``assessment``; an
  ``exp`` claim, if present, has not passed.

The payload (``services/attestations.py`` on the server, ``docs/attestations.md``)::

    {"v": 1, "iss": "https://clearstone.dev", "iat": 1795430400, "sub": "CS-7K2M9QXH4D1P",
     "certificate_numbers": ["GIA-2141438167"], "as_of": "2026-11-01", "policy_version": "...",
     "reference_data_version": "...", "assessment": {...the consumer view...}}

Example::

    from clearstone import AttestationError, verify_attestation

    try:
        attestation = verify_attestation(token, jwks=json.load(open("jwks.json")))
    except AttestationError as exc:
        print("not a valid Clearstone attestation:", exc)
    else:
        print(attestation.assessment.kp.result, attestation.assessment.csc.result)
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import re
import time
from collections.abc import Mapping
from typing import Any

import pydantic
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from pydantic import Field

from clearstone._attestation_status import AttestationCurrency, CustodySummary, TreeHeadClaim
from clearstone._constants import DEFAULT_ISSUER
from clearstone._exceptions import ClearstoneError
from clearstone._models import BaseModel, CertificateView

__all__ = [
    "ALGORITHM",
    "ATTESTATION_TYPE",
    "AttestationError",
    "AttestationHeader",
    "AttestationPayload",
    "JsonWebKey",
    "JsonWebKeySet",
    "JwksInput",
    "VerifiedAttestation",
    "parse_jwks",
    "read_header",
    "thumbprint",
    "verify_attestation",
    "verify_signature",
]

ALGORITHM = "ES256"
"""The only signature algorithm accepted (ECDSA on P-256 with SHA-256)."""
ATTESTATION_TYPE = "clearstone-attestation+jws"
"""The ``typ`` header of every attestation."""
_REFUSED_HEADERS = ("crit", "jku", "jwk", "x5u", "x5c")
_COORDINATE_BYTES = 32
_SEGMENT = re.compile(r"^[A-Za-z0-9_-]*$")
_MAX_TOKEN_LENGTH = 1_000_000
EXPIRY_LEEWAY = 60.0
"""Seconds of clock skew tolerated on an ``exp`` claim."""


class AttestationError(ClearstoneError):
    """The token is not a valid Clearstone attestation: malformed, not ES256, signed by a key
    that is not in the key set, tampered with, or expired. The message says which."""


class JsonWebKey(BaseModel):
    """A public key of the key set (RFC 7517); only EC P-256 keys can verify attestations."""

    kty: str
    kid: str | None = None
    crv: str | None = None
    x: str | None = None
    y: str | None = None
    alg: str | None = None
    use: str | None = None


class JsonWebKeySet(BaseModel):
    """``/.well-known/jwks.json``: Clearstone's public signing keys."""

    keys: list[JsonWebKey]


JwksInput = JsonWebKeySet | Mapping[str, Any] | str | bytes
"""A key set: the model, its JSON as a dict, or its JSON text."""


class AttestationHeader(BaseModel):
    """The protected header of a verified attestation."""

    alg: str
    kid: str
    typ: str


class AttestationPayload(BaseModel):
    """What an attestation signs: the consumer view of a stone's assessment, and about what."""

    v: int | None = None
    """The payload format's version."""
    iss: str | None = None
    """The issuer, whose key set verifies the signature."""
    iat: int | None = None
    """When the assessment was stored (Unix time)."""
    sub: str | None = None
    """The stone's Clearstone id (``CS-...``)."""
    certificate_numbers: list[str] = Field(default_factory=list)
    """The lab-qualified grading report and registered aliases the stone is known by."""
    as_of: dt.date | None = None
    policy_version: str | None = None
    reference_data_version: str | None = None
    exp: float | None = None
    """When the attestation expires (Unix time); an expired one does not verify."""
    jti: str | None = None
    """The attestation's id (``AT-...``): ask ``/v1/attestations/{jti}/status`` whether it is
    still current."""
    seq: int | None = None
    """Its number among the stone's attestations (1, 2, 3...)."""
    custody: CustodySummary | None = None
    tree_head: TreeHeadClaim | None = None
    assessment: CertificateView
    """The signed consumer view, as the certificate lookup serves it."""


class VerifiedAttestation(BaseModel):
    """An attestation whose signature checked out, and what it says."""

    header: AttestationHeader
    payload: AttestationPayload
    thumbprint: str | None = None
    """The RFC 7638 thumbprint of the key that verified it."""
    currency: AttestationCurrency | None = None
    """Whether it is still current (``client.attestations.verify`` always says; online with
    ``check_status=True``)."""

    @property
    def assessment(self) -> CertificateView:
        """The signed consumer view (``payload.assessment``)."""
        return self.payload.assessment


def _b64decode(segment: str, what: str) -> bytes:
    if not _SEGMENT.match(segment) or len(segment) % 4 == 1:
        raise AttestationError(f"The {what} is not base64url.")
    try:
        return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    except (binascii.Error, ValueError):
        raise AttestationError(f"The {what} is not base64url.") from None


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            # RFC 7515 §5.2: duplicate member names make the JOSE header ambiguous.
            raise ValueError(f"duplicate member {key!r}")
        result[key] = value
    return result


def _json_object(data: bytes, what: str) -> dict[str, Any]:
    try:
        value = json.loads(data.decode("utf-8"), object_pairs_hook=_no_duplicates)
    except (UnicodeDecodeError, ValueError) as exc:
        raise AttestationError(f"The {what} is not JSON ({exc}).") from None
    if not isinstance(value, dict):
        raise AttestationError(f"The {what} is not a JSON object.")
    return value


def parse_jwks(jwks: JwksInput) -> JsonWebKeySet:
    """``jwks`` as a :class:`JsonWebKeySet`; :class:`AttestationError` if it is not one."""
    if isinstance(jwks, JsonWebKeySet):
        return jwks
    try:
        if isinstance(jwks, str | bytes):
            return JsonWebKeySet.model_validate_json(jwks)
        return JsonWebKeySet.model_validate(dict(jwks))
    except pydantic.ValidationError:
        raise AttestationError('The key set is not a JWKS ({"keys": [...]}).') from None


def _coordinate(kid: str, name: str, value: str | None) -> int:
    raw = _b64decode(value or "", f"key's {name} coordinate")
    if len(raw) != _COORDINATE_BYTES:
        raise AttestationError(f"Key {kid!r} has a malformed {name} coordinate.")
    return int.from_bytes(raw, "big")


def _public_key(jwks: JsonWebKeySet, kid: str) -> ec.EllipticCurvePublicKey:
    key = next((k for k in jwks.keys if k.kid == kid), None)
    if key is None:
        raise AttestationError(f"No key with kid {kid!r} in the key set.")
    if key.kty != "EC" or key.crv != "P-256":
        raise AttestationError(f"Key {kid!r} is not an EC P-256 key.")
    if key.alg not in (None, ALGORITHM) or key.use not in (None, "sig"):
        raise AttestationError(f"Key {kid!r} is not an {ALGORITHM} signing key.")
    x, y = (_coordinate(kid, name, value) for name, value in (("x", key.x), ("y", key.y)))
    try:
        return ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1()).public_key()
    except ValueError:
        raise AttestationError(f"Key {kid!r} is not a point on P-256.") from None


def _split(token: str) -> tuple[str, str, str]:
    if not isinstance(token, str):
        raise AttestationError("An attestation is a string (compact JWS).")
    token = token.strip()
    if len(token) > _MAX_TOKEN_LENGTH:
        raise AttestationError("The attestation is implausibly long.")
    parts = token.split(".")
    if len(parts) != 3 or not all(parts):
        raise AttestationError("An attestation has three non-empty dot-separated parts.")
    return parts[0], parts[1], parts[2]


def read_header(token: str, typ: str = ATTESTATION_TYPE) -> AttestationHeader:
    """The header of ``token``, once it is known to ask for ES256 with a ``kid`` and to be of
    type ``typ``; nothing is verified yet (the CLI uses it to say which key it needs)."""
    expected = typ
    header = _json_object(_b64decode(_split(token)[0], "header"), "header")
    alg = header.get("alg")
    if alg != ALGORITHM:
        # Never let the token choose: "none", HS256 keyed with the public key, RS256...
        raise AttestationError(f"Algorithm {alg!r} is not accepted; attestations are {ALGORITHM}.")
    refused = [name for name in _REFUSED_HEADERS if name in header]
    if refused:
        raise AttestationError(f"The header carries {', '.join(refused)}, which is not accepted.")
    declared = header.get("typ")
    if not isinstance(declared, str) or declared.lower() != expected:
        what = "an attestation" if expected == ATTESTATION_TYPE else "a signed tree head"
        raise AttestationError(
            f"The token's type is {declared!r}, not {expected!r}: it is not {what}."
        )
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise AttestationError("The header names no key (kid).")
    return AttestationHeader(alg=alg, kid=kid, typ=declared)


def verify_attestation(
    token: str,
    jwks: JwksInput,
    *,
    issuer: str | None = DEFAULT_ISSUER,
    now: float | None = None,
) -> VerifiedAttestation:
    """Check ``token``'s ES256 signature with the key its ``kid`` names in ``jwks``, offline.

    Returns the header and the typed payload with the signed assessment; raises
    :class:`AttestationError` for anything else (see the module docstring for the rules), for
    an ``iss`` other than ``issuer`` (pass the deployment you trust; ``None`` skips the check)
    and for a ``sub`` that is not the signed stone's id. ``now`` (Unix time) is for tests of
    ``exp``. Whether the attestation is still *current* cannot be known offline:
    ``client.attestations.verify(token, check_status=True)`` asks.

    Example::

        verified = verify_attestation(token, jwks={"keys": [...]})
        print(verified.payload.sub, verified.assessment.kp.result)
    """
    header, claims = verify_signature(token, jwks)
    _check_expiry(claims, time.time() if now is None else now)
    try:
        payload = AttestationPayload.model_validate(claims)
    except pydantic.ValidationError as exc:
        raise AttestationError(
            f"The signature is valid but the payload is not an attested assessment "
            f"({exc.error_count()} error(s))."
        ) from None
    if issuer is not None and claims.get("iss") != issuer:
        raise AttestationError(
            f"The attestation was issued by {claims.get('iss')!r}, not by {issuer!r}, the "
            "Clearstone you trust."
        )
    if payload.sub != payload.assessment.stone.id:
        raise AttestationError(
            f"The attestation's subject {payload.sub!r} is not the stone it signs "
            f"({payload.assessment.stone.id!r})."
        )
    key = next(k for k in parse_jwks(jwks).keys if k.kid == header.kid)
    return VerifiedAttestation(header=header, payload=payload, thumbprint=thumbprint(key))


def thumbprint(key: JsonWebKey) -> str:
    """The RFC 7638 JWK thumbprint (SHA-256, base64url) of an EC key: compare it with the one
    Clearstone publishes to know which key you trust."""
    members = {"crv": key.crv, "kty": key.kty, "x": key.x, "y": key.y}
    digest = hashlib.sha256(json.dumps(members, separators=(",", ":"), sort_keys=True).encode())
    return base64.urlsafe_b64encode(digest.digest()).rstrip(b"=").decode("ascii")


def verify_signature(
    token: str, jwks: JwksInput, typ: str = ATTESTATION_TYPE
) -> tuple[AttestationHeader, dict[str, Any]]:
    """The header and JSON payload of a compact JWS of type ``typ`` whose ES256 signature
    verifies with the key its ``kid`` names in ``jwks``; :class:`AttestationError` otherwise."""
    header_b64, payload_b64, signature_b64 = _split(token)
    header = read_header(token, typ)
    key = _public_key(parse_jwks(jwks), header.kid)
    signature = _b64decode(signature_b64, "signature")
    if len(signature) != 2 * _COORDINATE_BYTES:
        raise AttestationError("The signature is not a 64-byte ES256 signature (R || S).")
    r = int.from_bytes(signature[:_COORDINATE_BYTES], "big")
    s = int.from_bytes(signature[_COORDINATE_BYTES:], "big")
    signing_input = f"{header_b64}.{payload_b64}".encode("ascii")
    try:
        key.verify(encode_dss_signature(r, s), signing_input, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise AttestationError(
            f"The signature does not match: the token was altered, or key {header.kid!r} "
            "did not sign it."
        ) from None
    return header, _json_object(_b64decode(payload_b64, "payload"), "payload")


def _check_expiry(claims: Mapping[str, Any], now: float) -> None:
    exp = claims.get("exp")
    if exp is None:
        return
    if not isinstance(exp, int | float) or isinstance(exp, bool):
        raise AttestationError("The exp claim is not a number.")
    if now > exp + EXPIRY_LEEWAY:
        try:
            when = dt.datetime.fromtimestamp(exp, dt.UTC).isoformat()
        except (OverflowError, OSError, ValueError):
            when = f"{exp} (Unix time)"
        raise AttestationError(f"The attestation expired at {when}.")
