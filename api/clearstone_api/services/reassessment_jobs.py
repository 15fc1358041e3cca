"""The jobs of a re-assessment run: plan it, re-assess each batch, sweep for lost or stale work.

``reassessment.plan`` counts a run's stones and splits them into batches, each enqueued as a
``reassessment.batch`` job in the same transaction. A batch job, in one transaction: locks its
batch row (two runs of the same job wait for each other), locks its stones' rows in id order
(two jobs, or a job and a write through the API, never write one stone at once), re-assesses the
stones through :func:`~clearstone_api.services.assessments.store_assessments`, stamps the batch
done and, if it was the last, finishes the run. A batch found done writes nothing: the job is
idempotent, so a worker killed mid-batch loses nothing (its transaction rolls back; another
worker runs the job again) and a job run twice does nothing twice.

``reassessment.sweep`` (every ten minutes) starts runs for reference changes that have none
(recorded before the queue existed, or by an older release), starts a run over stale verdicts
when the shipped reference data or the policy version moved, and on SQLite enqueues again the
jobs of unfinished runs (the in-memory queue does not survive a restart).
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import func, insert, update
from sqlmodel import Session, col, select

from clearstone_api.domain.policy import DEFAULT_POLICY
from clearstone_api.models.columns import utcnow
from clearstone_api.models.reassessment_run import ReassessmentBatch, ReassessmentRun
from clearstone_api.models.reference_change import ReferenceChange
from clearstone_api.observability.metrics import count_reassessed, count_run_finished
from clearstone_api.services.assessments import reassess_rows
from clearstone_api.services.jobs import DEFAULT, REASSESSMENT, Backoff, periodic, task
from clearstone_api.services.reassessment_runs import (
    BATCH_TASK,
    PLAN_TASK,
    SWEEP_TASK,
    affected_stone_ids,
    batch_jobs,
    plan_job,
    start_run,
)
from clearstone_api.services.reference_events import emit_reassessment_finished
from clearstone_api.services.reference_releases import any_stale, stale_stone_ids
from clearstone_api.services.unit_of_work import UnitOfWork, unit_of_work

__all__ = ["enqueue_unfinished", "plan", "reassess_batch", "sweep"]

logger = logging.getLogger("clearstone.reassessment")

# The app's container; typed loosely: this module is imported by the container's own queue.
App = Any


def _locked_run(session: Session, run_id: int) -> ReassessmentRun | None:
    return session.exec(
        select(ReassessmentRun)
        .where(col(ReassessmentRun.id) == run_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()


def _set_change_state(session: Session, change_id: int | None, state: str) -> None:
    if change_id is not None:
        session.execute(
            update(ReferenceChange)
            .where(col(ReferenceChange.id) == change_id)
            .values(reassessment_state=state)
        )


def _finish(uow: UnitOfWork, run: ReassessmentRun) -> None:
    """Mark ``run`` done (in ``uow``'s transaction)."""
    run.state = "done"
    run.finished_at = utcnow()
    _set_change_state(uow.session, run.change_id, "done")
    started = run.started_at or run.created_at
    seconds = (run.finished_at - started).total_seconds()
    # The one place a run finishes: its event commits with it.
    stones, changed = uow.session.exec(
        select(
            func.coalesce(func.sum(ReassessmentBatch.stones), 0),
            func.coalesce(func.sum(ReassessmentBatch.changed), 0),
        ).where(col(ReassessmentBatch.run_id) == run.id)
    ).one()
    emit_reassessment_finished(
        uow.session,
        reference_change_id=run.change_id,
        stones_reassessed=int(stones),
        stones_changed=int(changed),
        started_at=started,
        finished_at=run.finished_at,
        reason=run.reason,
    )
    uow.after_commit(lambda: count_run_finished(seconds))


@task(PLAN_TASK, queue=DEFAULT, retry=Backoff(max_attempts=5, first=5, cap=300))
def plan(app: App, *, run_id: int) -> None:
    """Count the run's stones, store its batches and enqueue one job per batch."""
    with unit_of_work(app.database) as uow:
        session = uow.session
        run = _locked_run(session, run_id)
        if run is None or run.state != "planning":
            return  # done already (a second run of this job), or the run is gone
        store = app.references
        if run.change_id is not None:
            change = session.get(ReferenceChange, run.change_id)
            if change is None:
                return
            stone_ids = affected_stone_ids(
                session, change, store.current(session), store.base.version
            )
        else:
            stone_ids = stale_stone_ids(
                session, store.base.version, policy_version=DEFAULT_POLICY.version
            )
        size = run.batch_size
        seqs = list(range((len(stone_ids) + size - 1) // size))
        batches = [
            {"run_id": run_id, "seq": seq, "stone_ids": stone_ids[seq * size : (seq + 1) * size]}
            for seq in seqs
        ]
        if batches:
            session.execute(insert(ReassessmentBatch), batches)
        run.total = len(stone_ids)
        run.started_at = utcnow()
        run.state = "running"
        _set_change_state(session, run.change_id, "running")
        if not batches:
            _finish(uow, run)
        app.jobs.enqueue(uow, *batch_jobs(run_id, seqs))
    logger.info("re-assessment run %s planned: %s stones", run_id, len(stone_ids))


@task(BATCH_TASK, queue=REASSESSMENT, retry=Backoff(max_attempts=5, first=2, cap=120))
def reassess_batch(app: App, *, run_id: int, seq: int) -> None:
    """Re-assess one batch of a run, once (see the module's docstring)."""
    with unit_of_work(app.database) as uow:
        session = uow.session
        batch = session.exec(
            select(ReassessmentBatch)
            .where(col(ReassessmentBatch.run_id) == run_id, col(ReassessmentBatch.seq) == seq)
            .with_for_update()
        ).first()
        if batch is None or batch.done_at is not None:
            return  # done already: nothing to write
        run = session.get(ReassessmentRun, run_id)
        assert run is not None  # the batch's foreign key
        stored = reassess_rows(
            session,
            app.references.current(session),
            batch.stone_ids,
            attester=app.attester,
            reason=run.reason,
            change_id=run.change_id,
        )
        changed = stored.changed
        batch.stones, batch.changed, batch.done_at = stored.stones, changed, utcnow()
        session.flush()
        # Last, and briefly: the run's row, so that exactly one batch sees none left.
        run = _locked_run(session, run_id)
        assert run is not None
        if run.change_id is not None:
            session.execute(
                update(ReferenceChange)
                .where(col(ReferenceChange.id) == run.change_id)
                .values(
                    stones_reassessed=ReferenceChange.stones_reassessed + stored.stones,
                    stones_changed=ReferenceChange.stones_changed + changed,
                )
            )
        left = session.exec(
            select(func.count())
            .select_from(ReassessmentBatch)
            .where(
                col(ReassessmentBatch.run_id) == run_id, col(ReassessmentBatch.done_at).is_(None)
            )
        ).one()
        if left == 0:
            _finish(uow, run)
        uow.after_commit(app.certificate_cache.clear)
        uow.after_commit(lambda: count_reassessed(stored.stones, changed))


@task(SWEEP_TASK, queue=DEFAULT)
def sweep(app: App, *, timestamp: int | None = None) -> None:
    """Start what should run and is not running; on SQLite, enqueue unfinished runs again."""
    del timestamp
    settings = app.settings
    with unit_of_work(app.database) as uow:
        session = uow.session
        active = select(ReassessmentRun.change_id).where(
            col(ReassessmentRun.change_id).is_not(None)
        )
        orphans = session.exec(
            select(ReferenceChange.id)
            .where(col(ReferenceChange.reassessment_state) != "done")
            .where(col(ReferenceChange.id).not_in(active))
            .order_by(col(ReferenceChange.id))
        ).all()
        for change_id in orphans:
            start_run(
                uow,
                app.jobs,
                reason="reference_change",
                change_id=change_id,
                batch_size=settings.reassessment_batch_size,
            )
        stale_running = session.exec(
            select(ReassessmentRun.id).where(
                col(ReassessmentRun.reason) == "stale", col(ReassessmentRun.state) != "done"
            )
        ).first()
        if stale_running is None and any_stale(
            session, app.references.base.version, policy_version=DEFAULT_POLICY.version
        ):
            start_run(uow, app.jobs, reason="stale", batch_size=settings.reassessment_batch_size)
        if settings.is_sqlite:
            enqueue_unfinished(uow, app)


def enqueue_unfinished(uow: UnitOfWork, app: App) -> list[int]:
    """Enqueue the jobs of every unfinished run again (a memory queue lost at a restart; a
    batch whose job still waits is not queued twice); the runs' ids."""
    session = uow.session
    runs = session.exec(select(ReassessmentRun).where(col(ReassessmentRun.state) != "done")).all()
    for run in runs:
        assert run.id is not None
        if run.state == "planning":
            app.jobs.enqueue(uow, plan_job(run.id))
            continue
        seqs = session.exec(
            select(ReassessmentBatch.seq).where(
                col(ReassessmentBatch.run_id) == run.id, col(ReassessmentBatch.done_at).is_(None)
            )
        ).all()
        app.jobs.enqueue(uow, *batch_jobs(run.id, list(seqs), unique=True))
    return [run.id for run in runs if run.id is not None]


periodic(SWEEP_TASK, "0 */10 * * * *")
