"""``canonical.jcs``: the JSON Canonicalization Scheme (RFC 8785) that attestations sign."""

from __future__ import annotations

import struct

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from clearstone_api.canonical import _Exact, _jcs, _plain, jcs

# RFC 8785 Appendix B: IEEE 754 doubles (as hex) and their canonical text.
NUMBERS = [
    ("0000000000000000", "0"),
    ("8000000000000000", "0"),
    ("0000000000000001", "5e-324"),
    ("8000000000000001", "-5e-324"),
    ("7fefffffffffffff", "1.7976931348623157e+308"),
    ("ffefffffffffffff", "-1.7976931348623157e+308"),
    ("4340000000000000", "9007199254740992"),
    ("c340000000000000", "-9007199254740992"),
    ("4430000000000000", "295147905179352830000"),
    ("44b52d02c7e14af5", "9.999999999999997e+22"),
    ("44b52d02c7e14af6", "1e+23"),
    ("44b52d02c7e14af7", "1.0000000000000001e+23"),
    ("444b1ae4d6e2ef4e", "999999999999999700000"),
    ("444b1ae4d6e2ef4f", "999999999999999900000"),
    ("444b1ae4d6e2ef50", "1e+21"),
    ("3eb0c6f7a0b5ed8c", "9.999999999999997e-7"),
    ("3eb0c6f7a0b5ed8d", "0.000001"),
    ("41b3de4355555553", "333333333.3333332"),
    ("41b3de4355555554", "333333333.33333325"),
    ("41b3de4355555555", "333333333.3333333"),
    ("41b3de4355555556", "333333333.3333334"),
    ("41b3de4355555557", "333333333.33333343"),
    ("becbf647612f3696", "-0.0000033333333333333333"),
    ("43143ff3c1cb0959", "1424953923781206.2"),
]


@pytest.mark.parametrize(("bits", "text"), NUMBERS)
def test_numbers_are_serialized_as_ecmascript_does(bits: str, text: str) -> None:
    (value,) = struct.unpack(">d", bytes.fromhex(bits))
    assert jcs(value) == text.encode()


def test_scores_lose_their_trailing_zero() -> None:
    assert jcs([100.0, 42.5, 0.0, 7]) == b"[100,42.5,0,7]"


def test_members_sort_by_utf16_code_units_and_strings_escape_minimally() -> None:
    # RFC 8785 §3.2.3's example: "\u20ac" (€) < "\U0001f600" (😀, a surrogate pair) < "\ufb01".
    value = {"\ufb01": 3, "\U0001f600": 2, "\u20ac": 1, "b": [True, None, "é\n\u0001\u2028"]}
    assert jcs(value) == (
        '{"b":[true,null,"é\\n\\u0001\u2028"],"\u20ac":1,"\U0001f600":2,"\ufb01":3}'.encode()
    )


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), 2**60, {1: "x"}, object()])
def test_what_json_cannot_say_exactly_is_refused(bad: object) -> None:
    with pytest.raises((ValueError, TypeError)):
        jcs(bad)


def _exact(value: object) -> bytes:
    out: list[str] = []
    _jcs(value, out)
    return "".join(out).encode("utf-8")


JSON_LEAVES = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53), max_value=2**53)
    | st.text()
    | st.floats(allow_nan=False, allow_infinity=False)
)
JSON_VALUES = st.recursive(
    JSON_LEAVES,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@example([9007199254740994.0])  # integral, beyond 2**53: ECMAScript's digits, not int()'s
@example([1e16, 123456789012345680000.0, 0.0001, 1e-05])
@given(JSON_VALUES)
def test_the_fast_path_writes_exactly_what_the_scheme_says(value: object) -> None:
    # Plain values (no floats, ASCII names) go through json.dumps; the rest through the exact
    # serializer. Either way the bytes are the exact serializer's.
    assert jcs(value) == _exact(value)


def test_a_signed_view_takes_the_fast_path() -> None:
    view = {"assessment": {"csc": {"score": 60.0, "scores": [10.4, 0.5]}}, "iat": 1}
    assert _plain(view) == {"assessment": {"csc": {"score": 60, "scores": [10.4, 0.5]}}, "iat": 1}
    for exact in ({"score": 1e-7}, {"score": 1e21}, {"é": 1}, [2**60], [9007199254740994.0]):
        with pytest.raises(_Exact):  # exponents, non-ASCII names (UTF-16 order), big integers
            _plain(exact)
