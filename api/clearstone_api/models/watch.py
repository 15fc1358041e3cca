"""Which retailer watches which stone: its events reach the retailer's feed and webhooks."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, ForeignKey, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from clearstone_api.models.columns import UtcDateTime, utcnow

__all__ = ["Watch"]


class Watch(SQLModel, table=True):
    """A retailer tenant watches a stone, explicitly or because it screened it at checkout with
    ``watch: true``."""

    __tablename__ = "watches"
    __table_args__ = (UniqueConstraint("tenant_id", "stone_id", name="uq_watches_tenant_stone"),)

    id: str = Field(primary_key=True, max_length=40)
    """``wat_...``"""
    tenant_id: str = Field(max_length=64)
    stone_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("stones.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    source: str = Field(max_length=16)
    """``explicit`` (``POST /v1/watches``) or ``checkout`` (a screening with ``watch: true``)."""
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
