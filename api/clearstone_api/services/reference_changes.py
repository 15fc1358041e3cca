"""Analyst changes to incidents and status periods: versioned, attributed, re-assessed.

A change is one row in ``reference_changes`` with the before and after of the row it touches;
the reference in force is the shipped data with every change applied. After the change commits,
:func:`run_reassessment` re-assesses every stored stone the change can reach (found through the
footprint index, not by scanning), in batches that each commit, logging before and after, and
keeps progress on the change row so a crashed run can be resumed (``clearstone-api reassess``).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator
from sqlalchemy import and_, or_, update
from sqlmodel import Session, col, select

from clearstone_api.container import AppContainer
from clearstone_api.db import Database
from clearstone_api.domain.reference import Reference
from clearstone_api.domain.reference_rows import Incident, StatusPeriod, Verification
from clearstone_api.domain.text import MULTI_LINE, CheckedValues, check_https_url
from clearstone_api.errors import Conflict, NotFound, Unprocessable
from clearstone_api.models.columns import utcnow
from clearstone_api.models.reference_change import ReferenceChange
from clearstone_api.models.stone import StoneFootprint
from clearstone_api.observability.metrics import count_reassessed, measured_reassessment
from clearstone_api.security.principals import Principal
from clearstone_api.services.assessments import reassess_rows
from clearstone_api.services.attestations import Attester
from clearstone_api.services.context_changes import CONTEXT_KIND
from clearstone_api.services.idempotency import IdempotencyClaim
from clearstone_api.services.reference_data import party_keys
from clearstone_api.services.reference_events import (
    emit_change_applied,
    emit_reassessment_finished,
)
from clearstone_api.services.reference_releases import RELEASE_KIND, stale_stone_ids
from clearstone_api.services.reference_store import ReferenceStore
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
    "run_reassessment",
]

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
    """Record a change in ``uow`` (:func:`record_change`); once it commits, re-assess every
    stored stone it can reach (deferred: over HTTP, after the response) and clear the
    certificate cache, before and again after the re-assessment."""
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
    uow.defer(
        run_reassessment,
        app.database,
        app.references,
        app.attester,
        change.id,
        app.settings.reassessment_batch_size,
    )
    uow.defer(app.certificate_cache.clear)
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


def _reach(change: ReferenceChange, reference: Reference) -> set[tuple[str, str]]:
    """The footprint keys of every stone this change can affect (before and after)."""
    keys: set[tuple[str, str]] = set()
    for data in (change.before, change.after):
        if data is None:
            continue
        if change.kind == CONTEXT_KIND:
            keys |= {("country", str(c)) for c in data.get("countries", [])}
        elif change.kind == "incident":
            incident = Incident.model_validate(data)
            keys.add(("country", incident.country))
            keys |= {("country", a.country) for a in incident.areas if a.country}
            keys |= party_keys(incident)
        else:
            participant = str(data["participant_id"])
            keys.add(("participant", participant))
            keys.add(("country", participant))
            keys |= {
                ("country", m.country)
                for m in reference.memberships
                if m.participant_id == participant
            }
    return keys


@measured_reassessment
def run_reassessment(
    database: Database,
    store: ReferenceStore,
    attester: Attester,
    change_id: int,
    batch_size: int,
) -> None:
    """Re-assess every stone ``change_id`` can reach, in committed batches; resumable."""
    started_at = utcnow()
    with database.session() as session:
        change = get_change(session, change_id)
        if change.reassessment_state == "done":
            return
        reference = store.current(session)
        release = change.kind == RELEASE_KIND
        keys = [] if release else sorted(_reach(change, reference))
        change.reassessment_state = "running"
    if release:
        with database.session() as session:
            stone_ids = stale_stone_ids(session, store.base.version)
    elif keys:
        reach = or_(
            *(and_(col(StoneFootprint.kind) == k, col(StoneFootprint.value) == v) for k, v in keys)
        )
        with database.session() as session:
            stone_ids = list(
                session.exec(
                    select(StoneFootprint.stone_id)
                    .where(reach)
                    .distinct()
                    .order_by(col(StoneFootprint.stone_id))
                ).all()
            )
    else:
        stone_ids = []
    for start in range(0, len(stone_ids), batch_size):
        batch = stone_ids[start : start + batch_size]
        with database.session() as session:
            log = reassess_rows(
                session,
                reference,
                batch,
                attester=attester,
                reason="reference_change",
                change_id=change_id,
            )
            count_reassessed(len(log), sum(e.changed for e in log))
            session.execute(
                update(ReferenceChange)
                .where(col(ReferenceChange.id) == change_id)
                .values(
                    stones_reassessed=ReferenceChange.stones_reassessed + len(log),
                    stones_changed=ReferenceChange.stones_changed + sum(e.changed for e in log),
                )
            )
    with database.session() as session:
        session.execute(
            update(ReferenceChange)
            .where(col(ReferenceChange.id) == change_id)
            .values(reassessment_state="done")
        )
        done = get_change(session, change_id)
        emit_reassessment_finished(
            session,
            reference_change_id=change_id,
            stones_reassessed=done.stones_reassessed,
            stones_changed=done.stones_changed,
            started_at=started_at,
            finished_at=utcnow(),
        )
