"""What the registry covered for the goods' places and period, in one plain sentence.

A place is covered at ``site`` level when the origin resolves to a site in Clearstone's site
registry, at ``area`` level when the registry records incidents in the origin's site, district or
province (in any period), and at ``country`` level otherwise: then only country context (the EU
CAHRA list, UN sanctions regimes, KP measures, countrywide incidents) was checked.
"""

from __future__ import annotations

import datetime as dt

from clearstone_api.domain.chain import Chain, OriginPlace
from clearstone_api.domain.context_layers import LAYER_NAMES
from clearstone_api.domain.csc_matching import overlap_of
from clearstone_api.domain.messages import Message, render
from clearstone_api.domain.policy import Policy
from clearstone_api.domain.reference import Reference
from clearstone_api.domain.reference_rows import Incident
from clearstone_api.domain.verdicts import Coverage, CoverageLevel, PlaceCoverage

__all__ = ["coverage_of", "layers_checked", "origin_admins"]

_ORDER = [CoverageLevel.site, CoverageLevel.area, CoverageLevel.country]


def origin_admins(origin: OriginPlace) -> tuple[str | None, str | None]:
    """The origin's first- and second-level areas, from the event's place or its site."""
    site = origin.site
    return (
        origin.place.admin1 or (site.admin1 if site else None),
        origin.place.admin2 or (site.admin2 if site else None),
    )


def _label(origin: OriginPlace) -> str:
    admin1, admin2 = origin_admins(origin)
    parts = [p for p in (origin.site.name if origin.site else None, admin2, admin1) if p]
    where = ", ".join(dict.fromkeys(parts))
    return f"{where} ({origin.place.country})" if where else origin.place.country


def _period(window: tuple[dt.date, dt.date] | None) -> str:
    if window is None:
        return ""
    start, end = window[0].year, window[1].year
    return f" {start}" if start == end else f" {start}–{end}"


def layers_checked(reference: Reference) -> list[str]:
    """The context layers every answer is checked against, with their versions."""
    versions = sorted({row.list_version for row in reference.context.cahra})
    layers = [
        f"{LAYER_NAMES['eu_cahra']} ({', '.join(versions) or 'no version loaded'})",
        LAYER_NAMES["un_sanctions"],
        LAYER_NAMES["kp_measures"],
    ]
    events = sorted({e.dataset_version for e in reference.context.events})
    if events:
        layers.append(f"{LAYER_NAMES['conflict_events']} (GED {', '.join(events)})")
    return layers


def _place(
    origin: OriginPlace,
    reference: Reference,
    as_of: dt.date,
    policy: Policy,
    window: tuple[dt.date, dt.date] | None,
) -> tuple[PlaceCoverage, int]:
    """The coverage of one origin and the number of countrywide incidents checked."""
    country = origin.place.country
    admin1, admin2 = origin_admins(origin)
    site = origin.site
    registry = reference.registry_site(country, site.registry_id, site.name) if site else None
    local: dict[str, Incident] = {}
    if registry is not None:
        local |= {i.id: i for i in reference.incidents_at_site(registry.id)}
    if admin2:
        local |= {i.id: i for i in reference.incidents_in_admin2(country, admin2)}
    if admin1:
        local |= {i.id: i for i in reference.incidents_in_admin1(country, admin1)}
    known = {k: i for k, i in local.items() if i.reported_on <= as_of}
    countrywide = [i for i in reference.incidents_countrywide(country) if i.reported_on <= as_of]
    in_period = 0
    if window is not None:
        in_period = sum(
            1
            for i in [*known.values(), *countrywide]
            if overlap_of(i, window, as_of, policy) == "same_period"
        )
    if registry is not None:
        level = CoverageLevel.site
    elif known:
        level = CoverageLevel.area
    else:
        level = CoverageLevel.country
    parts = [country, admin1 or "", admin2 or ""]
    return (
        PlaceCoverage(
            place="/".join(parts).rstrip("/"),
            level=level,
            site_id=registry.id if registry else None,
            incidents_in_registry=len(known),
            incidents_in_period=in_period,
        ),
        len(countrywide),
    )


def coverage_of(
    chain: Chain,
    reference: Reference,
    as_of: dt.date,
    policy: Policy,
    window: tuple[dt.date, dt.date] | None,
) -> Coverage:
    """The coverage of every origin of the chain, and the sentence that states it."""
    layers = layers_checked(reference)
    origins = chain.origins()
    if not origins:
        return _coverage(CoverageLevel.country, [Message(id="coverage.no_origin")], [], layers)
    places: list[PlaceCoverage] = []
    messages: list[Message] = []
    for origin in origins:
        place, countrywide = _place(origin, reference, as_of, policy, window)
        places.append(place)
        params = {"place": _label(origin)}
        suffix = ""
        if countrywide:
            params |= {"countrywide": str(countrywide), "country": origin.place.country}
            suffix = ".national"
        if place.level is CoverageLevel.country:
            key = "coverage.no_site_data"
        elif place.incidents_in_registry == 0:
            key = "coverage.site_clean"
        else:
            key = "coverage.incident" if place.incidents_in_registry == 1 else "coverage.incidents"
            params |= {
                "count": str(place.incidents_in_registry),
                "period": _period(window),
                "in_period": str(place.incidents_in_period),
            }
        messages.append(Message(id=key + suffix, params=params))
    # One sentence per distinct statement, in the order first met.
    distinct: dict[str, Message] = {}
    for message in messages:
        distinct.setdefault(render(message), message)
    unique = list(distinct.values())
    level = max((p.level for p in places), key=_ORDER.index)
    return _coverage(level, unique, places, layers)


def _coverage(
    level: CoverageLevel, messages: list[Message], places: list[PlaceCoverage], layers: list[str]
) -> Coverage:
    """The coverage, its sentence in English and the same sentence as message ids."""
    return Coverage(
        level=level,
        statement="; ".join(render(m) for m in messages) + ".",
        statement_messages=messages,
        places=places,
        layers=layers,
    )
