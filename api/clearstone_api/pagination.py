"""Cursor pagination: ``limit`` (1-100, default 20), ``after``; ``{data, has_more, next_cursor}``.

Cursors are opaque (URL-safe base64 of the last key seen) and walk a stable key order, so rows
that arrive mid-walk cause neither skips nor duplicates.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel

from clearstone_api.errors import FieldError, Unprocessable

__all__ = ["Page", "PageParams", "PageParamsDep", "decode_cursor", "encode_cursor"]

T = TypeVar("T")

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


class Page(BaseModel, Generic[T]):
    """One page of a list."""

    data: list[T]
    has_more: bool
    next_cursor: str | None
    """Pass as ``after`` to get the next page; null on the last page."""


def encode_cursor(key: str | int) -> str:
    raw = json.dumps({"k": key}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> str | int:
    """The key inside ``cursor``; 422 naming ``query.after`` when it is not one of ours."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))["k"]
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeEncodeError):
        value = None
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise Unprocessable(
            "The cursor is not valid; pass next_cursor from a previous page.",
            errors=[FieldError(path="query.after", message="invalid cursor", type="cursor")],
        )
    return value


class PageParams(BaseModel):
    limit: int
    after: str | int | None

    def page(self, items: list[T], key_of: str) -> Page[T]:
        """Cut ``items`` (fetched with ``limit + 1``) into a page keyed by attribute ``key_of``."""
        has_more = len(items) > self.limit
        data = items[: self.limit]
        next_cursor = encode_cursor(getattr(data[-1], key_of)) if has_more and data else None
        return Page[T](data=data, has_more=has_more, next_cursor=next_cursor)


def page_params(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size.")] = DEFAULT_LIMIT,
    after: Annotated[
        str | None,
        Query(
            max_length=200,
            pattern=r"^[A-Za-z0-9_\-]+$",
            description="next_cursor of the page before.",
        ),
    ] = None,
) -> PageParams:
    return PageParams(limit=limit, after=decode_cursor(after) if after is not None else None)


PageParamsDep = Annotated[PageParams, Depends(page_params)]
