"""What the reference-data endpoints answer: participants, incidents, the taxonomy, changes."""

from __future__ import annotations

import datetime as dt
from typing import Literal, TypeAlias

from pydantic import Field

from clearstone._models import BaseModel

__all__ = [
    "Criterion",
    "Incident",
    "IncidentParty",
    "IncidentSource",
    "IncidentStatus",
    "Participant",
    "ReassessmentRun",
    "ReferenceChange",
    "Remediation",
    "StatusPeriod",
    "Verification",
]

IncidentStatus: TypeAlias = Literal["alleged", "documented", "adjudicated", "settled"] | str
Verification: TypeAlias = Literal["verified", "secondary", "unverified"] | str
"""How a reference fact was checked; UNVERIFIED facts stay marked so."""


class StatusPeriod(BaseModel):
    """A period in which a KP participant was suspended, removed or under embargo."""

    id: str
    participant_id: str
    status: str
    valid_from: dt.date
    valid_to: dt.date | None = None
    exception_measure: str | None = None
    """``compliant_zone``: exports from listed zones stay allowed during the suspension."""
    basis: str
    note: str | None = None
    source_ids: list[str] = Field(default_factory=list)
    retrieved_at: dt.date
    verification: Verification


class Participant(BaseModel):
    """A KP participant and its standing on the requested date."""

    id: str
    name: str
    kind: str
    regional_org: bool = False
    admitted_on: dt.date | None = None
    on: dt.date
    in_good_standing: bool
    statuses: list[StatusPeriod] = Field(default_factory=list)


class IncidentSource(BaseModel):
    source_id: str
    title: str
    publisher: str | None = None
    url: str | None = None
    date: dt.date | None = None


class IncidentParty(BaseModel):
    id: str
    name: str
    role: str


class Remediation(BaseModel):
    date: dt.date
    description: str
    source_ids: list[str] = Field(default_factory=list)


class Incident(BaseModel):
    """A documented or alleged abuse in the registry, with its sources."""

    id: str
    title: str
    summary: str
    country: str
    admin1: str | None = None
    admin2: str | None = None
    site_ids: list[str] = Field(default_factory=list)
    actors: list[str] = Field(default_factory=list)
    parties: list[IncidentParty] = Field(default_factory=list)
    categories: list[str] = Field(default_factory=list)
    """Criterion codes, ``C01``-``C15``."""
    date_start: dt.date
    date_end: dt.date | None = None
    reported_on: dt.date
    status: IncidentStatus
    sources: list[IncidentSource] = Field(default_factory=list)
    remediations: list[Remediation] = Field(default_factory=list)
    retrieved_at: dt.date
    verification: Verification


class Criterion(BaseModel):
    """One criterion of the abuse taxonomy, with where it comes from."""

    code: str
    name: str
    csc_2018: str | None = None
    canada_2018: str | None = None
    oecd_annex_ii: str | None = None
    ilo: str | None = None
    note: str | None = None
    source_ids: list[str] = Field(default_factory=list)
    retrieved_at: dt.date
    verification: Verification


class ReferenceRowCreated(BaseModel):
    """A reference row an analyst added (``id`` is the row's own) and the audited change."""

    id: str
    kind: str
    """``incident`` or ``status_period``."""
    change_id: int
    """Follow ``reference.changes.get(change_id)`` for the re-assessment's progress."""
    change: ReferenceChange


class ReferenceChange(BaseModel):
    """One audited change to reference data and the progress of the re-assessment it caused."""

    id: int
    version: str
    kind: str
    """``incident`` or ``status_period``."""
    action: str
    """``create`` or ``update``."""
    target_id: str
    actor: str
    note: str
    before: dict[str, object] | None = None
    after: dict[str, object]
    created_at: dt.datetime
    reassessment_state: Literal["pending", "running", "done"] | str
    stones_changed: int = 0
    stones_reassessed: int = 0


class ReassessmentRun(BaseModel):
    """A re-assessment run (after a reference change, or over stale verdicts) and its
    progress."""

    id: int
    change_id: int | None = None
    """The reference change that caused it; None for a run over stale verdicts."""
    reason: Literal["reference_change", "stale"] | str
    state: Literal["planning", "running", "done"] | str
    total: int = 0
    """Stones to re-assess (0 while planning)."""
    done: int = 0
    changed: int = 0
    """Stones whose verdict changed."""
    rate: float | None = None
    """Stones per second since the run started."""
    created_at: dt.datetime
    started_at: dt.datetime | None = None
    estimated_end: dt.datetime | None = None
    finished_at: dt.datetime | None = None


ReferenceRowCreated.model_rebuild()
