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

    @classmethod
    def build(cls, incidents: Iterable[Incident]) -> IncidentIndex:
        site: dict[str, list[Incident]] = defaultdict(list)
        admin2: dict[tuple[str, str], list[Incident]] = defaultdict(list)
        admin1: dict[tuple[str, str], list[Incident]] = defaultdict(list)
        country: dict[str, list[Incident]] = defaultdict(list)
        party: dict[str, list[Incident]] = defaultdict(list)
        for incident in incidents:
            for site_id in incident.site_ids:
                site[site_id].append(incident)
            if incident.admin2:
                admin2[(incident.country, normalize_name(incident.admin2))].append(incident)
            if incident.admin1:
                admin1[(incident.country, normalize_name(incident.admin1))].append(incident)
            if not incident.admin1 and not incident.admin2 and not incident.site_ids:
                country[incident.country].append(incident)
            for named in incident.parties:
                party[named.id].append(incident)
                party[normalize_name(named.name)].append(incident)
        return cls(
            by_site={k: tuple(v) for k, v in site.items()},
            by_admin2={k: tuple(v) for k, v in admin2.items()},
            by_admin1={k: tuple(v) for k, v in admin1.items()},
            by_country={k: tuple(v) for k, v in country.items()},
            by_party={k: tuple(v) for k, v in party.items()},
        )
