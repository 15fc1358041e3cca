"""The country and area context layers, indexed by country: what is known about a place where
the registry may hold no site-level incident (EU CAHRA list, UN sanctions regimes, UCDP conflict
events). Part of :class:`clearstone_api.domain.reference.Reference`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from pydantic import BaseModel

from clearstone_api.domain.context_rows import CahraListing, ConflictEvent, SanctionsRegime
from clearstone_api.domain.names import normalize_name

__all__ = ["CONTEXT_FILES", "ContextLayers"]

CONTEXT_FILES: dict[str, type[BaseModel]] = {
    "cahra_areas.csv": CahraListing,
    "un_sanctions_regimes.csv": SanctionsRegime,
    "conflict_events.csv": ConflictEvent,
}
"""The context layers' files, with the model of their rows (loaded after the KP files)."""

LAYER_NAMES = {
    "eu_cahra": "EU list of conflict-affected and high-risk areas",
    "un_sanctions": "UN Security Council sanctions regimes",
    "kp_measures": "KP measures (suspensions, special measures, UN diamond bans)",
    "conflict_events": "UCDP georeferenced conflict events",
}


def _overlaps(start: dt.date, end: dt.date | None, window: tuple[dt.date, dt.date]) -> bool:
    """A half-open period ``[start, end)`` against an inclusive window."""
    return start <= window[1] and (end is None or end > window[0])


def _in_area(row_admin1: str | None, names: Sequence[str], admin1: str | None) -> bool:
    if row_admin1 is None:
        return True
    if admin1 is None:
        return False
    wanted = normalize_name(admin1)
    return any(normalize_name(n) == wanted for n in (row_admin1, *names))


RowT = TypeVar("RowT", CahraListing, SanctionsRegime, ConflictEvent)


def _by_country(rows: Iterable[RowT]) -> dict[str, tuple[RowT, ...]]:
    grouped: dict[str, list[RowT]] = defaultdict(list)
    for row in rows:
        grouped[row.country].append(row)
    return {k: tuple(v) for k, v in grouped.items()}


@dataclass(frozen=True)
class ContextLayers:
    """The context rows by country, with the lookups the CSC verdict needs."""

    cahra: tuple[CahraListing, ...]
    regimes: tuple[SanctionsRegime, ...]
    events: tuple[ConflictEvent, ...]
    _cahra_by_country: Mapping[str, tuple[CahraListing, ...]]
    _regimes_by_country: Mapping[str, tuple[SanctionsRegime, ...]]
    _events_by_country: Mapping[str, tuple[ConflictEvent, ...]]

    @classmethod
    def build(
        cls,
        cahra: Iterable[CahraListing],
        regimes: Iterable[SanctionsRegime],
        events: Iterable[ConflictEvent],
    ) -> ContextLayers:
        listings, periods, fatal = tuple(cahra), tuple(regimes), tuple(events)
        return cls(
            cahra=listings,
            regimes=periods,
            events=fatal,
            _cahra_by_country=_by_country(listings),
            _regimes_by_country=_by_country(periods),
            _events_by_country=_by_country(fatal),
        )

    def rows(self) -> dict[str, Sequence[CahraListing | SanctionsRegime | ConflictEvent]]:
        return {
            "cahra_areas.csv": self.cahra,
            "un_sanctions_regimes.csv": self.regimes,
            "conflict_events.csv": self.events,
        }

    def cahra_listings(
        self, country: str, admin1: str | None, window: tuple[dt.date, dt.date]
    ) -> list[CahraListing]:
        """CAHRA rows covering the place (its area or the whole country) during ``window``."""
        return [
            row
            for row in self._cahra_by_country.get(country, ())
            if _in_area(row.admin1, row.aliases, admin1)
            and _overlaps(row.valid_from, row.valid_to, window)
        ]

    def sanctions_regimes(
        self, country: str, admin1: str | None, window: tuple[dt.date, dt.date]
    ) -> list[SanctionsRegime]:
        return [
            row
            for row in self._regimes_by_country.get(country, ())
            if _in_area(row.admin1, (), admin1) and _overlaps(row.valid_from, row.valid_to, window)
        ]

    def conflict_events(
        self,
        country: str,
        admin1: str | None,
        admin2: str | None,
        window: tuple[dt.date, dt.date],
    ) -> list[ConflictEvent]:
        """UCDP events in the place's first- or second-level area during ``window``."""
        found = []
        for event in self._events_by_country.get(country, ()):
            if event.date_start > window[1] or event.date_end < window[0]:
                continue
            if admin2 and event.admin2 and normalize_name(event.admin2) == normalize_name(admin2):
                found.append(event)
            elif admin1 and event.admin1 and normalize_name(event.admin1) == normalize_name(admin1):
                found.append(event)
        return found

    def has_country(self, country: str) -> bool:
        return any(
            country in index
            for index in (self._cahra_by_country, self._regimes_by_country, self._events_by_country)
        )
