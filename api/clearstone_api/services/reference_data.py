"""Reference-data reads: participants with their status on a date, incidents, the taxonomy."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import TypeVar

from pydantic import BaseModel

from clearstone_api.domain.names import normalize_name
from clearstone_api.domain.reference import Reference
from clearstone_api.domain.reference_rows import Criterion, Incident, IncidentStatus, StatusPeriod
from clearstone_api.errors import NotFound

__all__ = [
    "IncidentFilter",
    "ParticipantPublic",
    "get_incident",
    "get_status_period",
    "list_incidents",
    "list_participants",
    "list_taxonomy",
]

T = TypeVar("T")


class ParticipantPublic(BaseModel):
    """A KP participant and its standing on the date asked about."""

    id: str
    name: str
    kind: str
    regional_org: bool
    admitted_on: dt.date | None
    on: dt.date
    """The date the standing is given for."""
    in_good_standing: bool
    """Admitted by ``on`` and under no suspension, removal or embargo on that date."""
    statuses: list[StatusPeriod]
    """The adverse status periods in force on ``on``."""


class IncidentFilter(BaseModel):
    country: str | None = None
    site: str | None = None
    category: str | None = None
    status: IncidentStatus | None = None

    def matches(self, incident: Incident) -> bool:
        return (
            (self.country is None or incident.country == self.country.upper())
            and (self.site is None or self.site in incident.site_ids)
            and (self.category is None or self.category.upper() in incident.categories)
            and (self.status is None or incident.status == self.status)
        )


def _after(items: Iterable[T], key: Callable[[T], str], after: str | None, limit: int) -> list[T]:
    """``limit + 1`` items past ``after`` in key order (the extra one says "has more")."""
    ordered = sorted(items, key=key)
    if after is not None:
        ordered = [item for item in ordered if key(item) > after]
    return ordered[: limit + 1]


def list_participants(
    reference: Reference, on: dt.date, limit: int, after: str | None
) -> list[ParticipantPublic]:
    rows = _after(reference.participants.values(), lambda p: p.id, after, limit)
    result = []
    for participant in rows:
        statuses = reference.statuses_on(participant.id, on)
        admitted = participant.admitted_on is None or participant.admitted_on <= on
        result.append(
            ParticipantPublic(
                id=participant.id,
                name=participant.name,
                kind=participant.kind,
                regional_org=participant.regional_org,
                admitted_on=participant.admitted_on,
                on=on,
                in_good_standing=admitted and not statuses,
                statuses=statuses,
            )
        )
    return result


def list_incidents(
    reference: Reference, where: IncidentFilter, limit: int, after: str | None
) -> list[Incident]:
    if where.site is not None:
        pool: Iterable[Incident] = reference.incidents_at_site(where.site)
    elif where.country is not None:
        country = where.country.upper()
        pool = (i for i in reference.incidents.values() if i.country == country)
    else:
        pool = reference.incidents.values()
    return _after((i for i in pool if where.matches(i)), lambda i: i.id, after, limit)


def get_incident(reference: Reference, incident_id: str) -> Incident:
    incident = reference.incidents.get(incident_id)
    if incident is None:
        raise NotFound(f"No incident {incident_id!r}.")
    return incident


def get_status_period(reference: Reference, period_id: str) -> StatusPeriod:
    for period in reference.status_periods:
        if period.id == period_id:
            return period
    raise NotFound(f"No KP status period {period_id!r}.")


def list_taxonomy(reference: Reference, limit: int, after: str | None) -> list[Criterion]:
    return _after(reference.taxonomy.values(), lambda c: c.code, after, limit)


def party_keys(incident: Incident) -> set[tuple[str, str]]:
    keys: set[tuple[str, str]] = set()
    for party in incident.parties:
        keys.add(("party", party.id))
        keys.add(("party", normalize_name(party.name)))
    return keys
