"""Finding the incidents that touch a chain: through the registry's indexes by site, area,
country and party, each kept at the most direct level it matched, within the goods' window."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from clearstone_api.domain.chain import Chain, OriginPlace
from clearstone_api.domain.names import normalize_name
from clearstone_api.domain.policy import Policy
from clearstone_api.domain.records import EventType
from clearstone_api.domain.reference import Reference
from clearstone_api.domain.reference_rows import Incident
from clearstone_api.domain.verdicts import MatchLevel

__all__ = ["Match", "find_matches", "overlap_of"]

_PRECEDENCE = [
    MatchLevel.site,
    MatchLevel.party,
    MatchLevel.admin2,
    MatchLevel.admin1,
    MatchLevel.country,
    MatchLevel.transit,
]


@dataclass(frozen=True)
class Match:
    incident: Incident
    level: MatchLevel
    overlap: str
    """``same_period``, ``near_period`` or ``distant``."""
    place: OriginPlace | None
    """The origin it matched through (None for a party match)."""
    party_id: str | None
    """The record party it matched through (party matches only)."""


def overlap_of(
    incident: Incident, window: tuple[dt.date, dt.date], as_of: dt.date, policy: Policy
) -> str | None:
    """How an incident's period sits against the goods' window; None when too far apart."""
    start, end = window
    inc_end = incident.date_end or as_of
    if incident.date_start <= end and inc_end >= start:
        return "same_period"
    gap = (start - inc_end).days if inc_end < start else (incident.date_start - end).days
    if gap <= policy.near_period_days:
        return "near_period"
    if gap <= policy.distant_period_days:
        return "distant"
    return None


def _place_candidates(
    reference: Reference, origin: OriginPlace
) -> list[tuple[MatchLevel, Incident]]:
    place, site = origin.place, origin.site
    found: list[tuple[MatchLevel, Incident]] = []
    if site is not None:
        registry = reference.registry_site(place.country, site.registry_id, site.name)
        if registry is not None:
            found += [(MatchLevel.site, i) for i in reference.incidents_at_site(registry.id)]
    admin2 = place.admin2 or (site.admin2 if site else None)
    admin1 = place.admin1 or (site.admin1 if site else None)
    if admin2:
        found += [
            (MatchLevel.admin2, i) for i in reference.incidents_in_admin2(place.country, admin2)
        ]
    if admin1:
        found += [
            (MatchLevel.admin1, i) for i in reference.incidents_in_admin1(place.country, admin1)
        ]
    found += [(MatchLevel.country, i) for i in reference.incidents_countrywide(place.country)]
    return found


def _transit_candidates(
    chain: Chain, reference: Reference
) -> list[tuple[MatchLevel, Incident, dt.date]]:
    """Trade records in the countries the goods passed through after extraction, each with the
    date the goods were there (a hub's record concerns the certificates it issued then)."""
    found: list[tuple[MatchLevel, Incident, dt.date]] = []
    for event in chain.events:
        if event.type is EventType.extraction:
            continue
        for incident in reference.incidents_in_trade(event.place.country):
            if incident.admin1 and event.place.admin1:
                if normalize_name(incident.admin1) != normalize_name(event.place.admin1):
                    continue
            found.append((MatchLevel.transit, incident, event.date))
    return found


def transits_window(
    transits: list[tuple[MatchLevel, Incident, dt.date]], incident: Incident
) -> tuple[dt.date, dt.date]:
    """The days the goods were in the incident's country."""
    days = [day for _, i, day in transits if i.id == incident.id]
    return min(days), max(days)


def find_matches(chain: Chain, reference: Reference, as_of: dt.date, policy: Policy) -> list[Match]:
    """Every incident known on ``as_of`` that touches the chain, at its most direct level."""
    window = chain.window()
    if window is None:
        return []
    candidates: list[tuple[MatchLevel, Incident, OriginPlace | None, str | None]] = []
    for origin in chain.origins():
        candidates += [
            (level, i, origin, None) for level, i in _place_candidates(reference, origin)
        ]
    for party in chain.chain_parties():
        candidates += [
            (MatchLevel.party, i, None, party.id)
            for i in reference.incidents_of_party(party.registry_id, party.name)
        ]
    transits = _transit_candidates(chain, reference)
    candidates += [(level, incident, None, None) for level, incident, _ in transits]
    best: dict[str, Match] = {}
    for level, incident, place, party_id in candidates:
        if incident.reported_on > as_of:
            continue
        own = transits_window(transits, incident) if level is MatchLevel.transit else window
        overlap = overlap_of(incident, own, as_of, policy)
        if overlap is None:
            continue
        current = best.get(incident.id)
        if current is None or _PRECEDENCE.index(level) < _PRECEDENCE.index(current.level):
            best[incident.id] = Match(incident, level, overlap, place, party_id)
    return [best[key] for key in sorted(best)]
