"""Every outcome of every KP check, each reached by a record that gives it.

The registry (:data:`CHECKS`) lists the statuses each check can give; a test below fails when
an outcome has no record here, so a new branch in a rule comes with its case.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from clearstone_api.domain import kp_checks
from clearstone_api.domain.kp_checks import CHECKS, CheckId, CheckSpec, Severity
from clearstone_api.domain.reference import Reference
from clearstone_api.domain.verdicts import CheckStatus
from tests.unit.test_kp_rules import (
    Record,
    before_kp,
    botswana,
    car,
    document,
    event,
    marange,
    run,
    with_transit,
)

P, W, F = CheckStatus.pass_, CheckStatus.warn, CheckStatus.fail
M, NA = CheckStatus.missing, CheckStatus.not_applicable


def edit(
    change: Callable[[Record], Any], base: Callable[[], Record] = botswana
) -> Callable[[], Record]:
    def build() -> Record:
        record = base()
        change(record)
        return record

    return build


def _set(path: str, value: Any) -> Callable[[Record], None]:
    """``kpc1.carat_weight`` sets a document field; ``e2.date`` an event field."""

    def change(record: Record) -> None:
        item, name = path.split(".", 1)
        target = event(record, item) if item.startswith(("e", "t")) else document(record, item)
        if value is None:
            target.pop(name, None)
        else:
            target[name] = value

    return change


def _lab_grown(record: Record) -> None:
    record["stones"][0]["origin"] = "lab_grown"


def _rough_subject_out_of_scope(record: Record) -> None:
    record["subject_id"] = "L1"
    record["stones"] = []
    record["lots"][0]["hs_code"] = "7102.39"
    record["events"] = record["events"][:1]
    record["documents"] = []


def _no_extraction_at_the_start(record: Record) -> None:
    record["events"] = record["events"][1:]


def _unrecorded_crossing(record: Record) -> None:
    record["events"] = [e for e in record["events"] if e["id"] not in {"e5", "e6"}]


def _origin_export_unrecorded(record: Record) -> None:
    record["events"] = [e for e in record["events"] if e["id"] not in {"e2", "e3"}]


def _no_destination(record: Record) -> None:
    event(record, "e2").pop("destination_country")
    document(record, "kpc1")["importer"] = {"name": "Antwerp rough trader"}


def _sale_without_invoice(record: Record) -> None:
    event(record, "e4")["document_ids"] = []


def _no_sales(record: Record) -> None:
    record["events"] = [e for e in record["events"] if e["type"] != "sale"]


def _heavier(record: Record) -> None:
    record["stones"][0]["carat"] = "12.40"


def _unlinked(record: Record) -> None:
    record["stones"][0]["parent_lot_ids"] = []


def _out_of_order(record: Record) -> None:
    event(record, "e3")["date"] = "2023-01-02"


def _mined_in_two_countries(record: Record) -> None:
    """L1 is sorted in Botswana from a Botswana lot and a Namibian one."""
    document(record, "kpc1")["country_of_origin"] = "MIXED"
    record["lots"] += [
        {"id": "L-BW", "carat": "8.00", "hs_code": "7102.31"},
        {"id": "L-NA", "carat": "3.00", "hs_code": "7102.31"},
    ]
    record["lots"][0]["parent_lot_ids"] = ["L-BW", "L-NA"]
    mined = event(record, "e1")
    mined["items"] = ["L-BW"]
    record["events"][1:1] = [
        {"id": "e1n", "type": "extraction", "date": mined["date"], "items": ["L-NA"],
         "place": {"country": "NA"}},
        {"id": "e1s", "type": "sorting", "date": mined["date"], "items": ["L-BW", "L-NA", "L1"],
         "place": {"country": "BW"}},
    ]  # fmt: skip


CASES: list[tuple[CheckId, CheckStatus, str, Callable[[], Record]]] = [
    (CheckId.K01, P, "natural", botswana),
    (CheckId.K01, NA, "lab-grown", edit(_lab_grown)),
    (CheckId.K01, NA, "polished HS code", edit(_rough_subject_out_of_scope)),
    (CheckId.K02, P, "certified", botswana),
    (CheckId.K02, F, "no certificate", edit(_set("e2.document_ids", []))),
    (CheckId.K02, F, "opened transit", lambda: with_transit(seals=False)),
    (CheckId.K02, M, "unknown seals", lambda: with_transit(seals=None)),
    (CheckId.K02, M, "no extraction", edit(_no_extraction_at_the_start)),
    (CheckId.K02, M, "unrecorded crossing", edit(_unrecorded_crossing)),
    (CheckId.K02, NA, "before the KP", lambda: before_kp(botswana(dt.date(1998, 3, 1)))),
    (CheckId.K03, P, "good standing", botswana),
    (CheckId.K03, W, "CAR compliant zone",
     lambda: car(dt.date(2019, 4, 2), dt.date(2019, 5, 2), "Mambéré-Kadéï", "Berbérati",
                 supervised_export=True)),
    (CheckId.K03, F, "not a participant", edit(_set("kpc1.issuing_participant", "XK"))),
    (CheckId.K03, F, "another participant's certificate",
     edit(_set("kpc1.issuing_participant", "NA"))),
    (CheckId.K03, F, "removed participant",
     lambda: botswana(dt.date(2005, 3, 1), country="CG", participant="CG", admin1=None,
                      admin2=None, site_registry_id=None)),
    (CheckId.K03, NA, "before the KP", lambda: before_kp(botswana(dt.date(1998, 3, 1)))),
    (CheckId.K04, P, "both participants", botswana),
    (CheckId.K04, F, "non-participant hub", lambda: botswana(hub="KE", hub_participant="KE")),
    (CheckId.K04, F, "self-suspended",
     lambda: botswana(dt.date(2012, 5, 1), country="VE", participant="VE", admin1=None,
                      admin2=None, site_registry_id=None)),
    (CheckId.K04, M, "no destination", edit(_no_destination)),
    (CheckId.K04, NA, "before the KP", lambda: before_kp(botswana(dt.date(1998, 3, 1)))),
    (CheckId.K05, P, "complete", botswana),
    (CheckId.K05, W, "HS code outside scope", edit(_set("kpc1.hs_codes", ["7102.31", "7102.39"]))),
    (CheckId.K05, F, "not validated", edit(_set("kpc1.validated_by_exporting_authority", False))),
    (CheckId.K05, F, "no KP statement", edit(_set("kpc1.statement_present", False))),
    (CheckId.K05, M, "no value", edit(_set("kpc1.value_usd", None))),
    (CheckId.K05, M, "validation unknown",
     edit(_set("kpc1.validated_by_exporting_authority", None))),
    (CheckId.K05, M, "no country of origin", edit(_set("kpc1.country_of_origin", None))),
    (CheckId.K05, M, "no HS code", edit(_set("kpc1.hs_codes", []))),
    (CheckId.K06, P, "participant code", botswana),
    (CheckId.K06, W, "number without the code", edit(_set("kpc1.number", "2023-004711"))),
    (CheckId.K07, P, "in date", botswana),
    (CheckId.K07, W, "longer than the EU allows",
     edit(_set("kpc2.date_of_expiry", "2023-09-30"))),
    (CheckId.K07, F, "expired", edit(_set("kpc1.date_of_expiry", "2023-04-10"))),
    (CheckId.K07, F, "left before issue", edit(_set("kpc1.date_of_issue", "2023-04-20"))),
    (CheckId.K07, F, "expires before issue", edit(_set("kpc1.date_of_expiry", "2023-04-01"))),
    (CheckId.K08, P, "matches", botswana),
    (CheckId.K08, W, "carat weight differs", edit(_set("kpc1.carat_weight", "11.00"))),
    (CheckId.K08, W, "parcels differ", edit(_set("kpc1.parcel_count", 3))),
    (CheckId.K08, W, "no value", edit(_set("kpc1.value_usd", "0"))),
    (CheckId.K09, P, "no measure", botswana),
    (CheckId.K09, W, "unsupervised compliant-zone export",
     lambda: car(dt.date(2019, 4, 2), dt.date(2019, 5, 2), "Mambéré-Kadéï", "Berbérati")),
    (CheckId.K09, W, "Marange under monitoring",
     lambda: marange(dt.date(2012, 1, 5), dt.date(2012, 2, 10), supervised=False)),
    (CheckId.K09, F, "outside the compliant zones",
     lambda: car(dt.date(2019, 4, 2), dt.date(2019, 5, 2), "Haute-Kotto", "Bria")),
    (CheckId.K09, F, "suspended CAR exports goods mined elsewhere",
     edit(lambda r: r["events"][0]["place"].update(country="CM", admin1=None, admin2=None,
                                                   site_id=None),
          lambda: car(dt.date(2019, 4, 2), dt.date(2019, 5, 2), "Haute-Kotto", "Bria"))),
    (CheckId.K09, F, "Marange restricted",
     lambda: marange(dt.date(2010, 3, 1), dt.date(2010, 4, 5), supervised=False)),
    (CheckId.K09, M, "origin export not recorded",
     edit(_origin_export_unrecorded,
          lambda: car(dt.date(2019, 4, 2), dt.date(2019, 5, 2), "Haute-Kotto", "Bria"))),
    (CheckId.K09, NA, "before the KP", lambda: before_kp(botswana(dt.date(1998, 3, 1)))),
    (CheckId.K10, P, "no ban", botswana),
    (CheckId.K10, F, "Côte d'Ivoire 2010",
     lambda: botswana(dt.date(2010, 2, 1), country="CI", participant="CI", admin1=None,
                      admin2=None, site_registry_id=None)),
    (CheckId.K11, P, "confirmed", botswana),
    (CheckId.K11, W, "no confirmation", edit(_set("kpc1.import_confirmation", None))),
    (CheckId.K12, P, "sealed", botswana),
    (CheckId.K12, W, "no seal", edit(_set("kpc1.container_seal_id", None))),
    (CheckId.K13, P, "revised wording", botswana),
    (CheckId.K13, W, "old wording after the rough cut-off",
     lambda: botswana(dt.date(2024, 10, 1), sow=(
         "The diamonds herein invoiced have been purchased from legitimate sources not involved "
         "in funding conflict and in compliance with United Nations resolutions. The seller "
         "hereby guarantees that these diamonds are conflict free, based on personal knowledge "
         "and/or written guarantees provided by the supplier of these diamonds."))),
    (CheckId.K13, W, "revised wording before it existed",
     lambda: botswana(dt.date(2019, 3, 1), sow=(
         "The diamonds herein invoiced have been purchased from legitimate sources not involved "
         "in funding conflict, in compliance with the United Nations Resolutions and "
         "corresponding national laws. The seller hereby guarantees that these diamonds are "
         "conflict free and confirms adherence to the WDC SoW Guidelines."))),
    (CheckId.K13, F, "no statement", edit(_set("inv1.sow_statement", "Thank you."))),
    (CheckId.K13, M, "sale without invoice", edit(_sale_without_invoice)),
    (CheckId.K13, NA, "no sales", edit(_no_sales)),
    (CheckId.K13, NA, "before the KP", lambda: before_kp(botswana(dt.date(1998, 3, 1)))),
    (CheckId.K14, P, "balanced", botswana),
    (CheckId.K14, F, "heavier than its rough", edit(_heavier)),
    (CheckId.K14, F, "cut heavier than put in", edit(_set("e7.carat_out", "11.00"))),
    (CheckId.K14, M, "unlinked", edit(_unlinked)),
    (CheckId.K16, P, "in order", botswana),
    (CheckId.K16, F, "out of order", edit(_out_of_order)),
    (CheckId.K16, F, "in the future", edit(_set("e10.date", "2027-01-01"))),
    (CheckId.K17, P, "declared as mined", botswana),
    (CheckId.K17, P, "mixed, mined in two countries", edit(_mined_in_two_countries)),
    (CheckId.K17, W, "mixed for single-origin goods",
     edit(_set("kpc1.country_of_origin", "MIXED"))),
    (CheckId.K17, F, "declared elsewhere", edit(_set("kpc1.country_of_origin", "ZA"))),
    (CheckId.K17, NA, "no extraction", edit(_no_extraction_at_the_start)),
]  # fmt: skip


@pytest.mark.parametrize(
    ("check", "status", "build"),
    [(check, status, build) for check, status, _, build in CASES],
    ids=[f"{check}-{status.value}-{case}" for check, status, case, _ in CASES],
)
def test_the_record_gives_the_outcome(
    check: CheckId,
    status: CheckStatus,
    build: Callable[[], Record],
    reference: Reference,
) -> None:
    assessment = run(build(), reference)

    found = [c for c in assessment.kp.checks if c.id == check and c.status is status]
    assert found, [(c.id, c.status.value, c.reason) for c in assessment.kp.checks]
    for item in found:
        assert item.title == CHECKS[check].title
        if status is not P:
            assert any(e.kind == "kp_rule" and e.id == check for e in item.evidence)
            assert item.sources
    if status is F and CHECKS[check].severity is Severity.blocking:
        assert assessment.kp.result.value == "fail"


def test_every_outcome_of_every_check_has_a_case() -> None:
    covered = {(check, status) for check, status, _, _ in CASES}
    registered = {(check, status) for check, spec in CHECKS.items() for status in spec.outcomes}
    assert registered - covered == set()
    assert covered - registered == set(), "a case gives an outcome the registry does not list"


def test_a_registry_without_wording_or_with_an_advisory_failure_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    broken = dict(CHECKS)
    broken[CheckId.K06] = CheckSpec(" ", Severity.advisory, frozenset({CheckStatus.fail}))
    broken[CheckId.K08] = CheckSpec("Consistent", Severity.advisory, frozenset())
    del broken[CheckId.K17]
    monkeypatch.setattr(kp_checks, "CHECKS", broken)

    assert kp_checks._problems() == [
        "K17 is not registered",
        "K06 has no wording",
        "K06 is advisory but can fail",
        "K08 has no outcomes",
    ]
