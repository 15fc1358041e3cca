"""Analyst changes to incidents and status periods: versioned, attributed, re-assessed.

A change is one row in ``reference_changes`` with the before and after of the row it touches;
the reference in force is the shipped data with every change applied. The change starts a
re-assessment run in the same transaction (:mod:`clearstone_api.services.reassessment_runs`):
jobs on the queue re-assess every stored stone the change can reach (found through the
footprint index, not by scanning), a batch per job, logging before and after; the change row
keeps the counts.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator
from sqlmodel import Session, col, select

from clearstone_api.container import AppContainer
from clearstone_api.domain.reference import Reference
from clearstone_api.domain.reference_rows import Incident, StatusPeriod, Verification
from clearstone_api.domain.text import MULTI_LINE, CheckedValues, check_https_url
from clearstone_api.errors import Conflict, NotFound, Unprocessable
from clearstone_api.models.reference_change import ReferenceChange
from clearstone_api.security.principals import Principal
from clearstone_api.services.idempotency import IdempotencyClaim
from clearstone_api.services.reassessment_runs import start_run
from clearstone_api.services.reference_events import emit_change_applied
from clearstone_api.services.unit_of_work import UnitOfWork

__all__ = [
    "IncidentChange",
    "ReferenceChangePublic",
    "ReferenceRowCreated",
    "StatusPeriodChange",
    "apply_change",
    "change_public",
    "created_row",
    "get_change",
    "list_changes",
    "record_change",
]

IN_PROCESS_WAIT_SECONDS = 600.0
"""How long a request's background task waits for the in-process queue after a change."""

Note = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000), MULTI_LINE
]


class IncidentChange(CheckedValues):
    """A new or corrected incident, and why."""

    model_config = ConfigDict(extra="forbid")

    incident: Incident
    note: Note
    """Why the change is made (a new source, a corrected date); kept in the audit trail."""

    @field_validator("incident")
    @classmethod
    def _https_sources(cls, incident: Incident) -> Incident:
        for source in incident.sources:
            check_https_url(source.url)
        return incident


class StatusPeriodIn(CheckedValues):
    """A KP status period as an analyst submits it (the shipped row, with JSON types)."""

    model_config = ConfigDict(extra="forbid")

    id: Annotated[
        str, StringConstraints(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._:-]+$")
    ]
    participant_id: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
    status: Literal["suspended", "self_suspended", "removed", "embargoed"]
    valid_from: dt.date
    valid_to: dt.date | None = None
    """Exclusive: the first day the status no longer applies."""
    basis: Annotated[str, StringConstraints(min_length=1, max_length=2000)]
    exception_measure: Literal["compliant_zone"] | None = None
    source_ids: Annotated[
        list[Annotated[str, StringConstraints(min_length=1, max_length=32)]],
        Field(min_length=1, max_length=50),
    ]
    retrieved_at: dt.date
    verification: Verification
    note: Annotated[str, StringConstraints(max_length=2000)] | None = None

    def to_row(self, period_id: str | None = None) -> StatusPeriod:
        data = self.model_dump()
        if period_id is not None:
            data["id"] = period_id
        return StatusPeriod.model_validate(data)


class StatusPeriodChange(CheckedValues):
    """A new or corrected KP status period, and why."""

    model_config = ConfigDict(extra="forbid")

    status_period: StatusPeriodIn
    note: Note


class ReferenceChangePublic(BaseModel):
    """One audited change and the re-assessment it caused."""

    id: int
    kind: str
    target_id: str
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any]
    note: str
    version: str
    """The reference-data version once this change is applied."""
    actor: str
    created_at: dt.datetime
    reassessment_state: str
    """``pending``, ``running`` or ``done``."""
    stones_reassessed: int
    stones_changed: int


class ReferenceRowCreated(BaseModel):
    """A reference row an analyst added, and the audited change that added it."""

    id: str
    """The row's own id (the incident's ``INC-...``, the status period's id): read it back at
    ``Location``."""
    kind: str
    """``incident`` or ``status_period``."""
    change_id: int
    """The audited change; follow ``reference-changes-get`` for the re-assessment's progress."""
    change: ReferenceChangePublic


def created_row(change: ReferenceChangePublic) -> ReferenceRowCreated:
    return ReferenceRowCreated(
        id=change.target_id, kind=change.kind, change_id=change.id, change=change
    )


def change_public(row: ReferenceChange) -> ReferenceChangePublic:
    return ReferenceChangePublic.model_validate(row, from_attributes=True)


def record_change(
    session: Session,
    principal: Principal,
    current: Reference,
    *,
    kind: str,
    row: Incident | StatusPeriod,
    note: str,
    action: str,
) -> ReferenceChange:
    """Store one change; ``action`` ``create`` needs a new id, ``update`` an existing one."""
    table: dict[str, Any] = (
        dict(current.incidents) if kind == "incident" else {p.id: p for p in current.status_periods}
    )
    existing = table.get(row.id)
    if action == "create" and existing is not None:
        raise Conflict(f"{kind} {row.id!r} exists; update it instead.")
    if action == "update" and existing is None:
        raise NotFound(f"No {kind} {row.id!r}.")
    if kind == "status_period" and isinstance(row, StatusPeriod):
        if row.participant_id not in current.participants:
            raise Unprocessable(f"Unknown KP participant {row.participant_id!r}.")
    change = ReferenceChange(
        kind=kind,
        target_id=row.id,
        action=action,
        before=existing.model_dump(mode="json") if existing is not None else None,
        after=row.model_dump(mode="json"),
        note=note,
        version="pending",
        actor=principal.id,
    )
    session.add(change)
    session.flush()
    change.version = f"{current.version.split('+', 1)[0]}+r{change.id}"
    return change


def apply_change(
    uow: UnitOfWork,
    app: AppContainer,
    principal: Principal,
    *,
    kind: str,
    row: Incident | StatusPeriod,
    note: str,
    action: str,
    claim: IdempotencyClaim | None = None,
) -> ReferenceChangePublic:
    """Record a change in ``uow`` (:func:`record_change`) with a re-assessment run of every
    stored stone it can reach (:func:`~clearstone_api.services.reassessment_runs.start_run`:
    its jobs are queued with the write), and clear the certificate cache once it commits."""
    change = record_change(
        uow.session,
        principal,
        app.references.current(uow.session),
        kind=kind,
        row=row,
        note=note,
        action=action,
    )
    public = change_public(change)
    emit_change_applied(uow.session, change)
    if claim is not None:
        claim.record_on_commit(uow, 201, created_row(public) if action == "create" else public)
    assert change.id is not None
    uow.after_commit(app.certificate_cache.clear)
    start_run(
        uow,
        app.jobs,
        reason="reference_change",
        change_id=change.id,
        batch_size=app.settings.reassessment_batch_size,
    )
    # In-process (SQLite): the request's background task waits for the queue to drain, so the
    # demo behaves as before; with separate workers this returns at once.
    uow.defer(app.jobs.wait_idle, IN_PROCESS_WAIT_SECONDS)
    return public


def list_changes(session: Session, limit: int, after: int | None) -> list[ReferenceChangePublic]:
    """Up to ``limit + 1`` changes after id ``after``, oldest first (the extra one tells a page
    that more follow)."""
    query = select(ReferenceChange).order_by(col(ReferenceChange.id))
    if after is not None:
        query = query.where(col(ReferenceChange.id) > after)
    return [change_public(r) for r in session.exec(query.limit(limit + 1)).all()]


def get_change(session: Session, change_id: int) -> ReferenceChange:
    row = session.get(ReferenceChange, change_id)
    if row is None:
        raise NotFound(f"No reference change {change_id}.")
    return row
