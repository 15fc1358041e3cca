"""Sanctions models: per-jurisdiction verdicts and the importer's evidence pack.

Tolerant like every response model (unknown fields kept, enumerations open).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal, TypeAlias

from pydantic import Field

from clearstone._models import BaseModel, EvidenceRef, SanctionHit, SanctionsResult, SourceRef

__all__ = [
    "CertificateLine",
    "DateCheck",
    "DeclaredCountry",
    "EvidenceItem",
    "GoodsProfile",
    "Jurisdiction",
    "JurisdictionVerdict",
    "MiningCountryLine",
    "PartyMatch",
    "RuleApplication",
    "SanctionsEvidence",
]

Jurisdiction: TypeAlias = Literal["EU", "US", "UK"]
RuleOutcome: TypeAlias = Literal["applies", "grandfathered", "out_of_scope", "not_in_force"] | str


class PartyMatch(BaseModel):
    """Why a name in the chain was taken for a listed party."""

    name: str
    listed_id: str
    listed_name: str
    matched_name: str
    """The listed name or alias that matched, as listed (Latin or original script)."""
    name_kind: str
    score: float
    threshold: float
    method: str
    list: str
    list_ref: str | None = None
    jurisdiction: str
    listed_on: dt.date
    basis: str
    via_owner: str | None = None
    owner_share: float | None = None


class RuleApplication(BaseModel):
    """One effective-dated rule row and how it bears on the goods."""

    rule_id: str
    kind: str
    regime: str
    description: str
    valid_from: dt.date
    valid_to: dt.date | None = None
    outcome: RuleOutcome
    reason: str
    requires: str | None = None
    verification: str
    sources: list[SourceRef] = Field(default_factory=list)


class DeclaredCountry(BaseModel):
    country: str
    basis: str
    """``extraction``, ``invoice``, ``kp_certificate`` or ``origin_report``."""
    evidence: EvidenceRef


class GoodsProfile(BaseModel):
    goods: str
    form: str
    article: str
    industrial: bool
    carat: str
    route: str
    mixed_rough: bool
    mining_countries: list[str] = Field(default_factory=list)


class JurisdictionVerdict(BaseModel):
    """The answer for an importer into one jurisdiction."""

    jurisdiction: str
    result: SanctionsResult
    date: dt.date
    date_basis: str
    weight_band: str
    grandfathered: bool
    summary: str
    rules: list[RuleApplication] = Field(default_factory=list)
    hits: list[SanctionHit] = Field(default_factory=list)


class MiningCountryLine(BaseModel):
    country: str
    bases: list[str] = Field(default_factory=list)
    evidence: list[EvidenceRef] = Field(default_factory=list)


class CertificateLine(BaseModel):
    document_id: str
    number: str
    issuing_participant: str
    country_of_origin: str | None = None
    names_every_mining_country: bool
    missing_countries: list[str] = Field(default_factory=list)


class DateCheck(BaseModel):
    rule_id: str
    what: str
    date: dt.date | None = None
    cut_off: dt.date
    before_cut_off: bool | None = None


class EvidenceItem(BaseModel):
    code: str
    title: str
    status: Literal["prefilled", "importer_to_complete", "missing", "prohibited"] | str
    detail: str
    rule_ids: list[str] = Field(default_factory=list)
    values: list[str] = Field(default_factory=list)


class SanctionsEvidence(BaseModel):
    """What an importer into ``jurisdiction`` must declare for the stone; it assists a
    declaration and is not one (see ``notice``)."""

    stone_id: str
    subject_id: str
    jurisdiction: str
    import_date: dt.date
    date_basis: str
    carat: str
    weight_band: str
    threshold_carat: str | None = None
    above_threshold: bool | None = None
    mining_countries: list[MiningCountryLine] = Field(default_factory=list)
    kp_certificates: list[CertificateLine] = Field(default_factory=list)
    g7_certificates: list[str] = Field(default_factory=list)
    dates: list[DateCheck] = Field(default_factory=list)
    items: list[EvidenceItem] = Field(default_factory=list)
    missing: list[EvidenceItem] = Field(default_factory=list)
    verdict: JurisdictionVerdict
    notice: str
