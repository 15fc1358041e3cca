"""Rough lots and their lineage through splits and merges."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Column, ForeignKey, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from clearstone_api.models.columns import JSON_TYPE, UtcDateTime, utcnow

__all__ = ["LotAncestor", "RoughLot"]


class RoughLot(SQLModel, table=True):
    """A registered parcel of rough. ``data`` is the supplier's
    :class:`~clearstone_api.domain.records.RoughLot`; immutable once registered."""

    __tablename__ = "rough_lots"
    __table_args__ = (
        UniqueConstraint("tenant_id", "record_id", name="uq_rough_lots_tenant_record"),
    )

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(max_length=32, unique=True)
    tenant_id: str = Field(max_length=64, index=True)
    record_id: str = Field(max_length=128)
    data: dict[str, Any] = Field(sa_type=JSON_TYPE)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    created_by: str = Field(max_length=128)


class LotAncestor(SQLModel, table=True):
    """Lineage closure: ``ancestor_id`` is ``lot_id`` itself or a lot it was split or merged
    from. Parents must exist before a lot is registered, so the closure never changes."""

    __tablename__ = "lot_ancestors"

    lot_id: int = Field(sa_column=Column(Integer, ForeignKey("rough_lots.id"), primary_key=True))
    ancestor_id: int = Field(
        sa_column=Column(Integer, ForeignKey("rough_lots.id"), primary_key=True, index=True)
    )
