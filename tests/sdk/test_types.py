from __future__ import annotations

from clearstone import NOT_GIVEN, NotGiven
from clearstone._types import strip_not_given


def test_not_given_is_a_falsy_singleton() -> None:
    assert NotGiven() is NOT_GIVEN
    assert not NOT_GIVEN
    assert repr(NOT_GIVEN) == "NOT_GIVEN"


def test_strip_not_given_drops_unset_entries_but_keeps_none() -> None:
    body = {"a": 1, "b": NOT_GIVEN, "c": None, "d": {"e": NOT_GIVEN, "f": [1, NOT_GIVEN]}}
    assert strip_not_given(body) == {"a": 1, "c": None, "d": {"f": [1]}}
