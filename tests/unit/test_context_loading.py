"""The context-layer loaders on small fixture files shipped with the tests."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from clearstone_api.domain.context_loading import (
    LoadError,
    diamond_areas,
    diff_layer,
    merge_cahra,
    parse_cahra_export,
    parse_ucdp_ged,
)
from clearstone_api.domain.reference import Reference, load_reference

FIXTURES = Path(__file__).parent.parent / "fixtures"
EFFECTIVE = dt.date(2026, 6, 27)
READ = dt.date(2026, 7, 2)


@pytest.fixture(scope="module")
def ref() -> Reference:
    return load_reference()


def _cahra_text() -> str:
    return (FIXTURES / "cahra_export_small.json").read_text(encoding="utf-8")


def test_the_cahra_export_gives_one_row_per_area_or_whole_country() -> None:
    version, rows = parse_cahra_export(_cahra_text(), effective=EFFECTIVE, retrieved_at=READ)
    assert version == "Report: test fixture"
    by_id = {row.id: row for row in rows}
    assert set(by_id) == {"CAHRA-ZW", "CAHRA-CA", "CAHRA-CF-HK", "CAHRA-CF-HS", "CAHRA-CF-UK"}
    assert (by_id["CAHRA-ZW"].admin1, by_id["CAHRA-ZW"].category) == (None, "listed")
    assert by_id["CAHRA-CF-HK"].category == "conflict_affected"
    merged = by_id["CAHRA-CF-HS"]
    assert (merged.admin1, merged.code) == ("Mambéré-Kadéï", "CF-HS")
    assert merged.aliases == ["Haute-Sangha"]
    assert all(row.valid_from == EFFECTIVE and row.source_ids for row in rows)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json", "not a CAHRA export"),
        ('{"meta": {}}', "not a CAHRA export"),
        ('{"meta": {"version": "v"}, "entries": [{"iso2": "CF", "regions": [{"name": "X"}]}]}',
         "entries[0]"),
        ('{"meta": {"version": "v"}, "entries": [{"iso2": "Congo", "wholeCountry": true}]}',
         "entries[0]"),
    ],
)  # fmt: skip
def test_a_broken_cahra_export_is_refused_naming_where(text: str, message: str) -> None:
    with pytest.raises(LoadError, match=message.replace("[", r"\[")):
        parse_cahra_export(text, effective=EFFECTIVE, retrieved_at=READ)


def test_a_new_snapshot_keeps_history_closes_delisted_areas_and_opens_new_ones(
    ref: Reference,
) -> None:
    _, fresh = parse_cahra_export(_cahra_text(), effective=EFFECTIVE, retrieved_at=READ)
    current = list(ref.context.cahra)
    merged = {row.id: row for row in merge_cahra(current, fresh, EFFECTIVE)}
    # Still listed: the same row, its start kept, the category refreshed.
    assert merged["CAHRA-ZW"].valid_from == dt.date(2020, 12, 17)
    assert merged["CAHRA-ZW"].valid_to is None
    assert merged["CAHRA-CF-HK"].category == "conflict_affected"
    assert merged["CAHRA-CF-HK"].list_version == "Report: test fixture"
    # No longer listed: closed on the effective date, not deleted.
    assert merged["CAHRA-VE"].valid_to == EFFECTIVE
    # Newly listed: open from the effective date.
    assert merged["CAHRA-CA"].valid_from == EFFECTIVE
    assert merged["CAHRA-CF-UK"].admin1 == "Ouaka"
    diff = diff_layer(current, list(merged.values()))
    assert [row.model_dump()["id"] for row in diff.added] == ["CAHRA-CA", "CAHRA-CF-UK"]
    assert not diff.removed
    lines = diff.lines()
    assert "+ CAHRA-CA CA 2026-06-27 to open" in lines
    assert any(line.startswith("~ CAHRA-VE: valid_to: None -> 2026-06-27") for line in lines)
    assert lines[-1].startswith("2 added, 0 removed, ")
    assert {"CA", "VE", "CF"} <= diff.countries()


def test_a_relisted_area_gets_a_new_row() -> None:
    _, first = parse_cahra_export(_cahra_text(), effective=EFFECTIVE, retrieved_at=READ)
    closed = merge_cahra(first, [], dt.date(2026, 9, 30))
    assert all(row.valid_to == dt.date(2026, 9, 30) for row in closed)
    again = merge_cahra(closed, first, dt.date(2026, 12, 31))
    reopened = [row for row in again if row.valid_to is None]
    assert {row.id for row in reopened} == {f"{row.id}-20261231" for row in first}


def test_the_ucdp_file_keeps_precise_events_in_diamond_areas_only(ref: Reference) -> None:
    text = (FIXTURES / "ucdp_ged_small.csv").read_text(encoding="utf-8")
    events = parse_ucdp_ged(
        text, dataset_version="26.1", areas=diamond_areas(ref), retrieved_at=READ
    )
    # 900003 is placed at country level (precision 6); 900004 is in Nord-Kivu, where the registry
    # has no diamond site or incident; 900005 is in Mali, not a diamond producer in the table.
    assert [e.id for e in events] == ["UCDP-26.1-900001", "UCDP-26.1-900002"]
    first = events[0]
    assert (first.country, first.admin1, first.admin2) == ("CD", "Kasai", "Tshikapa")
    assert (first.date_start, first.deaths_best, first.violence_type) == (
        dt.date(2017, 4, 12),
        7,
        "state_based",
    )
    assert first.source_ids == ["S443"]


def test_a_broken_ucdp_file_is_refused_naming_the_line() -> None:
    with pytest.raises(LoadError, match="missing columns"):
        parse_ucdp_ged("a,b\n1,2\n", dataset_version="26.1", areas=set(), retrieved_at=READ)
    text = (FIXTURES / "ucdp_ged_small.csv").read_text(encoding="utf-8")
    broken = text.replace("2017-04-12 00:00:00.000,2017-04-12", "someday,2017-04-12", 1)
    with pytest.raises(LoadError, match="line 2"):
        parse_ucdp_ged(broken, dataset_version="26.1", areas={("CD", "kasai")}, retrieved_at=READ)


def test_diamond_areas_come_from_the_registry(ref: Reference) -> None:
    areas = diamond_areas(ref)
    assert {("CD", "kasai"), ("CD", "tshikapa"), ("BR", "rondonia")} <= areas
    assert not any(c == "CD" and a.startswith("nord") for c, a in areas)
    json.dumps(sorted(areas))  # plain data
