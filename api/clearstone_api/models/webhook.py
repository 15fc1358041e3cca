"""Webhook endpoints, the deliveries of events to them, and every delivery attempt."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, ForeignKey, Index, Integer, String
from sqlmodel import Field, SQLModel

from clearstone_api.models.columns import JSON_TYPE, UtcDateTime, utcnow

__all__ = ["WebhookAttempt", "WebhookDelivery", "WebhookEndpoint"]


class WebhookEndpoint(SQLModel, table=True):
    """A receiver URL registered by one tenant, with its signing secret(s)."""

    __tablename__ = "webhook_endpoints"

    id: str = Field(primary_key=True, max_length=40)
    """``ep_...``"""
    audience: str = Field(max_length=80, index=True)
    """The owner, as an event audience (``retailer:bright-jewels``): it receives what that
    audience may see."""
    url: str = Field(max_length=2000)
    description: str | None = Field(default=None, max_length=200)
    event_types: list[str] = Field(default_factory=list, sa_type=JSON_TYPE)
    """Only these types are delivered; empty: every type."""
    enabled: bool = True
    disabled_reason: str | None = Field(default=None, max_length=200)
    secret: str = Field(max_length=100)
    """``whsec_...``: needed in clear to sign (HMAC), so it is stored as is; shown once."""
    previous_secret: str | None = Field(default=None, max_length=100)
    """The secret before the last rotation: deliveries are signed with both until
    ``previous_secret_expires_at``."""
    previous_secret_expires_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)
    failing_since: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)
    """First failed attempt since the last success: the endpoint is disabled when a delivery
    has exhausted its schedule and every attempt since has failed."""
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    created_by: str = Field(max_length=128)


class WebhookDelivery(SQLModel, table=True):
    """One event owed to one endpoint: at least once, retried on a schedule."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (Index("ix_webhook_deliveries_state_due", "state", "next_attempt_at"),)

    id: str = Field(primary_key=True, max_length=40)
    """``dlv_...``"""
    endpoint_id: str = Field(
        sa_column=Column(
            String(40),
            ForeignKey("webhook_endpoints.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        )
    )
    event_seq: int = Field(
        sa_column=Column(
            Integer, ForeignKey("events.seq", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    state: str = Field(default="pending", max_length=16)
    """``pending`` (an attempt is due at ``next_attempt_at``), ``succeeded`` or ``failed``
    (the schedule ran out, or the endpoint was disabled or answered 410)."""
    attempts: int = 0
    next_attempt_at: dt.datetime | None = Field(default_factory=utcnow, sa_type=UtcDateTime)
    trigger: str = Field(default="event", max_length=16)
    """``event``, ``replay`` or ``test``."""
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)


class WebhookAttempt(SQLModel, table=True):
    """One HTTP request of a delivery, and how the receiver answered."""

    __tablename__ = "webhook_attempts"

    id: int | None = Field(default=None, primary_key=True)
    delivery_id: str = Field(
        sa_column=Column(
            String(40),
            ForeignKey("webhook_deliveries.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        )
    )
    endpoint_id: str = Field(
        sa_column=Column(
            String(40),
            ForeignKey("webhook_endpoints.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        )
    )
    attempted_at: dt.datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    succeeded: bool
    status_code: int | None = None
    """The receiver's HTTP status; null when no response came (refused, timed out)."""
    error: str | None = Field(default=None, max_length=500)
    duration_ms: int
