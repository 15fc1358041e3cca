"""Appending custody events."""

from __future__ import annotations

from fastapi import APIRouter, Request

from clearstone_api.db import SessionDep
from clearstone_api.routes.dependencies import attester, certificate_cache, current_reference
from clearstone_api.routes.responses import AUTH, problems
from clearstone_api.routes.strict_bodies import strict_body
from clearstone_api.security.principals import AuthorizedRoute, RecordsWriter, requires
from clearstone_api.security.scopes import Scope
from clearstone_api.services.custody import CustodyEventCreate, CustodyEventPublic, append_event
from clearstone_api.services.idempotency import IdempotencyDep

router = APIRouter(tags=["custody"], route_class=AuthorizedRoute)


@router.post(
    "/v1/custody/events",
    dependencies=[requires(Scope.records_write), strict_body(CustodyEventCreate)],
    operation_id="custody-events-create",
    status_code=201,
    summary="Append a custody event with its documents",
    responses=problems(*AUTH, 409, 422),
)
def create_custody_event(
    body: CustodyEventCreate,
    request: Request,
    session: SessionDep,
    principal: RecordsWriter,
    idempotency: IdempotencyDep,
) -> CustodyEventPublic:
    """Appends the event to the hash chain of every lot and stone it handled and re-assesses
    the stones descending from them. The log is append-only: nothing is ever updated. A chain
    holds at most ``max_custody_chain_length`` events (default 200): 422 beyond."""
    event = append_event(
        session,
        principal,
        current_reference(request, session),
        body,
        attester=attester(request),
        max_chain_length=request.app.state.settings.max_custody_chain_length,
    )
    idempotency.record(session, 201, event)
    certificate_cache(request).clear()
    return event
