"""Refreshing the context layers from the publishers' own files, with a diff to review.

- :func:`parse_cahra_export` reads the CAHRA list's export: a JSON object with ``meta``
  (``version``, ``retrieved``) and ``entries``, one per country (``iso2``, ``wholeCountry``,
  ``regions`` with ``name``, ISO 3166-2 ``code``, ``conflictAffected``, ``highRisk``), the layout
  of the cahraslist.net API snapshot the registry was built from. :func:`merge_cahra` turns the
  snapshot into dated rows: areas still listed keep their row, newly listed areas open on the
  effective date, areas no longer listed are closed on it (never deleted).
- :func:`parse_ucdp_ged` reads UCDP's Georeferenced Event Dataset CSV (CC BY 4.0), keeps events
  placed at precision 1-3 in the registry's diamond-producing areas, and returns one row per event.
  A GED release revises history, so a load replaces the layer with the new release's events.
- :func:`diff_layer` compares two versions of a layer row by row, for review before applying.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel

from clearstone_api.domain.context_rows import CahraListing, ConflictEvent
from clearstone_api.domain.names import normalize_name
from clearstone_api.domain.reference import Reference
from clearstone_api.domain.reference_rows import Verification

__all__ = [
    "CAHRA_SOURCE_IDS",
    "UCDP_SOURCE_ID",
    "LayerDiff",
    "LoadError",
    "diamond_areas",
    "diff_layer",
    "merge_cahra",
    "parse_cahra_export",
    "parse_ucdp_ged",
]

CAHRA_SOURCE_IDS = ["S433", "S430", "S431"]
"""The list itself (its API), RAND Europe's methodology, the competent authority's notices."""
UCDP_SOURCE_ID = "S443"
"""UCDP GED (codebook, licence and citation)."""

GW_TO_ISO2 = {
    101: "VE", 110: "GY", 140: "BR", 365: "RU", 437: "CI", 438: "GN", 450: "LR", 451: "SL",
    452: "GH", 471: "CM", 482: "CF", 490: "CD", 510: "TZ", 540: "AO", 552: "ZW", 560: "ZA",
    565: "NA", 570: "LS", 571: "BW", 750: "IN",
}  # fmt: skip
"""Gleditsch-Ward country numbers (GED ``country_id``) of diamond-producing countries."""
_VIOLENCE = {"1": "state_based", "2": "non_state", "3": "one_sided"}
_AREA_SUFFIX = re.compile(
    r"\s+(province|region|state|district|prefecture|governorate|oblast|territory|county)$",
    re.IGNORECASE,
)

RowT = TypeVar("RowT", bound=BaseModel)


class LoadError(ValueError):
    """A publisher's file that cannot be read; the message names the line or key."""


def _area(name: str | None) -> str | None:
    """GED writes ``Kasai province``; the registry writes ``Kasai``."""
    if not name or not name.strip():
        return None
    return _AREA_SUFFIX.sub("", name.strip())


# --- CAHRA ---------------------------------------------------------------------------------


def parse_cahra_export(
    text: str, *, effective: dt.date, retrieved_at: dt.date
) -> tuple[str, list[CahraListing]]:
    """The list version and one row per listed area (or whole country), valid from
    ``effective``."""
    try:
        data = json.loads(text)
        version = str(data["meta"]["version"])
        entries = data["entries"]
    except (ValueError, KeyError, TypeError) as exc:
        raise LoadError(f"not a CAHRA export: {exc}") from exc
    rows: list[CahraListing] = []
    for index, entry in enumerate(entries):
        try:
            country = str(entry["iso2"]).upper()
            common: dict[str, Any] = {
                "country": country,
                "list_version": version,
                "valid_from": effective,
                "source_ids": CAHRA_SOURCE_IDS,
                "retrieved_at": retrieved_at,
                "verification": Verification.verified,
            }
            if entry.get("wholeCountry"):
                rows.append(
                    CahraListing(id=f"CAHRA-{country}", category="listed", admin1=None, **common)
                )
                continue
            for region in entry.get("regions") or []:
                code = str(region["code"])
                category = "conflict_affected" if region.get("conflictAffected") else "high_risk"
                names = [n.strip() for n in str(region["name"]).split("/")]
                rows.append(
                    CahraListing(
                        id=f"CAHRA-{code}",
                        admin1=names[-1],
                        aliases=names[:-1],
                        code=code,
                        category=category,
                        **common,
                    )
                )
        except (KeyError, TypeError, ValueError) as exc:
            raise LoadError(f"entries[{index}]: {exc}") from exc
    return version, rows


def _cahra_key(row: CahraListing) -> tuple[str, str]:
    if row.admin1 is None:
        return (row.country, "")
    return (row.country, row.code or normalize_name(row.admin1))


def merge_cahra(
    current: Sequence[CahraListing], fresh: Sequence[CahraListing], effective: dt.date
) -> list[CahraListing]:
    """The layer after a new snapshot: open rows of areas still listed keep their history
    (category and version refreshed), new areas open on ``effective``, areas no longer listed
    close on ``effective``. Closed rows stay as they are."""
    fresh_by_key = {_cahra_key(row): row for row in fresh}
    merged: list[CahraListing] = []
    seen: set[tuple[str, str]] = set()
    ids = {row.id for row in current}
    for row in current:
        key = _cahra_key(row)
        if row.valid_to is not None and row.valid_to <= effective:
            merged.append(row)
            continue
        new = fresh_by_key.get(key)
        if new is None:
            merged.append(row.model_copy(update={"valid_to": effective}))
            continue
        seen.add(key)
        merged.append(
            row.model_copy(
                update={
                    "category": new.category,
                    "list_version": new.list_version,
                    "code": row.code or new.code,
                    "retrieved_at": new.retrieved_at,
                }
            )
        )
    for key, row in fresh_by_key.items():
        if key in seen:
            continue
        row_id = row.id if row.id not in ids else f"{row.id}-{effective:%Y%m%d}"
        merged.append(row.model_copy(update={"id": row_id}))
    return merged


# --- UCDP GED ------------------------------------------------------------------------------


def diamond_areas(reference: Reference) -> set[tuple[str, str]]:
    """``(country, area)`` of every registry site and incident: the diamond-producing areas."""
    areas: set[tuple[str, str]] = set()
    for site in reference.sites.values():
        areas |= {(site.country, normalize_name(a)) for a in (site.admin1, site.admin2) if a}
    for incident in reference.incidents.values():
        places = [(incident.country, incident.admin1, incident.admin2)]
        places += [(a.country or incident.country, a.admin1, a.admin2) for a in incident.areas]
        for country, admin1, admin2 in places:
            areas |= {(country, normalize_name(a)) for a in (admin1, admin2) if a}
    return areas


def _day(value: str) -> dt.date:
    return dt.date.fromisoformat(value.strip()[:10])


def parse_ucdp_ged(
    text: str,
    *,
    dataset_version: str,
    areas: set[tuple[str, str]],
    retrieved_at: dt.date,
) -> list[ConflictEvent]:
    """Events of the GED CSV in ``areas`` (``(ISO2, normalised area name)``), precision 1-3."""
    reader = csv.DictReader(io.StringIO(text))
    needed = {"id", "country_id", "adm_1", "adm_2", "date_start", "date_end", "best"}
    missing = needed - set(reader.fieldnames or [])
    if missing:
        raise LoadError(f"not a UCDP GED file: missing columns {sorted(missing)}")
    rows: list[ConflictEvent] = []
    for row in reader:
        line = reader.line_num
        try:
            country = GW_TO_ISO2.get(int(row["country_id"]))
            precision = int(row.get("where_prec") or 7)
            if country is None or precision > 3:
                continue
            admin1, admin2 = _area(row["adm_1"]), _area(row["adm_2"])
            names = {normalize_name(a) for a in (admin1, admin2) if a}
            if not any((country, name) in areas for name in names):
                continue
            rows.append(
                ConflictEvent(
                    id=f"UCDP-{dataset_version}-{row['id'].strip()}",
                    country=country,
                    admin1=admin1,
                    admin2=admin2,
                    date_start=_day(row["date_start"]),
                    date_end=_day(row["date_end"]),
                    violence_type=_VIOLENCE[str(row.get("type_of_violence", "")).strip()],
                    deaths_best=int(row["best"]),
                    deaths_low=int(row["low"]) if row.get("low") else None,
                    deaths_high=int(row["high"]) if row.get("high") else None,
                    where_prec=precision,
                    dataset_version=dataset_version,
                    conflict_name=row.get("conflict_name") or None,
                    latitude=row.get("latitude") or None,
                    longitude=row.get("longitude") or None,
                    source_ids=[UCDP_SOURCE_ID],
                    retrieved_at=retrieved_at,
                    verification=Verification.verified,
                )
            )
        except (KeyError, ValueError) as exc:
            raise LoadError(f"line {line}: {exc}") from exc
    return rows


# --- diff ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LayerDiff:
    """What a load changes in a layer, row by row."""

    added: list[BaseModel]
    removed: list[BaseModel]
    changed: list[tuple[BaseModel, BaseModel]]
    unchanged: int

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)

    def countries(self) -> set[str]:
        rows = [*self.added, *self.removed, *(r for pair in self.changed for r in pair)]
        return {str(getattr(row, "country", "")) for row in rows} - {""}

    def lines(self, limit: int = 200) -> list[str]:
        """``+`` added, ``-`` removed, ``~`` changed (field: before -> after)."""
        out = [f"+ {_describe(row)}" for row in self.added]
        out += [f"- {_describe(row)}" for row in self.removed]
        for before, after in self.changed:
            fields = [
                f"{name}: {getattr(before, name)} -> {getattr(after, name)}"
                for name in type(after).model_fields
                if getattr(before, name) != getattr(after, name)
            ]
            out.append(f"~ {getattr(after, 'id', '?')}: " + "; ".join(fields))
        summary = (
            f"{len(self.added)} added, {len(self.removed)} removed, {len(self.changed)} changed, "
            f"{self.unchanged} unchanged"
        )
        if len(out) > limit:
            out = [*out[:limit], f"... and {len(out) - limit} more"]
        return [*out, summary]


def _describe(row: BaseModel) -> str:
    data = row.model_dump()
    place = "/".join(str(data[k]) for k in ("country", "admin1", "admin2") if data.get(k))
    start = data.get("valid_from") or data.get("date_start")
    end = data.get("valid_to") or data.get("date_end") or "open"
    return f"{data.get('id')} {place} {start} to {end}"


def diff_layer(before: Iterable[RowT], after: Iterable[RowT]) -> LayerDiff:
    old = {str(getattr(row, "id", "")): row for row in before}
    new = {str(getattr(row, "id", "")): row for row in after}
    return LayerDiff(
        added=[new[k] for k in sorted(new.keys() - old.keys())],
        removed=[old[k] for k in sorted(old.keys() - new.keys())],
        changed=[(old[k], new[k]) for k in sorted(old.keys() & new.keys()) if old[k] != new[k]],
        unchanged=sum(1 for k in old.keys() & new.keys() if old[k] == new[k]),
    )
