"""The CSC-broad verdict: the human-rights criteria the KP Civil Society Coalition calls for,
by any actor (state forces, companies, armed groups), over the period the goods were produced
and traded.

Each matched incident scores ``100 x match x status x time x severity`` (weights in
:mod:`clearstone_api.domain.policy`); mitigating attestations and remediation records lower
mitigable matches; a criterion's score is its highest match; the overall risk score combines the
criteria as ``1 - prod(1 - s/100)``. A documented incident at the goods' own site, or by a party
in the chain, in the same period and not remediated beforehand, is a red flag that no attestation
erases. Silence is never safe: an origin not known to a site or area is
``insufficient_provenance``, and where the registry holds only country context for the origin
the answer is ``country_context_only``, not ``no_known_red_flags``. Context layers (EU CAHRA
list, UN sanctions regimes, conflict events) and the coverage statement are added by
:mod:`clearstone_api.domain.csc_context`.
"""

from __future__ import annotations

import datetime as dt
import math
from functools import lru_cache
from typing import Any

from clearstone_api.domain.chain import Chain
from clearstone_api.domain.csc_context import with_area_context
from clearstone_api.domain.csc_matching import Match, find_matches
from clearstone_api.domain.geography import compliant_zone_for, in_area
from clearstone_api.domain.policy import Policy
from clearstone_api.domain.records import (
    Attestation,
    AttestationLevel,
    EventType,
    EvidenceLevel,
    Stone,
)
from clearstone_api.domain.reference import Reference
from clearstone_api.domain.verdicts import (
    CriterionFinding,
    CriterionLevel,
    CscResult,
    CscVerdict,
    EvidenceRef,
    MatchLevel,
)

__all__ = ["assess_csc"]

_DIRECT = {MatchLevel.site, MatchLevel.party}

LAB_GROWN_SCOPE = (
    "The CSC criteria concern abuses around diamond mining and the rough trade. A laboratory-grown "
    "stone has no mine of origin, so they do not apply; Clearstone does not assess the factory "
    "where it was grown."
)


def assess_csc(chain: Chain, reference: Reference, as_of: dt.date, policy: Policy) -> CscVerdict:
    if chain.is_lab_grown:
        return CscVerdict(
            result=CscResult.not_applicable,
            risk_score=0,
            summary="Outside the scope of the human-rights criteria: a laboratory-grown stone.",
            criteria=[],
            scope_note=LAB_GROWN_SCOPE,
        )
    window = chain.window()
    matches = find_matches(chain, reference, as_of, policy)
    attestations = [
        a
        for a in chain.attestations()
        if a.evidence_level is not EvidenceLevel.self_declared
        and a.valid_from <= as_of
        and (
            window is None
            or (a.valid_from <= window[1] and (a.valid_to is None or a.valid_to >= window[0]))
        )
    ]
    indicators = _kp_indicators(chain, reference)
    criteria = [
        _criterion(code, chain, reference, policy, window, matches, attestations, indicators)
        for code in sorted(reference.taxonomy)
    ]
    gaps = _provenance_gaps(chain)
    score = 100 * (1 - math.prod(1 - min(c.score, 100) / 100 for c in criteria))
    red = any(c.level is CriterionLevel.red_flag for c in criteria)
    # The score bands follow the result: red flags at the floor or above, anything else below.
    score = max(score, policy.red_flag_floor) if red else min(score, policy.red_flag_floor - 1)
    if red:
        result = CscResult.red_flag
    elif gaps:
        result = CscResult.insufficient_provenance
    elif any(c.level is CriterionLevel.elevated for c in criteria):
        result = CscResult.elevated_risk
    else:
        result = CscResult.no_known_red_flags
    verdict = {
        "result": result,
        "risk_score": round(score),
        "summary": _summary(result, criteria, gaps),
        "criteria": criteria,
        "context": _context(chain, reference),
    }
    return with_area_context(verdict, chain, reference, as_of, policy, matches, attestations)


def _remediated(match: Match, window: tuple[dt.date, dt.date] | None) -> bool:
    start = window[0] if window else None
    return start is not None and any(r.date <= start for r in match.incident.remediations)


def _applicable(
    match: Match, code: str, chain: Chain, reference: Reference, attestations: list[Attestation]
) -> list[Attestation]:
    """Attestations that can mitigate this match for this criterion, at a level that fits."""
    origin_sites = {match.place.site.id} if match.place and match.place.site else set()
    parties = {p.id for p in chain.chain_parties()}
    if match.party_id:
        parties = {match.party_id}
    found = []
    for attestation in attestations:
        standard = reference.standards.get(attestation.scheme.value)
        if standard is None or code not in standard.mitigates:
            continue
        if attestation.level is AttestationLevel.site and attestation.subject_id in origin_sites:
            found.append(attestation)
        elif attestation.level is AttestationLevel.company and attestation.subject_id in parties:
            found.append(attestation)
    return found


def _criterion(
    code: str,
    chain: Chain,
    reference: Reference,
    policy: Policy,
    window: tuple[dt.date, dt.date] | None,
    matches: list[Match],
    attestations: list[Attestation],
    indicators: list[tuple[str, EvidenceRef]],
) -> CriterionFinding:
    name = reference.taxonomy[code].name
    found = [ref for criterion, ref in indicators if criterion == code]
    if not found and not any(code in m.incident.categories for m in matches):
        return _quiet_criterion(code, name)
    severity = policy.severity[code]
    results: list[dict[str, Any]] = []  # IncidentMatch rows, validated with the criterion
    used: dict[str, dict[str, Any]] = {}
    red = False
    for match in (m for m in matches if code in m.incident.categories):
        incident = match.incident
        remediated = _remediated(match, window)
        score = (
            100
            * policy.match_weight[match.level.value]
            * policy.status_weight[incident.status.value]
            * policy.time_weight[match.overlap]
            * severity
            * policy.link_weight[(incident.diamond_link or "at_site")]
        )
        if remediated:
            score *= policy.remediation_factor
        direct = match.level in _DIRECT and match.overlap == "same_period"
        mitigable = not direct or remediated
        mitigations = _applicable(match, code, chain, reference, attestations) if mitigable else []
        if mitigations:
            score *= policy.mitigation_factor
            for a in mitigations:
                used[a.id] = {
                    "document_id": a.id,
                    "scheme": a.scheme.value,
                    "level": a.level.value,
                    "evidence_level": a.evidence_level,
                    "effect": f"lowers {incident.id} by x{policy.mitigation_factor}",
                }
        if direct and not remediated and incident.status.value != "alleged":
            red = True
        results.append(
            {
                "incident_id": incident.id,
                "title": incident.title,
                "status": incident.status.value,
                "match_level": match.level,
                "overlap": match.overlap,
                "score": round(score, 2),
                "mitigated": bool(mitigations),
                "remediated": remediated,
                "sources": [
                    {
                        "id": s.source_id,
                        "title": s.title,
                        "publisher": s.publisher,
                        "url": s.url,
                        "date": s.date,
                        "strength": known.strength
                        if (known := reference.sources.get(s.source_id))
                        else None,
                    }
                    for s in incident.sources
                ],
            }
        )
    score = max([m["score"] for m in results] + [policy.kp_restriction_score if found else 0.0])
    if red:
        level = CriterionLevel.red_flag
    elif score >= policy.elevated_threshold:
        level = CriterionLevel.elevated
    elif score > 0:
        level = CriterionLevel.context
    else:
        level = CriterionLevel.none
    return CriterionFinding(
        code=code,
        name=name,
        level=level,
        score=round(score, 2),
        reason=_criterion_reason(level, name, results, found),
        incidents=results,
        indicators=found,
        mitigations=[used[k] for k in sorted(used)],
    )


@lru_cache(maxsize=256)
def _quiet_criterion(code: str, name: str) -> CriterionFinding:
    """A criterion with nothing against it; immutable, so one instance serves every assessment."""
    return CriterionFinding(
        code=code,
        name=name,
        level=CriterionLevel.none,
        score=0.0,
        reason=_criterion_reason(CriterionLevel.none, name, [], []),
    )


def _criterion_reason(
    level: CriterionLevel,
    name: str,
    matches: list[dict[str, Any]],
    indicators: list[EvidenceRef],
) -> str:
    """``matches``: :class:`IncidentMatch` rows as plain data."""
    if level is CriterionLevel.none:
        return (
            f"No known incidents of {name.lower()} for this origin, these parties or this period."
        )
    parts = [
        f"{m['title']} ({m['status']}, matched by {m['match_level'].value}, "
        f"{m['overlap'].replace('_', ' ')})"
        for m in matches
    ]
    parts += [i.note or i.id for i in indicators]
    prefix = {
        CriterionLevel.red_flag: "Red flag",
        CriterionLevel.elevated: "Elevated risk",
        CriterionLevel.context: "Context only",
    }[level]
    return f"{prefix}: " + "; ".join(parts) + "."


def _kp_indicators(chain: Chain, reference: Reference) -> list[tuple[str, EvidenceRef]]:
    """Official conflict-risk signals at the origin, with the criterion each bears on.

    A suspension with a compliant-zone exception (CAR after the 2013 coup) and a UN Security
    Council ban mark an origin where diamonds financed armed groups (C01); KP restricted or
    monitored exports (Marange 2009-2012) mark security-force control of the fields (C02).
    Suspensions for other reasons (Venezuela's missing statistics, Congo's exports exceeding
    production) are KP compliance failures, not conflict signals, and raise nothing here.
    """
    found: dict[str, tuple[str, EvidenceRef]] = {}
    origins = chain.origins()
    dates = sorted(
        {o.date for o in origins} | {e.date for e in chain.events if e.type is EventType.export}
    )
    for origin in origins:
        country = origin.place.country
        for day in dates:
            participant = reference.participant_for(country, day) or country
            for status in reference.statuses_on(participant, day):
                if status.exception_measure != "compliant_zone":
                    continue
                _, outside = compliant_zone_for(reference, [origin], country, day)
                if outside:
                    found[status.id] = (
                        "C01",
                        EvidenceRef(
                            kind="participant_status",
                            id=status.id,
                            note=f"origin outside the KP compliant zones on {day} ({status.basis})",
                        ),
                    )
            for measure in reference.special_measures_on(country, day):
                if measure.kind != "compliant_zone" and in_area(measure, origin, reference):
                    found[measure.id] = (
                        "C02",
                        EvidenceRef(
                            kind="special_measure", id=measure.id, note=measure.description
                        ),
                    )
            for embargo in reference.embargoes_on(country, day):
                found[embargo.id] = (
                    "C01",
                    EvidenceRef(
                        kind="embargo",
                        id=embargo.id,
                        note=f"{embargo.measure} ({embargo.resolution})",
                    ),
                )
    return [found[k] for k in sorted(found)]


def _provenance_gaps(chain: Chain) -> list[str]:
    gaps: list[str] = []
    if isinstance(chain.subject, Stone) and not chain.lineage:
        gaps.append("the stone is not linked to any rough lot")
    for lot in chain.lots_without_extraction():
        gaps.append(f"lot {lot.id} has no recorded mine of origin")
    for origin in chain.origins():
        if not origin.is_specific:
            gaps.append(
                f"lot {origin.lot_id} is known only to country level ({origin.place.country})"
            )
    for lot_id in chain.lineage:
        if chain.lots[lot_id].mixed_origin:
            gaps.append(f"lot {lot_id} is of mixed origin")
    return gaps


def _summary(result: CscResult, criteria: list[CriterionFinding], gaps: list[str]) -> str:
    flagged = [c for c in criteria if c.level is CriterionLevel.red_flag]
    elevated = [c for c in criteria if c.level is CriterionLevel.elevated]
    if result is CscResult.red_flag:
        titles = sorted({m.title for c in flagged for m in c.incidents})
        return (
            "Red flag: "
            + ", ".join(c.name.lower() for c in flagged)
            + " documented where or by whom these goods were produced, in the same period ("
            + "; ".join(titles)
            + ")."
        )
    if result is CscResult.insufficient_provenance:
        return (
            "The origin is not known well enough to assess human-rights risk: "
            + "; ".join(gaps)
            + "."
        )
    if result is CscResult.elevated_risk:
        return (
            "Elevated risk: "
            + ", ".join(c.name.lower() for c in elevated)
            + " ("
            + " ".join(c.reason for c in elevated[:2])
            + ")"
        )
    return (
        "No known red flags in Clearstone's incident registry for this origin, the parties in this "
        "chain and this period. Absence from the registry is not proof that no abuse occurred."
    )


def _context(chain: Chain, reference: Reference) -> list[str]:
    notes: dict[str, str] = {}
    for origin in chain.origins():
        country = origin.place.country
        participant = reference.participant_for(country, origin.date) or country
        for status in reference.statuses_on(participant, origin.date):
            if status.exception_measure == "compliant_zone":
                _, outside = compliant_zone_for(reference, [origin], country, origin.date)
                where = "outside" if outside else "inside"
                notes[status.id] = (
                    f"{country} was under KP suspension when these goods were mined "
                    f"({status.basis}); exports were allowed only from compliant zones, and this "
                    f"origin lies {where} them."
                )
            else:
                notes[status.id] = (
                    f"{country}: {status.status.replace('_', ' ')} on {origin.date} "
                    f"({status.basis})."
                )
    return [notes[k] for k in sorted(notes)]
