"""The sanctions flag, separate from the KP verdict: non-KP trade measures on diamonds (the
EU/G7 measures on Russian diamonds) and listed parties in the chain.

A measure is hit when the goods have the measure's link to the sanctioned country (origin,
export, transit, or origin processed elsewhere) and the chain still moved them on or after the
date the measure took effect, above its carat threshold where it has one.
"""

from __future__ import annotations

import datetime as dt

from clearstone_api.domain.chain import Chain
from clearstone_api.domain.records import EventType
from clearstone_api.domain.reference import Reference
from clearstone_api.domain.reference_rows import SanctionMeasure
from clearstone_api.domain.verdicts import (
    EvidenceRef,
    SanctionHit,
    SanctionsResult,
    SanctionsVerdict,
    SourceRef,
)

__all__ = ["assess_sanctions"]

_PROCESSING = {EventType.cutting, EventType.polishing}


def _in_force(start: dt.date, end: dt.date | None, day: dt.date) -> bool:
    return start <= day and (end is None or day < end)


def _links(chain: Chain, measure: SanctionMeasure) -> list[EvidenceRef]:
    """The events that tie the goods to the measure's country in the way it names."""
    country = measure.country
    origins = [o for o in chain.origins() if o.place.country == country]
    if measure.applies_to == "origin":
        return [EvidenceRef(kind="event", id=o.event_id) for o in origins]
    if measure.applies_to == "processed_origin":
        processed = [
            e for e in chain.events if e.type in _PROCESSING and e.place.country != country
        ]
        return [EvidenceRef(kind="event", id=e.id) for e in processed] if origins else []
    wanted = EventType.export if measure.applies_to == "export" else EventType.transit
    return [
        EvidenceRef(kind="event", id=e.id)
        for e in chain.events
        if e.type is wanted and e.place.country == country
    ]


def assess_sanctions(chain: Chain, reference: Reference, as_of: dt.date) -> SanctionsVerdict:
    hits: list[SanctionHit] = []
    countries = {o.place.country for o in chain.origins()} | {e.place.country for e in chain.events}
    goods = chain.subject.origin.value
    for country in sorted(countries):
        for measure in reference.sanctions_for(country):
            if measure.goods not in ("all", goods) or measure.valid_from > as_of:
                continue
            if measure.min_carat is not None and chain.subject.carat < measure.min_carat:
                continue
            links = _links(chain, measure)
            later = [
                e for e in chain.events if _in_force(measure.valid_from, measure.valid_to, e.date)
            ]
            if not links or not later:
                continue
            hits.append(
                SanctionHit(
                    regime_id=measure.id,
                    regime=measure.regime,
                    reason=f"{measure.description} The goods were still traded on "
                    f"{later[0].date}, after the measure took effect ({measure.valid_from}).",
                    evidence=links,
                    sources=_sources(reference, measure.source_ids),
                )
            )
    for party in chain.chain_parties():
        for listed in reference.sanctioned_parties_named(party.name):
            involved = [
                e
                for e in chain.events
                if party.id in (e.from_party_id, e.to_party_id)
                and _in_force(listed.valid_from, listed.valid_to, e.date)
            ]
            if involved and listed.valid_from <= as_of:
                hits.append(
                    SanctionHit(
                        regime_id=listed.id,
                        regime=listed.regime,
                        reason=f"{party.name} is a listed party under {listed.regime} since "
                        f"{listed.valid_from} and handled the goods on {involved[0].date}.",
                        evidence=[EvidenceRef(kind="event", id=e.id) for e in involved],
                        sources=_sources(reference, listed.source_ids),
                    )
                )
    return SanctionsVerdict(
        result=SanctionsResult.flagged if hits else SanctionsResult.clear, hits=hits
    )


def _sources(reference: Reference, source_ids: list[str]) -> list[SourceRef]:
    return [
        SourceRef(id=s.id, title=s.title, publisher=s.publisher, url=s.url, strength=s.strength)
        for s in reference.source_refs(source_ids)
    ]
