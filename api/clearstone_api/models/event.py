"""The outbox: events written in the transaction of the change they report, and who may see
each one."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Column, ForeignKey, Integer
from sqlmodel import Field, SQLModel

from clearstone_api.models.columns import JSON_TYPE, UtcDateTime, utcnow

__all__ = ["Event", "EventRecipient"]


class Event(SQLModel, table=True):
    """One change that matters to a client (``stone.assessment.changed``...). Never updated;
    purged after the retention period (``services/event_retention.py``)."""

    __tablename__ = "events"

    seq: int | None = Field(default=None, primary_key=True)
    """Commit-independent insertion order: the feed's cursor key."""
    id: str = Field(max_length=40, unique=True)
    """The stable public id, ``evt_...``; also the ``webhook-id`` of its deliveries."""
    type: str = Field(max_length=64, index=True)
    occurred_at: dt.datetime = Field(default_factory=utcnow, sa_type=UtcDateTime, index=True)
    subject: str | None = Field(default=None, max_length=64)
    """What it is about: a stone's Clearstone id, ``reference-change:<id>``, an endpoint id."""
    payload: dict[str, Any] = Field(sa_type=JSON_TYPE)


class EventRecipient(SQLModel, table=True):
    """An audience entitled to an event: ``<role>:<tenant>`` (``supplier:acme-mining``,
    ``retailer:bright-jewels``, ``lab:GIA``) or ``<role>:*`` (every analyst)."""

    __tablename__ = "event_recipients"

    audience: str = Field(primary_key=True, max_length=80)
    event_seq: int = Field(
        sa_column=Column(
            Integer,
            ForeignKey("events.seq", ondelete="CASCADE"),
            primary_key=True,
            index=True,
        )
    )
