"""Issued attestations and their lifecycle: current, superseded, revoked."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, ForeignKey, Integer, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from clearstone_api.models.columns import UtcDateTime

__all__ = ["AttestationRecord"]


class AttestationRecord(SQLModel, table=True):
    """One attestation as issued. A stone's newest is ``current`` (and is also kept beside its
    stored assessment for the hot lookup); each earlier one names the one that superseded it."""

    __tablename__ = "attestations"
    __table_args__ = (UniqueConstraint("stone_id", "seq", name="uq_attestations_stone_seq"),)

    id: str = Field(primary_key=True, max_length=32)
    """``AT-...``: the ``jti`` of the signed payload, and the status endpoint's key."""
    stone_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("stones.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    seq: int
    """1, 2, 3... per stone, in the order issued."""
    issued_at: dt.datetime = Field(sa_type=UtcDateTime)
    expires_at: dt.datetime = Field(sa_type=UtcDateTime)
    token: str = Field(sa_column=Column(Text, nullable=False))
    """The compact JWS."""
    superseded_by: str | None = Field(default=None, max_length=32, index=True)
    revoked_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)
    revocation_reason: str | None = Field(default=None, max_length=500)
