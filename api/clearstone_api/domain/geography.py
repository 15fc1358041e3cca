"""Where goods come from, in terms both verdicts share: the extraction places of the lots an
event moved, whether an origin lies in a measure's area, and the compliant zones open on a day.

The KP checks (special measures) and the human-rights score (CSC context) both read origins
through this module, so neither imports the other.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from clearstone_api.domain.chain import Chain, OriginPlace
from clearstone_api.domain.names import normalize_name
from clearstone_api.domain.records import CustodyEvent
from clearstone_api.domain.reference import Reference
from clearstone_api.domain.reference_rows import SpecialMeasure

__all__ = [
    "area_label",
    "compliant_zone_for",
    "in_area",
    "lineage_of",
    "origins_of",
    "origins_of_items",
]


def origins_of(chain: Chain, event: CustodyEvent) -> list[OriginPlace]:
    """The extraction places of the lots an event moved (through their lineage)."""
    return origins_of_items(chain, event.items)


def origins_of_items(chain: Chain, items: Iterable[str]) -> list[OriginPlace]:
    """The extraction places of some lots (through their lineage)."""
    wanted = lineage_of(chain, items)
    return [origin for origin in chain.origins() if origin.lot_id in wanted]


def lineage_of(chain: Chain, items: Iterable[str]) -> set[str]:
    """Some lots and every lot they descend from."""
    wanted: set[str] = set()
    for item in items:
        stack = [item]
        while stack:
            lot_id = stack.pop()
            if lot_id in wanted or lot_id not in chain.lots:
                continue
            wanted.add(lot_id)
            stack.extend(chain.lots[lot_id].parent_lot_ids)
    return wanted


def in_area(measure: SpecialMeasure, origin: OriginPlace, reference: Reference) -> bool:
    """Whether an origin lies in a measure's area: by registry site, sub-prefecture or region."""
    place = origin.place
    if measure.site_ids and origin.site is not None:
        registry = reference.registry_site(place.country, origin.site.registry_id, origin.site.name)
        if registry is not None and registry.id in measure.site_ids:
            return True
    admin2 = place.admin2 or (origin.site.admin2 if origin.site else None)
    admin1 = place.admin1 or (origin.site.admin1 if origin.site else None)
    if measure.admin2:
        return admin2 is not None and normalize_name(admin2) == normalize_name(measure.admin2)
    if measure.admin1:
        return admin1 is not None and normalize_name(admin1) == normalize_name(measure.admin1)
    return not measure.site_ids


def compliant_zone_for(
    reference: Reference, origins: list[OriginPlace], country: str, day: dt.date
) -> tuple[list[SpecialMeasure], list[OriginPlace]]:
    """The compliant zones on ``day`` and the origins (in ``country``) outside all of them."""
    zones = [m for m in reference.special_measures_on(country, day) if m.kind == "compliant_zone"]
    outside = [
        o
        for o in origins
        if o.place.country == country and not any(in_area(z, o, reference) for z in zones)
    ]
    return zones, outside


def area_label(origin: OriginPlace) -> str:
    """An origin's place as a reader names it: sub-prefecture, region, country."""
    place = origin.place
    parts = [
        place.admin2 or (origin.site.admin2 if origin.site else None),
        place.admin1,
        place.country,
    ]
    return ", ".join(p for p in parts if p) or place.country
