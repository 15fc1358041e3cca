"""The job queue on procrastinate: PostgreSQL in production, in memory on SQLite.

**PostgreSQL.** Jobs are rows in procrastinate's tables (created by the migrations). A job is
inserted through the write's own connection, inside its transaction, so it exists if and only
if the write commits. Workers (``clearstone-api worker``,
:mod:`~clearstone_api.services.job_workers`) take jobs with ``SELECT ... FOR UPDATE SKIP
LOCKED``, are woken by ``LISTEN/NOTIFY`` and send a heartbeat every
few seconds. A worker that dies holding a job (SIGKILL, a lost machine) stops its heartbeat; the
periodic ``jobs.retry_stalled`` task (and every worker as it starts) puts jobs of workers silent
for longer than the stall timeout back in the queue, where another worker runs them again. Tasks
are idempotent (:mod:`clearstone_api.services.jobs`), so a job cut off after its work committed
writes nothing the second time.

**SQLite (the embedded default), and tests.** procrastinate's in-memory connector, with one
worker in a thread of the serving process: the same task functions, no other service. A job is
handed to it once the write has committed. Jobs waiting in memory do not survive a restart: the
work they stand for is recorded in the database (a re-assessment run and its batches), and the
periodic sweeps enqueue it again.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
import importlib
import logging
import threading
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any, TypeVar

import procrastinate
from procrastinate.exceptions import AlreadyEnqueued
from procrastinate.job_context import JobContext
from procrastinate.retry import BaseRetryStrategy, RetryDecision
from procrastinate.sync_psycopg_connector import SyncPsycopgConnector
from procrastinate.testing import InMemoryConnector
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from clearstone_api.db import Database
from clearstone_api.observability.metrics import observe_job
from clearstone_api.services.jobs import PERIODIC as SCHEDULES
from clearstone_api.services.jobs import QUEUES, TASK_MODULES, TASKS, Backoff, Job, TaskSpec
from clearstone_api.services.unit_of_work import UnitOfWork
from clearstone_api.settings import Settings

__all__ = [
    "ENQUEUED_AT",
    "ProcrastinateQueue",
    "WorkerOptions",
    "procrastinate_app",
]

logger = logging.getLogger("clearstone.jobs")

ENQUEUED_AT = "_enqueued_at"
"""A job argument the queue adds (seconds since the epoch) and takes off again before the task
runs: how long the job waited (``clearstone_job_wait_seconds``)."""

T = TypeVar("T")


class _Retry(BaseRetryStrategy):
    """A :class:`~clearstone_api.services.jobs.Backoff` as procrastinate's retry strategy."""

    def __init__(self, backoff: Backoff) -> None:
        self.backoff = backoff

    def get_retry_decision(
        self, *, exception: BaseException, job: procrastinate.jobs.Job
    ) -> RetryDecision | None:
        del exception  # every exception is retried; a task that should not be catches its own
        delay = self.backoff.delay(job.attempts + 1)  # attempts: runs before this one
        if delay is None:
            return None
        return RetryDecision(retry_at=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=delay))


def _task_body(spec: TaskSpec) -> Callable[..., None]:
    def body(context: JobContext, **args: Any) -> None:
        container = context.additional_context["container"]
        enqueued = args.pop(ENQUEUED_AT, None)
        due = context.job.scheduled_at
        waited = None
        if isinstance(enqueued, int | float):
            since = max(float(enqueued), due.timestamp() if due else 0.0)
            waited = max(time.time() - since, 0.0)
        started = time.perf_counter()
        outcome = "failed"
        try:
            spec.run(container, **args)
            outcome = "succeeded"
        finally:
            observe_job(spec.name, spec.queue, outcome, time.perf_counter() - started, waited)

    body.__name__ = body.__qualname__ = spec.name.replace(".", "_")
    return body


async def _retry_stalled(context: JobContext, timestamp: int) -> None:
    """Put the jobs of workers silent for longer than the stall timeout back in the queue."""
    del timestamp
    seconds = float(context.additional_context.get("stall_seconds", 30.0))
    await retry_stalled(context.app, seconds)


async def retry_stalled(app: procrastinate.App, seconds: float) -> int:
    """Requeue every job held by a worker whose last heartbeat is older than ``seconds``."""
    stalled = list(await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=seconds))
    for job in stalled:
        logger.warning(
            "job %s (%s) was held by a worker silent for %.0f s: queued again",
            job.id,
            job.task_name,
            seconds,
            extra={"job_id": job.id, "task": job.task_name, "worker_id": job.worker_id},
        )
        await app.job_manager.retry_job(job)
    return len(stalled)


def _declare_tasks() -> None:
    for module in TASK_MODULES:
        importlib.import_module(module)


def procrastinate_app(connector: Any, *, durable: bool, periodic: bool = True) -> procrastinate.App:
    """A procrastinate app running every declared task (:data:`~jobs.TASKS`, once the modules
    of :data:`~jobs.TASK_MODULES` are imported) and schedule; with a durable (PostgreSQL)
    connector also the stalled-job sweep."""
    _declare_tasks()
    app = procrastinate.App(connector=connector)
    for spec in TASKS.values():
        procrastinate_task = app.task(
            name=spec.name,
            queue=spec.queue,
            pass_context=True,
            retry=_Retry(spec.retry) if spec.retry else False,
        )(_task_body(spec))
        if periodic and spec.name in SCHEDULES:
            app.periodic(cron=SCHEDULES[spec.name].cron)(procrastinate_task)
    if durable:
        sweep = app.task(name="jobs.retry_stalled", pass_context=True)(_retry_stalled)
        app.periodic(cron="*/15 * * * * *")(sweep)
    return app


def conninfo(settings: Settings) -> str:
    """libpq's connection URI for the service's PostgreSQL URL."""
    return make_url(settings.url).set(drivername="postgresql").render_as_string(False)


class _Loop:
    """A worker on an event loop of its own, in a daemon thread of this process."""

    def __init__(self, start: Callable[[], Awaitable[None]]) -> None:
        self._start = start
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        self._thread = threading.Thread(target=self._main, name="clearstone-jobs", daemon=True)
        self._thread.start()
        self._ready.wait(30)

    def _main(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop

        async def main() -> None:
            self._task = asyncio.ensure_future(self._start())
            self._ready.set()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

        try:
            loop.run_until_complete(main())
        except Exception:
            logger.exception("the in-process job worker stopped")
        finally:
            self._ready.set()
            loop.close()

    @property
    def alive(self) -> bool:
        return self._thread.is_alive() and self._loop is not None

    def call(self, make: Callable[[], Awaitable[T]]) -> T:
        """Run ``make()`` on the worker's loop and wait for its result (from another thread)."""
        assert self._loop is not None

        async def run() -> T:
            return await make()

        return asyncio.run_coroutine_threadsafe(run(), self._loop).result(60)

    def stop(self, timeout: float = 10.0) -> None:
        if self._loop is not None and self._task is not None and self._thread.is_alive():
            with contextlib.suppress(RuntimeError):  # loop already closed
                self._loop.call_soon_threadsafe(self._task.cancel)
            self._thread.join(timeout)


class ProcrastinateQueue:
    """The process's :class:`~clearstone_api.services.jobs.JobQueue`."""

    def __init__(self, settings: Settings, database: Database) -> None:
        self._settings = settings
        self._database = database
        self._durable = not settings.is_sqlite
        self._in_process = settings.jobs_in_process
        if self._in_process is None:
            self._in_process = settings.is_sqlite
        # Inserting jobs needs no pool of its own: they go through the write's connection.
        self._enqueuer = procrastinate.App(connector=SyncPsycopgConnector())
        self._memory = None if self._durable else InMemoryConnector()
        self._context: dict[str, Any] = {}
        self._worker: _Loop | None = None
        self._app: procrastinate.App | None = None
        self._lock = threading.Lock()

    @property
    def in_process(self) -> bool:
        return bool(self._in_process)

    def attach(self, container: object) -> None:
        """The container the in-process worker hands to tasks."""
        self._context["container"] = container

    # Enqueueing -------------------------------------------------------------------------

    def enqueue(self, uow: UnitOfWork, *jobs: Job) -> None:
        if not jobs:
            return
        if self._durable:
            self._insert(uow.session, jobs)
            if self.in_process:
                uow.after_commit(self._ensure_worker)
        else:
            uow.after_commit(lambda: self._hand_over(jobs))

    def enqueue_now(self, *jobs: Job) -> None:
        if not jobs:
            return
        if self._durable:
            with self._database.session() as session:
                self._insert(session, jobs)
            if self.in_process:
                self._ensure_worker()
        else:
            self._hand_over(jobs)

    def _options(self, job: Job) -> dict[str, Any]:
        _declare_tasks()
        spec = TASKS.get(job.task)
        if spec is None:
            raise LookupError(f"no task {job.task!r} is declared")
        return {
            "queue": job.queue or spec.queue,
            "lock": job.lock,
            "queueing_lock": job.queueing_lock,
            "schedule_at": job.schedule_at,
            "priority": job.priority,
        }

    def _insert(self, session: Session, jobs: Sequence[Job]) -> None:
        """Insert ``jobs`` through ``session``'s connection, in its transaction."""
        raw = session.connection().connection.driver_connection
        now = time.time()
        plain: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
        for job in jobs:
            options = self._options(job)
            args = {**job.args, ENQUEUED_AT: now}
            if job.queueing_lock is None:
                key = (job.task, *sorted(options.items(), key=lambda kv: kv[0]))
                plain.setdefault(key, []).append(args)
                continue
            try:
                with session.begin_nested():  # a duplicate key must not abort the write
                    self._enqueuer.configure_task(job.task, connection=raw, **options).defer(**args)
            except AlreadyEnqueued:
                logger.debug("job %s already waiting under %s", job.task, job.queueing_lock)
        for (name, *items), batch in plain.items():
            deferrer = self._enqueuer.configure_task(name, connection=raw, **dict(items))
            deferrer.batch_defer(*batch)

    def _hand_over(self, jobs: Iterable[Job]) -> None:
        """In memory: give ``jobs`` to the in-process worker (on its loop: the in-memory
        connector is not thread-safe)."""
        worker = self._ensure_worker()
        app = self._app
        assert app is not None
        now = time.time()
        for job in jobs:
            deferrer = app.configure_task(job.task, **self._options(job))
            args = {**job.args, ENQUEUED_AT: now}
            try:
                worker.call(functools.partial(deferrer.defer_async, **args))
            except AlreadyEnqueued:
                logger.debug("job %s already waiting under %s", job.task, job.queueing_lock)

    # The in-process worker ----------------------------------------------------------------

    def start(self) -> None:
        if self.in_process:
            self._ensure_worker()

    def _ensure_worker(self) -> _Loop:
        with self._lock:
            if self._worker is None or not self._worker.alive:
                self._worker = self._start_worker()
            return self._worker

    def _start_worker(self) -> _Loop:
        if self._memory is not None:
            connector: Any = self._memory
        else:
            connector = procrastinate.PsycopgConnector(
                conninfo=conninfo(self._settings), min_size=1, max_size=3
            )
        app = procrastinate_app(
            connector, durable=self._durable, periodic=self._settings.jobs_periodic
        )
        self._app = app
        options = WorkerOptions(self._settings, concurrency=1, burst=False)
        # A retried or scheduled job is found by polling (only new jobs notify): in memory a
        # poll costs nothing; on PostgreSQL one query a second.
        options.poll = 0.2 if self._memory is not None else 1.0

        async def run() -> None:
            async with app.open_async():
                await app.run_worker_async(
                    **options.procrastinate(self._context, install_signal_handlers=False),
                    delete_jobs="successful",
                )

        return _Loop(run)

    def wait_idle(self, timeout: float) -> bool:
        if not self.in_process:
            return True
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._busy() == 0:
                return True
            time.sleep(0.02)
        return False

    def _busy(self) -> int:
        """Jobs due or running, for this process's worker."""
        if self._memory is not None:
            memory = self._memory
            if self._worker is None:
                return 0
            now = dt.datetime.now(dt.UTC)

            async def count() -> int:
                return sum(
                    1
                    for job in memory.jobs.values()
                    if job["status"] == "doing"
                    or (
                        job["status"] == "todo"
                        and (job["scheduled_at"] is None or job["scheduled_at"] <= now)
                    )
                )

            return self._worker.call(count)
        with self._database.session() as session:
            return int(
                session.execute(
                    text(
                        "SELECT count(*) FROM procrastinate_jobs WHERE status = 'doing' OR "
                        "(status = 'todo' AND (scheduled_at IS NULL OR scheduled_at <= now()))"
                    )
                ).scalar_one()
            )

    def depth(self) -> dict[str, int]:
        counts = dict.fromkeys(QUEUES, 0)
        if self._memory is not None:
            memory, worker = self._memory, self._worker
            if worker is None:
                return counts
            now = dt.datetime.now(dt.UTC)

            async def tally() -> list[str]:
                return [
                    job["queue_name"]
                    for job in memory.jobs.values()
                    if job["status"] == "todo"
                    and (job["scheduled_at"] is None or job["scheduled_at"] <= now)
                ]

            for queue in worker.call(tally):
                counts[queue] = counts.get(queue, 0) + 1
            return counts
        with self._database.session() as session:
            rows = session.execute(
                text(
                    "SELECT queue_name, count(*) FROM procrastinate_jobs WHERE status = 'todo' "
                    "AND (scheduled_at IS NULL OR scheduled_at <= now()) GROUP BY queue_name"
                )
            ).all()
        counts.update({str(queue): int(n) for queue, n in rows})
        return counts

    def close(self) -> None:
        with self._lock:
            worker, self._worker = self._worker, None
        if worker is not None:
            worker.stop()


class WorkerOptions:
    """How a worker runs: its queues, its concurrency, whether it stops once the queue is
    empty, and its heartbeat and stall timing."""

    def __init__(
        self,
        settings: Settings,
        *,
        concurrency: int,
        burst: bool,
        queues: Sequence[str] | None = None,
        name: str | None = None,
    ) -> None:
        self.concurrency = concurrency
        self.burst = burst
        self.queues = list(queues) if queues else None
        self.name = name
        self.poll = 1.0 if burst else 5.0
        self.heartbeat = settings.job_heartbeat_seconds
        self.stall = settings.job_stall_seconds

    def procrastinate(
        self, context: dict[str, Any], *, install_signal_handlers: bool
    ) -> dict[str, Any]:
        return {
            "queues": self.queues,
            "name": self.name,
            "concurrency": self.concurrency,
            # A burst worker waits too: :func:`_stop_when_drained` stops it once no work is
            # left anywhere (procrastinate's own ``wait=False`` stops at the first empty fetch,
            # before a running job has queued what it fans out).
            "wait": True,
            "additional_context": {**context, "stall_seconds": self.stall},
            "install_signal_handlers": install_signal_handlers,
            "update_heartbeat_interval": self.heartbeat,
            "stalled_worker_timeout": self.stall,
            "fetch_job_polling_interval": self.poll,
        }
