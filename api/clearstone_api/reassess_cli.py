"""``clearstone-api reassess``: start re-assessment runs and follow their progress.

Without options it starts a run for every reference change whose re-assessment never finished
(or never started); ``--stale`` starts one over the stones whose stored verdict was computed
under another shipped reference release or policy version. By default this process works the
queue itself while it follows (with any workers that are running); ``--no-work`` leaves the
jobs to the workers and only follows; ``--no-wait`` starts the runs and exits.

Example::

    clearstone-api reassess --stale
    run 7 (stale): 41500/100000 stones, 2410 stones/s, 0 changed, about 24 s left
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import time
from collections.abc import Callable, Sequence
from typing import Any

from sqlmodel import col, select

from clearstone_api.container import AppContainer
from clearstone_api.domain.policy import DEFAULT_POLICY
from clearstone_api.models.reassessment_run import ReassessmentRun
from clearstone_api.models.reference_change import ReferenceChange
from clearstone_api.services.reassessment_jobs import enqueue_unfinished
from clearstone_api.services.reassessment_runs import (
    ReassessmentRunPublic,
    get_run,
    run_public,
    start_run,
)
from clearstone_api.services.reference_releases import any_stale
from clearstone_api.services.unit_of_work import unit_of_work
from clearstone_api.settings import Settings

__all__ = ["add_reassess_command", "container_for_runs", "follow_runs", "run_reassess"]


def add_reassess_command(commands: Any, run: Any) -> None:
    """The ``reassess`` subcommand on ``commands`` (argparse subparsers)."""
    command = commands.add_parser(
        "reassess",
        help="re-assess stones: unfinished reference changes, or --stale verdicts; shows progress",
    )
    command.add_argument(
        "--stale",
        action="store_true",
        help="stones stored under another shipped reference release or policy version",
    )
    command.add_argument(
        "--no-work",
        dest="work",
        action="store_false",
        help="leave the jobs to `clearstone-api worker` processes; only follow (PostgreSQL)",
    )
    command.add_argument(
        "--no-wait", dest="wait", action="store_false", help="start the runs and exit"
    )
    command.set_defaults(run=run)


def container_for_runs(settings: Settings, *, work: bool = True) -> AppContainer:
    """A container whose queue this process works (``work``), without the periodic sweeps."""
    update: dict[str, object] = {"jobs_periodic": False}
    if work:
        update["jobs_in_process"] = True
    return AppContainer.from_settings(settings.model_copy(update=update))


def _line(run: ReassessmentRunPublic) -> str:
    head = f"run {run.id} ({run.reason}"
    head += f", reference change {run.change_id})" if run.change_id is not None else ")"
    if run.state == "planning":
        return f"{head}: counting the stones to re-assess"
    if run.state == "done":
        took = ""
        if run.finished_at is not None and run.started_at is not None:
            took = f" in {(run.finished_at - run.started_at).total_seconds():.1f} s"
        return f"{head} done: {run.done} stones re-assessed, {run.changed} changed{took}"
    rate = f", {run.rate:.0f} stones/s" if run.rate else ""
    left = ""
    if run.estimated_end is not None:
        left = f", about {max((run.estimated_end - _now(run)).total_seconds(), 0):.0f} s left"
    return f"{head}: {run.done}/{run.total} stones{rate}, {run.changed} changed{left}"


def _now(run: ReassessmentRunPublic) -> dt.datetime:
    return dt.datetime.now(run.created_at.tzinfo or dt.UTC)


def follow_runs(
    container: AppContainer,
    run_ids: Sequence[int],
    *,
    interval: float = 1.0,
    out: Callable[[str], None] = print,
) -> list[ReassessmentRunPublic]:
    """Print each run's progress every ``interval`` seconds until all are done; the last
    state of each."""
    pending = list(run_ids)
    last: dict[int, ReassessmentRunPublic] = {}
    if container.jobs.in_process:
        container.jobs.start()
    while pending:
        with container.database.session() as session:
            for run_id in list(pending):
                public = run_public(session, get_run(session, run_id))
                last[run_id] = public
                out(_line(public))
                if public.state == "done":
                    pending.remove(run_id)
        if pending:
            time.sleep(interval)
    return [last[run_id] for run_id in run_ids]


def _start(container: AppContainer, stale: bool) -> list[int]:
    settings = container.settings
    started: list[ReassessmentRun] = []
    with unit_of_work(container.database) as uow:
        session = uow.session
        if stale:
            if any_stale(
                session, container.references.base.version, policy_version=DEFAULT_POLICY.version
            ):
                started.append(
                    start_run(
                        uow,
                        container.jobs,
                        reason="stale",
                        batch_size=settings.reassessment_batch_size,
                    )
                )
        else:
            runs = select(ReassessmentRun.change_id).where(
                col(ReassessmentRun.change_id).is_not(None)
            )
            unfinished = session.exec(
                select(ReferenceChange.id)
                .where(col(ReferenceChange.reassessment_state) != "done")
                .where(col(ReferenceChange.id).not_in(runs))
                .order_by(col(ReferenceChange.id))
            ).all()
            for change_id in unfinished:
                started.append(
                    start_run(
                        uow,
                        container.jobs,
                        reason="reference_change",
                        change_id=change_id,
                        batch_size=settings.reassessment_batch_size,
                    )
                )
        # Runs already under way are followed too; on SQLite their jobs were in the memory of
        # a process that is gone, so they are queued again (a done batch is skipped).
        resumed = enqueue_unfinished(uow, container) if settings.is_sqlite else []
        if not stale and not settings.is_sqlite:
            resumed = [
                run_id
                for run_id in session.exec(
                    select(ReassessmentRun.id).where(
                        col(ReassessmentRun.reason) == "reference_change",
                        col(ReassessmentRun.state) != "done",
                    )
                ).all()
                if run_id is not None
            ]
    ids = [run.id for run in started if run.id is not None]
    return sorted({*ids, *(i for i in resumed if i is not None)})


def run_reassess(settings: Settings, args: argparse.Namespace) -> None:
    """The entry point of ``clearstone-api reassess``."""
    container = container_for_runs(settings, work=args.work or settings.is_sqlite)
    try:
        run_ids = _start(container, args.stale)
        if not run_ids:
            print("nothing to re-assess" if not args.stale else "no stale verdicts")
            return
        print(f"started re-assessment run(s) {', '.join(map(str, run_ids))}")
        if args.wait:
            follow_runs(container, run_ids)
    finally:
        asyncio.run(container.aclose())
