"""Response models: tolerant of what a newer server may add.

Every model keeps fields it does not know (``extra="allow"``, readable through
``model.model_extra``), and every enumerated value is typed ``Literal[...] | str``: the known values
are documented, an unknown one still parses. A client released today must keep working when the
server adds a KP result or a criterion level tomorrow.

Exact field lists follow the server's OpenAPI contract (``openapi/openapi.json``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Generic, Literal, TypeAlias, TypeVar

import pydantic
from pydantic import ConfigDict, Field

__all__ = [
    "AccessToken",
    "AreaContextFinding",
    "Assessment",
    "BaseModel",
    "CertificateStone",
    "CertificateView",
    "CheckStatus",
    "Coverage",
    "CriterionFinding",
    "CriterionLevel",
    "CscResult",
    "CscVerdict",
    "Decision",
    "EvidenceLevel",
    "EvidenceRef",
    "FieldError",
    "Health",
    "IncidentMatch",
    "KpCheck",
    "KpPublic",
    "KpResult",
    "KpVerdict",
    "Mitigation",
    "OriginSummary",
    "Page",
    "PlaceCoverage",
    "Problem",
    "SanctionHit",
    "SanctionsResult",
    "SanctionsVerdict",
    "ScreeningItem",
    "ScreeningResult",
    "SourceRef",
    "SubjectSummary",
]

T = TypeVar("T")

KpResult: TypeAlias = Literal["pass", "fail", "insufficient_evidence", "not_applicable"] | str
CscResult: TypeAlias = (
    Literal[
        "no_known_red_flags",
        "country_context_only",
        "elevated_risk",
        "red_flag",
        "insufficient_provenance",
        "not_applicable",
    ]
    | str
)
SanctionsResult: TypeAlias = Literal["clear", "flagged"] | str
CheckStatus: TypeAlias = Literal["pass", "warn", "fail", "missing", "not_applicable"] | str
CriterionLevel: TypeAlias = Literal["none", "context", "elevated", "red_flag"] | str
Decision: TypeAlias = Literal["allow", "review", "block"] | str
EvidenceLevel: TypeAlias = (
    Literal["self_declared", "documented", "issuer_confirmed", "lab_matched", "physical_tracer"]
    | str
)


class BaseModel(pydantic.BaseModel):
    """The base of every response model: keeps unknown fields instead of failing on them."""

    model_config = ConfigDict(extra="allow", use_attribute_docstrings=True)


class FieldError(BaseModel):
    """One invalid input field of a 422 problem."""

    path: str = ""
    """Dotted path to the field, e.g. ``body.items.3`` or ``query.limit``."""
    message: str = ""
    type: str = ""
    """Machine-readable error type, e.g. ``missing`` or ``string_too_long``."""


class Problem(BaseModel):
    """An RFC 9457 problem detail, as every Clearstone error response carries.

    Lenient on purpose: it is also parsed from whatever a proxy or load balancer answers.
    """

    type: str = "about:blank"
    """A URI naming the kind of problem; ``about:blank`` when the HTTP status says it all."""
    title: str | None = None
    status: int | None = None
    detail: str | None = None
    request_id: str | None = None
    errors: list[FieldError] = []
    """For 422: every invalid field, by its path."""

    @pydantic.field_validator("errors", mode="before")
    @classmethod
    def _null_is_empty(cls, value: object) -> object:
        # The contract allows "errors": null; a null list is an empty one here.
        return [] if value is None else value


class Page(BaseModel, Generic[T]):
    """One page of a list; iterate a pager rather than walking pages by hand."""

    data: list[T]
    has_more: bool = False
    next_cursor: str | None = None
    """Pass as ``after`` to get the next page; null on the last page."""


class AccessToken(BaseModel):
    """The answer of ``POST /v1/oauth/token`` (RFC 6749 §5.1)."""

    access_token: str = Field(repr=False)
    token_type: str = "Bearer"
    expires_in: float | None = None
    """Seconds the token stays valid from when it was issued."""
    scope: str | None = None
    """Space-separated scopes granted."""


# The verdicts: what an assessment says.


class EvidenceRef(BaseModel):
    """A record item or a reference-data row that an outcome rests on."""

    kind: str
    id: str
    note: str | None = None


class SourceRef(BaseModel):
    """A public source behind a reference-data fact."""

    id: str
    title: str
    publisher: str | None = None
    url: str | None = None
    date: dt.date | None = None


class KpCheck(BaseModel):
    """One KP-narrow check on one subject (a lot, an event, a certificate)."""

    id: str
    status: CheckStatus
    reason: str
    """Plain-language reason for the status."""
    title: str | None = None
    subject: str | None = None
    """The record item the check looked at, e.g. ``event:exp-1``."""
    evidence: list[EvidenceRef] = []


class KpVerdict(BaseModel):
    """The Kimberley Process verdict, narrow definition: rebel-financed rough only."""

    result: KpResult
    summary: str
    """Plain language. A pass never claims more than the KP's narrow definition covers."""
    checks: list[KpCheck] = []


class IncidentMatch(BaseModel):
    """A registry incident that matched the stone's provenance."""

    incident_id: str
    title: str
    status: str
    """alleged, documented, adjudicated or settled."""
    match_level: str | None = None
    """site, party, admin2, admin1 or country."""
    overlap: str | None = None
    """How the incident's dates overlap the stone's custody there."""
    score: float | None = None
    mitigated: bool = False
    remediated: bool = False
    sources: list[SourceRef] = []


class Mitigation(BaseModel):
    """Evidence in the record that lowers a criterion's level (an audit, a certification)."""

    document_id: str
    scheme: str
    level: str
    evidence_level: EvidenceLevel
    effect: str


class CriterionFinding(BaseModel):
    """One CSC-broad criterion (forced labour, killings, ...) and what matched it."""

    code: str
    name: str
    level: CriterionLevel
    reason: str | None = None
    score: float | None = None
    incidents: list[IncidentMatch] = []
    indicators: list[EvidenceRef] = []
    mitigations: list[Mitigation] = []


class AreaContextFinding(BaseModel):
    """A country or area context fact covering the goods' place and period."""

    layer: str
    """``eu_cahra``, ``un_sanctions`` or ``conflict_events``."""
    id: str
    place: str
    period: str
    effect: str
    """``elevated``, ``red_flag_location`` (artisanal, OECD Annex II) or ``context``."""
    score: float | None = None
    mitigated: bool = False
    reason: str
    sources: list[SourceRef] = []


class PlaceCoverage(BaseModel):
    """How closely the registry has looked at one origin."""

    place: str
    level: str
    """``site``, ``area`` or ``country``."""
    site_id: str | None = None
    incidents_in_registry: int = 0
    incidents_in_period: int = 0


class Coverage(BaseModel):
    """What the registry covered for the goods' places and period."""

    level: str
    """``site``, ``area`` or ``country`` (the weakest over the origins)."""
    statement: str
    """One plain sentence, to show with the answer."""
    places: list[PlaceCoverage] = []
    layers: list[str] = []


class CscVerdict(BaseModel):
    """The KP Civil Society Coalition's broad criteria, against any actor."""

    result: CscResult
    risk_score: int
    """0 (no known risk) to 100."""
    summary: str
    criteria: list[CriterionFinding] = []
    context: list[str] = []
    """Country context shown to the reader, in plain sentences."""
    scope_note: str | None = None
    area_context: list[AreaContextFinding] = []
    """EU CAHRA listings, UN sanctions regimes and conflict events covering the goods."""
    coverage: Coverage | None = None
    """What the registry covered for the goods' places and period."""


class SanctionHit(BaseModel):
    regime_id: str
    regime: str
    reason: str
    evidence: list[EvidenceRef] = []
    sources: list[SourceRef] = []
    jurisdiction: str | None = None
    """EU, US or UK."""
    party: dict[str, object] | None = None
    """For a listed-party hit: which listed name matched, the score, the list and its date
    (parse with ``clearstone.PartyMatch.model_validate``)."""


class SanctionsVerdict(BaseModel):
    """Non-KP trade sanctions: ``result`` is flagged when any jurisdiction's is; read
    ``jurisdictions`` (``clearstone.JurisdictionVerdict``) for the EU, US and UK answers."""

    result: SanctionsResult
    hits: list[SanctionHit] = []
    jurisdictions: list[dict[str, object]] = []
    goods: dict[str, object] | None = None
    declared_countries: list[dict[str, object]] = []


class OriginSummary(BaseModel):
    """Where the stone comes from as far as known, with the evidence level behind the claim."""

    countries: list[str] = []
    areas: list[str] = []
    """``country/admin1/admin2`` as finely as known."""
    sites: list[str] = []
    mixed: bool = False
    evidence_level: EvidenceLevel | None = None
    """self_declared, documented, issuer_confirmed, lab_matched or physical_tracer; null when
    the origin is unknown."""


class _Verdicts(BaseModel):
    """What every assessment states, whoever reads it."""

    as_of: dt.date
    """The date the assessment speaks for."""
    policy_version: str
    reference_data_version: str
    kp: KpVerdict
    csc: CscVerdict
    sanctions: SanctionsVerdict
    origin: OriginSummary | None = None
    disclaimer: str | None = None


class Measurements(BaseModel):
    length_mm: str
    width_mm: str
    depth_mm: str


class ReportIdentity(BaseModel):
    """What the grading report says the stone looks like: what a shopper can match."""

    shape: str | None = None
    carat: str | None = None
    measurements: Measurements | None = None
    colour: str | None = None
    clarity: str | None = None
    laser_inscription: str | None = None


class SubjectSummary(BaseModel):
    id: str
    kind: str
    origin: str
    carat: str
    grading_lab: str | None = None
    grading_report_number: str | None = None
    identity: ReportIdentity | None = None


class Assessment(_Verdicts):
    """A full assessment of a provenance record. Same record, data, policy and date: same result."""

    subject: SubjectSummary | None = None
    record_digest: str | None = None
    """SHA-256 of the record's canonical JSON."""
    what_if: bool = False
    """An inline assessment for a date the caller chose: hypothetical, stored nowhere."""
    note: str | None = None


class CertificateStone(BaseModel):
    """The stone as a consumer may see it: no prices, no counterparties."""

    id: str
    """Clearstone's id (``CS-...``); also accepted as a certificate number."""
    origin: str
    """``natural`` or ``lab_grown``."""
    form: str | None = None
    carat: str | None = None
    grading_lab: str | None = None
    grading_report_number: str | None = None
    identity: ReportIdentity | None = None
    """What the grading report says the stone looks like; absent when it states none of it."""


class KpPublic(KpVerdict):
    """The KP verdict in the consumer tier: every check that did not pass, and how many did."""

    passed_checks: int | None = None
    """Checks that passed; their details are in the auditor tier."""


class CertificateView(_Verdicts):
    """The consumer view of a stone, looked up by its certificate number."""

    stone: CertificateStone
    kp: KpPublic
    assessed_at: dt.datetime | None = None
    number_status: str | None = None
    """The status of the grading-report number looked up: ``claimed`` (by the supplier) or
    ``confirmed`` (by the grading lab); None for Clearstone ids and aliases."""


# Checkout screening.


class ScreeningItem(BaseModel):
    """The decision on one cart line."""

    number: str
    decision: Decision
    reasons: list[str] = []
    """Plain-language reasons, one per policy rule that fired."""
    stone_id: str | None = None
    kp_result: KpResult | None = None
    csc_result: CscResult | None = None
    risk_score: int | None = None
    as_of: dt.date | None = None
    assessed_at: dt.datetime | None = None
    """When the stored assessment was made; its ``as_of`` is that day."""
    degraded: bool = False
    """True when the decision is the caller's fallback, not Clearstone's answer."""


class Health(BaseModel):
    """``/healthz`` and ``/readyz``: ``ok`` (readiness fails with a 503 problem instead)."""

    status: Literal["ok"] | str


class ScreeningResult(BaseModel):
    """A decision per cart line, and the cart's (the strictest of its lines)."""

    decision: Decision
    items: list[ScreeningItem]
    policy: dict[str, Any] | None = None
    """The policy the server applied: yours, with its defaults for every key you left out
    (None on a degraded answer, where the server applied nothing)."""
    degraded: bool = False
    """True when Clearstone could not answer in time and the caller's fallback was applied."""
    degraded_reason: str | None = None
    """Why: ``timeout``, ``connection_error`` or ``http_<status>`` (``http_503``, ``http_429``);
    null when not degraded."""
    fallback: str | None = None
    """The fallback applied, ``fail_open`` or ``fail_closed``; null when not degraded."""
