"""Idempotency keys (draft-ietf-httpapi-idempotency-key-header), scoped per client."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from clearstone_api.models.columns import UtcDateTime, utcnow

__all__ = ["IdempotencyKey"]


class IdempotencyKey(SQLModel, table=True):
    """A claimed key: ``in_progress`` while the first request runs, then its stored response."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("client_id", "key", name="uq_idempotency_client_key"),)

    id: int | None = Field(default=None, primary_key=True)
    client_id: str = Field(max_length=160)
    key: str = Field(max_length=255)
    operation: str = Field(max_length=200)
    """``METHOD path`` of the first request."""
    request_hash: str = Field(max_length=64)
    state: str = Field(max_length=16)
    """``in_progress`` or ``done``."""
    status_code: int | None = None
    response_body: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
