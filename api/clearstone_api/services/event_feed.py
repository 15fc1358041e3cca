"""The change feed: the events a caller is entitled to, oldest first, and their retention.

A caller reads the events written for its audiences (``services/outbox.py``): a supplier the
events of its stones, a retailer those of the stones it watches, an analyst reference changes
and re-assessment runs, a lab the disputes over its report numbers. Walking the feed with
``after`` never skips nor repeats an event: the cursor is the event's insertion sequence.

Events are kept :data:`~clearstone_api.settings.Settings.event_retention_days` days (at least
30) and then purged by :func:`purge_events` (``clearstone-api purge-events``, or the periodic
job), with their deliveries and delivery attempts.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import delete, exists
from sqlmodel import Session, col, select

from clearstone_api.db import Database
from clearstone_api.errors import NotFound
from clearstone_api.models.columns import utcnow
from clearstone_api.models.event import Event, EventRecipient
from clearstone_api.models.webhook import WebhookAttempt, WebhookDelivery
from clearstone_api.security.principals import Principal
from clearstone_api.services.outbox import principal_audiences

__all__ = ["EventPublic", "event_public", "get_event", "list_events", "purge_events"]

MIN_RETENTION_DAYS = 30


class EventPublic(BaseModel):
    """One change that matters to you."""

    id: str = Field(examples=["evt_4f1c0a9e2b7d5c3a1e0f9b8d"])
    """Stable: the same event has the same id in the feed and in every webhook delivery
    (``webhook-id``)."""
    type: str = Field(examples=["stone.assessment.changed"])
    occurred_at: dt.datetime
    """When the change committed (the transaction's time)."""
    subject: str | None = Field(examples=["CS-7K2M9QXH4D1P"])
    """What it is about: a stone's Clearstone id, ``reference-change:<id>``, an endpoint id."""
    data: dict[str, Any]
    """The payload: for ``stone.assessment.changed``, ``before`` and ``after`` (results, risk
    score, summaries) and the ``cause`` (reference change, custody event, versions)."""


def event_public(row: Event) -> EventPublic:
    return EventPublic(
        id=row.id, type=row.type, occurred_at=row.occurred_at, subject=row.subject, data=row.payload
    )


def _visible(principal: Principal) -> Any:
    return exists().where(
        col(EventRecipient.event_seq) == col(Event.seq),
        col(EventRecipient.audience).in_(principal_audiences(principal)),
    )


def list_events(
    session: Session,
    principal: Principal,
    limit: int,
    after: int | None,
    *,
    types: list[str] | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> tuple[list[EventPublic], bool, int | None]:
    """Up to ``limit`` events the caller may see after sequence ``after``, of ``types``, that
    occurred in ``[since, until)``; whether more follow, and the cursor key of the last."""
    query = select(Event).where(_visible(principal)).order_by(col(Event.seq))
    if after is not None:
        query = query.where(col(Event.seq) > after)
    if types:
        query = query.where(col(Event.type).in_(types))
    if since is not None:
        query = query.where(col(Event.occurred_at) >= since)
    if until is not None:
        query = query.where(col(Event.occurred_at) < until)
    rows = session.exec(query.limit(limit + 1)).all()
    data = rows[:limit]
    last = data[-1].seq if data and len(rows) > limit else None
    return [event_public(r) for r in data], len(rows) > limit, last


def visible_event(session: Session, principal: Principal, event_id: str) -> Event:
    """The event ``event_id`` if the caller may see it; a 404 otherwise, exactly as for an id
    that does not exist."""
    row = session.exec(select(Event).where(Event.id == event_id, _visible(principal))).first()
    if row is None:
        raise NotFound(f"No event {event_id!r}.")
    return row


def get_event(session: Session, principal: Principal, event_id: str) -> EventPublic:
    return event_public(visible_event(session, principal, event_id))


def purge_events(
    database: Database,
    retention_days: int,
    *,
    now: dt.datetime | None = None,
    batch_size: int = 1000,
) -> int:
    """Delete the events older than ``retention_days`` (at least 30), with their recipients,
    deliveries and attempts, in committed batches; an event with a delivery still pending is
    kept until it is settled. Returns how many were deleted."""
    days = max(retention_days, MIN_RETENTION_DAYS)
    cutoff = (now or utcnow()) - dt.timedelta(days=days)
    pending = exists().where(
        col(WebhookDelivery.event_seq) == col(Event.seq), col(WebhookDelivery.state) == "pending"
    )
    deleted = 0
    while True:
        with database.session() as session:
            seqs = list(
                session.exec(
                    select(Event.seq)
                    .where(col(Event.occurred_at) < cutoff, ~pending)
                    .order_by(col(Event.seq))
                    .limit(batch_size)
                ).all()
            )
            if not seqs:
                return deleted
            # Explicit, not only ON DELETE CASCADE: the same statements on every backend.
            deliveries = select(WebhookDelivery.id).where(col(WebhookDelivery.event_seq).in_(seqs))
            session.execute(
                delete(WebhookAttempt).where(col(WebhookAttempt.delivery_id).in_(deliveries))
            )
            session.execute(delete(WebhookDelivery).where(col(WebhookDelivery.event_seq).in_(seqs)))
            session.execute(delete(EventRecipient).where(col(EventRecipient.event_seq).in_(seqs)))
            session.execute(delete(Event).where(col(Event.seq).in_(seqs)))
            deleted += len(seqs)
