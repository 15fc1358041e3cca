"""Appending custody events."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from clearstone_api.routes.auth import AuthorizedRoute, RecordsReader, RecordsWriter, requires
from clearstone_api.routes.created import LOCATION_HEADER, created_at
from clearstone_api.routes.dependencies import (
    ContainerDep,
    IdempotencyDep,
    SessionDep,
    UnitOfWorkDep,
)
from clearstone_api.routes.responses import AUTH, problems
from clearstone_api.routes.strict_bodies import strict_body
from clearstone_api.security.scopes import Scope
from clearstone_api.services.custody import CustodyEventCreate, CustodyEventPublic, create_event
from clearstone_api.services.custody_events import get_event

router = APIRouter(tags=["custody"], route_class=AuthorizedRoute)


@router.post(
    "/v1/custody/events",
    dependencies=[requires(Scope.records_write), strict_body(CustodyEventCreate)],
    operation_id="custody-events-create",
    status_code=201,
    summary="Append a custody event with its documents",
    responses={201: {"headers": LOCATION_HEADER}, **problems(*AUTH, 409, 422)},
)
def create_custody_event(
    body: CustodyEventCreate,
    response: Response,
    uow: UnitOfWorkDep,
    app: ContainerDep,
    principal: RecordsWriter,
    idempotency: IdempotencyDep,
) -> CustodyEventPublic:
    """Appends the event to the hash chain of every lot and stone it handled and re-assesses
    the stones descending from them. The log is append-only: nothing is ever updated. A chain
    holds at most ``max_custody_chain_length`` events (default 200): 422 beyond."""
    event = create_event(uow, app, principal, body, idempotency)
    created_at(response, "/v1/custody/events", event.id)
    return event


EventId = Annotated[
    str,
    Path(
        max_length=128,
        pattern=r"^[A-Za-z0-9._:\-]+$",
        description="Clearstone's id (`CE-...`) or your own id for the event (`event.id`).",
    ),
]


@router.get(
    "/v1/custody/events/{event_id}",
    operation_id="custody-events-get",
    summary="Get one of your custody events, with its chain links and log entry",
    responses=problems(*AUTH, 404, 422),
)
def get_custody_event(
    event_id: EventId, session: SessionDep, principal: RecordsReader
) -> CustodyEventPublic:
    """What appending it answered, read back: ``reassessed_stones`` are the stones whose
    assessment takes the event into account. Your own events only."""
    return get_event(session, principal, event_id)
