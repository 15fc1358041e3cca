"""The official-list loader on small files shaped like the OFAC, EU and UK exports."""

from __future__ import annotations

import csv
import datetime as dt
import io
from importlib import resources
from pathlib import Path

import pytest

from clearstone_api.cli import main as api_main
from clearstone_api.domain.reference import Reference, load_reference
from clearstone_api.services.party_screen import screened
from clearstone_api.services.sanction_lists import (
    read_eu_xml,
    read_ofac_csv,
    read_ofac_xml,
    read_uk_csv,
    refresh,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "sanction_lists"


def test_ofac_xml_gives_names_aliases_and_former_names() -> None:
    entries = {e.list_ref: e for e in read_ofac_xml((FIXTURES / "sdn.xml").read_bytes())}
    alrosa = entries["90001"]
    assert (alrosa.name, alrosa.kind, alrosa.jurisdiction) == (
        "PUBLIC JOINT STOCK COMPANY ALROSA",
        "entity",
        "US",
    )
    assert alrosa.aliases == ["PJSC ALROSA", "АК АЛРОСА (ПАО)"]  # noqa: RUF001
    assert alrosa.former_names == ["AK ALROSA (OAO)"]
    assert alrosa.listed_on is None, "the SDN file states no designation date"
    assert entries["90020"].name == "Sergei Sergeevich IVANOV"
    assert entries["90020"].kind == "person"


def test_ofac_csv_reads_the_aliases_file_and_nulls() -> None:
    sdn = (FIXTURES / "sdn.csv").read_text("utf-8")
    alt = (FIXTURES / "alt.csv").read_text("utf-8")
    entries = {e.list_ref: e for e in read_ofac_csv(sdn, alt)}
    assert entries["90001"].aliases == ["PJSC ALROSA"]
    assert entries["90001"].former_names == ["AK ALROSA (OAO)"]
    assert entries["90001"].programs == ["RUSSIA-EO14024"]
    assert entries["90030"].aliases == ["GK TRADING"]


def test_eu_xml_gives_the_listing_date_and_cyrillic_names() -> None:
    entries = {e.list_ref: e for e in read_eu_xml((FIXTURES / "eu.xml").read_bytes())}
    alrosa = entries["700001"]
    assert alrosa.listed_on == dt.date(2024, 1, 3)
    assert "ПАО «АЛРОСА»" in alrosa.aliases
    assert entries["700002"].kind == "person"


def test_uk_csv_groups_rows_by_group_id() -> None:
    entries = {e.list_ref: e for e in read_uk_csv((FIXTURES / "uk.csv").read_text("utf-8"))}
    alrosa = entries["15001"]
    assert alrosa.name == "PUBLIC JOINT STOCK COMPANY ALROSA"
    assert set(alrosa.aliases) == {"АЛРОСА", "PJSC ALROSA"}
    assert alrosa.former_names == ["AK ALROSA (OAO)"]
    assert alrosa.listed_on == dt.date(2022, 3, 24)


def test_a_file_with_a_dtd_is_refused() -> None:
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><sdnList/>'
    with pytest.raises(ValueError, match="DTD"):
        read_ofac_xml(bomb)


def test_refresh_folds_names_into_the_matching_rows_and_adds_matched_entries(
    reference: Reference,
) -> None:
    entries = read_ofac_xml((FIXTURES / "sdn.xml").read_bytes())
    rows = refresh(
        reference.sanctioned_parties,
        entries,
        source_id="S24j",
        retrieved_at=dt.date(2026, 12, 5),
        match_terms=["Northwind Shipping"],
    )
    by_id = {row.id: row for row in rows}
    alrosa = by_id["US-SDN-ALROSA"]
    assert alrosa.list_ref == "90001"
    assert "АК АЛРОСА (ПАО)" in alrosa.aliases  # noqa: RUF001
    assert alrosa.valid_from == dt.date(2022, 4, 7), "no date in the file: the row keeps its own"
    assert by_id["UK-ALROSA"].list_ref is None, "another jurisdiction's row is not touched"
    assert by_id["US-ALROSA-NYURBA"].list_ref is None, "owned rows are not list entries"
    added = by_id["US-90010"]
    assert (added.name, added.verification.value) == ("NORTHWIND SHIPPING LLC", "unverified")
    assert len(rows) == len(reference.sanctioned_parties) + 1


def test_the_command_writes_a_file_the_reference_loader_accepts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "sanctioned_parties.csv"
    api_main(
        [
            "sanctions-lists",
            "eu-xml",
            str(FIXTURES / "eu.xml"),
            "--source-id",
            "S24m",
            "--retrieved-at",
            "2026-12-05",
            "--out",
            str(out),
        ]
    )
    assert "wrote" in capsys.readouterr().out
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(out.read_text("utf-8")))}
    assert rows["EU-ALROSA"]["list_ref"] == "700001"
    assert rows["EU-IVANOV-SS"]["list_ref"] == "700002"
    # Swap the refreshed file into a copy of the reference data: it loads, and screens.
    folder = tmp_path / "reference"
    shipped = Path(str(resources.files("clearstone_api") / "reference"))
    folder.mkdir()
    for item in shipped.iterdir():
        if item.is_file():
            (folder / item.name).write_bytes(item.read_bytes())
    (folder / "sanctioned_parties.csv").write_bytes(out.read_bytes())
    refreshed = screened(load_reference(folder))
    assert refreshed.name_screen is not None
    assert refreshed.name_screen.screen("Акционерная компания АЛРОСА")
