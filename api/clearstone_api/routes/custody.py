"""Appending custody events."""

from __future__ import annotations

from fastapi import APIRouter

from clearstone_api.routes.auth import AuthorizedRoute, RecordsWriter, requires
from clearstone_api.routes.dependencies import ContainerDep, IdempotencyDep, UnitOfWorkDep
from clearstone_api.routes.responses import AUTH, problems
from clearstone_api.routes.strict_bodies import strict_body
from clearstone_api.security.scopes import Scope
from clearstone_api.services.custody import CustodyEventCreate, CustodyEventPublic, create_event

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
    uow: UnitOfWorkDep,
    app: ContainerDep,
    principal: RecordsWriter,
    idempotency: IdempotencyDep,
) -> CustodyEventPublic:
    """Appends the event to the hash chain of every lot and stone it handled and re-assesses
    the stones descending from them. The log is append-only: nothing is ever updated. A chain
    holds at most ``max_custody_chain_length`` events (default 200): 422 beyond."""
    return create_event(uow, app, principal, body, idempotency)
