"""What an assessment says: the KP-narrow verdict, the CSC-broad verdict and the sanctions flag.

These models are the output contract of :func:`clearstone_api.domain.assessment.assess`; the API
serves them as they are, so every field carries a docstring that ends up in the OpenAPI schema.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from clearstone_api.domain.grading import ReportIdentity
from clearstone_api.domain.messages import Message
from clearstone_api.domain.records import EvidenceLevel
from clearstone_api.domain.reference_rows import SourceStrength

__all__ = [
    "AreaContextFinding",
    "Assessment",
    "CheckStatus",
    "ContextEffect",
    "Coverage",
    "CoverageLevel",
    "CriterionFinding",
    "CriterionLevel",
    "CscResult",
    "CscVerdict",
    "DeclaredCountry",
    "EvidenceRef",
    "GoodsProfile",
    "IncidentMatch",
    "JurisdictionSummary",
    "JurisdictionVerdict",
    "KpCheck",
    "KpResult",
    "KpVerdict",
    "MatchLevel",
    "Mitigation",
    "OriginSummary",
    "PartyMatch",
    "PlaceCoverage",
    "RuleApplication",
    "RuleOutcome",
    "SanctionHit",
    "SanctionsResult",
    "SanctionsSummary",
    "SanctionsVerdict",
    "SourceRef",
    "SubjectSummary",
]


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class KpResult(StrEnum):
    pass_ = "pass"
    fail = "fail"
    insufficient_evidence = "insufficient_evidence"
    not_applicable = "not_applicable"


class CscResult(StrEnum):
    """``no_known_red_flags`` only where the registry holds site- or area-level data for the
    goods' origin; where it holds only country context and nothing was found, the result is
    ``country_context_only``."""

    no_known_red_flags = "no_known_red_flags"
    country_context_only = "country_context_only"
    elevated_risk = "elevated_risk"
    red_flag = "red_flag"
    insufficient_provenance = "insufficient_provenance"
    not_applicable = "not_applicable"


class SanctionsResult(StrEnum):
    clear = "clear"
    flagged = "flagged"


class CheckStatus(StrEnum):
    """``missing``: the evidence the check needs is absent (silence is never a pass)."""

    pass_ = "pass"
    warn = "warn"
    fail = "fail"
    missing = "missing"
    not_applicable = "not_applicable"


class CriterionLevel(StrEnum):
    none = "none"
    context = "context"
    elevated = "elevated"
    red_flag = "red_flag"


class MatchLevel(StrEnum):
    """Where an incident touched the goods; ``transit``: a trade record (certificates,
    laundering) in a country the goods passed through after extraction."""

    site = "site"
    party = "party"
    admin2 = "admin2"
    admin1 = "admin1"
    country = "country"
    transit = "transit"


class EvidenceRef(_Out):
    """Something an outcome rests on: a record item (``event``, ``document``, ``lot``...) or a
    reference-data row (``participant_status``, ``special_measure``, ``embargo``...)."""

    kind: str
    id: str
    note: str | None = None
    date: dt.date | None = None
    """For a record item: the date it contributed (an event's date, a certificate's issue)."""
    valid_from: dt.date | None = None
    """For a reference-data row: the first day the fact held."""
    valid_to: dt.date | None = None
    """For a reference-data row: the first day the fact no longer held (null: still holds)."""
    source_ids: list[str] = []
    """For a reference-data row: its sources (resolved on the check's ``sources``)."""


class SourceRef(_Out):
    """A public source behind a reference-data fact."""

    id: str
    title: str
    publisher: str | None = None
    url: str | None = None
    date: dt.date | None = None
    strength: SourceStrength | None = None
    """``primary`` (the legal act, the UN, the KP, a regulator, the NGO's own report),
    ``secondary`` (trade press, law firms) or ``weak`` (a copy on a mirror or upload site, a blog:
    not independently confirmed; never to be shown as if it were the primary source)."""


class KpCheck(_Out):
    """One KP-narrow check (K01-K16) on one subject (a lot, an event, a certificate)."""

    id: str
    title: str
    status: CheckStatus
    reason: str
    """Plain-language reason for the status."""
    subject: str | None = None
    """The record item the check looked at, e.g. ``event:exp-1`` or ``lot:L1``."""
    evidence: list[EvidenceRef] = []
    """The record items and reference-data rows that decided the check; a check that does not
    pass also cites the KP rule it applied (kind ``kp_rule``)."""
    sources: list[SourceRef] = []
    """The sources of the reference-data rows in ``evidence``, for checks that do not pass."""


class KpVerdict(_Out):
    result: KpResult
    summary: str
    """Plain language. A pass never claims more than the KP's narrow definition covers."""
    checks: list[KpCheck]


class IncidentMatch(_Out):
    incident_id: str
    title: str
    status: str
    """alleged, documented, adjudicated or settled."""
    match_level: MatchLevel
    overlap: str
    """``same_period``, ``near_period`` or ``distant``: the incident against the goods' window."""
    score: float
    """This match's contribution, 0-100, before combining."""
    mitigated: bool = False
    remediated: bool = False
    sources: list[SourceRef] = []


class Mitigation(_Out):
    document_id: str
    scheme: str
    level: str
    evidence_level: EvidenceLevel
    effect: str


class CriterionFinding(_Out):
    code: str
    """C01-C15, the abuse taxonomy."""
    name: str
    level: CriterionLevel
    score: float
    reason: str
    incidents: list[IncidentMatch] = []
    indicators: list[EvidenceRef] = []
    """Non-incident risk indicators (KP restricted zones, UN measures at the origin)."""
    mitigations: list[Mitigation] = []


class ContextEffect(StrEnum):
    """What a context layer does to the result: ``elevated`` (at least elevated risk),
    ``red_flag_location`` (artisanal production in a listed area, treated as OECD Annex II
    treats a red-flag location: elevated until an on-the-ground assessment mitigates it) or
    ``context`` (shown, mitigated or informative only)."""

    elevated = "elevated"
    red_flag_location = "red_flag_location"
    context = "context"


class AreaContextFinding(_Out):
    """A country or area context fact that covers the goods' place and period."""

    layer: str
    """``eu_cahra``, ``un_sanctions`` or ``conflict_events``."""
    id: str
    """The reference row (or, for conflict events, the area's first event)."""
    place: str
    """``country/admin1`` the fact covers (``CD/Kasaï``; ``ZW`` for a whole country)."""
    period: str
    effect: ContextEffect
    score: float
    """Contribution to the risk score, 0-100, after any mitigation."""
    mitigated: bool = False
    reason: str
    sources: list[SourceRef] = []


class CoverageLevel(StrEnum):
    """How closely the registry has looked at a place: a registry ``site``, an ``area`` with
    recorded incidents, or the ``country`` only (country context layers)."""

    site = "site"
    area = "area"
    country = "country"


class PlaceCoverage(_Out):
    place: str
    """``country/admin1/admin2`` as the record gives the origin."""
    level: CoverageLevel
    site_id: str | None = None
    """The registry site the origin resolved to."""
    incidents_in_registry: int
    """Incidents the registry holds for this site and area, any period."""
    incidents_in_period: int
    """Of those (and countrywide ones), how many overlap the goods' period."""


class Coverage(_Out):
    """What the registry covered for the goods' places and period."""

    level: CoverageLevel
    """The weakest level over the origins."""
    statement: str
    """One plain sentence, shown with every answer."""
    statement_messages: list[Message] = []
    """The same sentence as message ids with parameters (``domain/messages.py``), for a reader
    in another language: joined with "; " and ended with "." in English they are ``statement``.
    Empty in assessments stored before they existed."""
    places: list[PlaceCoverage] = []
    layers: list[str] = []
    """The context layers checked, with their versions."""


class CscVerdict(_Out):
    result: CscResult
    risk_score: int
    """0 (no known risk) to 100."""
    summary: str
    criteria: list[CriterionFinding]
    context: list[str] = []
    """Country context shown to the reader, in plain sentences."""
    scope_note: str | None = None
    area_context: list[AreaContextFinding] = []
    """Context layers (EU CAHRA list, UN sanctions regimes, conflict events) covering the
    goods' places and period; an unmitigated one makes the result at least elevated risk."""
    coverage: Coverage | None = None
    """What the registry covered; null only when the criteria do not apply (lab-grown)."""


class PartyMatch(_Out):
    """Why a name in the chain was taken for a listed party: every hit is explained."""

    name: str
    """The name as the record gives it (a party, a certificate's exporter or importer, an
    owner)."""
    listed_id: str
    """The row of ``sanctioned_parties.csv``."""
    listed_name: str
    """The party's primary name on the list."""
    matched_name: str
    """The listed name or alias that matched, as listed (Latin or original script)."""
    name_kind: str
    """``name``, ``alias`` or ``former_name``."""
    score: float
    """0-100 similarity of the normalised names (see ``docs/methodology.md`` §5.2)."""
    threshold: float
    method: str
    list: str
    list_ref: str | None = None
    jurisdiction: str
    listed_on: dt.date
    basis: str
    """``designated``, or ``owned_50`` (blocked as 50 % or more owned by a listed party)."""
    via_owner: str | None = None
    """Set when the hit is the record's owner of the party, owning ``owner_share`` percent."""
    owner_share: float | None = None


class SanctionHit(_Out):
    regime_id: str
    regime: str
    reason: str
    evidence: list[EvidenceRef] = []
    sources: list[SourceRef] = []
    jurisdiction: str | None = None
    """EU, US or UK: the jurisdiction whose rule or list this hit comes from."""
    party: PartyMatch | None = None
    """For a listed-party hit: which listed name matched, how well, on which list."""


class RuleOutcome(StrEnum):
    """How one effective-dated rule row bears on the goods."""

    applies = "applies"
    """A ban that covers the goods (a hit), or a requirement the importer must meet."""
    grandfathered = "grandfathered"
    """In force, but the goods predate its cut-off: keep proof of the date."""
    out_of_scope = "out_of_scope"
    """In force, but not for these goods (industrial, below the weight band, jewellery under a
    carve-out, synthetic or natural, another route, no link to the country)."""
    not_in_force = "not_in_force"


class RuleApplication(_Out):
    rule_id: str
    kind: str
    """``ban`` or ``requirement``."""
    regime: str
    description: str
    valid_from: dt.date
    valid_to: dt.date | None = None
    outcome: RuleOutcome
    reason: str
    requires: str | None = None
    """For requirements: the evidence item it asks for."""
    verification: str
    sources: list[SourceRef] = []


class DeclaredCountry(_Out):
    """A country the goods are tied to, and what ties them: extraction events, invoice-declared
    source countries, KP certificates' country of origin, origin reports."""

    country: str
    basis: str
    """``extraction``, ``invoice``, ``kp_certificate`` or ``origin_report``."""
    evidence: EvidenceRef


class GoodsProfile(_Out):
    """What the rules look at, read once from the chain."""

    goods: str
    """``natural`` or ``lab_grown``."""
    form: str
    """``polished`` or ``rough``."""
    article: str
    """``loose`` or ``jewellery``."""
    industrial: bool
    carat: str
    """Per stone; a rough lot's total weight when the subject is a parcel."""
    route: str
    """``direct`` (from or through Russia, not processed elsewhere since), ``processed``
    (mined in Russia, processed in a third country) or ``none`` (no link)."""
    mixed_rough: bool
    mining_countries: list[str]
    """Every country the goods were mined in, extracted or declared."""


class JurisdictionVerdict(_Out):
    """The answer for an importer into one jurisdiction, with every rule row it read."""

    jurisdiction: str
    result: SanctionsResult
    date: dt.date
    """The date the rules were read on: the goods' import into the jurisdiction where the chain
    records one, else the assessment date (an import now)."""
    date_basis: str
    """``import`` or ``as_of``."""
    weight_band: str
    """``under_0.50``, ``0.50_to_0.99``, ``1.00_and_over`` (per stone) or ``parcel``."""
    grandfathered: bool
    summary: str
    rules: list[RuleApplication] = []
    hits: list[SanctionHit] = []


class SanctionsVerdict(_Out):
    """Non-KP trade sanctions, per jurisdiction, with a summary older clients read.

    ``result`` is ``flagged`` when any jurisdiction's result is ``flagged``, and ``hits`` is
    the union of the jurisdictions' hits (a listed party once per list). Read
    ``jurisdictions`` for the answer that applies to an importer into the EU, the US or the UK.
    """

    result: SanctionsResult
    hits: list[SanctionHit] = []
    jurisdictions: list[JurisdictionVerdict] = []
    goods: GoodsProfile | None = None
    declared_countries: list[DeclaredCountry] = []


class JurisdictionSummary(_Out):
    """One jurisdiction's sanctions result, without the rule rows (see the assessment)."""

    jurisdiction: str
    result: SanctionsResult
    date: dt.date
    summary: str


class SanctionsSummary(_Out):
    """The sanctions answer as the certificate view and its attestation carry it: the summary
    result (``flagged`` when any jurisdiction is), the hits, and each jurisdiction's result.
    Every rule row read is in the assessment and the evidence pack."""

    result: SanctionsResult
    hits: list[SanctionHit] = []
    jurisdictions: list[JurisdictionSummary] = []

    @classmethod
    def of(cls, verdict: SanctionsVerdict) -> SanctionsSummary:
        return cls(
            result=verdict.result,
            hits=verdict.hits,
            jurisdictions=[
                JurisdictionSummary(
                    jurisdiction=j.jurisdiction, result=j.result, date=j.date, summary=j.summary
                )
                for j in verdict.jurisdictions
            ],
        )


class OriginSummary(_Out):
    countries: list[str]
    areas: list[str]
    """``country/admin1/admin2`` as finely as known."""
    sites: list[str]
    mixed: bool
    evidence_level: EvidenceLevel | None
    """The best evidence level behind the origin claim; null when origin is unknown."""


class SubjectSummary(_Out):
    id: str
    kind: str
    origin: str
    carat: str
    grading_lab: str | None = None
    grading_report_number: str | None = None
    identity: ReportIdentity | None = Field(default=None, exclude_if=lambda v: v is None)
    """What the grading report says the stone looks like (shape, carat, measurements, grades,
    inscription); left out when the report states none of it."""


class Assessment(_Out):
    """The same record, reference data, policy and date always give the same assessment."""

    subject: SubjectSummary
    as_of: dt.date
    """The date the assessment speaks for."""
    policy_version: str
    reference_data_version: str
    record_digest: str
    """SHA-256 of the record's canonical JSON."""
    origin: OriginSummary
    kp: KpVerdict
    csc: CscVerdict
    sanctions: SanctionsVerdict
    disclaimer: str
