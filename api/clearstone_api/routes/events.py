"""The change feed: ``GET /v1/events`` and ``GET /v1/events/{event_id}``."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import WithJsonSchema

from clearstone_api.errors import FieldError, Unprocessable
from clearstone_api.pagination import Page, PageParamsDep
from clearstone_api.routes.auth import AuthorizedRoute, EventsReader
from clearstone_api.routes.dependencies import SessionDep
from clearstone_api.routes.responses import AUTH, problems
from clearstone_api.services import event_feed
from clearstone_api.services.event_feed import EventPublic
from clearstone_api.services.outbox import EVENT_TYPES

router = APIRouter(tags=["events"], route_class=AuthorizedRoute)

EventId = Annotated[str, Path(max_length=40, pattern=r"^evt_[0-9a-f]{24}$")]
_TYPES = "Only events of these types (repeat the parameter): " + ", ".join(
    f"`{t}`" for t in EVENT_TYPES
)

_DATE_TIME = WithJsonSchema({"type": "string", "format": "date-time"})  # checked by _moment


def _moment(value: str | None, name: str) -> dt.datetime | None:
    """An RFC 3339 time (UTC when it names no offset); 422 naming ``query.<name>``."""
    if value is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        moment = None
    if moment is None or "T" not in value.upper():
        raise Unprocessable(
            f"{name} must be a date-time such as 2026-12-01T00:00:00Z.",
            errors=[FieldError(path=f"query.{name}", message="invalid date-time", type="datetime")],
        )
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


@router.get(
    "/v1/events",
    operation_id="events-list",
    summary="The change feed: events you are entitled to, oldest first",
    responses=problems(*AUTH, 422),
)
def list_events(
    page: PageParamsDep,
    session: SessionDep,
    principal: EventsReader,
    type: Annotated[  # noqa: A002 (the query parameter's public name)
        list[str] | None, Query(description=_TYPES)
    ] = None,
    since: Annotated[
        str | None,
        Query(max_length=40, description="Only events that occurred at or after this time."),
        _DATE_TIME,
    ] = None,
    until: Annotated[
        str | None,
        Query(max_length=40, description="Only events that occurred before this time."),
        _DATE_TIME,
    ] = None,
) -> Page[EventPublic]:
    """A supplier sees its stones' events, a retailer those of the stones it watches, an
    analyst reference changes and re-assessment runs, a lab disputes over its numbers. Walk it
    with ``after``: no event is skipped or repeated. Events are kept at least 30 days."""
    unknown = [t for t in type or [] if t not in EVENT_TYPES]
    if unknown:
        raise Unprocessable(
            f"Unknown event type {unknown[0]!r}.",
            errors=[FieldError(path="query.type", message="unknown event type", type="enum")],
        )
    after = page.after if isinstance(page.after, int) else None
    data, more, last = event_feed.list_events(
        session,
        principal,
        page.limit,
        after,
        types=type,
        since=_moment(since, "since"),
        until=_moment(until, "until"),
    )
    return Page[EventPublic](
        data=data, has_more=more, next_cursor=page.cursor(last) if last is not None else None
    )


@router.get(
    "/v1/events/{event_id}",
    operation_id="events-get",
    summary="Get one event",
    responses=problems(*AUTH, 404, 422),
)
def get_event(event_id: EventId, session: SessionDep, principal: EventsReader) -> EventPublic:
    """An event you are not entitled to is a 404, as if it did not exist."""
    return event_feed.get_event(session, principal, event_id)
