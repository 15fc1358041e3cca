"""Which retailer screened which stone: the link that lets it read the stone's evidence pack."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, ForeignKey, Integer
from sqlmodel import Field, SQLModel

from clearstone_api.models.columns import UtcDateTime, utcnow

__all__ = ["StoneScreening"]


class StoneScreening(SQLModel, table=True):
    """A retailer tenant screened a stone at checkout (first time only; no cart is kept)."""

    __tablename__ = "stone_screenings"

    stone_id: int = Field(
        sa_column=Column(Integer, ForeignKey("stones.id", ondelete="CASCADE"), primary_key=True)
    )
    tenant_id: str = Field(max_length=64, primary_key=True)
    first_screened_at: dt.datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
