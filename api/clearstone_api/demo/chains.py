"""Custody chains to build scenarios from: :func:`rough_to_retail`, a typical chain (mine, export,
import, trader, re-export, cutter, grading, sale to a retailer), chains from the places the
scenarios are about, and edits that each break one rule.

Chains are plain dicts in the shape of ``ProvenanceRecord``, so a scenario can edit them freely
before the engine sees them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

__all__ = [
    "SOW_2003",
    "SOW_2021",
    "Record",
    "before_kp",
    "botswana",
    "car",
    "declared_origin",
    "drop_certificate",
    "edit",
    "heavier_than_rough",
    "kp_certificate",
    "made_lab_grown",
    "marange",
    "mixed_origin",
    "out_of_order",
    "rough_to_retail",
    "russia",
    "transit_opened",
    "unlinked",
]

SOW_2003 = (
    "The diamonds herein invoiced have been purchased from legitimate sources not involved in "
    "funding conflict and in compliance with United Nations resolutions. The seller hereby "
    "guarantees that these diamonds are conflict free, based on personal knowledge and/or written "
    "guarantees provided by the supplier of these diamonds."
)
SOW_2021 = (
    "The diamonds herein invoiced have been purchased from legitimate sources not involved in "
    "funding conflict, in compliance with the United Nations Resolutions and corresponding "
    "national laws. The seller hereby guarantees that these diamonds are conflict free and "
    "confirms adherence to the WDC SoW Guidelines."
)

Record = dict[str, Any]


def _day(value: dt.date, days: int) -> str:
    return (value + dt.timedelta(days=days)).isoformat()


def rough_to_retail(
    *,
    subject: str,
    country: str,
    admin1: str | None,
    admin2: str | None,
    site_name: str,
    site_registry_id: str | None,
    mined: dt.date,
    exported: dt.date | None = None,
    participant: str | None = None,
    hub: str = "BE",
    hub_participant: str = "EU",
    supervised_export: bool = False,
    operator: str = "Mining company",
    sow: str | None = None,
    grading_number: str = "2141438167",
    scale: str = "industrial",
) -> Record:
    """Mine in ``country`` → export to ``hub`` → trader sale → re-export to India → cutting →
    grading → sale to a US retailer. Ten events, two KP certificates, two warranty invoices."""
    exported = exported or mined + dt.timedelta(days=30)
    participant = participant or country
    wording = sow or (SOW_2021 if exported >= dt.date(2021, 9, 21) else SOW_2003)
    year = exported.year
    reexport = exported + dt.timedelta(days=40)
    hub_prefix = "EC" if hub_participant == "EU" and year < 2010 else hub_participant
    return {
        "schema_version": "1",
        "subject_id": subject,
        "stones": [
            {
                "id": subject,
                "origin": "natural",
                "carat": "1.02",
                "grading_report": {"lab": "GIA", "number": grading_number, "carat": "1.02"},
                "parent_lot_ids": ["L1"],
            }
        ],
        "lots": [{"id": "L1", "carat": "10.50", "parcel_count": 1, "hs_code": "7102.31"}],
        "parties": [
            {"id": "miner", "name": operator, "country": country,
             "type": "lsm_miner" if scale == "industrial" else "asm_miner"},
            {"id": "trader", "name": "Antwerp rough trader", "type": "rough_trader",
             "country": hub},
            {"id": "cutter", "name": "Surat manufacturer", "type": "manufacturer", "country": "IN"},
            {"id": "retailer", "name": "US jeweller", "type": "retailer", "country": "US"},
        ],
        "sites": [
            {
                "id": "site",
                "name": site_name,
                "country": country,
                "admin1": admin1,
                "admin2": admin2,
                "registry_id": site_registry_id,
                "scale": scale,
                "operator_party_id": "miner",
            }
        ],
        "events": [
            {"id": "e1", "type": "extraction", "date": mined.isoformat(), "items": ["L1"],
             "place": {"country": country, "admin1": admin1, "admin2": admin2, "site_id": "site"},
             "to_party_id": "miner"},
            {"id": "e2", "type": "export", "date": exported.isoformat(), "items": ["L1"],
             "place": {"country": country}, "from_party_id": "miner", "to_party_id": "trader",
             "destination_country": hub, "document_ids": ["kpc1"]},
            {"id": "e3", "type": "import", "date": _day(exported, 3), "items": ["L1"],
             "place": {"country": hub}, "to_party_id": "trader", "document_ids": ["kpc1"]},
            {"id": "e4", "type": "sale", "date": _day(exported, 20), "items": ["L1"],
             "place": {"country": hub}, "from_party_id": "trader", "to_party_id": "cutter",
             "document_ids": ["inv1"]},
            {"id": "e5", "type": "export", "date": reexport.isoformat(), "items": ["L1"],
             "place": {"country": hub}, "from_party_id": "cutter", "destination_country": "IN",
             "document_ids": ["kpc2"]},
            {"id": "e6", "type": "import", "date": _day(reexport, 4), "items": ["L1"],
             "place": {"country": "IN"}, "to_party_id": "cutter", "document_ids": ["kpc2"]},
            {"id": "e7", "type": "cutting", "date": _day(reexport, 30), "items": ["L1", subject],
             "place": {"country": "IN", "admin1": "Gujarat"}, "from_party_id": "cutter",
             "carat_in": "10.50", "carat_out": "1.02"},
            {"id": "e8", "type": "polishing", "date": _day(reexport, 45), "items": [subject],
             "place": {"country": "IN", "admin1": "Gujarat"}, "from_party_id": "cutter"},
            {"id": "e9", "type": "grading", "date": _day(reexport, 70), "items": [subject],
             "place": {"country": "US"}},
            {"id": "e10", "type": "sale", "date": _day(reexport, 90), "items": [subject],
             "place": {"country": "US"}, "from_party_id": "cutter", "to_party_id": "retailer",
             "document_ids": ["inv2"]},
        ],
        "documents": [
            kp_certificate("kpc1", f"{participant}-{year}-004711", participant, country,
                           exported, operator, country, "Antwerp rough trader", hub,
                           supervised_export),
            {"type": "invoice", "id": "inv1", "number": f"INV-{year}-0815",
             "date": _day(exported, 20), "seller_party_id": "trader",
             "buyer_party_id": "cutter", "lot_ids": ["L1"], "sow_statement": wording},
            kp_certificate("kpc2", f"{hub_prefix}-{year}-118822", hub_participant, country,
                           reexport, "Surat manufacturer (Antwerp office)", hub,
                           "Surat manufacturer", "IN", False),
            {"type": "invoice", "id": "inv2", "number": f"SUR-{year}-2207",
             "date": _day(reexport, 90), "seller_party_id": "cutter",
             "buyer_party_id": "retailer", "lot_ids": [subject], "sow_statement": wording},
        ],
    }  # fmt: skip


def kp_certificate(
    doc_id: str,
    number: str,
    participant: str,
    origin: str,
    issued: dt.date,
    exporter: str,
    exporter_country: str,
    importer: str,
    importer_country: str,
    supervised: bool,
) -> Record:
    return {
        "type": "kp_certificate",
        "id": doc_id,
        "number": number,
        "issuing_participant": participant,
        "issuing_authority": f"{participant} Kimberley Process authority",
        "country_of_origin": origin,
        "date_of_issue": _day(issued, -2),
        "date_of_expiry": _day(issued, 50),
        "exporter": {"name": exporter, "country": exporter_country},
        "importer": {"name": importer, "country": importer_country},
        "carat_weight": "10.50",
        "value_usd": "18900.00",
        "parcel_count": 1,
        "hs_codes": ["7102.31"],
        "validated_by_exporting_authority": True,
        "statement_present": True,
        "english_translation": True,
        "container_seal_id": f"SEAL-{number}",
        "import_confirmation": {"importing_authority": f"{importer_country} customs",
                                "date_received": _day(issued, 3), "confirmed": True},
        "supervised_export": supervised,
        "lot_ids": ["L1"],
    }  # fmt: skip


def botswana(subject: str = "DEMO-BW-2023", **changes: Any) -> Record:
    args: dict[str, Any] = {
        "subject": subject, "country": "BW", "admin1": "Southern", "admin2": "Jwaneng",
        "site_name": "Jwaneng mine", "site_registry_id": "BW-JWANENG",
        "mined": dt.date(2023, 3, 14), "operator": "Debswana Diamond Company",
    }  # fmt: skip
    args.update(changes)
    return rough_to_retail(**args)


def russia(subject: str, mined: dt.date, **changes: Any) -> Record:
    """Russian rough from the Mir pipe, through Dubai unless ``hub`` says otherwise."""
    args: dict[str, Any] = {
        "subject": subject, "country": "RU", "admin1": "Sakha", "admin2": "Mirny",
        "site_name": "Mir pipe", "site_registry_id": None, "mined": mined, "hub": "AE",
        "hub_participant": "AE",
    }  # fmt: skip
    args.update(changes)
    return rough_to_retail(**args)


def car(subject: str, admin1: str, admin2: str, mined: dt.date, **changes: Any) -> Record:
    args: dict[str, Any] = {
        "subject": subject, "country": "CF", "admin1": admin1, "admin2": admin2,
        "site_name": f"{admin2} alluvial workings", "site_registry_id": None, "mined": mined,
        "operator": "Artisanal cooperative", "scale": "asm", "supervised_export": True,
    }  # fmt: skip
    args.update(changes)
    return rough_to_retail(**args)


def marange(subject: str, mined: dt.date, **changes: Any) -> Record:
    args: dict[str, Any] = {
        "subject": subject, "country": "ZW", "admin1": "Manicaland", "admin2": "Marange",
        "site_name": "Chiadzwa diamond fields", "site_registry_id": "ZW-MARANGE", "mined": mined,
        "exported": mined + dt.timedelta(days=35), "hub": "AE", "hub_participant": "AE",
        "operator": "Marange concession holder",
    }  # fmt: skip
    args.update(changes)
    return rough_to_retail(**args)


def edit(record: Record, change: Callable[[Record], None]) -> Record:
    change(record)
    return record


def unlinked(record: Record) -> None:
    record["stones"][0]["parent_lot_ids"] = []
    record["lots"] = []
    record["events"] = [e for e in record["events"] if e["id"] in {"e9", "e10"}]
    record["documents"] = [d for d in record["documents"] if d["id"] == "inv2"]
    record["parties"] = [p for p in record["parties"] if p["id"] in {"cutter", "retailer"}]
    record["sites"] = []


def made_lab_grown(record: Record) -> None:
    unlinked(record)
    record["stones"][0]["origin"] = "lab_grown"
    record["stones"][0]["grading_report"]["lab"] = "IGI"


def drop_certificate(record: Record) -> None:
    record["events"][1]["document_ids"] = []


def heavier_than_rough(record: Record) -> None:
    record["stones"][0]["carat"] = "12.40"


def out_of_order(record: Record) -> None:
    record["events"][2]["date"] = "2023-01-02"


def mixed_origin(record: Record) -> None:
    record["lots"][0]["mixed_origin"] = True
    record["events"][0]["place"] = {"country": record["events"][0]["place"]["country"]}
    for doc in record["documents"]:
        if doc["type"] == "kp_certificate":
            doc["country_of_origin"] = "MIXED"


def transit_opened(record: Record) -> None:
    """The first export passes through South Africa, opened there; the parcel still lists its
    Botswana certificate, as a record author naturally writes it."""
    record["events"].insert(2, {
        "id": "t1", "type": "transit", "date": _day(dt.date.fromisoformat(
            record["events"][1]["date"]), 1), "items": ["L1"], "place": {"country": "ZA"},
        "destination_country": record["events"][1]["destination_country"],
        "document_ids": ["kpc1"], "seals_intact": False,
    })  # fmt: skip


def before_kp(issuing_country: str | None) -> Callable[[Record], None]:
    """No KP certificate existed before 2003: the chain carries none; the first export carries
    the government's certificate of origin when ``issuing_country`` is given."""

    def change(record: Record) -> None:
        record["documents"] = [d for d in record["documents"] if d["type"] == "invoice"]
        for event in record["events"]:
            event["document_ids"] = [
                d for d in event.get("document_ids", []) if d.startswith("inv")
            ]
        if issuing_country:
            exported = record["events"][1]
            record["documents"].append({
                "type": "certificate_of_origin", "id": "coo1",
                "number": f"{issuing_country}-COO-{exported['date'][:4]}-0042",
                "issuing_country": issuing_country,
                "issuing_authority": "Government Gold and Diamond Office",
                "country_of_origin": issuing_country, "date_of_issue": exported["date"],
                "lot_ids": ["L1"],
            })  # fmt: skip
            exported["document_ids"] = ["coo1"]

    return change


def declared_origin(country: str) -> Callable[[Record], None]:
    def change(record: Record) -> None:
        record["documents"][0]["country_of_origin"] = country

    return change
