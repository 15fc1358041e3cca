"""The custody log: append-only events, their per-item hash chains and their attachments."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Column, ForeignKey, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from clearstone_api.models.columns import JSON_TYPE, UtcDateTime, utcnow

__all__ = ["CustodyAttachment", "CustodyEvent", "CustodyLink"]


class CustodyEvent(SQLModel, table=True):
    """One custody event as appended. ``payload`` holds the event and full copies of the
    documents, parties and sites it names, so that ``content_hash`` covers all of them."""

    __tablename__ = "custody_events"
    __table_args__ = (
        UniqueConstraint("tenant_id", "record_id", name="uq_custody_events_tenant_record"),
    )

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(max_length=32, unique=True)
    tenant_id: str = Field(max_length=64, index=True)
    record_id: str = Field(max_length=128)
    event_date: dt.date
    payload: dict[str, Any] = Field(sa_type=JSON_TYPE)
    content_hash: str = Field(max_length=64)
    """SHA-256 of the canonical JSON of ``payload``."""
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    created_by: str = Field(max_length=128)
    log_index: int | None = Field(default=None, unique=True)
    """The event's leaf in the custody transparency log (0, 1, 2... in append order)."""


class CustodyLink(SQLModel, table=True):
    """An event's place in the chain of one lot or stone it handled.

    ``hash = sha256(prev_hash ":" event.content_hash)`` and ``prev_hash`` is the hash of the
    previous link of the same item (``GENESIS_HASH`` first), so changing, removing or
    reordering stored history breaks the chain where it happened.
    """

    __tablename__ = "custody_links"
    __table_args__ = (
        UniqueConstraint("item_kind", "item_id", "seq", name="uq_custody_links_item_seq"),
    )

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(
        sa_column=Column(Integer, ForeignKey("custody_events.id"), nullable=False, index=True)
    )
    item_kind: str = Field(max_length=8)
    """``lot`` or ``stone``."""
    item_id: int
    seq: int
    """1, 2, 3... within the item's chain."""
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class CustodyAttachment(SQLModel, table=True):
    """A document, party or site first submitted with an event, reusable by later events.
    Resubmitting the same id is fine only with identical content: the log is append-only."""

    __tablename__ = "custody_attachments"
    __table_args__ = (
        UniqueConstraint("tenant_id", "kind", "record_id", name="uq_custody_attachments_key"),
    )

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: str = Field(max_length=64)
    kind: str = Field(max_length=16)
    """``document``, ``party`` or ``site``."""
    record_id: str = Field(max_length=128)
    data: dict[str, Any] = Field(sa_type=JSON_TYPE)
    content_hash: str = Field(max_length=64)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
