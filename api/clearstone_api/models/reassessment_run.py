"""Re-assessment runs and their batches: the progress and the idempotency of re-assessment jobs.

A run re-assesses a set of stored stones (those a reference change reaches, or those stored under
another shipped reference release or policy). Planning splits the stones into batches; each
batch is one job, and one transaction that re-assesses its stones and stamps ``done_at``: a
second run of a done batch finds the stamp and writes nothing.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, ForeignKey, Integer
from sqlmodel import Field, SQLModel

from clearstone_api.models.columns import JSON_TYPE, UtcDateTime, utcnow

__all__ = ["ReassessmentBatch", "ReassessmentRun"]


class ReassessmentRun(SQLModel, table=True):
    """One re-assessment run."""

    __tablename__ = "reassessment_runs"

    id: int | None = Field(default=None, primary_key=True)
    change_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer,
            ForeignKey("reference_changes.id", ondelete="CASCADE"),
            nullable=True,
            index=True,
        ),
    )
    """The reference change that caused it; null for a stale-verdict run."""
    reason: str = Field(max_length=32)
    """``reference_change`` or ``stale`` (the log's reason for each stone)."""
    state: str = Field(default="planning", max_length=16)
    """``planning`` (its stones not yet counted), ``running`` or ``done``."""
    total: int = 0
    """Stones to re-assess (known once planned)."""
    batch_size: int
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    started_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)
    """When planning finished and the batches were queued."""
    finished_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)


class ReassessmentBatch(SQLModel, table=True):
    """One job's worth of a run's stones."""

    __tablename__ = "reassessment_batches"

    run_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("reassessment_runs.id", ondelete="CASCADE"), primary_key=True
        )
    )
    seq: int = Field(primary_key=True)
    stone_ids: list[int] = Field(sa_type=JSON_TYPE)
    stones: int = 0
    """Stones re-assessed (those of ``stone_ids`` still stored when the batch ran)."""
    changed: int = 0
    """Of which a verdict changed."""
    done_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)
