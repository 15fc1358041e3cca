"""Claims on grading-report numbers: who claims a lab's number for which stone, and what the lab
said."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, ForeignKey, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from clearstone_api.models.columns import UtcDateTime, utcnow

__all__ = ["NumberClaim"]


class NumberClaim(SQLModel, table=True):
    """A supplier's claim that a grading lab's report number belongs to its stone.

    ``claimed`` when registered, ``disputed`` while another tenant claims the same number,
    ``confirmed`` or ``rejected`` once the lab has said so. Confirming one claim rejects the
    others on the same number."""

    __tablename__ = "number_claims"
    __table_args__ = (UniqueConstraint("key", "stone_id", name="uq_number_claims_key_stone"),)

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(max_length=32, unique=True)
    """``NC-...``."""
    key: str = Field(max_length=128, index=True)
    """The lookup key of the lab-qualified number (``GIA2141438167``)."""
    digits: str = Field(max_length=128, index=True)
    """The lookup key of the bare report number (``2141438167``)."""
    lab: str = Field(max_length=64, index=True)
    """The lab's code, upper case: a ``lab`` client of this tenant decides the claim."""
    number: str = Field(max_length=128)
    """The lab-qualified number as claimed (``GIA-2141438167``)."""
    stone_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("stones.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    tenant_id: str = Field(max_length=64)
    status: str = Field(max_length=16, index=True)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    decided_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)
    decided_by: str | None = Field(default=None, max_length=128)
