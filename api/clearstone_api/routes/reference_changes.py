"""Analyst writes to reference data, and the audit trail of changes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from clearstone_api.pagination import Page, PageParamsDep
from clearstone_api.routes.auth import Analyst, AnalystReader, AuthorizedRoute, requires
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
from clearstone_api.services import reference_changes
from clearstone_api.services.reference_changes import (
    IncidentChange,
    ReferenceChangePublic,
    ReferenceRowCreated,
    StatusPeriodChange,
    apply_change,
    change_public,
    created_row,
)

router = APIRouter(tags=["reference"], route_class=AuthorizedRoute)

IncidentId = Annotated[str, Path(max_length=128, pattern=r"^INC-[A-Z0-9-]+$")]
PeriodId = Annotated[str, Path(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._:-]+$")]


@router.post(
    "/v1/reference/incidents",
    operation_id="incidents-create",
    dependencies=[requires(Scope.reference_write), strict_body(IncidentChange)],
    status_code=201,
    summary="Add an incident (analyst)",
    responses={201: {"headers": LOCATION_HEADER}, **problems(*AUTH, 409, 422)},
)
def create_incident(
    body: IncidentChange,
    response: Response,
    uow: UnitOfWorkDep,
    app: ContainerDep,
    principal: Analyst,
    idempotency: IdempotencyDep,
) -> ReferenceRowCreated:
    """Versioned and audited; every stored stone it can affect is re-assessed in the background
    (follow ``reference-changes-get`` with ``change_id`` for progress). ``id`` is the
    incident's."""
    change = apply_change(
        uow,
        app,
        principal,
        kind="incident",
        row=body.incident,
        note=body.note,
        action="create",
        claim=idempotency,
    )
    created_at(response, "/v1/reference/incidents", change.target_id)
    return created_row(change)


@router.put(
    "/v1/reference/incidents/{incident_id}",
    operation_id="incidents-update",
    dependencies=[requires(Scope.reference_write), strict_body(IncidentChange)],
    summary="Correct an incident (analyst)",
    responses=problems(*AUTH, 404, 422),
)
def update_incident(
    incident_id: IncidentId,
    body: IncidentChange,
    uow: UnitOfWorkDep,
    app: ContainerDep,
    principal: Analyst,
) -> ReferenceChangePublic:
    # The path names the row; an id in the body is overridden by it.
    return apply_change(
        uow,
        app,
        principal,
        kind="incident",
        row=body.incident.model_copy(update={"id": incident_id}),
        note=body.note,
        action="update",
    )


@router.post(
    "/v1/reference/status-periods",
    operation_id="status-periods-create",
    dependencies=[requires(Scope.reference_write), strict_body(StatusPeriodChange)],
    status_code=201,
    summary="Add a KP status period (analyst)",
    responses={201: {"headers": LOCATION_HEADER}, **problems(*AUTH, 409, 422)},
)
def create_status_period(
    body: StatusPeriodChange,
    response: Response,
    uow: UnitOfWorkDep,
    app: ContainerDep,
    principal: Analyst,
    idempotency: IdempotencyDep,
) -> ReferenceRowCreated:
    """``id`` is the status period's; ``change_id`` the audited change."""
    change = apply_change(
        uow,
        app,
        principal,
        kind="status_period",
        row=body.status_period.to_row(),
        note=body.note,
        action="create",
        claim=idempotency,
    )
    created_at(response, "/v1/reference/status-periods", change.target_id)
    return created_row(change)


@router.put(
    "/v1/reference/status-periods/{period_id}",
    operation_id="status-periods-update",
    dependencies=[requires(Scope.reference_write), strict_body(StatusPeriodChange)],
    summary="Correct a KP status period (analyst)",
    responses=problems(*AUTH, 404, 422),
)
def update_status_period(
    period_id: PeriodId,
    body: StatusPeriodChange,
    uow: UnitOfWorkDep,
    app: ContainerDep,
    principal: Analyst,
) -> ReferenceChangePublic:
    return apply_change(
        uow,
        app,
        principal,
        kind="status_period",
        row=body.status_period.to_row(period_id),
        note=body.note,
        action="update",
    )


@router.get(
    "/v1/reference/changes",
    operation_id="reference-changes-list",
    summary="The audit trail of reference-data changes (analyst)",
    responses=problems(*AUTH, 422),
)
def list_changes(
    session: SessionDep, page: PageParamsDep, _principal: AnalystReader
) -> Page[ReferenceChangePublic]:
    after = page.after if isinstance(page.after, int) else None
    return page.page(reference_changes.list_changes(session, page.limit, after), "id")


@router.get(
    "/v1/reference/changes/{change_id}",
    operation_id="reference-changes-get",
    summary="One reference-data change and its re-assessment progress (analyst)",
    responses=problems(*AUTH, 404, 422),
)
def get_change(
    change_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    session: SessionDep,
    _principal: AnalystReader,
) -> ReferenceChangePublic:
    return change_public(reference_changes.get_change(session, change_id))
