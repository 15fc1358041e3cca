"""Auto-pagination over ``{data, has_more, next_cursor}`` with ``limit`` and ``after``."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx
import pytest

from clearstone import APIError, AsyncPager, BaseModel, Page, SyncPager

from .conftest import Harness
from .factories import MockServer, page

Connect = Callable[..., Harness]


class Stone(BaseModel):
    id: str


def _query(request: httpx.Request) -> dict[str, str]:
    return dict(request.url.params)


def test_iterating_walks_every_page_in_order(connect: Connect) -> None:
    server = MockServer(
        page([{"id": "a"}, {"id": "b"}], next_cursor="c1"),
        page([{"id": "c"}], next_cursor="c2"),
        page([]),
    )
    stones = connect(server).list_all("/v1/stones", page_type=Page[Stone], limit=2)
    assert [s.id for s in stones] == ["a", "b", "c"]
    assert all(isinstance(s, Stone) for s in stones)
    assert [_query(r) for r in server.requests] == [
        {"limit": "2"},
        {"limit": "2", "after": "c1"},
        {"limit": "2", "after": "c2"},
    ]


def test_filters_are_sent_with_every_page_and_limit_is_optional(connect: Connect) -> None:
    server = MockServer(page([{"id": "a"}], next_cursor="c1"), page([{"id": "b"}]))
    connect(server).list_all("/v1/stones", page_type=Page[Stone], params={"lab": "GIA"})
    assert [_query(r) for r in server.requests] == [{"lab": "GIA"}, {"lab": "GIA", "after": "c1"}]


def test_has_more_false_ends_the_walk_even_with_a_cursor(connect: Connect) -> None:
    last = httpx.Response(200, json={"data": [{"id": "a"}], "has_more": False, "next_cursor": "x"})
    server = MockServer(last)
    assert len(connect(server).list_all("/v1/stones", page_type=Page[Stone])) == 1


def test_a_repeated_cursor_is_an_error_not_an_endless_loop(connect: Connect) -> None:
    server = MockServer(
        page([{"id": "a"}], next_cursor="c1"), page([{"id": "b"}], next_cursor="c1")
    )
    with pytest.raises(APIError, match="twice"):
        connect(server).list_all("/v1/stones", page_type=Page[Stone])


def test_a_pager_fetches_nothing_until_iterated() -> None:
    fetched: list[str | None] = []

    def fetch(after: str | None) -> Page[Stone]:
        fetched.append(after)
        return Page[Stone](data=[Stone(id="a")], has_more=False)

    pager = SyncPager(fetch)
    assert fetched == []
    assert [p.data for p in pager.iter_pages()] == [[Stone(id="a")]]
    assert fetched == [None]


def test_async_pages_can_be_walked_page_by_page() -> None:
    pages = {
        None: Page[Stone](data=[Stone(id="a")], has_more=True, next_cursor="c1"),
        "c1": Page[Stone](data=[Stone(id="b")], has_more=False),
    }

    async def fetch(after: str | None) -> Page[Stone]:
        return pages[after]

    async def walk() -> list[list[str]]:
        return [[s.id for s in p.data] async for p in AsyncPager(fetch).iter_pages()]

    assert asyncio.run(walk()) == [["a"], ["b"]]
