"""Realistic synthetic custody chains: the demo data and the published test vectors.

:func:`rough_to_retail` builds a typical chain (mine, export, import, trader, re-export, cutter,
grading, sale to a retailer); each scenario varies it to exercise one rule. ``vectors.json``
beside this module is written from :data:`SCENARIOS` by ``python -m clearstone_api.demo.scenarios``
and a test keeps the two in step; the tests, the demo loader and ``docs/methodology.md`` all read
that file.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clearstone_api.demo.registry_scenarios import REGISTRY_CASES, RegistryCase
from clearstone_api.demo.sanctions_chains import (
    carat,
    declares_russia,
    direct_rough,
    jewellery,
    lab_grown,
    listed_trader,
)

__all__ = [
    "SCENARIOS",
    "VECTORS_PATH",
    "Scenario",
    "demo_report_number",
    "load_vectors",
    "rough_to_retail",
]

VECTORS_PATH = Path(__file__).with_name("vectors.json")
AS_OF = dt.date(2026, 11, 1)

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
            _certificate("kpc1", f"{participant}-{year}-004711", participant, country, exported,
                         operator, country, "Antwerp rough trader", hub, supervised_export),
            {"type": "invoice", "id": "inv1", "number": f"INV-{year}-0815",
             "date": _day(exported, 20), "seller_party_id": "trader",
             "buyer_party_id": "cutter", "lot_ids": ["L1"], "sow_statement": wording},
            _certificate("kpc2", f"{hub_prefix}-{year}-118822", hub_participant, country, reexport,
                         "Surat manufacturer (Antwerp office)", hub, "Surat manufacturer", "IN",
                         False),
            {"type": "invoice", "id": "inv2", "number": f"SUR-{year}-2207",
             "date": _day(reexport, 90), "seller_party_id": "cutter",
             "buyer_party_id": "retailer", "lot_ids": [subject], "sow_statement": wording},
        ],
    }  # fmt: skip


def _certificate(
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


def _botswana(subject: str = "DEMO-BW-2023", **changes: Any) -> Record:
    args: dict[str, Any] = {
        "subject": subject, "country": "BW", "admin1": "Southern", "admin2": "Jwaneng",
        "site_name": "Jwaneng mine", "site_registry_id": "BW-JWANENG",
        "mined": dt.date(2023, 3, 14), "operator": "Debswana Diamond Company",
    }  # fmt: skip
    args.update(changes)
    return rough_to_retail(**args)


def _russia(subject: str, mined: dt.date, **changes: Any) -> Record:
    """Russian rough from the Mir pipe, through Dubai unless ``hub`` says otherwise."""
    args: dict[str, Any] = {
        "subject": subject, "country": "RU", "admin1": "Sakha", "admin2": "Mirny",
        "site_name": "Mir pipe", "site_registry_id": None, "mined": mined, "hub": "AE",
        "hub_participant": "AE",
    }  # fmt: skip
    args.update(changes)
    return rough_to_retail(**args)


def _car(subject: str, admin1: str, admin2: str, mined: dt.date, **changes: Any) -> Record:
    args: dict[str, Any] = {
        "subject": subject, "country": "CF", "admin1": admin1, "admin2": admin2,
        "site_name": f"{admin2} alluvial workings", "site_registry_id": None, "mined": mined,
        "operator": "Artisanal cooperative", "scale": "asm", "supervised_export": True,
    }  # fmt: skip
    args.update(changes)
    return rough_to_retail(**args)


def _marange(subject: str, mined: dt.date, **changes: Any) -> Record:
    args: dict[str, Any] = {
        "subject": subject, "country": "ZW", "admin1": "Manicaland", "admin2": "Marange",
        "site_name": "Chiadzwa diamond fields", "site_registry_id": "ZW-MARANGE", "mined": mined,
        "exported": mined + dt.timedelta(days=35), "hub": "AE", "hub_participant": "AE",
        "operator": "Marange concession holder",
    }  # fmt: skip
    args.update(changes)
    return rough_to_retail(**args)


def _edit(record: Record, change: Callable[[Record], None]) -> Record:
    change(record)
    return record


def _unlinked(record: Record) -> None:
    record["stones"][0]["parent_lot_ids"] = []
    record["lots"] = []
    record["events"] = [e for e in record["events"] if e["id"] in {"e9", "e10"}]
    record["documents"] = [d for d in record["documents"] if d["id"] == "inv2"]
    record["parties"] = [p for p in record["parties"] if p["id"] in {"cutter", "retailer"}]
    record["sites"] = []


def _lab_grown(record: Record) -> None:
    _unlinked(record)
    record["stones"][0]["origin"] = "lab_grown"
    record["stones"][0]["grading_report"]["lab"] = "IGI"


def _drop_certificate(record: Record) -> None:
    record["events"][1]["document_ids"] = []


def _heavier_than_rough(record: Record) -> None:
    record["stones"][0]["carat"] = "12.40"


def _out_of_order(record: Record) -> None:
    record["events"][2]["date"] = "2023-01-02"


def _mixed_origin(record: Record) -> None:
    record["lots"][0]["mixed_origin"] = True
    record["events"][0]["place"] = {"country": record["events"][0]["place"]["country"]}
    for doc in record["documents"]:
        if doc["type"] == "kp_certificate":
            doc["country_of_origin"] = "MIXED"


def _transit_opened(record: Record) -> None:
    """The first export passes through South Africa, opened there; the parcel still lists its
    Botswana certificate, as a record author naturally writes it."""
    record["events"].insert(2, {
        "id": "t1", "type": "transit", "date": _day(dt.date.fromisoformat(
            record["events"][1]["date"]), 1), "items": ["L1"], "place": {"country": "ZA"},
        "destination_country": record["events"][1]["destination_country"],
        "document_ids": ["kpc1"], "seals_intact": False,
    })  # fmt: skip


def _before_kp(issuing_country: str | None) -> Callable[[Record], None]:
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


def _declared_origin(country: str) -> Callable[[Record], None]:
    def change(record: Record) -> None:
        record["documents"][0]["country_of_origin"] = country

    return change


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    certificate: str
    build: Callable[[], Record]
    expected_kp: str
    expected_csc: str
    as_of: dt.date = AS_OF
    expected_sanctions: str = "clear"
    expected_jurisdictions: tuple[str, str, str] | None = None
    """The sanctions result for the EU, the US and the UK, where the scenario is about them."""
    demo: bool = False
    tags: list[str] = field(default_factory=list)


SCENARIOS: list[Scenario] = [
    Scenario("botswana-2023", "Botswana industrial mine, 2023, KP certificates and revised "
             "warranties on every invoice", "DEMO-BW-2023", _botswana, "pass",
             "no_known_red_flags", demo=True),
    Scenario("marange-2008", "Marange (Zimbabwe, Manicaland), mined November 2008 under "
             "Operation Hakudzokwi; Zimbabwean KP certificate", "DEMO-ZW-MARANGE-2008",
             lambda: _marange("DEMO-ZW-MARANGE-2008", dt.date(2008, 11, 10)), "pass", "red_flag",
             demo=True),
    Scenario("car-berberati-2019", "Central African Republic, Berbérati sub-prefecture (a KP "
             "compliant zone since 2016), exported 2019", "DEMO-CF-BERBERATI-2019",
             lambda: _car("DEMO-CF-BERBERATI-2019", "Mambéré-Kadéï", "Berbérati",
                          dt.date(2019, 4, 2)), "pass", "elevated_risk", demo=True),
    Scenario("car-bria-2019", "Central African Republic, Bria sub-prefecture, outside the "
             "compliant zones, exported 2019", "DEMO-CF-BRIA-2019",
             lambda: _car("DEMO-CF-BRIA-2019", "Haute-Kotto", "Bria", dt.date(2019, 4, 2)),
             "fail", "elevated_risk", demo=True),
    Scenario("car-bria-2025", "The same sub-prefecture, exported 2025 after CAR's full "
             "reinstatement on 15 Nov 2024", "DEMO-CF-BRIA-2025",
             lambda: _car("DEMO-CF-BRIA-2025", "Haute-Kotto", "Bria", dt.date(2025, 3, 3)),
             "pass", "elevated_risk", demo=True),
    Scenario("polished-unlinked", "Polished stone with no link to any rough lot",
             "DEMO-POLISHED-UNLINKED",
             lambda: _edit(_botswana("DEMO-POLISHED-UNLINKED"), _unlinked),
             "insufficient_evidence", "insufficient_provenance", demo=True),
    Scenario("lab-grown", "Laboratory-grown stone", "DEMO-LAB-GROWN",
             lambda: _edit(_botswana("DEMO-LAB-GROWN"), _lab_grown), "not_applicable",
             "not_applicable", demo=True),
    Scenario("car-berberati-2015", "Berbérati goods exported in 2015, before the sub-prefecture "
             "was declared compliant (the KP decision of May 2016)", "VEC-CF-BERBERATI-2015",
             lambda: _car("VEC-CF-BERBERATI-2015", "Mambéré-Kadéï", "Berbérati",
                          dt.date(2015, 9, 1)), "fail", "elevated_risk"),
    Scenario("marange-2010-unsupervised", "Marange goods exported in 2010 outside the "
             "KP-supervised sales", "VEC-ZW-MARANGE-2010",
             lambda: _marange("VEC-ZW-MARANGE-2010", dt.date(2010, 3, 1)), "fail",
             "red_flag"),
    Scenario("marange-2008-as-known-then", "The Marange 2008 chain assessed as of February "
             "2009, before the first documented report (June 2009): the registry did not yet "
             "know", "VEC-ZW-MARANGE-2008-THEN",
             lambda: _edit(_marange("VEC-ZW-MARANGE-2008-THEN", dt.date(2008, 11, 10)),
                           lambda r: r["events"].__delitem__(slice(6, None))),
             "pass", "no_known_red_flags", as_of=dt.date(2009, 2, 1)),
    Scenario("williamson-2018", "Williamson mine (Tanzania), 2018, during the period of the "
             "settled claims", "VEC-TZ-WILLIAMSON-2018",
             lambda: rough_to_retail(subject="VEC-TZ-WILLIAMSON-2018", country="TZ",
                                     admin1="Shinyanga", admin2="Kishapu",
                                     site_name="Williamson mine",
                                     site_registry_id="TZ-WILLIAMSON",
                                     mined=dt.date(2018, 6, 1), operator="Williamson Diamonds"),
             "pass", "red_flag"),
    Scenario("venezuela-2012", "Venezuelan rough exported in 2012, during Venezuela's "
             "self-suspension", "VEC-VE-2012",
             lambda: rough_to_retail(subject="VEC-VE-2012", country="VE", admin1="Bolívar",
                                     admin2=None, site_name="Guaniamo workings",
                                     site_registry_id=None, mined=dt.date(2012, 5, 1),
                                     scale="asm"),
             "fail", "elevated_risk"),
    Scenario("cote-divoire-2010", "Ivorian rough exported in 2010 under the UN Security "
             "Council ban", "VEC-CI-2010",
             lambda: rough_to_retail(subject="VEC-CI-2010", country="CI", admin1="Woroba",
                                     admin2="Séguéla", site_name="Séguéla alluvial fields",
                                     site_registry_id=None, mined=dt.date(2010, 2, 1),
                                     scale="asm"),
             "fail", "elevated_risk"),
    Scenario("russia-2024", "Russian-origin rough traded in 2024, after the EU/G7 measures: "
             "KP pass, sanctions flagged", "VEC-RU-2024",
             lambda: rough_to_retail(subject="VEC-RU-2024", country="RU", admin1="Sakha",
                                     admin2="Mirny", site_name="Mir pipe", site_registry_id=None,
                                     mined=dt.date(2024, 2, 1), hub="AE", hub_participant="AE"),
             "pass", "elevated_risk", expected_sanctions="flagged"),
    Scenario("uk-2019", "Rough exported through London in 2019, when the UK traded inside the "
             "EU participant", "VEC-GB-2019",
             lambda: _botswana("VEC-GB-2019", mined=dt.date(2019, 3, 1), hub="GB"),
             "pass", "no_known_red_flags"),
    Scenario("uk-2022", "Rough exported through London in 2022, the UK a participant of its "
             "own", "VEC-GB-2022",
             lambda: _botswana("VEC-GB-2022", mined=dt.date(2022, 3, 1), hub="GB",
                               hub_participant="GB"),
             "pass", "no_known_red_flags"),
    Scenario("missing-certificate", "Botswana chain whose first export carries no KP "
             "certificate", "VEC-NO-KPC",
             lambda: _edit(_botswana("VEC-NO-KPC"), _drop_certificate), "fail",
             "no_known_red_flags"),
    Scenario("heavier-than-rough", "A polished stone heavier than the rough it was cut from",
             "VEC-HEAVY", lambda: _edit(_botswana("VEC-HEAVY"), _heavier_than_rough), "fail",
             "no_known_red_flags"),
    Scenario("out-of-order", "Custody events out of date order (an import logged before its "
             "export)", "VEC-OUT-OF-ORDER",
             lambda: _edit(_botswana("VEC-OUT-OF-ORDER"), _out_of_order), "fail",
             "no_known_red_flags"),
    Scenario("mixed-origin", "A parcel of mixed origin: provenance known, origin not",
             "VEC-MIXED", lambda: _edit(_botswana("VEC-MIXED"), _mixed_origin), "pass",
             "insufficient_provenance"),
    Scenario("transit-opened", "Botswana rough opened in transit through South Africa; the "
             "parcel lists only its Botswana certificate, and South Africa issued none",
             "VEC-TRANSIT-OPENED", lambda: _edit(_botswana("VEC-TRANSIT-OPENED"),
                                                 _transit_opened), "fail", "no_known_red_flags"),
    Scenario("marange-2010-supervised-sale", "Marange goods sold at the KP-supervised sale of "
             "September 2010 and re-exported from Dubai: the re-export inherits the sale's "
             "result", "VEC-ZW-MARANGE-2010-SALE",
             lambda: _marange("VEC-ZW-MARANGE-2010-SALE", dt.date(2010, 8, 8),
                              supervised_export=True), "pass", "red_flag"),
    Scenario("botswana-1998-estate", "A 1998 Botswana chain, cut and sold before the KP took "
             "effect (estate jewellery): judged by the rules then in force",
             "VEC-BW-1998", lambda: _edit(_botswana("VEC-BW-1998", mined=dt.date(1998, 3, 2)),
                                          _before_kp(None)), "pass", "no_known_red_flags"),
    Scenario("sierra-leone-2001-certificate-of-origin", "Sierra Leone rough exported in 2001 "
             "under the government's certificate of origin (the regime of UNSC resolution "
             "1306)", "VEC-SL-2001",
             lambda: _edit(rough_to_retail(subject="VEC-SL-2001", country="SL",
                                           admin1="Eastern", admin2="Kono",
                                           site_name="Kono alluvial fields",
                                           site_registry_id=None, mined=dt.date(2001, 3, 1),
                                           scale="asm"), _before_kp("SL")),
             "pass", "elevated_risk"),
    Scenario("angola-1999-smuggled", "Angolan rough smuggled out in 1999 with no certificate "
             "of origin: the UN ban is named", "VEC-AO-1999",
             lambda: _edit(rough_to_retail(subject="VEC-AO-1999", country="AO",
                                           admin1="Lunda Norte", admin2="Cuango",
                                           site_name="Cuango alluvial workings",
                                           site_registry_id=None, mined=dt.date(1999, 2, 1),
                                           scale="asm"), _before_kp(None)),
             "fail", "elevated_risk"),
    Scenario("origin-mismatch", "Botswana-mined rough on a certificate declaring South African "
             "origin", "VEC-ORIGIN-MISMATCH",
             lambda: _edit(_botswana("VEC-ORIGIN-MISMATCH"), _declared_origin("ZA")), "fail",
             "no_known_red_flags"),
    Scenario("russia-half-carat-2024", "A 0.70 ct stone of Russian rough mined in September "
             "2024 and cut in India after the 0.5 ct threshold took effect", "VEC-RU-HALF-2024",
             lambda: _edit(_russia("VEC-RU-HALF-2024", dt.date(2024, 9, 15)), carat("0.70")),
             "pass", "elevated_risk", expected_sanctions="flagged",
             expected_jurisdictions=("flagged", "flagged", "flagged")),
    Scenario("russia-half-carat-grandfathered", "A 0.70 ct stone of Russian rough cut in "
             "India before 2024-09-01: grandfathered in the EU and UK, before the US band",
             "VEC-RU-HALF-GRANDFATHERED",
             lambda: _edit(_russia("VEC-RU-HALF-GRANDFATHERED", dt.date(2024, 3, 1)),
                           carat("0.70")),
             "pass", "elevated_risk",
             expected_jurisdictions=("clear", "clear", "clear")),
    Scenario("russia-under-half-carat-2024", "A 0.40 ct stone of Russian rough cut in India "
             "in late 2024: below every third-country threshold", "VEC-RU-UNDER-HALF-2024",
             lambda: _edit(_russia("VEC-RU-UNDER-HALF-2024", dt.date(2024, 9, 15)),
                           carat("0.40")),
             "pass", "elevated_risk", expected_jurisdictions=("clear", "clear", "clear")),
    Scenario("russia-jewellery-2024", "A 1.02 ct stone of Russian rough cut in India and set "
             "in jewellery: outside the EU indirect ban (Reg 2024/1745 carve-out)",
             "VEC-RU-JEWELLERY-2024",
             lambda: _edit(_russia("VEC-RU-JEWELLERY-2024", dt.date(2024, 9, 15)), jewellery),
             "pass", "elevated_risk", expected_sanctions="flagged",
             expected_jurisdictions=("clear", "flagged", "flagged")),
    Scenario("russia-direct-rough-2024", "A parcel of Russian rough exported straight to "
             "Antwerp in 2024: direct bans, at any weight", "VEC-RU-DIRECT-2024",
             lambda: _edit(_russia("VEC-RU-DIRECT-2024", dt.date(2024, 2, 1), hub="BE",
                                   hub_participant="EU"), direct_rough),
             "pass", "elevated_risk", expected_sanctions="flagged",
             expected_jurisdictions=("flagged", "flagged", "flagged")),
    Scenario("russia-us-2023", "A parcel of Russian rough exported straight to New York in "
             "2023, as of mid-2023: only the US order of 2022 was in force",
             "VEC-RU-US-2023",
             lambda: _edit(_russia("VEC-RU-US-2023", dt.date(2023, 1, 10), hub="US",
                                   hub_participant="US"), direct_rough),
             "pass", "elevated_risk", as_of=dt.date(2023, 6, 1),
             expected_sanctions="flagged", expected_jurisdictions=("clear", "flagged", "clear")),
    Scenario("russia-synthetic-2025", "A 0.60 ct laboratory-grown stone produced in Russia "
             "and cut in India in 2025: the UK ban on third-country-processed synthetics",
             "VEC-RU-LAB-2025",
             lambda: _edit(_edit(_russia("VEC-RU-LAB-2025", dt.date(2025, 5, 2)),
                                 carat("0.60")), lab_grown),
             "not_applicable", "not_applicable", expected_sanctions="flagged",
             expected_jurisdictions=("flagged", "flagged", "flagged")),
    Scenario("mixed-declared-russia-2024", "A mixed parcel whose trader invoice declares "
             "Botswana, Russia and South Africa as source countries", "VEC-MIXED-RU-2024",
             lambda: _edit(_botswana("VEC-MIXED-RU-2024", mined=dt.date(2024, 9, 15)),
                           declares_russia),
             "pass", "insufficient_provenance", expected_sanctions="flagged",
             expected_jurisdictions=("flagged", "flagged", "flagged")),
    Scenario("alrosa-trader-2023", "A Botswana chain whose rough trader is PJSC ALROSA, in "
             "2023: listed in the US and UK then, in the EU only from 2024-01-03",
             "VEC-ALROSA-2023",
             lambda: _edit(_botswana("VEC-ALROSA-2023"), listed_trader("PJSC ALROSA")),
             "pass", "no_known_red_flags", expected_sanctions="flagged",
             expected_jurisdictions=("clear", "flagged", "flagged")),
]  # fmt: skip


def _registry_chain(case: RegistryCase) -> Record:
    record = rough_to_retail(subject=case.certificate, **case.chain)
    if case.attestation is not None:
        a = case.attestation
        record["documents"].append(
            {"type": "attestation", "id": "att1", "scheme": a["scheme"], "level": a["level"],
             "subject_id": a["subject"], "issuer": a["issuer"], "evidence_level": "documented",
             "valid_from": a["valid_from"], "valid_to": a["valid_to"]}
        )  # fmt: skip
    return record


SCENARIOS += [
    Scenario(
        case.name,
        case.description,
        case.certificate,
        functools.partial(_registry_chain, case),
        case.expected_kp,
        case.expected_csc,
        tags=["registry", *case.tags],
    )
    for case in REGISTRY_CASES
]
"""The registry's vectors (:mod:`clearstone_api.demo.registry_scenarios`)."""


def demo_report_number(name: str) -> str:
    """A fictitious, distinct grading-report number for the vector ``name``: ten digits with
    three leading zeros (the README lists the demo stones' numbers as fictitious), drawn from a
    hash of the name so that every vector keeps its own number however the list grows."""
    digest = int(hashlib.sha256(name.encode()).hexdigest(), 16)
    return f"000{digest % 10**7:07d}"


_COLOURS = ("D", "E", "F", "G", "H", "I", "J")
_CLARITIES = ("VVS1", "VVS2", "VS1", "VS2", "SI1")


def _report_identity(number: str, lab: str, lab_grown: bool) -> dict[str, Any]:
    """What a demo stone's report states, to match the stone in hand (as fictitious as its
    number; a 1.02 ct round brilliant is about 6.4 mm across)."""
    pick = int(number)
    return {
        "shape": "round_brilliant",
        "measurements": {"length_mm": "6.41", "width_mm": "6.45", "depth_mm": "3.97"},
        "colour": _COLOURS[pick % len(_COLOURS)],
        "clarity": _CLARITIES[pick % len(_CLARITIES)],
        "laser_inscription": f"{lab} {'LG' if lab_grown else ''}{number}",
    }


def _numbered(scenario: Scenario, record: Record) -> Record:
    """Give every graded stone of ``record`` its own fictitious report number: demo stones
    never share a number, so the demo goes through the same uniqueness rule as the API. The
    demo stones' reports also state what a shopper can match."""
    for position, stone in enumerate(record["stones"]):
        report = stone.get("grading_report")
        if report:
            suffix = "" if position == 0 else f"/{stone['id']}"
            report["number"] = demo_report_number(scenario.name + suffix)
            if scenario.demo:
                lab_grown = stone["origin"] == "lab_grown"
                report |= _report_identity(report["number"], report["lab"], lab_grown)
    return record


def build_vectors() -> list[dict[str, Any]]:
    numbers = [demo_report_number(s.name) for s in SCENARIOS]
    assert len(set(numbers)) == len(numbers), "two vectors drew the same report number"
    return [
        {
            "name": s.name,
            "description": s.description,
            "certificate": s.certificate,
            "as_of": s.as_of.isoformat(),
            "demo": s.demo,
            "expected": {
                "kp": s.expected_kp,
                "csc": s.expected_csc,
                "sanctions": s.expected_sanctions,
                **(
                    {
                        "sanctions_jurisdictions": dict(
                            zip(("EU", "US", "UK"), s.expected_jurisdictions, strict=True)
                        )
                    }
                    if s.expected_jurisdictions
                    else {}
                ),
            },
            "record": _numbered(s, s.build()),
        }
        for s in SCENARIOS
    ]


def render_vectors() -> str:
    return json.dumps(build_vectors(), indent=1, ensure_ascii=False) + "\n"


def load_vectors(path: Path = VECTORS_PATH) -> list[dict[str, Any]]:
    """The published test vectors: name, certificate, as_of, expected results and record."""
    data: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    return data


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else VECTORS_PATH
    target.write_text(render_vectors(), encoding="utf-8")
