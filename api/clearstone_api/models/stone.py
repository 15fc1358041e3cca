"""Stones: the thing a consumer holds, and the numbers it is looked up by."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Column, ForeignKey, Index, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from clearstone_api.models.columns import JSON_TYPE, UtcDateTime, utcnow

__all__ = ["Stone", "StoneFootprint", "StoneLot", "StoneNumber"]


class Stone(SQLModel, table=True):
    """A registered stone. ``data`` is the supplier's :class:`~clearstone_api.domain.records.Stone`
    as submitted; it never changes after registration."""

    __tablename__ = "stones"
    __table_args__ = (UniqueConstraint("tenant_id", "record_id", name="uq_stones_tenant_record"),)

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(max_length=32, unique=True)
    """Clearstone's id, e.g. ``CS-7K2M9QXH4D1P``."""
    tenant_id: str = Field(max_length=64, index=True)
    """The supplier that registered it; every supplier read and write is scoped by it."""
    record_id: str = Field(max_length=128)
    """The supplier's own id for the stone, as used in its custody events."""
    origin: str = Field(max_length=16)
    data: dict[str, Any] = Field(sa_type=JSON_TYPE)
    documents: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON_TYPE)
    """Documents about the stone itself (a lab origin report), submitted with it."""
    as_of: dt.date | None = None
    """Set only by the demo loader (published vectors speak for fixed dates); null, as for every
    stone registered through the API: assessments speak for the day they are made."""
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    created_by: str = Field(max_length=128)


class StoneNumber(SQLModel, table=True):
    """A number a stone is looked up by, under its normalized key (see ``certificate_numbers``)."""

    __tablename__ = "stone_numbers"

    key: str = Field(primary_key=True, max_length=128)
    stone_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("stones.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    number: str = Field(max_length=128)
    """As first written (``GIA-2141438167``)."""
    kind: str = Field(max_length=16)
    """``clearstone_id``, ``lab_qualified``, ``grading_report`` or ``alias``."""
    status: str | None = Field(default=None, max_length=16)
    """For a grading lab's number: ``claimed``, ``confirmed`` or ``disputed``
    (``services/number_claims.py``); null for Clearstone ids and aliases."""


class StoneLot(SQLModel, table=True):
    """A rough lot a stone descends from, directly or through splits and merges (closure)."""

    __tablename__ = "stone_lots"

    stone_id: int = Field(
        sa_column=Column(Integer, ForeignKey("stones.id", ondelete="CASCADE"), primary_key=True)
    )
    lot_id: int = Field(
        sa_column=Column(Integer, ForeignKey("rough_lots.id"), primary_key=True, index=True)
    )


class StoneFootprint(SQLModel, table=True):
    """Where a stone's chain has been and who handled it: ``country``/``party`` keys.

    The index that turns a reference-data change (an incident in a country, a party's
    sanction) into the set of stones to re-assess, without scanning every stone.
    """

    __tablename__ = "stone_footprints"
    __table_args__ = (Index("ix_stone_footprints_kind_value", "kind", "value"),)

    stone_id: int = Field(
        sa_column=Column(Integer, ForeignKey("stones.id", ondelete="CASCADE"), primary_key=True)
    )
    kind: str = Field(primary_key=True, max_length=16)
    value: str = Field(primary_key=True, max_length=128)
