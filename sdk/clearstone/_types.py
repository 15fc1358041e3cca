"""Types shared by the client and the resources: the ``NOT_GIVEN`` sentinel and request shapes.

``None`` is a value the caller may mean ("no timeout", "clear this field"); ``NOT_GIVEN`` means
the caller said nothing, so the default applies or the field is left out of the request::

    client.request("GET", "/v1/x", cast_to=X, timeout=None)       # no timeout at all
    client.request("GET", "/v1/x", cast_to=X, timeout=NOT_GIVEN)  # the client's timeout
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final, Literal, TypeAlias, TypeVar

import httpx

__all__ = [
    "NOT_GIVEN",
    "Body",
    "NotGiven",
    "NotGivenOr",
    "Query",
    "QueryValue",
    "Timeout",
    "strip_not_given",
]

_T = TypeVar("_T")


class NotGiven:
    """The type of :data:`NOT_GIVEN`: an argument the caller did not pass.

    Example::

        def list(self, *, limit: NotGivenOr[int] = NOT_GIVEN) -> SyncPager[Stone]: ...
    """

    _instance: NotGiven | None = None

    def __new__(cls) -> NotGiven:
        # One instance, so that identity checks (`is NOT_GIVEN`) always hold.
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Final = NotGiven()
"""The caller did not pass this argument (distinct from passing ``None``)."""

NotGivenOr: TypeAlias = _T | NotGiven
"""``NotGivenOr[int]``: an int, or not given."""

Timeout: TypeAlias = float | httpx.Timeout | None
"""Seconds per attempt, a full :class:`httpx.Timeout`, or ``None`` for no timeout."""

QueryValue: TypeAlias = (
    str | int | float | bool | NotGiven | Sequence[str | int | float | bool] | None
)
Query: TypeAlias = Mapping[str, QueryValue]
"""Query parameters; ``None`` and ``NOT_GIVEN`` values are left out of the URL."""

Body: TypeAlias = object
"""A JSON body: a pydantic model (sent with ``exclude_unset``) or JSON-able data."""


def strip_not_given(value: object) -> object:
    """``value`` with every mapping entry whose value is ``NOT_GIVEN`` removed, at any depth."""
    if isinstance(value, Mapping):
        return {k: strip_not_given(v) for k, v in value.items() if not isinstance(v, NotGiven)}
    if isinstance(value, list | tuple):
        return [strip_not_given(v) for v in value if not isinstance(v, NotGiven)]
    return value
