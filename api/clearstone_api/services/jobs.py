"""Background work as jobs on a queue: what a job is, how a task is declared, how work is
enqueued. The queue itself (procrastinate, on PostgreSQL or in memory) is in
:mod:`clearstone_api.services.job_queue`; this module is the seam the rest of the service uses.

**A task** is a plain synchronous function of the process's
:class:`~clearstone_api.container.AppContainer` and JSON keyword arguments, declared once with
:func:`task` in a module listed in :data:`TASK_MODULES`::

    @task("webhooks.deliver", queue=WEBHOOKS, retry=Backoff(max_attempts=20, first=30))
    def deliver(app: AppContainer, *, delivery_id: int) -> None:
        ...

It runs in a worker (``clearstone-api worker``, any number of processes on any number of
machines, PostgreSQL), or in the serving process itself on the embedded SQLite default: the same
function either way. It must be **idempotent**: a job runs at least once; a worker killed
mid-job (SIGKILL, a lost machine) has its job run again by another worker once the stall timeout
has passed (docs/operations.md, Workers). Do the work and mark it done in one database
transaction, and make a second run find it done and write nothing.

**Enqueueing** goes through the process's queue, ``app.jobs`` (a :class:`JobQueue`)::

    with unit_of_work(app.database) as uow:
        event = write_outbox_row(uow.session, ...)
        app.jobs.enqueue(uow, Job("webhooks.deliver", {"delivery_id": event.id}))

:meth:`JobQueue.enqueue` ties the job to the write: on PostgreSQL the job row is inserted in the
same transaction (it exists if and only if the write commits); on SQLite it is handed to the
in-process worker right after the commit, never after a rollback. :meth:`JobQueue.enqueue_now`
is for work not tied to a write (a command, a periodic sweep).

A :class:`Job` names its task and its JSON arguments and may add: ``queue`` (the task's own
queue by default), ``lock`` (jobs sharing a lock never run at the same time, across all workers),
``queueing_lock`` (at most one job with this key waits in the queue; another enqueue of the same
key is dropped silently), ``schedule_at`` (not before this time) and ``priority`` (higher runs
first). Retries are a property of the task (:class:`Backoff`): a job whose function raises is
run again on that schedule until its attempts are spent, then it is ``failed``.

Periodic tasks take a cron expression (6 fields: seconds first) and receive ``timestamp``, the
scheduled time as seconds since the epoch; each fire is enqueued once however many workers run.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from clearstone_api.services.unit_of_work import UnitOfWork

__all__ = [
    "DEFAULT",
    "PERIODIC",
    "QUEUES",
    "REASSESSMENT",
    "TASKS",
    "TASK_MODULES",
    "WEBHOOKS",
    "Backoff",
    "Job",
    "JobQueue",
    "Periodic",
    "TaskSpec",
    "periodic",
    "task",
]

REASSESSMENT = "reassessment"
"""Re-assessment batches: CPU-bound, one job per process at a time."""
WEBHOOKS = "webhooks"
"""Webhook deliveries: waiting on receivers, many at once per process."""
DEFAULT = "default"
"""Everything else: periodic sweeps, planning jobs."""
QUEUES = (DEFAULT, REASSESSMENT, WEBHOOKS)
"""Every queue the service uses (``clearstone_job_queue_depth`` reports each)."""

TASK_MODULES: tuple[str, ...] = (
    "clearstone_api.services.webhook_tasks",
    "clearstone_api.services.reassessment_jobs",
)
"""Modules that declare tasks: a worker imports each before it takes its first job. A module
that declares a task is added here."""

JSON = Any
"""A JSON value: what a job's arguments may hold."""


@dataclass(frozen=True)
class Backoff:
    """Retry a failed job after ``first`` seconds, then ``factor`` times longer each attempt up
    to ``cap``, each wait drawn uniformly from ``[wait * (1 - jitter), wait]`` ("full jitter"
    scaled down, so that many jobs failing together do not come back together). A job is run at
    most ``max_attempts`` times in all."""

    max_attempts: int
    first: float = 1.0
    factor: float = 2.0
    cap: float = 3600.0
    jitter: float = 0.2

    def delay(self, attempts: int, rng: random.Random | None = None) -> float | None:
        """Seconds before the next run after ``attempts`` runs that failed (1 = the first run
        failed); None when none is left."""
        if attempts >= self.max_attempts:
            return None
        wait = min(self.cap, self.first * self.factor ** max(attempts - 1, 0))
        return wait * (1 - self.jitter * (rng or random).random())


@dataclass(frozen=True)
class Job:
    """One unit of work to run once (at least once: tasks are idempotent)."""

    task: str
    """The task's name, as declared with :func:`task`."""
    args: Mapping[str, JSON] = field(default_factory=dict)
    """Keyword arguments of the task function: JSON values only."""
    queue: str | None = None
    """The task's queue when None."""
    lock: str | None = None
    """Jobs with the same lock never run at the same time, on any worker."""
    queueing_lock: str | None = None
    """At most one job with this key waits in the queue; enqueueing another is a no-op."""
    schedule_at: dt.datetime | None = None
    """Not before this (timezone-aware) time."""
    priority: int = 0
    """Higher runs first among the jobs that are due."""


TaskFunction = Callable[..., None]
"""``run(app, **args)``: ``app`` is the process's ``AppContainer``."""


@dataclass(frozen=True)
class TaskSpec:
    """A declared task: its function, its queue and how a failure is retried."""

    name: str
    run: TaskFunction
    queue: str = DEFAULT
    retry: Backoff | None = None


@dataclass(frozen=True)
class Periodic:
    """A task enqueued on a cron schedule (seconds first) by whichever worker is running."""

    task: str
    cron: str


TASKS: dict[str, TaskSpec] = {}
"""Every declared task by name (filled as the modules of :data:`TASK_MODULES` are imported)."""
PERIODIC: dict[str, Periodic] = {}
"""Every periodic schedule by task name."""

F = TypeVar("F", bound=TaskFunction)


def task(name: str, *, queue: str = DEFAULT, retry: Backoff | None = None) -> Callable[[F], F]:
    """Declare ``name`` as a task running the decorated function (returned unchanged, so it can
    also be called directly)."""

    def register(run: F) -> F:
        if name in TASKS and TASKS[name].run is not run:
            raise ValueError(f"task {name!r} is declared twice")
        TASKS[name] = TaskSpec(name, run, queue, retry)
        return run

    return register


def periodic(name: str, cron: str) -> None:
    """Enqueue the task ``name`` on the schedule ``cron`` (e.g. ``"0 */10 * * * *"``: every
    ten minutes at second 0). The task receives ``timestamp`` besides the container."""
    PERIODIC[name] = Periodic(name, cron)


class JobQueue(Protocol):
    """The process's job queue (``app.jobs``)."""

    @property
    def in_process(self) -> bool:
        """Whether this process runs the jobs itself (SQLite; tests) rather than leaving them
        to ``clearstone-api worker`` processes."""
        ...

    def enqueue(self, uow: UnitOfWork, *jobs: Job) -> None:
        """Enqueue ``jobs`` with the write of ``uow``: they exist if and only if it commits."""
        ...

    def enqueue_now(self, *jobs: Job) -> None:
        """Enqueue ``jobs`` at once, outside any write."""
        ...

    def start(self) -> None:
        """Start the in-process worker now rather than at the first job (no-op without)."""
        ...

    def wait_idle(self, timeout: float) -> bool:
        """In-process: block until no job is due or running (at most ``timeout`` seconds);
        True when idle. With separate workers: True at once (their progress is theirs)."""
        ...

    def depth(self) -> dict[str, int]:
        """Jobs due and not started, per queue (every queue of :data:`QUEUES` present)."""
        ...

    def close(self) -> None:
        """Stop the in-process worker, if one runs, after the job in hand."""
        ...
