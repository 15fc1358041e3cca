"""Analyst changes to reference data: versioned, attributed, with before and after."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import Field, SQLModel

from clearstone_api.models.columns import JSON_TYPE, UtcDateTime, utcnow

__all__ = ["ReferenceChange"]


class ReferenceChange(SQLModel, table=True):
    """One analyst change. The effective reference data is the shipped files with every change
    applied in id order; ``version`` names the result."""

    __tablename__ = "reference_changes"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=32)
    """``incident``, ``status_period``, ``context_layer`` (a whole layer replaced by a load) or
    ``release`` (newly shipped reference files)."""
    target_id: str = Field(max_length=128, index=True)
    action: str = Field(max_length=16)
    """``create``, ``update``, ``replace`` (context layers) or ``release``."""
    before: dict[str, Any] | None = Field(default=None, sa_type=JSON_TYPE)
    after: dict[str, Any] = Field(sa_type=JSON_TYPE)
    note: str = Field(max_length=2000)
    version: str = Field(max_length=128)
    actor: str = Field(max_length=128)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    reassessment_state: str = Field(default="pending", max_length=16)
    """``pending``, ``running`` or ``done``."""
    stones_reassessed: int = 0
    stones_changed: int = 0
