"""Country and area context in the CSC verdict, and the coverage statement of every answer.

Goods produced in an area on the EU CAHRA list, or under a UN Security Council sanctions regime,
during the listed period are at least ``elevated_risk``, unless an attestation recorded in the
chain mitigates it (a standard whose scope covers armed-group financing or security-force abuse,
at the origin site or for a party in the chain). Artisanal production in such an area is treated
as OECD Annex II treats a red-flag location: only a site-level attestation (an on-the-ground
assessment) mitigates it. Fatal organised violence recorded by UCDP in the origin's area during
the period also raises the result to elevated risk.

Every answer states what the registry covered: the incidents it holds for the goods' site and
area and how many overlap the period, or that it holds no site-level data there and only country
context was checked; in that case a clean answer is ``country_context_only``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from typing import Any

from clearstone_api.domain.chain import Chain, OriginPlace
from clearstone_api.domain.context_rows import CahraListing, SanctionsRegime
from clearstone_api.domain.csc_coverage import coverage_of, origin_admins
from clearstone_api.domain.csc_matching import Match
from clearstone_api.domain.policy import Policy
from clearstone_api.domain.records import Attestation, AttestationLevel
from clearstone_api.domain.reference import Reference
from clearstone_api.domain.verdicts import (
    AreaContextFinding,
    ContextEffect,
    CoverageLevel,
    CscResult,
    CscVerdict,
    SourceRef,
)

__all__ = ["area_findings", "with_area_context"]

_CONFLICT_CRITERIA = {"C01", "C02"}
"""A mitigating standard must cover armed-group financing or security-force abuse."""
_CATEGORY = {
    "conflict_affected": "conflict-affected",
    "high_risk": "high-risk",
    "listed": "listed",
}


def _sources(reference: Reference, ids: Iterable[str]) -> list[SourceRef]:
    return [
        SourceRef(id=s.id, title=s.title, publisher=s.publisher, url=s.url)
        for s in reference.source_refs(ids)
    ]


def _mitigations(
    origin: OriginPlace,
    chain: Chain,
    reference: Reference,
    attestations: list[Attestation],
    site_only: bool,
) -> list[Attestation]:
    parties = {p.id for p in chain.chain_parties()}
    found = []
    for attestation in attestations:
        standard = reference.standards.get(attestation.scheme.value)
        if standard is None or not _CONFLICT_CRITERIA & set(standard.mitigates):
            continue
        if attestation.level is AttestationLevel.site and origin.site is not None:
            if attestation.subject_id == origin.site.id:
                found.append(attestation)
        elif attestation.level is AttestationLevel.company and not site_only:
            if attestation.subject_id in parties:
                found.append(attestation)
    return found


def _listed(
    row: CahraListing | SanctionsRegime,
    origin: OriginPlace,
    chain: Chain,
    reference: Reference,
    policy: Policy,
    attestations: list[Attestation],
) -> AreaContextFinding:
    country = origin.place.country
    place = f"{country}/{row.admin1}" if row.admin1 else country
    where = f"{row.admin1} ({country})" if row.admin1 else f"{country} (whole country)"
    until = f"to {row.valid_to}" if row.valid_to else "with no end recorded"
    period = f"from {row.valid_from} {until}"
    if isinstance(row, CahraListing):
        layer = "eu_cahra"
        fact = (
            f"{where} is on the EU's indicative list of conflict-affected and high-risk areas "
            f"({_CATEGORY[row.category]}, {period}; {row.list_version} version)"
        )
    else:
        layer = "un_sanctions"
        fact = (
            f"{where} is under a UN Security Council sanctions regime ({row.resolution}: "
            f"{row.measures}; {period})"
        )
    artisanal = origin.site is not None and origin.site.scale == "asm"
    mitigations = _mitigations(origin, chain, reference, attestations, site_only=artisanal)
    if artisanal:
        effect, score = ContextEffect.red_flag_location, policy.red_flag_location_score
        reason = (
            f"Artisanal production in a listed area: {fact}. OECD Annex II treats this as a "
            "red-flag location; enhanced due diligence with an on-the-ground assessment of the "
            "site is expected."
        )
    else:
        effect, score = ContextEffect.elevated, policy.listed_area_score
        reason = f"{fact}; goods produced there in this period are at least elevated risk."
    if mitigations:
        effect, score = ContextEffect.context, score * policy.mitigation_factor
        schemes = ", ".join(sorted({f"{a.scheme.value} ({a.level.value})" for a in mitigations}))
        reason += f" Mitigated by due diligence recorded in the chain: {schemes}."
    return AreaContextFinding(
        layer=layer,
        id=row.id,
        place=place,
        period=period,
        effect=effect,
        score=round(score, 2),
        mitigated=bool(mitigations),
        reason=reason,
        sources=_sources(reference, row.source_ids),
    )


def _events(
    origin: OriginPlace, reference: Reference, policy: Policy, window: tuple[dt.date, dt.date]
) -> AreaContextFinding | None:
    admin1, admin2 = origin_admins(origin)
    events = reference.context.conflict_events(origin.place.country, admin1, admin2, window)
    if not events:
        return None
    deaths = sum(e.deaths_best for e in events)
    versions = ", ".join(sorted({e.dataset_version for e in events}))
    area = admin2 or admin1 or origin.place.country
    return AreaContextFinding(
        layer="conflict_events",
        id=min(e.id for e in events),
        place=f"{origin.place.country}/{area}",
        period=f"{min(e.date_start for e in events)} to {max(e.date_end for e in events)}",
        effect=ContextEffect.elevated,
        score=policy.conflict_events_score,
        reason=(
            f"{len(events)} fatal event(s) of organised violence ({deaths} deaths, best "
            f"estimate) recorded by UCDP GED {versions} in {area} during the goods' period."
        ),
        sources=_sources(reference, {s for e in events for s in e.source_ids}),
    )


def area_findings(
    chain: Chain,
    reference: Reference,
    policy: Policy,
    window: tuple[dt.date, dt.date],
    attestations: list[Attestation],
) -> list[AreaContextFinding]:
    found: dict[tuple[str, str], AreaContextFinding] = {}
    for origin in chain.origins():
        country = origin.place.country
        admin1, _ = origin_admins(origin)
        rows: list[CahraListing | SanctionsRegime] = [
            *reference.context.cahra_listings(country, admin1, window),
            *reference.context.sanctions_regimes(country, admin1, window),
        ]
        for row in rows:
            finding = _listed(row, origin, chain, reference, policy, attestations)
            key = (finding.layer, finding.id)
            if key not in found or finding.score > found[key].score:
                found[key] = finding
        events = _events(origin, reference, policy, window)
        if events is not None:
            found.setdefault((events.layer, events.place), events)
    return [found[k] for k in sorted(found)]


def with_area_context(
    verdict: dict[str, Any],
    chain: Chain,
    reference: Reference,
    as_of: dt.date,
    policy: Policy,
    matches: list[Match],
    attestations: list[Attestation],
) -> CscVerdict:
    """``verdict`` (a :class:`CscVerdict`'s fields as plain data, before the context) with the
    context layers that cover the goods and the coverage statement, validated.

    The incidents already matched (``matches``) are part of the coverage count, not re-scored.
    """
    del matches  # the coverage counts the registry's holdings, matched or not
    window = chain.window()
    findings = area_findings(chain, reference, policy, window, attestations) if window else []
    coverage = coverage_of(chain, reference, as_of, policy, window)
    kept = 1 - verdict["risk_score"] / 100
    score = 100 * (1 - kept * math.prod(1 - f.score / 100 for f in findings))
    result, summary = verdict["result"], verdict["summary"]
    if result is CscResult.red_flag:
        score = max(score, policy.red_flag_floor)
    else:
        score = min(score, policy.red_flag_floor - 1)
    raising = [f for f in findings if f.effect is not ContextEffect.context]
    if result is CscResult.no_known_red_flags and raising:
        result = CscResult.elevated_risk
        summary = "Elevated risk: " + " ".join(f.reason for f in raising[:2])
    elif result is CscResult.no_known_red_flags and coverage.level is CoverageLevel.country:
        result = CscResult.country_context_only
        summary = (
            "No known red flags in the country context, but Clearstone's registry holds no "
            "site-level data for this origin, so this is not a clean result: " + coverage.statement
        )
    return CscVerdict.model_validate(
        verdict
        | {
            "result": result,
            "risk_score": round(score),
            "summary": summary,
            "context": [*verdict["context"], *(f.reason for f in findings)],
            "area_context": findings,
            "coverage": coverage,
        }
    )
