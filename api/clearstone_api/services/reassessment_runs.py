"""Re-assessment runs: which stones a run re-assesses, its progress, and starting one.

A reference change (an incident, a status period, a context layer, a new shipped release) or
stale verdicts (stored under another shipped reference release or policy version) start a
**run**. Its jobs (:mod:`clearstone_api.services.reassessment_jobs`) plan it (find the stones,
split them into batches of ``CLEARSTONE_REASSESSMENT_BATCH_SIZE``) and re-assess each batch on
whichever worker takes it. Progress is read from the batches: stones done, the rate since the
run started and the estimated end (``GET /v1/reassessment-runs/{id}``, ``clearstone-api
reassess``).
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel
from sqlalchemy import and_, func, or_
from sqlmodel import Session, col, select

from clearstone_api.domain.reference import Reference
from clearstone_api.domain.reference_rows import Incident
from clearstone_api.errors import NotFound
from clearstone_api.models.columns import utcnow
from clearstone_api.models.reassessment_run import ReassessmentBatch, ReassessmentRun
from clearstone_api.models.reference_change import ReferenceChange
from clearstone_api.models.stone import StoneFootprint
from clearstone_api.services.context_changes import CONTEXT_KIND
from clearstone_api.services.jobs import Job, JobQueue
from clearstone_api.services.reference_data import party_keys
from clearstone_api.services.reference_releases import RELEASE_KIND, stale_stone_ids
from clearstone_api.services.unit_of_work import UnitOfWork

__all__ = [
    "BATCH_TASK",
    "PLAN_TASK",
    "SWEEP_TASK",
    "ReassessmentRunPublic",
    "affected_stone_ids",
    "batch_jobs",
    "get_run",
    "list_runs",
    "plan_job",
    "run_public",
    "start_run",
]

PLAN_TASK = "reassessment.plan"
BATCH_TASK = "reassessment.batch"
SWEEP_TASK = "reassessment.sweep"


class ReassessmentRunPublic(BaseModel):
    """A re-assessment run and its progress."""

    id: int
    change_id: int | None
    """The reference change that caused it; null for a run over stale verdicts."""
    reason: str
    """``reference_change`` or ``stale``."""
    state: str
    """``planning`` (counting its stones), ``running`` or ``done``."""
    total: int
    """Stones to re-assess (0 while planning)."""
    done: int
    """Stones re-assessed so far."""
    changed: int
    """Of which a verdict changed."""
    rate: float | None
    """Stones per second since the run started; null before its first batch is done."""
    created_at: dt.datetime
    started_at: dt.datetime | None
    estimated_end: dt.datetime | None
    """When it will be done at the current rate; null until a rate is known."""
    finished_at: dt.datetime | None


def run_public(
    session: Session, run: ReassessmentRun, now: dt.datetime | None = None
) -> ReassessmentRunPublic:
    """``run`` with its progress, summed over its batches."""
    assert run.id is not None
    done, changed = session.exec(
        select(
            func.coalesce(func.sum(ReassessmentBatch.stones), 0),
            func.coalesce(func.sum(ReassessmentBatch.changed), 0),
        ).where(
            col(ReassessmentBatch.run_id) == run.id, col(ReassessmentBatch.done_at).is_not(None)
        )
    ).one()
    now = now or utcnow()
    rate: float | None = None
    estimated: dt.datetime | None = None
    if run.started_at is not None and done:
        until = run.finished_at or now
        seconds = max((until - run.started_at).total_seconds(), 1e-3)
        rate = round(done / seconds, 1)
        if run.state == "done":
            estimated = run.finished_at
        else:
            remaining = max(run.total - done, 0)
            estimated = now + dt.timedelta(seconds=remaining / rate) if rate else None
    elif run.state == "done":
        estimated = run.finished_at
    return ReassessmentRunPublic(
        id=run.id,
        change_id=run.change_id,
        reason=run.reason,
        state=run.state,
        total=run.total,
        done=int(done),
        changed=int(changed),
        rate=rate,
        created_at=run.created_at,
        started_at=run.started_at,
        estimated_end=estimated,
        finished_at=run.finished_at,
    )


def get_run(session: Session, run_id: int) -> ReassessmentRun:
    run = session.get(ReassessmentRun, run_id)
    if run is None:
        raise NotFound(f"No re-assessment run {run_id}.")
    return run


def list_runs(
    session: Session, limit: int, after: int | None, change_id: int | None = None
) -> list[ReassessmentRunPublic]:
    """Up to ``limit + 1`` runs after id ``after``, oldest first (the extra one tells a page
    that more follow); only those of ``change_id`` when given."""
    query = select(ReassessmentRun).order_by(col(ReassessmentRun.id))
    if after is not None:
        query = query.where(col(ReassessmentRun.id) > after)
    if change_id is not None:
        query = query.where(col(ReassessmentRun.change_id) == change_id)
    return [run_public(session, r) for r in session.exec(query.limit(limit + 1)).all()]


def start_run(
    uow: UnitOfWork,
    jobs: JobQueue,
    *,
    reason: str,
    batch_size: int,
    change_id: int | None = None,
) -> ReassessmentRun:
    """Record a run in ``uow`` and enqueue its planning with the write: it starts if and only
    if the write commits."""
    run = ReassessmentRun(change_id=change_id, reason=reason, batch_size=batch_size)
    uow.session.add(run)
    uow.session.flush()
    assert run.id is not None
    jobs.enqueue(uow, plan_job(run.id))
    return run


def plan_job(run_id: int) -> Job:
    return Job(PLAN_TASK, {"run_id": run_id}, queueing_lock=f"reassessment-plan-{run_id}")


def batch_jobs(run_id: int, seqs: list[int], *, unique: bool = False) -> list[Job]:
    """One job per batch; ``unique``: dropped when the same batch's job already waits."""
    return [
        Job(
            BATCH_TASK,
            {"run_id": run_id, "seq": seq},
            queueing_lock=f"reassessment-{run_id}-{seq}" if unique else None,
        )
        for seq in seqs
    ]


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


def affected_stone_ids(
    session: Session, change: ReferenceChange, reference: Reference, base_version: str
) -> list[int]:
    """The stored stones ``change`` can reach (through the footprint index), in id order; for a
    release, those stored under another release."""
    if change.kind == RELEASE_KIND:
        return stale_stone_ids(session, base_version)
    keys = sorted(_reach(change, reference))
    if not keys:
        return []
    reach = or_(
        *(and_(col(StoneFootprint.kind) == k, col(StoneFootprint.value) == v) for k, v in keys)
    )
    return list(
        session.exec(
            select(StoneFootprint.stone_id)
            .where(reach)
            .distinct()
            .order_by(col(StoneFootprint.stone_id))
        ).all()
    )
