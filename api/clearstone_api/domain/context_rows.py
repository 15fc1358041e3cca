"""The rows of the country and area context layers: where the registry has no site-level
incident, the place still has a known, dated context.

- ``cahra_areas.csv``: the EU's indicative list of conflict-affected and high-risk areas
  (Regulation (EU) 2017/821, Art. 14(2)), one row per listed area and listing period.
- ``un_sanctions_regimes.csv``: UN Security Council arms-embargo and targeted-measure regimes on
  diamond-producing or diamond-trading countries, with their dates.
- ``conflict_events.csv``: fatal events of organised violence from UCDP's Georeferenced Event
  Dataset (CC BY 4.0), filtered to diamond-producing areas; empty as shipped, filled by
  ``clearstone-api context load-ucdp``.

The KP's own measures (status periods, special measures, UN diamond bans) are KP reference
data (``kp_*.csv``, ``unsc_diamond_measures.csv``); the context layers refer to them and do not
repeat them.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, field_validator

from clearstone_api.domain.reference_rows import Codes, Iso2, OptDate, OptInt, OptStr, _Row

__all__ = ["CahraListing", "ConflictEvent", "SanctionsRegime"]


class CahraListing(_Row):
    """One area on the EU CAHRA list for one listing period; ``admin1`` empty = whole country."""

    id: str
    country: Iso2
    admin1: OptStr = None
    code: OptStr = None
    """ISO 3166-2 code where the list gives it (``CD-KS``)."""
    aliases: Codes = Field(default_factory=list)
    """Other spellings of ``admin1`` that records use (``Haute-Sangha`` for ``Mambéré-Kadéï``)."""
    category: Literal["conflict_affected", "high_risk", "listed"]
    """As published (CA/HR); ``listed`` where the list's category was not read."""
    list_version: str
    """The list version the row was read in (e.g. ``2026-06``)."""
    valid_from: dt.date
    valid_to: OptDate = None
    """Exclusive: the first day the area is no longer listed; empty while listed."""


class SanctionsRegime(_Row):
    """A UN Security Council sanctions regime on a country (or part of it) for one period."""

    id: str
    country: Iso2
    admin1: OptStr = None
    """Empty when the regime covers the whole territory."""
    resolution: str
    measures: str
    """What the regime imposes (arms embargo, travel ban, asset freeze)."""
    targets: Literal["all", "non_state"]
    """``non_state``: the embargo binds armed groups and individuals, not the government."""
    natural_resources: OptStr = None
    """The regime's diamond or natural-resource element, if any."""
    valid_from: dt.date
    valid_to: OptDate = None


class ConflictEvent(_Row):
    """A fatal event of organised violence (UCDP GED), with its place as UCDP codes it."""

    id: str
    """``UCDP-<dataset version>-<event id>``."""
    country: Iso2
    admin1: OptStr = None
    admin2: OptStr = None
    date_start: dt.date
    date_end: dt.date
    violence_type: Literal["state_based", "non_state", "one_sided"]
    deaths_best: int
    where_prec: int
    """UCDP geo-precision 1 (exact) to 7; the loader keeps 1-3."""
    dataset_version: str
    conflict_name: OptStr = None
    latitude: OptStr = None
    longitude: OptStr = None
    deaths_low: OptInt = None
    deaths_high: OptInt = None

    @field_validator("where_prec")
    @classmethod
    def _precise(cls, value: int) -> int:
        if not 1 <= value <= 3:
            raise ValueError("only events placed at precision 1-3 (area or better) are kept")
        return value
