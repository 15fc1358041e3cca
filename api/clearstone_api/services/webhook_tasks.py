"""The job-queue tasks of events and webhooks (``services/jobs.py``).

- ``webhooks.deliver`` (queue ``webhooks``): one attempt of one delivery
  (:func:`~clearstone_api.services.webhook_delivery.deliver`). The retry schedule is the
  delivery's own (5 s ... 10 h, kept in the row as ``next_attempt_at``), not the queue's: a
  failed attempt enqueues the next one with ``schedule_at``, under a queueing lock per delivery
  so that it waits in the queue at most once.
- ``webhooks.deliver_due`` (every minute): every pending delivery that is due and has no job,
  e.g. one committed by a process that died before enqueueing it, or a retry whose in-memory
  job (SQLite) went with a restart.
- ``events.purge`` (daily at 03:17): the change feed's retention.

Each is idempotent: :func:`deliver` attempts only a pending delivery that is due.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from clearstone_api.services.event_feed import purge_events
from clearstone_api.services.jobs import DEFAULT, WEBHOOKS, periodic, task
from clearstone_api.services.webhook_delivery import deliver
from clearstone_api.services.webhook_dispatch import DELIVER, deliver_due, delivery_job

if TYPE_CHECKING:
    from clearstone_api.container import AppContainer

__all__ = ["deliver_due_task", "deliver_task", "purge_task"]


@task(DELIVER, queue=WEBHOOKS)
def deliver_task(app: AppContainer, *, delivery_id: str) -> None:
    outcome = deliver(app.database, app.settings, delivery_id, send=app.webhooks.send)
    if outcome.state == "pending" and outcome.next_attempt_at is not None:
        app.jobs.enqueue_now(delivery_job(delivery_id, outcome.next_attempt_at))


@task("webhooks.deliver_due", queue=DEFAULT)
def deliver_due_task(app: AppContainer, *, timestamp: int) -> None:  # noqa: ARG001
    deliver_due(app.database, app.settings, enqueue=app.jobs)


@task("events.purge", queue=DEFAULT)
def purge_task(app: AppContainer, *, timestamp: int) -> None:  # noqa: ARG001
    purge_events(app.database, app.settings.event_retention_days)


periodic("webhooks.deliver_due", "0 * * * * *")
periodic("events.purge", "0 17 3 * * *")
