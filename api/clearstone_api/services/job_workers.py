"""Worker processes (``clearstone-api worker``) on PostgreSQL: one process's loop, and when a
``--burst`` worker has nothing left to do.

The queue itself (tasks, enqueueing, the in-process worker of SQLite) is
:mod:`clearstone_api.services.job_queue`.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import Sequence

import procrastinate

from clearstone_api.services.job_queue import (
    WorkerOptions,
    conninfo,
    procrastinate_app,
    retry_stalled,
)
from clearstone_api.settings import Settings

__all__ = ["run_worker"]


async def run_worker(settings: Settings, container: object, options: WorkerOptions) -> None:
    """One worker process's loop (``clearstone-api worker``): on PostgreSQL, first requeue the
    jobs of stalled workers, then take jobs until SIGTERM/SIGINT (finishing the jobs in hand),
    or with ``burst`` until no job is due or running (:func:`_stop_when_drained`)."""
    if settings.is_sqlite:
        raise RuntimeError(
            "SQLite runs its jobs inside `clearstone-api serve`: workers need PostgreSQL"
        )
    app = procrastinate_app(
        procrastinate.PsycopgConnector(
            conninfo=conninfo(settings), min_size=1, max_size=max(2, options.concurrency + 2)
        ),
        durable=True,
        periodic=settings.jobs_periodic,
    )
    async with app.open_async():
        await retry_stalled(app, options.stall)
        worker = asyncio.ensure_future(
            app.run_worker_async(
                **options.procrastinate({"container": container}, install_signal_handlers=True),
                delete_jobs="successful",
            )
        )
        if options.burst:
            await _stop_when_drained(app, worker, options)
        if not worker.cancelled():  # cancelled: stopped by a drained burst, jobs finished
            await worker


async def _stop_when_drained(
    app: procrastinate.App, worker: asyncio.Future[None], options: WorkerOptions
) -> None:
    """``--burst``: stop ``worker`` (gracefully: the jobs in hand finish) once no job of its
    queues is due or running in any worker. Running jobs count because a job may queue more
    (a re-assessment run's plan queues its batches), so every process of a burst pool works
    until the whole run is done, not only the one that took the plan. A job held by a worker
    that died is put back once it has been silent for the stall timeout, then taken here."""
    while not worker.done():
        await asyncio.wait({worker}, timeout=options.poll)
        if worker.done():
            return
        left = await _work_left(app, options.queues)
        if left == "running elsewhere only":
            await retry_stalled(app, options.stall)
        elif left is None:
            worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await worker
            return


async def _work_left(app: procrastinate.App, queues: Sequence[str] | None) -> str | None:
    """``"due"`` when a job of ``queues`` (all when None) waits and is due, ``"running
    elsewhere only"`` when jobs are only running, None when nothing is left."""
    now = dt.datetime.now(dt.UTC)
    running = False
    every: list[str | None] = [None]
    for queue in queues or every:
        for job in await app.job_manager.list_jobs_async(queue=queue, status="todo"):
            if job.scheduled_at is None or job.scheduled_at <= now:
                return "due"
        running = running or bool(
            list(await app.job_manager.list_jobs_async(queue=queue, status="doing"))
        )
    return "running elsewhere only" if running else None
