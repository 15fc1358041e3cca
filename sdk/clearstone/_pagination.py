"""Auto-paginating iterators over cursor lists (``{data, has_more, next_cursor}``).

A pager fetches nothing until it is iterated, then one page at a time, passing each page's
``next_cursor`` as ``after``::

    for stone in client.stones.list(limit=50):        # SyncPager[Stone]
        ...
    async for stone in async_client.stones.list():     # AsyncPager[Stone]
        ...
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Generic, TypeVar

from clearstone._exceptions import APIError
from clearstone._models import Page

__all__ = ["AsyncPager", "SyncPager"]

T = TypeVar("T")


def _next_cursor(page: Page[T], previous: str | None) -> str | None:
    """The cursor of the page after ``page``; None after the last page."""
    cursor = page.next_cursor if page.has_more else None
    if cursor is not None and cursor == previous:
        # A server bug must not turn a list into an endless loop.
        raise APIError(f"The server returned the cursor {cursor!r} twice in a row.")
    return cursor


class SyncPager(Generic[T]):
    """Every item of a list, across pages. Iterate it again to walk the list again."""

    def __init__(self, fetch_page: Callable[[str | None], Page[T]]) -> None:
        self._fetch_page = fetch_page

    def __iter__(self) -> Iterator[T]:
        for page in self.iter_pages():
            yield from page.data

    def iter_pages(self) -> Iterator[Page[T]]:
        """The pages themselves, for callers that want ``has_more`` or batch processing."""
        cursor: str | None = None
        while True:
            page = self._fetch_page(cursor)
            yield page
            cursor = _next_cursor(page, cursor)
            if cursor is None:
                return


class AsyncPager(Generic[T]):
    """Every item of a list, across pages, for ``async for``."""

    def __init__(self, fetch_page: Callable[[str | None], Awaitable[Page[T]]]) -> None:
        self._fetch_page = fetch_page

    async def __aiter__(self) -> AsyncIterator[T]:
        async for page in self.iter_pages():
            for item in page.data:
                yield item

    async def iter_pages(self) -> AsyncIterator[Page[T]]:
        """The pages themselves, for callers that want ``has_more`` or batch processing."""
        cursor: str | None = None
        while True:
            page = await self._fetch_page(cursor)
            yield page
            cursor = _next_cursor(page, cursor)
            if cursor is None:
                return
