"""The certificate view in plain language: what each result, level and status means to a reader.

Pure: :func:`certificate_page` takes the stored :class:`CertificatePublic` and returns everything
the result page shows, so the templates hold no rules and the wording is testable without HTTP.

Wording rules (docs/consumer-page.md): a KP pass is reported as "no KP conflict-diamond indicators
found" and never as "ethical" or "conflict-free"; missing evidence is never worded as a pass;
evidence levels are named, never collapsed into "verified".

Example::

    page = certificate_page("DEMO-ZW-MARANGE-2008", view, {"ZW": "Zimbabwe"})
    page.kp.headline   # "No KP conflict-diamond indicators found"
    page.csc.headline  # "Red flag"
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from clearstone_api.domain.records import EvidenceLevel
from clearstone_api.domain.verdicts import (
    CheckStatus,
    CriterionLevel,
    CscResult,
    KpResult,
    MatchLevel,
    SourceRef,
)
from clearstone_api.services.certificates import CertificatePublic

__all__ = [
    "EVIDENCE_LEVELS",
    "INCIDENT_STATUSES",
    "CertificatePage",
    "CheckView",
    "CriterionView",
    "IncidentView",
    "Verdict",
    "certificate_page",
    "long_date",
]

Tone = Literal["ok", "warn", "bad", "neutral"]


@dataclass(frozen=True)
class Verdict:
    """A result in plain words, the tone it is shown in, and what it means for the reader."""

    headline: str
    tone: Tone
    meaning: str = ""


_KP_SCOPE = (
    "The Kimberley Process (KP) covers only rough diamonds that rebel movements use to finance "
    "war against a legitimate government. Abuses by armies, police, private security or mining "
    "companies are outside its definition."
)

KP_VERDICTS: Mapping[KpResult, Verdict] = {
    KpResult.pass_: Verdict(
        "No KP conflict-diamond indicators found",
        "ok",
        _KP_SCOPE + " So a KP pass is not the whole story: read the human-rights verdict too.",
    ),
    KpResult.fail: Verdict(
        "Fails the Kimberley Process rules",
        "bad",
        "The documented chain breaks a KP rule that applied on the date of trade; the reasons "
        "are listed above. " + _KP_SCOPE,
    ),
    KpResult.insufficient_evidence: Verdict(
        "Not enough evidence to apply the KP rules",
        "warn",
        "Links or documents the KP rules need are missing, so no KP verdict can be given. "
        "Missing evidence is never counted as a pass.",
    ),
    KpResult.not_applicable: Verdict(
        "Outside the Kimberley Process",
        "neutral",
        "The KP covers natural rough diamonds only. A laboratory-grown stone is outside it, so "
        "there is no KP verdict to give.",
    ),
}

_CSC_SCOPE = (
    "The KP Civil Society Coalition's criteria are broader than the KP: killings, torture, "
    "forced and child labour, displacement of communities and environmental damage, by anyone, "
    "state forces and companies included."
)

CSC_VERDICTS: Mapping[CscResult, Verdict] = {
    CscResult.red_flag: Verdict(
        "Red flag",
        "bad",
        _CSC_SCOPE + " A red flag means a documented abuse is tied to the mine site or a company "
        "in this stone's chain, at the time these goods were produced.",
    ),
    CscResult.elevated_risk: Verdict(
        "Elevated risk",
        "warn",
        _CSC_SCOPE + " Elevated risk means abuses or official warnings are on record near the "
        "origin or close in time, without a direct tie to this stone's mine or companies.",
    ),
    CscResult.no_known_red_flags: Verdict(
        "No known red flags",
        "ok",
        _CSC_SCOPE + " No incident in Clearstone's registry matches this origin, the companies "
        "in this chain or this period. Absence from the registry is not proof that no abuse "
        "occurred.",
    ),
    CscResult.country_context_only: Verdict(
        "No site-level data: country context only",
        "warn",
        _CSC_SCOPE + " Clearstone's registry holds no site-level data for this stone's mine or "
        "area. Only the country context was checked, and it raised nothing; that is not the "
        "same as a clean result.",
    ),
    CscResult.insufficient_provenance: Verdict(
        "Origin not known well enough to judge",
        "warn",
        _CSC_SCOPE + " Without a known mine or area of origin the risk cannot be judged, and "
        "missing provenance is never counted as a clean result.",
    ),
    CscResult.not_applicable: Verdict(
        "Outside the scope of these criteria",
        "neutral",
        "These criteria concern diamond mining and the rough trade; a laboratory-grown stone has "
        "no mine of origin.",
    ),
}

CHECK_STATUSES: Mapping[CheckStatus, Verdict] = {
    CheckStatus.fail: Verdict("Failed", "bad"),
    CheckStatus.warn: Verdict("Warning", "warn"),
    CheckStatus.missing: Verdict("Evidence missing", "warn"),
    CheckStatus.not_applicable: Verdict("Does not apply", "neutral"),
    CheckStatus.pass_: Verdict("Passed", "ok"),
}

CRITERION_LEVELS: Mapping[CriterionLevel, Verdict] = {
    CriterionLevel.red_flag: Verdict("Red flag", "bad"),
    CriterionLevel.elevated: Verdict("Elevated risk", "warn"),
    CriterionLevel.context: Verdict("Context only", "neutral"),
    CriterionLevel.none: Verdict("Nothing found", "ok"),
}

INCIDENT_STATUSES: Mapping[str, str] = {
    "alleged": "Alleged: reported, but not yet established.",
    "documented": "Documented: established by credible investigations such as NGO or UN reports.",
    "documented_official": "Documented by an official body: a UN body, a government, a "
    "regulator or the Kimberley Process.",
    "documented_ngo_press": "Documented by NGO reports or journalism.",
    "adjudicated": "Adjudicated: decided by a court or tribunal.",
    "settled": "Settled: claims settled out of court, usually without admission of liability.",
}

_MATCHES: Mapping[MatchLevel, str] = {
    MatchLevel.site: "The mine site itself",
    MatchLevel.party: "A company in this stone's chain",
    MatchLevel.admin2: "The same district",
    MatchLevel.admin1: "The same province or region",
    MatchLevel.country: "The same country only",
    MatchLevel.transit: "A country the goods passed through in trade",
}

_OVERLAPS: Mapping[str, str] = {
    "same_period": "at the time these goods were produced",
    "near_period": "within two years of these goods",
    "distant": "two to five years away from these goods",
}

EVIDENCE_LEVELS: Mapping[EvidenceLevel, tuple[str, str]] = {
    EvidenceLevel.self_declared: (
        "Self-declared",
        "Someone in the chain stated where it was mined; no document backs the claim.",
    ),
    EvidenceLevel.documented: (
        "Documented",
        "Trade papers such as Kimberley Process certificates state the country of origin. "
        "Nobody has tested the stone itself, and papers can be wrong.",
    ),
    EvidenceLevel.issuer_confirmed: (
        "Confirmed by the issuer",
        "The authority that issued the origin documents has confirmed them.",
    ),
    EvidenceLevel.lab_matched: (
        "Lab-matched",
        "A laboratory has matched the stone to its origin.",
    ),
    EvidenceLevel.physical_tracer: (
        "Physical tracer",
        "A physical tracer links the stone to its source: the strongest evidence there is.",
    ),
}
_UNKNOWN_ORIGIN = (
    "Unknown",
    "No origin is on record for this stone, so there is nothing to judge its origin by.",
)


_LAB_GROWN_ORIGIN = (
    "Does not apply",
    "A laboratory-grown stone has no mine of origin, and Clearstone does not assess the "
    "factory where it was grown.",
)


def long_date(day: dt.date) -> str:
    """``2026-11-01`` → ``1 November 2026`` (English month names, whatever the locale)."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


_MONTHS = (
    "January February March April May June July August September October November December"
).split()


@dataclass(frozen=True)
class EvidenceStep:
    """One rung of the evidence scale, and whether this stone's origin stands on it."""

    label: str
    current: bool


@dataclass(frozen=True)
class CheckView:
    """A KP check that did not pass."""

    title: str
    status: Verdict
    reason: str


@dataclass(frozen=True)
class IncidentView:
    """An incident that matched, once, with every criterion it bears on."""

    id: str
    title: str
    status: str
    status_meaning: str
    matched_by: str
    when: str
    mitigated: bool
    remediated: bool
    sources: list[SourceRef]
    criteria: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CriterionView:
    code: str
    name: str
    level: Verdict
    indicators: list[str]
    """Official risk indicators (KP compliant zones, UN measures) in plain words."""
    mitigations: list[str]
    incidents: list[str]
    """The ids of the incidents behind this criterion (shown once each, below the list)."""


@dataclass(frozen=True)
class CertificatePage:
    """Everything the result page shows."""

    number: str
    view: CertificatePublic
    stone_kind: str
    origin_places: list[str]
    evidence_label: str
    evidence_meaning: str
    evidence_scale: list[EvidenceStep]
    kp: Verdict
    kp_checks: list[CheckView]
    csc: Verdict
    show_risk_score: bool
    criteria: list[CriterionView]
    incidents: list[IncidentView]
    as_of: str
    assessed_at: str


def _place(area: str, country_names: Mapping[str, str]) -> str:
    """``ZW/Manicaland/Marange`` → ``Marange, Manicaland, Zimbabwe``."""
    country, *parts = area.split("/")
    return ", ".join([*reversed(parts), country_names.get(country, country)])


def _origin_places(view: CertificatePublic, country_names: Mapping[str, str]) -> list[str]:
    origin = view.origin
    places = [_place(area, country_names) for area in origin.areas]
    covered = {area.split("/")[0] for area in origin.areas}
    places += [country_names.get(c, c) for c in origin.countries if c not in covered]
    return [*origin.sites, *places]


def _incidents(view: CertificatePublic) -> list[IncidentView]:
    found: dict[str, IncidentView] = {}
    for criterion in view.csc.criteria:
        for match in criterion.incidents:
            if match.incident_id not in found:
                found[match.incident_id] = IncidentView(
                    id=match.incident_id,
                    title=match.title,
                    status=match.status,
                    status_meaning=INCIDENT_STATUSES.get(match.status, match.status),
                    matched_by=_MATCHES[match.match_level],
                    when=_OVERLAPS.get(match.overlap, match.overlap),
                    mitigated=match.mitigated,
                    remediated=match.remediated,
                    sources=list(match.sources),
                )
            found[match.incident_id].criteria.append(criterion.name)
    return list(found.values())


def _criteria(view: CertificatePublic) -> list[CriterionView]:
    return [
        CriterionView(
            code=c.code,
            name=c.name,
            level=CRITERION_LEVELS[c.level],
            indicators=[i.note or i.id for i in c.indicators],
            mitigations=[f"{m.scheme} ({m.level} level): {m.effect}" for m in c.mitigations],
            incidents=[i.incident_id for i in c.incidents],
        )
        for c in view.csc.criteria
    ]


def certificate_page(
    number: str, view: CertificatePublic, country_names: Mapping[str, str]
) -> CertificatePage:
    """The result page for ``view``, looked up as ``number``; ``country_names`` maps ISO codes."""
    level = view.origin.evidence_level
    lab_grown = view.stone.origin == "lab_grown"
    if lab_grown:
        label, meaning = _LAB_GROWN_ORIGIN
    else:
        label, meaning = EVIDENCE_LEVELS[level] if level is not None else _UNKNOWN_ORIGIN
    return CertificatePage(
        number=number,
        view=view,
        stone_kind="Laboratory-grown diamond" if lab_grown else "Natural diamond",
        origin_places=_origin_places(view, country_names),
        evidence_label=label,
        evidence_meaning=meaning,
        evidence_scale=[]
        if lab_grown
        else [EvidenceStep(text, step is level) for step, (text, _) in EVIDENCE_LEVELS.items()],
        kp=KP_VERDICTS[view.kp.result],
        kp_checks=[
            CheckView(check.title, CHECK_STATUSES[check.status], check.reason)
            for check in view.kp.checks
        ],
        csc=CSC_VERDICTS[view.csc.result],
        show_risk_score=view.csc.result
        not in (
            CscResult.not_applicable,
            CscResult.insufficient_provenance,
            CscResult.country_context_only,
        ),
        criteria=_criteria(view),
        incidents=_incidents(view),
        as_of=long_date(view.as_of),
        assessed_at=_utc_time(view.assessed_at),
    )


def _utc_time(moment: dt.datetime) -> str:
    """``1 November 2026, 05:56 UTC``; a naive time is taken to be UTC already (as stored)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC)
    return f"{long_date(moment.date())}, {moment:%H:%M} UTC"
