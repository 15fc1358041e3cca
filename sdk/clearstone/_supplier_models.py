"""What the supplier endpoints answer: rough lots, stones, custody events and chain checks.

Tolerant like every model here (see ``_models``): unknown fields are kept, unknown enum values
parse.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal, TypeAlias

from pydantic import Field

from clearstone._models import (
    BaseModel,
    CertificateStone,
    CscResult,
    EvidenceLevel,
    KpResult,
    Measurements,
    OriginSummary,
    SanctionsResult,
)

__all__ = [
    "AssessmentSummary",
    "ChainLink",
    "ChainProblem",
    "ChainReport",
    "CustodyEntry",
    "CustodyEvent",
    "CustodyStep",
    "CustodyVerification",
    "DocumentSummary",
    "EventType",
    "GradingReport",
    "Lot",
    "PartySummary",
    "Place",
    "RoughLot",
    "Stone",
    "StoneRecord",
    "StoneSummary",
]

EventType: TypeAlias = (
    Literal[
        "extraction",
        "export",
        "import",
        "transit",
        "sale",
        "sorting",
        "cutting",
        "polishing",
        "grading",
        "retail_sale",
    ]
    | str
)


class RoughLot(BaseModel):
    """A rough lot as registered."""

    id: str
    carat: str
    kind: str = "rough_lot"
    parcel_count: int = 1
    hs_code: str | None = None
    origin: str = "natural"
    parent_lot_ids: list[str] = Field(default_factory=list)
    mixed_origin: bool = False


class Lot(BaseModel):
    """A registered rough lot (``lots-create``, ``lots-get``)."""

    id: str
    """Clearstone's id, ``CL-...``."""
    record_id: str
    """The supplier's own id for the lot (``lot.id``)."""
    created_at: dt.datetime
    lot: RoughLot


class GradingReport(BaseModel):
    lab: str
    number: str
    date: dt.date | None = None
    carat: str | None = None
    shape: str | None = None
    measurements: Measurements | None = None
    colour: str | None = None
    clarity: str | None = None
    laser_inscription: str | None = None


class StoneRecord(BaseModel):
    """A stone as registered."""

    id: str
    origin: str
    carat: str
    kind: str = "stone"
    form: str = "polished"
    grading_report: GradingReport | None = None
    parent_lot_ids: list[str] = Field(default_factory=list)
    description: str | None = None


class AssessmentSummary(BaseModel):
    """The stored assessment of a stone, in brief; the full one is the certificate lookup."""

    as_of: dt.date
    assessed_at: dt.datetime
    kp_result: KpResult
    csc_result: CscResult
    risk_score: int
    reference_data_version: str


class Stone(BaseModel):
    """A registered stone (``stones-create``, ``stones-get``)."""

    id: str
    """Clearstone's id, ``CS-...``; also accepted as a certificate number."""
    record_id: str
    created_at: dt.datetime
    certificate_numbers: list[str] = Field(default_factory=list)
    """Every number the certificate lookup finds it by."""
    assessment: AssessmentSummary | None = None
    stone: StoneRecord


class Place(BaseModel):
    country: str
    admin1: str | None = None
    admin2: str | None = None
    site_id: str | None = None
    locality: str | None = None


class CustodyEvent(BaseModel):
    id: str
    type: EventType
    date: dt.date
    place: Place
    items: list[str]
    from_party_id: str | None = None
    to_party_id: str | None = None
    destination_country: str | None = None
    document_ids: list[str] = Field(default_factory=list)
    seals_intact: bool | None = None
    carat_in: str | None = None
    carat_out: str | None = None


class ChainLink(BaseModel):
    """The event's link in the hash chain of one lot or stone."""

    item: str
    seq: int
    prev_hash: str
    hash: str


class CustodyEntry(BaseModel):
    """An appended custody event (``custody-events-create``)."""

    id: str
    content_hash: str
    """SHA-256 of the event's canonical JSON."""
    created_at: dt.datetime
    event: CustodyEvent
    links: list[ChainLink] = Field(default_factory=list)
    reassessed_stones: list[str] = Field(default_factory=list)
    """Stones whose assessment this event changed."""


class ChainReport(BaseModel):
    item: str
    length: int
    head_hash: str
    valid: bool


class ChainProblem(BaseModel):
    item: str
    seq: int
    event_id: str | None = None
    problem: str


class CustodyVerification(BaseModel):
    """Every hash of a stone's custody chains re-checked (``custody-verifications-get``)."""

    stone_id: str
    valid: bool
    """False when a stored event or link was altered, removed or reordered."""
    events_checked: int
    chains: list[ChainReport] = Field(default_factory=list)
    problems: list[ChainProblem] = Field(default_factory=list)


# The retailer tier (``stone-summaries-get``): no prices, no counterparty names.


class PartySummary(BaseModel):
    """What kind of party held the goods, and where: never who."""

    type: str
    country: str


class DocumentSummary(BaseModel):
    """What kind of document an event carried: never its amounts, numbers or parties."""

    type: str
    """``kp_certificate``, ``invoice`` or ``attestation``."""
    issuing_participant: str | None = None
    warranty_statement: bool | None = None
    """Invoices: whether a System of Warranties statement is printed on it."""
    scheme: str | None = None
    evidence_level: EvidenceLevel | None = None


class CustodyStep(BaseModel):
    """One custody event, summarized."""

    date: dt.date
    type: EventType
    country: str
    region: str | None = None
    destination_country: str | None = None
    from_party: PartySummary | None = None
    to_party: PartySummary | None = None
    documents: list[DocumentSummary] = Field(default_factory=list)


class StoneSummary(BaseModel):
    """The retailer tier of any stone: its current verdicts and its custody, in date order."""

    stone: CertificateStone
    kp_result: KpResult
    csc_result: CscResult
    risk_score: int
    sanctions_result: SanctionsResult
    as_of: dt.date
    policy_version: str
    reference_data_version: str
    assessed_at: dt.datetime
    origin: OriginSummary
    custody: list[CustodyStep] = Field(default_factory=list)
