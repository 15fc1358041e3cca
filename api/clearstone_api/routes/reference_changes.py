"""Analyst writes to reference data, and the audit trail of changes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Path, Request
from sqlmodel import Session, col, select

from clearstone_api.db import SessionDep, database_of
from clearstone_api.domain.reference_rows import Incident, StatusPeriod
from clearstone_api.models.reference_change import ReferenceChange
from clearstone_api.pagination import Page, PageParamsDep
from clearstone_api.routes.dependencies import attester, current_reference, reference_store
from clearstone_api.routes.responses import AUTH, problems
from clearstone_api.routes.strict_bodies import strict_body
from clearstone_api.security.principals import (
    Analyst,
    AnalystReader,
    AuthorizedRoute,
    Principal,
    requires,
)
from clearstone_api.security.scopes import Scope
from clearstone_api.services import reference_changes
from clearstone_api.services.idempotency import IdempotencyClaim, IdempotencyDep
from clearstone_api.services.reference_changes import (
    IncidentChange,
    ReferenceChangePublic,
    StatusPeriodChange,
    change_public,
)

router = APIRouter(tags=["reference"], route_class=AuthorizedRoute)

IncidentId = Annotated[str, Path(max_length=128, pattern=r"^INC-[A-Z0-9-]+$")]
PeriodId = Annotated[str, Path(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._:-]+$")]


def _apply(
    request: Request,
    session: Session,
    principal: Principal,
    background: BackgroundTasks,
    *,
    kind: str,
    row: Incident | StatusPeriod,
    note: str,
    action: str,
    idempotency: IdempotencyClaim | None = None,
) -> ReferenceChangePublic:
    change = reference_changes.record_change(
        session,
        principal,
        current_reference(request, session),
        kind=kind,
        row=row,
        note=note,
        action=action,
    )
    public = change_public(change)
    if idempotency is not None:
        idempotency.record(session, 201, public)
    assert change.id is not None
    # Runs after the response, once this transaction has committed.
    background.add_task(
        reference_changes.run_reassessment,
        database_of(request),
        reference_store(request),
        attester(request),
        change.id,
        request.app.state.settings.reassessment_batch_size,
    )
    background.add_task(request.app.state.certificate_cache.clear)
    return public


@router.post(
    "/v1/reference/incidents",
    operation_id="incidents-create",
    dependencies=[requires(Scope.reference_write), strict_body(IncidentChange)],
    status_code=201,
    summary="Add an incident (analyst)",
    responses=problems(*AUTH, 409, 422),
)
def create_incident(
    body: IncidentChange,
    request: Request,
    session: SessionDep,
    principal: Analyst,
    background: BackgroundTasks,
    idempotency: IdempotencyDep,
) -> ReferenceChangePublic:
    """Versioned and audited; every stored stone it can affect is re-assessed in the background
    (follow ``reference-changes-get`` for progress)."""
    return _apply(
        request,
        session,
        principal,
        background,
        kind="incident",
        row=body.incident,
        note=body.note,
        action="create",
        idempotency=idempotency,
    )


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
    request: Request,
    session: SessionDep,
    principal: Analyst,
    background: BackgroundTasks,
) -> ReferenceChangePublic:
    # The path names the row; an id in the body is overridden by it.
    return _apply(
        request,
        session,
        principal,
        background,
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
    responses=problems(*AUTH, 409, 422),
)
def create_status_period(
    body: StatusPeriodChange,
    request: Request,
    session: SessionDep,
    principal: Analyst,
    background: BackgroundTasks,
    idempotency: IdempotencyDep,
) -> ReferenceChangePublic:
    return _apply(
        request,
        session,
        principal,
        background,
        kind="status_period",
        row=body.status_period.to_row(),
        note=body.note,
        action="create",
        idempotency=idempotency,
    )


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
    request: Request,
    session: SessionDep,
    principal: Analyst,
    background: BackgroundTasks,
) -> ReferenceChangePublic:
    return _apply(
        request,
        session,
        principal,
        background,
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
    query = select(ReferenceChange).order_by(col(ReferenceChange.id))
    if isinstance(page.after, int):
        query = query.where(col(ReferenceChange.id) > page.after)
    rows = session.exec(query.limit(page.limit + 1)).all()
    return page.page([change_public(r) for r in rows], "id")


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
