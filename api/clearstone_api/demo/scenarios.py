"""The scenarios: the demo data and the published test vectors.

Each scenario varies a chain of :mod:`clearstone_api.demo.chains` to exercise one rule.
``vectors.json`` beside this module is written from :data:`SCENARIOS` by
``python -m clearstone_api.demo.scenarios`` and a test keeps the two in step; the tests, the demo
loader and ``docs/methodology.md`` all read that file.
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

from clearstone_api.demo.chains import (
    Record,
    before_kp,
    botswana,
    car,
    declared_origin,
    drop_certificate,
    edit,
    heavier_than_rough,
    made_lab_grown,
    marange,
    mixed_origin,
    out_of_order,
    rough_to_retail,
    russia,
    transit_opened,
    unlinked,
)
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
]

VECTORS_PATH = Path(__file__).with_name("vectors.json")
AS_OF = dt.date(2026, 11, 1)


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
             "warranties on every invoice", "DEMO-BW-2023", botswana, "pass",
             "no_known_red_flags", demo=True),
    Scenario("marange-2008", "Marange (Zimbabwe, Manicaland), mined November 2008 under "
             "Operation Hakudzokwi; Zimbabwean KP certificate", "DEMO-ZW-MARANGE-2008",
             lambda: marange("DEMO-ZW-MARANGE-2008", dt.date(2008, 11, 10)), "pass", "red_flag",
             demo=True),
    Scenario("car-berberati-2019", "Central African Republic, Berbérati sub-prefecture (a KP "
             "compliant zone since 2016), exported 2019", "DEMO-CF-BERBERATI-2019",
             lambda: car("DEMO-CF-BERBERATI-2019", "Mambéré-Kadéï", "Berbérati",
                          dt.date(2019, 4, 2)), "pass", "elevated_risk", demo=True),
    Scenario("car-bria-2019", "Central African Republic, Bria sub-prefecture, outside the "
             "compliant zones, exported 2019", "DEMO-CF-BRIA-2019",
             lambda: car("DEMO-CF-BRIA-2019", "Haute-Kotto", "Bria", dt.date(2019, 4, 2)),
             "fail", "elevated_risk", demo=True),
    Scenario("car-bria-2025", "The same sub-prefecture, exported 2025 after CAR's full "
             "reinstatement on 15 Nov 2024", "DEMO-CF-BRIA-2025",
             lambda: car("DEMO-CF-BRIA-2025", "Haute-Kotto", "Bria", dt.date(2025, 3, 3)),
             "pass", "elevated_risk", demo=True),
    Scenario("polished-unlinked", "Polished stone with no link to any rough lot",
             "DEMO-POLISHED-UNLINKED",
             lambda: edit(botswana("DEMO-POLISHED-UNLINKED"), unlinked),
             "insufficient_evidence", "insufficient_provenance", demo=True),
    Scenario("lab-grown", "Laboratory-grown stone", "DEMO-LAB-GROWN",
             lambda: edit(botswana("DEMO-LAB-GROWN"), made_lab_grown), "not_applicable",
             "not_applicable", demo=True),
    Scenario("car-berberati-2015", "Berbérati goods exported in 2015, before the sub-prefecture "
             "was declared compliant (the KP decision of May 2016)", "VEC-CF-BERBERATI-2015",
             lambda: car("VEC-CF-BERBERATI-2015", "Mambéré-Kadéï", "Berbérati",
                          dt.date(2015, 9, 1)), "fail", "elevated_risk"),
    Scenario("marange-2010-unsupervised", "Marange goods exported in 2010 outside the "
             "KP-supervised sales", "VEC-ZW-MARANGE-2010",
             lambda: marange("VEC-ZW-MARANGE-2010", dt.date(2010, 3, 1)), "fail",
             "red_flag"),
    Scenario("marange-2008-as-known-then", "The Marange 2008 chain assessed as of February "
             "2009, before the first documented report (June 2009): the registry did not yet "
             "know", "VEC-ZW-MARANGE-2008-THEN",
             lambda: edit(marange("VEC-ZW-MARANGE-2008-THEN", dt.date(2008, 11, 10)),
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
             lambda: botswana("VEC-GB-2019", mined=dt.date(2019, 3, 1), hub="GB"),
             "pass", "no_known_red_flags"),
    Scenario("uk-2022", "Rough exported through London in 2022, the UK a participant of its "
             "own", "VEC-GB-2022",
             lambda: botswana("VEC-GB-2022", mined=dt.date(2022, 3, 1), hub="GB",
                               hub_participant="GB"),
             "pass", "no_known_red_flags"),
    Scenario("missing-certificate", "Botswana chain whose first export carries no KP "
             "certificate", "VEC-NO-KPC",
             lambda: edit(botswana("VEC-NO-KPC"), drop_certificate), "fail",
             "no_known_red_flags"),
    Scenario("heavier-than-rough", "A polished stone heavier than the rough it was cut from",
             "VEC-HEAVY", lambda: edit(botswana("VEC-HEAVY"), heavier_than_rough), "fail",
             "no_known_red_flags"),
    Scenario("out-of-order", "Custody events out of date order (an import logged before its "
             "export)", "VEC-OUT-OF-ORDER",
             lambda: edit(botswana("VEC-OUT-OF-ORDER"), out_of_order), "fail",
             "no_known_red_flags"),
    Scenario("mixed-origin", "A parcel of mixed origin: provenance known, origin not",
             "VEC-MIXED", lambda: edit(botswana("VEC-MIXED"), mixed_origin), "pass",
             "insufficient_provenance"),
    Scenario("transit-opened", "Botswana rough opened in transit through South Africa; the "
             "parcel lists only its Botswana certificate, and South Africa issued none",
             "VEC-TRANSIT-OPENED", lambda: edit(botswana("VEC-TRANSIT-OPENED"),
                                                 transit_opened), "fail", "no_known_red_flags"),
    Scenario("marange-2010-supervised-sale", "Marange goods sold at the KP-supervised sale of "
             "September 2010 and re-exported from Dubai: the re-export inherits the sale's "
             "result", "VEC-ZW-MARANGE-2010-SALE",
             lambda: marange("VEC-ZW-MARANGE-2010-SALE", dt.date(2010, 8, 8),
                              supervised_export=True), "pass", "red_flag"),
    Scenario("botswana-1998-estate", "A 1998 Botswana chain, cut and sold before the KP took "
             "effect (estate jewellery): judged by the rules then in force",
             "VEC-BW-1998", lambda: edit(botswana("VEC-BW-1998", mined=dt.date(1998, 3, 2)),
                                          before_kp(None)), "pass", "no_known_red_flags"),
    Scenario("sierra-leone-2001-certificate-of-origin", "Sierra Leone rough exported in 2001 "
             "under the government's certificate of origin (the regime of UNSC resolution "
             "1306)", "VEC-SL-2001",
             lambda: edit(rough_to_retail(subject="VEC-SL-2001", country="SL",
                                           admin1="Eastern", admin2="Kono",
                                           site_name="Kono alluvial fields",
                                           site_registry_id=None, mined=dt.date(2001, 3, 1),
                                           scale="asm"), before_kp("SL")),
             "pass", "elevated_risk"),
    Scenario("angola-1999-smuggled", "Angolan rough smuggled out in 1999 with no certificate "
             "of origin: the UN ban is named", "VEC-AO-1999",
             lambda: edit(rough_to_retail(subject="VEC-AO-1999", country="AO",
                                           admin1="Lunda Norte", admin2="Cuango",
                                           site_name="Cuango alluvial workings",
                                           site_registry_id=None, mined=dt.date(1999, 2, 1),
                                           scale="asm"), before_kp(None)),
             "fail", "elevated_risk"),
    Scenario("origin-mismatch", "Botswana-mined rough on a certificate declaring South African "
             "origin", "VEC-ORIGIN-MISMATCH",
             lambda: edit(botswana("VEC-ORIGIN-MISMATCH"), declared_origin("ZA")), "fail",
             "no_known_red_flags"),
    Scenario("russia-half-carat-2024", "A 0.70 ct stone of Russian rough mined in September "
             "2024 and cut in India after the 0.5 ct threshold took effect", "VEC-RU-HALF-2024",
             lambda: edit(russia("VEC-RU-HALF-2024", dt.date(2024, 9, 15)), carat("0.70")),
             "pass", "elevated_risk", expected_sanctions="flagged",
             expected_jurisdictions=("flagged", "flagged", "flagged")),
    Scenario("russia-half-carat-grandfathered", "A 0.70 ct stone of Russian rough cut in "
             "India before 2024-09-01: grandfathered in the EU and UK, before the US band",
             "VEC-RU-HALF-GRANDFATHERED",
             lambda: edit(russia("VEC-RU-HALF-GRANDFATHERED", dt.date(2024, 3, 1)),
                           carat("0.70")),
             "pass", "elevated_risk",
             expected_jurisdictions=("clear", "clear", "clear")),
    Scenario("russia-under-half-carat-2024", "A 0.40 ct stone of Russian rough cut in India "
             "in late 2024: below every third-country threshold", "VEC-RU-UNDER-HALF-2024",
             lambda: edit(russia("VEC-RU-UNDER-HALF-2024", dt.date(2024, 9, 15)),
                           carat("0.40")),
             "pass", "elevated_risk", expected_jurisdictions=("clear", "clear", "clear")),
    Scenario("russia-jewellery-2024", "A 1.02 ct stone of Russian rough cut in India and set "
             "in jewellery: outside the EU indirect ban (Reg 2024/1745 carve-out)",
             "VEC-RU-JEWELLERY-2024",
             lambda: edit(russia("VEC-RU-JEWELLERY-2024", dt.date(2024, 9, 15)), jewellery),
             "pass", "elevated_risk", expected_sanctions="flagged",
             expected_jurisdictions=("clear", "flagged", "flagged")),
    Scenario("russia-direct-rough-2024", "A parcel of Russian rough exported straight to "
             "Antwerp in 2024: direct bans, at any weight", "VEC-RU-DIRECT-2024",
             lambda: edit(russia("VEC-RU-DIRECT-2024", dt.date(2024, 2, 1), hub="BE",
                                   hub_participant="EU"), direct_rough),
             "pass", "elevated_risk", expected_sanctions="flagged",
             expected_jurisdictions=("flagged", "flagged", "flagged")),
    Scenario("russia-us-2023", "A parcel of Russian rough exported straight to New York in "
             "2023, as of mid-2023: only the US order of 2022 was in force",
             "VEC-RU-US-2023",
             lambda: edit(russia("VEC-RU-US-2023", dt.date(2023, 1, 10), hub="US",
                                   hub_participant="US"), direct_rough),
             "pass", "elevated_risk", as_of=dt.date(2023, 6, 1),
             expected_sanctions="flagged", expected_jurisdictions=("clear", "flagged", "clear")),
    Scenario("russia-synthetic-2025", "A 0.60 ct laboratory-grown stone produced in Russia "
             "and cut in India in 2025: the UK ban on third-country-processed synthetics",
             "VEC-RU-LAB-2025",
             lambda: edit(edit(russia("VEC-RU-LAB-2025", dt.date(2025, 5, 2)),
                                 carat("0.60")), lab_grown),
             "not_applicable", "not_applicable", expected_sanctions="flagged",
             expected_jurisdictions=("flagged", "flagged", "flagged")),
    Scenario("mixed-declared-russia-2024", "A mixed parcel whose trader invoice declares "
             "Botswana, Russia and South Africa as source countries", "VEC-MIXED-RU-2024",
             lambda: edit(botswana("VEC-MIXED-RU-2024", mined=dt.date(2024, 9, 15)),
                           declares_russia),
             "pass", "insufficient_provenance", expected_sanctions="flagged",
             expected_jurisdictions=("flagged", "flagged", "flagged")),
    Scenario("alrosa-trader-2023", "A Botswana chain whose rough trader is PJSC ALROSA, in "
             "2023: listed in the US and UK then, in the EU only from 2024-01-03",
             "VEC-ALROSA-2023",
             lambda: edit(botswana("VEC-ALROSA-2023"), listed_trader("PJSC ALROSA")),
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
