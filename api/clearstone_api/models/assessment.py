"""Stored assessments (what the hot reads serve) and the re-assessment log."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, ForeignKey, Integer, LargeBinary, String, Text
from sqlmodel import Field, SQLModel

from clearstone_api.models.columns import UtcDateTime, utcnow

__all__ = ["AssessedRecord", "Reassessment", "StoneAssessment"]


class AssessedRecord(SQLModel, table=True):
    """A provenance record an assessment was computed from, stored once by its digest.

    Content-addressed, so stones with identical records share one row, and a reference-data
    change re-assesses each distinct record once however many stones carry it.
    """

    __tablename__ = "assessed_records"

    digest: str = Field(primary_key=True, max_length=64)
    """SHA-256 of ``record_json`` (the domain's ``record_digest``)."""
    record_json: str = Field(sa_column=Column(Text, nullable=False))


class StoneAssessment(SQLModel, table=True):
    """The current assessment of a stone.

    ``public_json`` is the consumer view, serialized once when the assessment is stored, so the
    certificate lookup serves bytes straight from the row; ``etag`` is its strong validator.
    The result columns feed the checkout screen without decoding JSON.
    """

    __tablename__ = "stone_assessments"

    stone_id: int = Field(
        sa_column=Column(Integer, ForeignKey("stones.id", ondelete="CASCADE"), primary_key=True)
    )
    kp_result: str = Field(max_length=32)
    csc_result: str = Field(max_length=32)
    risk_score: int
    sanctions_result: str = Field(max_length=16)
    as_of: dt.date
    policy_version: str = Field(max_length=64)
    reference_data_version: str = Field(max_length=128)
    record_digest: str = Field(
        sa_column=Column(
            String(64), ForeignKey("assessed_records.digest"), nullable=False, index=True
        )
    )
    """The record the assessment was computed from: reference-data changes re-assess from it
    without rebuilding the custody chain."""
    public_json: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    etag: str = Field(max_length=80)
    attestation: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    """The public view signed as a compact JWS (docs/attestations.md); null only for rows stored
    before attestations existed or bulk-loaded without a key (``clearstone-api
    sign-attestations`` fills them in)."""
    assessed_at: dt.datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)


class Reassessment(SQLModel, table=True):
    """One re-assessment of a stone: why, and the results before and after."""

    __tablename__ = "reassessments"

    id: int | None = Field(default=None, primary_key=True)
    stone_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("stones.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    reason: str = Field(max_length=64)
    """``custody_event``, ``lot_registered``, ``reference_change``..."""
    change_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("reference_changes.id"), nullable=True, index=True),
    )
    before_kp: str | None = Field(default=None, max_length=32)
    before_csc: str | None = Field(default=None, max_length=32)
    before_risk_score: int | None = None
    before_reference_version: str | None = Field(default=None, max_length=128)
    after_kp: str = Field(max_length=32)
    after_csc: str = Field(max_length=32)
    after_risk_score: int
    after_reference_version: str = Field(max_length=128)
    changed: bool
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
