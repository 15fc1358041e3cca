"""Cursor pagination: ``limit`` (1-100, default 20), ``after``; ``{data, has_more, next_cursor}``.

Cursors are opaque and walk a stable key order, so rows that arrive mid-walk cause neither skips
nor duplicates. A cursor is the last key seen (URL-safe base64 of JSON) and a MAC over that key
and the list it came from, under a key derived from the deployment's pepper: a cursor this
server did not issue, one edited by hand, or one from another list (the stones' cursor sent to
the lots) is a 400 naming ``query.after``, never a silent walk from an arbitrary key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Query, Request
from pydantic import BaseModel, ConfigDict

from clearstone_api.container import container_of
from clearstone_api.errors import BadRequest, FieldError

__all__ = ["CursorError", "Page", "PageParams", "PageParamsDep"]

T = TypeVar("T")

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
_MAX_CURSOR = 300
_MAC_BYTES = 16


class Page(BaseModel, Generic[T]):
    """One page of a list."""

    data: list[T]
    has_more: bool
    next_cursor: str | None
    """Pass as ``after`` to get the next page; null on the last page."""


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode((text + "=" * (-len(text) % 4)).encode("ascii"))


def _mac(key: bytes, scope: str, payload: str) -> bytes:
    message = f"{scope}\n{payload}".encode()
    return hmac.new(key, message, hashlib.sha256).digest()[:_MAC_BYTES]


class CursorError(BadRequest):
    def __init__(self) -> None:
        super().__init__(
            "The cursor is not valid for this list; pass next_cursor from a previous page of "
            "the same list, or leave `after` out to start at the beginning.",
            errors=[FieldError(path="query.after", message="invalid cursor", type="cursor")],
        )


class PageParams(BaseModel):
    """``limit`` and the key after which the page starts; issues the next page's cursor."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    limit: int
    after: str | int | None
    scope: str
    """The list the cursors belong to (its path)."""
    key: bytes

    def cursor(self, last: str | int) -> str:
        """The cursor of the page after the one that ends at ``last``."""
        payload = _b64(json.dumps({"k": last}, separators=(",", ":")).encode())
        return f"{payload}.{_b64(_mac(self.key, self.scope, payload))}"

    def decode(self, cursor: str) -> str | int:
        """The key inside ``cursor``; :class:`CursorError` unless this list issued it."""
        payload, _, mac = cursor.partition(".")
        try:
            if len(cursor) > _MAX_CURSOR or not hmac.compare_digest(
                _unb64(mac), _mac(self.key, self.scope, payload)
            ):
                raise CursorError
            value = json.loads(_unb64(payload))["k"]
        except (ValueError, KeyError, TypeError, binascii.Error, UnicodeError):
            raise CursorError from None
        if not isinstance(value, str | int) or isinstance(value, bool):
            raise CursorError
        return value

    def page(self, items: list[T], key_of: str) -> Page[T]:
        """Cut ``items`` (fetched with ``limit + 1``) into a page keyed by attribute ``key_of``."""
        has_more = len(items) > self.limit
        data = items[: self.limit]
        next_cursor = self.cursor(getattr(data[-1], key_of)) if has_more and data else None
        return Page[T](data=data, has_more=has_more, next_cursor=next_cursor)


def page_params(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size.")] = DEFAULT_LIMIT,
    after: Annotated[
        str | None,
        Query(
            description="`next_cursor` of the page before, as it was given; a cursor that this "
            "list did not issue is a 400.",
        ),
    ] = None,
) -> PageParams:
    params = PageParams(
        limit=limit,
        after=None,
        scope=request.url.path,
        key=container_of(request.app).cursor_key,
    )
    if after is not None:
        params.after = params.decode(after)
    return params


PageParamsDep = Annotated[PageParams, Depends(page_params)]
