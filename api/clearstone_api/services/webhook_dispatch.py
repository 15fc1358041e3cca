"""Running deliveries once their event has committed, inside this process.

The outbox hands the ids of the deliveries a commit made durable to the session's dispatcher
(``services/outbox.py``, :data:`~clearstone_api.services.outbox.DISPATCH_KEY`); this module is
that dispatcher for a process without a job queue (``make serve`` on SQLite, tests):

- ``queue`` (the default): each delivery becomes a ``webhooks.deliver`` job on the job queue
  (``services/webhook_tasks.py``): run by ``clearstone-api worker`` processes on PostgreSQL,
  by the serving process itself on SQLite; a failed attempt enqueues the next at its
  ``next_attempt_at``;
- ``background``: each attempt runs on a small thread pool, off the request; a failed attempt
  is retried at its ``next_attempt_at`` by a timer of this process;
- ``inline``: at once, in the committing thread (tests: deterministic);
- ``off``: nothing runs here; deliveries wait for :func:`deliver_due`.

Whatever the mode, the database is the record: a delivery is pending until an attempt
succeeds or its schedule runs out, so a process that dies between the commit and the enqueue,
or with timers pending, loses nothing: :func:`deliver_due` (the ``webhooks.deliver_due``
periodic job, or ``clearstone-api deliver-webhooks``) picks up what is due.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from sqlmodel import col, select

from clearstone_api.db import Database
from clearstone_api.models.columns import utcnow
from clearstone_api.models.webhook import WebhookDelivery
from clearstone_api.services.jobs import Job, JobQueue
from clearstone_api.services.outbox import DISPATCH_KEY
from clearstone_api.services.webhook_delivery import Outcome, Sender, deliver
from clearstone_api.settings import Settings

__all__ = ["DELIVER", "Dispatcher", "deliver_due", "delivery_job"]

DELIVER = "webhooks.deliver"
"""The task of one delivery attempt (declared in ``services/webhook_tasks.py``)."""


def delivery_job(delivery_id: str, schedule_at: dt.datetime | None = None) -> Job:
    """The job of one attempt of ``delivery_id``, not before ``schedule_at``. At most one waits
    per delivery (its queueing lock): a second enqueue, by the sweep say, is dropped."""
    return Job(
        DELIVER,
        {"delivery_id": delivery_id},
        queueing_lock=f"webhook-delivery:{delivery_id}",
        schedule_at=schedule_at,
    )


logger = logging.getLogger("clearstone.webhooks")


class Dispatcher:
    """Sends committed deliveries in this process, as ``settings.webhook_delivery`` says."""

    def __init__(
        self, database: Database, settings: Settings, jobs: JobQueue | None = None
    ) -> None:
        self._database = database
        self._jobs = jobs
        self._settings = settings
        self._mode = settings.webhook_delivery
        self.send = Sender(settings.webhook_timeout_seconds)
        """This process's kept-alive connections to receivers (every delivery made here)."""
        self._pool: ThreadPoolExecutor | None = None
        self._timers: set[threading.Timer] = set()
        self._lock = threading.Lock()
        self._closed = False

    def install(self) -> None:
        """Become the dispatcher of every session the database opens."""
        self._database.session_info[DISPATCH_KEY] = self.submit

    def submit(self, delivery_ids: list[str]) -> None:
        """Send ``delivery_ids`` (committed, pending) as the mode says."""
        if self._mode == "off" or self._closed:
            return
        if self._mode == "queue" and self._jobs is not None:
            self._jobs.enqueue_now(*(delivery_job(i) for i in delivery_ids))
            return
        if self._mode == "inline":
            for delivery_id in delivery_ids:
                self._attempt(delivery_id, retry=False)
            return
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="webhooks")
            pool = self._pool
        for delivery_id in delivery_ids:
            pool.submit(self._attempt, delivery_id, True)

    def _attempt(self, delivery_id: str, retry: bool) -> None:
        try:
            outcome: Outcome = deliver(self._database, self._settings, delivery_id, send=self.send)
        except Exception:
            logger.exception("webhook delivery %s failed unexpectedly", delivery_id)
            return
        if retry and outcome.state == "pending" and outcome.next_attempt_at is not None:
            wait = max((outcome.next_attempt_at - utcnow()).total_seconds(), 0.0)
            self._later(wait, lambda: self.submit([delivery_id]))

    def _later(self, wait: float, action: Callable[[], None]) -> None:
        timer = threading.Timer(wait, self._fire, args=(action,))
        timer.daemon = True
        with self._lock:
            if self._closed:
                return
            self._timers.add(timer)
        timer.start()

    def _fire(self, action: Callable[[], None]) -> None:
        with self._lock:
            current = threading.current_thread()
            self._timers = {t for t in self._timers if t.is_alive() and t is not current}
        action()

    def close(self) -> None:
        """Stop the timers and wait for attempts under way (pending ones stay in the database)."""
        with self._lock:
            self._closed = True
            timers, self._timers = self._timers, set()
            pool, self._pool = self._pool, None
        for timer in timers:
            timer.cancel()
        if pool is not None:
            pool.shutdown(wait=True)
        self.send.close()


def deliver_due(
    database: Database,
    settings: Settings,
    *,
    limit: int = 1000,
    enqueue: JobQueue | None = None,
    send: Sender | None = None,
) -> int:
    """Every pending delivery that is due (oldest first, up to ``limit``): attempted here, or
    with ``enqueue`` handed to the job queue (a delivery whose job already waits is not
    enqueued twice). Returns how many were attempted or enqueued."""
    with database.session() as session:
        due = list(
            session.exec(
                select(WebhookDelivery.id)
                .where(
                    col(WebhookDelivery.state) == "pending",
                    col(WebhookDelivery.next_attempt_at) <= utcnow(),
                )
                .order_by(col(WebhookDelivery.next_attempt_at))
                .limit(limit)
            ).all()
        )
    if enqueue is not None:
        enqueue.enqueue_now(*(delivery_job(i) for i in due))
        return len(due)
    attempted = 0
    sender = send or Sender(settings.webhook_timeout_seconds)
    try:
        for delivery_id in due:
            if deliver(database, settings, delivery_id, send=sender).state != "skipped":
                attempted += 1
    finally:
        if send is None:
            sender.close()
    return attempted
