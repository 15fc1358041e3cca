"""The incident registry's indexes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from clearstone_api.domain.names import normalize_name
from clearstone_api.domain.reference_rows import Incident

__all__ = ["IncidentIndex"]


@dataclass(frozen=True)
class IncidentIndex:
    """The registry's incidents by site, second- and first-level area, whole country and party:
    the only ways the engine reaches them, so matching costs the same whatever the registry's size.
    """

    by_site: Mapping[str, tuple[Incident, ...]]
    by_admin2: Mapping[tuple[str, str], tuple[Incident, ...]]
    by_admin1: Mapping[tuple[str, str], tuple[Incident, ...]]
    by_country: Mapping[str, tuple[Incident, ...]]
    by_party: Mapping[str, tuple[Incident, ...]]
    by_trade_country: Mapping[str, tuple[Incident, ...]]
    """Systemic trade records (``diamond_link`` ``trade``, no named party: a hub's certificates,
    smuggling routes) by country, for goods passing through. Records that name their parties
    (a buyer, an importer) reach a chain through those parties instead."""

    @classmethod
    def build(cls, incidents: Iterable[Incident]) -> IncidentIndex:
        site: dict[str, list[Incident]] = defaultdict(list)
        admin2: dict[tuple[str, str], list[Incident]] = defaultdict(list)
        admin1: dict[tuple[str, str], list[Incident]] = defaultdict(list)
        country: dict[str, list[Incident]] = defaultdict(list)
        party: dict[str, list[Incident]] = defaultdict(list)
        trade: dict[str, list[Incident]] = defaultdict(list)
        for incident in incidents:
            for site_id in incident.site_ids:
                site[site_id].append(incident)
            places = [(incident.country, incident.admin1, incident.admin2)]
            places += [(a.country or incident.country, a.admin1, a.admin2) for a in incident.areas]
            for key in {(c, normalize_name(a2)) for c, _, a2 in places if a2}:
                admin2[key].append(incident)
            for key in {(c, normalize_name(a1)) for c, a1, _ in places if a1}:
                admin1[key].append(incident)
            if not any(a1 or a2 for _, a1, a2 in places) and not incident.site_ids:
                country[incident.country].append(incident)
            if incident.diamond_link == "trade" and not incident.parties:
                for trade_country in {c for c, _, _ in places}:
                    trade[trade_country].append(incident)
            for named in incident.parties:
                party[named.id].append(incident)
                party[normalize_name(named.name)].append(incident)
        return cls(
            by_site={k: tuple(v) for k, v in site.items()},
            by_admin2={k: tuple(v) for k, v in admin2.items()},
            by_admin1={k: tuple(v) for k, v in admin1.items()},
            by_country={k: tuple(v) for k, v in country.items()},
            by_party={k: tuple(v) for k, v in party.items()},
            by_trade_country={k: tuple(v) for k, v in trade.items()},
        )
