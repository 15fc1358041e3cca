"""The importer's evidence pack: what each jurisdiction's rules in force ask for on the import
date, prefilled from the chain where it can be, prohibited where a ban applies, missing where
the chain is silent."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from clearstone_api.demo.chains import rough_to_retail
from clearstone_api.domain.record_validation import parse_record
from clearstone_api.domain.reference import Reference
from clearstone_api.domain.sanctions.evidence import (
    NOTICE,
    EvidenceItem,
    EvidencePack,
    evidence_pack,
)

Record = dict[str, Any]
D = dt.date


MINED = D(2025, 4, 1)


def _chain(country: str = "BW", mined: D = MINED, carat: str = "1.02") -> Record:
    record = rough_to_retail(
        subject="S1",
        country=country,
        admin1=None,
        admin2=None,
        site_name="Mine",
        site_registry_id=None,
        mined=mined,
        hub="AE",
        hub_participant="AE",
    )
    record["stones"][0]["carat"] = carat
    record["stones"][0]["grading_report"]["carat"] = carat
    return record


def _pack(record: Record, reference: Reference, jurisdiction: str, on: D) -> EvidencePack:
    return evidence_pack(parse_record(record), reference, jurisdiction, on)


def _items(pack: EvidencePack) -> dict[str, EvidenceItem]:
    return {item.code: item for item in pack.items}


def test_a_botswana_stone_into_the_eu_asks_for_a_due_diligence_statement_prefilled(
    reference: Reference,
) -> None:
    pack = _pack(_chain(), reference, "EU", D(2026, 11, 1))

    assert (pack.subject_id, pack.jurisdiction, pack.date_basis) == ("S1", "EU", "as_of")
    assert (pack.threshold_carat, pack.above_threshold) == ("0.50", True)
    assert [(m.country, m.bases) for m in pack.mining_countries] == [
        ("BW", ["extraction", "kp_certificate"])
    ]
    dds = _items(pack)["due_diligence_statement"]
    assert dds.status == "importer_to_complete"
    assert dds.title == "Due Diligence Statement on Diamond Origin"
    assert dds.values == ["BW: extraction, kp_certificate"]
    assert dds.rule_ids == ["EU-REQ-DDS-2026"]
    assert pack.missing == [] and pack.dates == []
    assert all(c.names_every_mining_country for c in pack.kp_certificates)
    assert pack.notice == NOTICE and "not a declaration" in pack.notice


def test_before_the_dds_the_eu_asks_for_g7_or_documentary_evidence_from_the_chain(
    reference: Reference,
) -> None:
    pack = _pack(_chain(), reference, "EU", D(2024, 6, 1))

    assert pack.threshold_carat == "1.00"
    item = _items(pack)["g7_or_documentary_evidence"]
    assert item.status == "importer_to_complete"
    # The chain's KP certificates, then its invoices: documentary evidence, not a G7 certificate.
    assert item.values[:2] == ["BW-2025-004711", "AE-2025-118822"]
    assert any(v.startswith("INV-") for v in item.values)
    assert pack.g7_certificates == []


def test_a_g7_certificate_in_the_record_prefills_the_g7_requirement(reference: Reference) -> None:
    record = _chain()
    record["documents"].append(
        {
            "type": "attestation",
            "id": "g7",
            "scheme": "g7_certificate",
            "level": "shipment",
            "subject_id": "L1",
            "issuer": "Antwerp World Diamond Centre",
            "evidence_level": "issuer_confirmed",
            "valid_from": "2025-05-02",
        }
    )
    pack = _pack(record, reference, "EU", D(2024, 6, 1))

    assert pack.g7_certificates == ["g7: Antwerp World Diamond Centre"]
    item = _items(pack)["g7_or_documentary_evidence"]
    assert (item.status, item.values) == ("prefilled", ["g7: Antwerp World Diamond Centre"])


def test_the_us_asks_for_self_certification_ace_upload_and_country_lines(
    reference: Reference,
) -> None:
    pack = _pack(_chain(), reference, "US", D(2025, 6, 1))

    items = _items(pack)
    assert items["self_certification"].status == "importer_to_complete"
    assert items["ace_cbp167_upload"].title == "Self-certification uploaded to ACE (CBP167)"
    lines = items["country_of_mining_lines"]
    assert (lines.status, lines.values) == ("prefilled", ["BW: extraction, kp_certificate"])


def test_a_stone_below_every_weight_band_needs_only_what_applies_at_every_weight(
    reference: Reference,
) -> None:
    for jurisdiction in ("EU", "UK"):
        pack = _pack(_chain(carat="0.30"), reference, jurisdiction, D(2026, 11, 1))
        assert pack.above_threshold is False, jurisdiction
        assert pack.items == [] and pack.missing == [], jurisdiction
    # The US asks for the country of mining at any weight since 2025.
    pack = _pack(_chain(carat="0.30"), reference, "US", D(2026, 11, 1))
    assert pack.above_threshold is False
    assert [(i.code, i.rule_ids) for i in pack.items] == [
        ("country_of_mining_lines", ["US-REQ-MINING-2025"])
    ]


def test_a_russian_stone_is_prohibited_and_nothing_can_be_signed_for_it(
    reference: Reference,
) -> None:
    pack = _pack(_chain(country="RU", mined=D(2024, 4, 1)), reference, "EU", D(2026, 11, 1))

    items = _items(pack)
    assert items["prohibition"].status == "prohibited"
    assert items["prohibition"].rule_ids == ["EU-RU-PROC-1CT"]
    dds = items["due_diligence_statement"]
    assert dds.status == "prohibited" and "cannot truthfully be signed" in dds.detail
    [check] = pack.dates
    assert (check.rule_id, check.what, check.before_cut_off) == (
        "EU-RU-PROC-1CT",
        "processing",
        False,
    )
    assert check.date is not None and check.date >= check.cut_off


@pytest.mark.parametrize(
    ("jurisdiction", "rule", "by"),
    [("EU", "EU-RU-PROC-1CT", "processing"), ("UK", "UK-RU-PROC-1CT", "export")],
)
def test_a_russian_stone_processed_before_the_cut_off_is_grandfathered_with_its_date(
    jurisdiction: str, rule: str, by: str, reference: Reference
) -> None:
    pack = _pack(_chain(country="RU", mined=D(2019, 4, 1)), reference, jurisdiction, D(2026, 11, 1))

    items = _items(pack)
    assert "prohibition" not in items
    proof = items["grandfathering_proof"]
    [check] = pack.dates
    assert (check.rule_id, check.what, check.before_cut_off) == (rule, by, True)
    assert proof.status == "prefilled" and proof.values == [str(check.date)]


def test_a_certificate_that_says_mixed_does_not_name_the_mining_country(
    reference: Reference,
) -> None:
    record = _chain()
    for document in record["documents"]:
        if document["type"] == "kp_certificate" and document["issuing_participant"] == "AE":
            document["country_of_origin"] = "MIXED"
    pack = _pack(record, reference, "UK", D(2026, 11, 1))

    by_number = {c.number: c for c in pack.kp_certificates}
    assert by_number["BW-2025-004711"].names_every_mining_country is True
    mixed = by_number["AE-2025-118822"]
    assert (mixed.names_every_mining_country, mixed.missing_countries) == (False, ["BW"])


def test_a_chain_that_does_not_reach_the_mine_leaves_the_uk_evidence_missing(
    reference: Reference,
) -> None:
    record = _chain()
    record["events"] = [e for e in record["events"] if e["type"] != "extraction"]
    pack = _pack(record, reference, "UK", D(2026, 11, 1))

    item = _items(pack)["supply_chain_evidence"]
    assert item.status == "missing" and item.detail == "The chain does not reach the mine."
    assert item in pack.missing
