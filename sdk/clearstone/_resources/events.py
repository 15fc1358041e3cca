"""``events``: the change feed, and ``watches``: the stones whose events reach a retailer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from clearstone._event_models import Event, Watch, parse_event
from clearstone._models import BaseModel, Page
from clearstone._pagination import AsyncPager, SyncPager
from clearstone._resource import AsyncAPIResource, SyncAPIResource, path_param
from clearstone._types import NOT_GIVEN, NotGiven, NotGivenOr, QueryValue

__all__ = ["AsyncEvents", "AsyncWatches", "Events", "Watches"]

_EVENTS = "/v1/events"
_WATCHES = "/v1/watches"


class _RawEvent(BaseModel):
    """An event as the feed returns it, before :func:`parse_event` types it."""


def _query(
    types: NotGivenOr[Sequence[str]],
    since: NotGivenOr[dt.datetime],
    until: NotGivenOr[dt.datetime],
) -> dict[str, QueryValue]:
    return {
        "type": NOT_GIVEN if isinstance(types, NotGiven) else list(types),
        "since": since.isoformat() if isinstance(since, dt.datetime) else NOT_GIVEN,
        "until": until.isoformat() if isinstance(until, dt.datetime) else NOT_GIVEN,
    }


class Events(SyncAPIResource):
    def list(
        self,
        *,
        types: NotGivenOr[Sequence[str]] = NOT_GIVEN,
        since: NotGivenOr[dt.datetime] = NOT_GIVEN,
        until: NotGivenOr[dt.datetime] = NOT_GIVEN,
        limit: NotGivenOr[int] = NOT_GIVEN,
        budget: float | None = None,
    ) -> SyncPager[Event]:
        """Every event you are entitled to, oldest first, typed by :func:`parse_event`
        (``events-list``).

        Example::

            for event in client.events.list(types=["stone.assessment.changed"]):
                print(event.subject, event.data.after.csc_result)
        """
        base = {**_query(types, since, until), "limit": limit}

        def fetch(after: str | None) -> Page[Event]:
            page = self._client.request(
                "GET",
                _EVENTS,
                params={**base, "after": after},
                cast_to=Page[_RawEvent],
                budget=budget,
            )
            return _typed(page)

        return SyncPager(fetch)

    def get(self, event_id: str, *, budget: float | None = None) -> Event:
        """One event by id, ``evt_...`` (``events-get``)."""
        path = f"{_EVENTS}/{path_param(event_id)}"
        raw = self._client.request("GET", path, cast_to=_RawEvent, budget=budget)
        return parse_event(raw.model_dump(mode="json"))


class AsyncEvents(AsyncAPIResource):
    def list(
        self,
        *,
        types: NotGivenOr[Sequence[str]] = NOT_GIVEN,
        since: NotGivenOr[dt.datetime] = NOT_GIVEN,
        until: NotGivenOr[dt.datetime] = NOT_GIVEN,
        limit: NotGivenOr[int] = NOT_GIVEN,
        budget: float | None = None,
    ) -> AsyncPager[Event]:
        """Every event you are entitled to, for ``async for`` (``events-list``)."""
        base = {**_query(types, since, until), "limit": limit}

        async def fetch(after: str | None) -> Page[Event]:
            page = await self._client.request(
                "GET",
                _EVENTS,
                params={**base, "after": after},
                cast_to=Page[_RawEvent],
                budget=budget,
            )
            return _typed(page)

        return AsyncPager(fetch)

    async def get(self, event_id: str, *, budget: float | None = None) -> Event:
        """One event by id (``events-get``)."""
        path = f"{_EVENTS}/{path_param(event_id)}"
        raw = await self._client.request("GET", path, cast_to=_RawEvent, budget=budget)
        return parse_event(raw.model_dump(mode="json"))


def _typed(page: Page[_RawEvent]) -> Page[Event]:
    return Page[Event](
        data=[parse_event(e.model_dump(mode="json")) for e in page.data],
        has_more=page.has_more,
        next_cursor=page.next_cursor,
    )


class Watches(SyncAPIResource):
    def create(
        self, stone_id: str, *, idempotency_key: str | None = None, budget: float | None = None
    ) -> Watch:
        """Watch a stone by its Clearstone id (``watches-create``); watching it again answers
        the existing watch.

        Example::

            watch = client.watches.create("CS-7K2M9QXH4D1P")
        """
        return self._client.request(
            "POST",
            _WATCHES,
            json={"stone_id": stone_id},
            cast_to=Watch,
            idempotency_key=idempotency_key,
            budget=budget,
        )

    def get(self, watch_id: str, *, budget: float | None = None) -> Watch:
        """One of your watches, ``wat_...`` (``watches-get``)."""
        path = f"{_WATCHES}/{path_param(watch_id)}"
        return self._client.request("GET", path, cast_to=Watch, budget=budget)

    def list(
        self, *, limit: NotGivenOr[int] = NOT_GIVEN, budget: float | None = None
    ) -> SyncPager[Watch]:
        """Every stone you watch (``watches-list``)."""
        return self._client._paginate(_WATCHES, page_type=Page[Watch], limit=limit, budget=budget)

    def delete(self, watch_id: str, *, budget: float | None = None) -> None:
        """Stop watching (``watches-delete``)."""
        path = f"{_WATCHES}/{path_param(watch_id)}"
        self._client.request("DELETE", path, cast_to=type(None), budget=budget)


class AsyncWatches(AsyncAPIResource):
    async def create(
        self, stone_id: str, *, idempotency_key: str | None = None, budget: float | None = None
    ) -> Watch:
        """Watch a stone (``watches-create``); see :meth:`Watches.create`."""
        return await self._client.request(
            "POST",
            _WATCHES,
            json={"stone_id": stone_id},
            cast_to=Watch,
            idempotency_key=idempotency_key,
            budget=budget,
        )

    async def get(self, watch_id: str, *, budget: float | None = None) -> Watch:
        """One of your watches (``watches-get``)."""
        path = f"{_WATCHES}/{path_param(watch_id)}"
        return await self._client.request("GET", path, cast_to=Watch, budget=budget)

    def list(
        self, *, limit: NotGivenOr[int] = NOT_GIVEN, budget: float | None = None
    ) -> AsyncPager[Watch]:
        """Every stone you watch, for ``async for`` (``watches-list``)."""
        return self._client._paginate(_WATCHES, page_type=Page[Watch], limit=limit, budget=budget)

    async def delete(self, watch_id: str, *, budget: float | None = None) -> None:
        """Stop watching (``watches-delete``)."""
        path = f"{_WATCHES}/{path_param(watch_id)}"
        await self._client.request("DELETE", path, cast_to=type(None), budget=budget)
