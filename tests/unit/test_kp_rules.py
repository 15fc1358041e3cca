"""The KP rules that hold in every case: transits with opened seals, special measures at the
origin export, the years before 2003, the declared origin, every applicable rule named, and
every failing rule with its dates and sources."""

from __future__ import annotations

import datetime as dt
from typing import Any

from clearstone_api.demo.chains import rough_to_retail
from clearstone_api.domain.assessment import assess
from clearstone_api.domain.kp_checks import CheckId
from clearstone_api.domain.record_validation import parse_record
from clearstone_api.domain.reference import Reference
from clearstone_api.domain.reference_rows import SourceStrength
from clearstone_api.domain.verdicts import Assessment, CheckStatus, KpCheck

Record = dict[str, Any]
AS_OF = dt.date(2026, 11, 1)


def run(record: Record, reference: Reference) -> Assessment:
    return assess(parse_record(record), reference, AS_OF)


def checks(assessment: Assessment, check: CheckId) -> list[KpCheck]:
    return [c for c in assessment.kp.checks if c.id == check]


def statuses(assessment: Assessment, check: CheckId) -> set[CheckStatus]:
    return {c.status for c in checks(assessment, check)}


def botswana(mined: dt.date = dt.date(2023, 3, 14), **changes: Any) -> Record:
    args: dict[str, Any] = {
        "subject": "BW-1",
        "country": "BW",
        "admin1": "Southern",
        "admin2": "Jwaneng",
        "site_name": "Jwaneng mine",
        "site_registry_id": "BW-JWANENG",
        "mined": mined,
        "operator": "Debswana Diamond Company",
    }
    args.update(changes)
    return rough_to_retail(**args)


def event(record: Record, event_id: str) -> dict[str, Any]:
    return next(e for e in record["events"] if e["id"] == event_id)


def document(record: Record, doc_id: str) -> dict[str, Any]:
    return next(d for d in record["documents"] if d["id"] == doc_id)


def _later(value: str, days: int) -> str:
    return (dt.date.fromisoformat(value) + dt.timedelta(days=days)).isoformat()


def delay_reexport(record: Record, days: int) -> Record:
    """Hold the goods ``days`` longer in the hub: the re-export (e5) and all after it move."""
    for item in record["events"][4:]:
        item["date"] = _later(item["date"], days)
    for doc_id, fields in (("kpc2", ("date_of_issue", "date_of_expiry")), ("inv2", ("date",))):
        for name in fields:
            document(record, doc_id)[name] = _later(document(record, doc_id)[name], days)
    received = document(record, "kpc2")["import_confirmation"]
    received["date_received"] = _later(received["date_received"], days)
    return record


# --- 1. transits ---------------------------------------------------------------------------


def with_transit(seals: bool | None, *, new_certificate: bool = False) -> Record:
    """The Botswana chain, its first export passing through South Africa on the way."""
    record = botswana()
    export = event(record, "e2")
    transit: dict[str, Any] = {
        "id": "t1",
        "type": "transit",
        "date": "2023-04-15",
        "items": ["L1"],
        "place": {"country": "ZA"},
        "destination_country": "BE",
        "document_ids": ["kpc1"],
    }
    if seals is not None:
        transit["seals_intact"] = seals
    if new_certificate:
        renewed = dict(document(record, "kpc1"))
        renewed.update(
            id="kpc-za",
            number="ZA-2023-000321",
            issuing_participant="ZA",
            date_of_issue="2023-04-15",
            date_of_expiry="2023-05-30",
        )
        record["documents"].append(renewed)
        transit["document_ids"] = ["kpc1", "kpc-za"]
    record["events"].insert(record["events"].index(export) + 1, transit)
    return record


def transit_check(assessment: Assessment) -> KpCheck:
    [check] = [c for c in checks(assessment, CheckId.K02) if c.subject == "event:t1"]
    return check


def test_an_opened_transit_fails_even_when_it_lists_the_export_certificate(
    reference: Reference,
) -> None:
    opened = run(with_transit(seals=False), reference)

    check = transit_check(opened)
    assert check.status is CheckStatus.fail
    assert "opened in transit through ZA on 2023-04-15" in check.reason
    assert "BW-2023-004711" in check.reason, "the export certificate is named as not covering it"
    assert opened.kp.result.value == "fail"


def test_unknown_seals_are_missing_evidence_not_a_pass(reference: Reference) -> None:
    unknown = run(with_transit(seals=None), reference)

    assert transit_check(unknown).status is CheckStatus.missing
    assert unknown.kp.result.value == "insufficient_evidence"


def test_an_opened_transit_passes_with_a_new_certificate_from_the_transit_participant(
    reference: Reference,
) -> None:
    renewed = run(with_transit(seals=False, new_certificate=True), reference)
    intact = run(with_transit(seals=True), reference)

    check = transit_check(renewed)
    assert check.status is CheckStatus.pass_
    assert "ZA-2023-000321" in check.reason
    assert transit_check(intact).status is CheckStatus.pass_


def test_a_transit_certificate_issued_before_the_transit_does_not_cover_it(
    reference: Reference,
) -> None:
    record = with_transit(seals=False, new_certificate=True)
    document(record, "kpc-za")["date_of_issue"] = "2023-04-10"

    assert transit_check(run(record, reference)).status is CheckStatus.fail


def test_a_transit_before_the_kp_is_not_judged_by_it(reference: Reference) -> None:
    record = with_transit(seals=False)
    event(record, "t1")["date"] = "2002-06-01"

    assert transit_check(run(record, reference)).status is CheckStatus.not_applicable


# --- 2. special measures at the export out of the origin -----------------------------------


def marange(mined: dt.date, exported: dt.date, *, supervised: bool) -> Record:
    return rough_to_retail(
        subject="ZW-1",
        country="ZW",
        admin1="Manicaland",
        admin2="Marange",
        site_name="Chiadzwa diamond fields",
        site_registry_id="ZW-MARANGE",
        mined=mined,
        exported=exported,
        hub="AE",
        hub_participant="AE",
        supervised_export=supervised,
        operator="Marange concession holder",
    )


def car(mined: dt.date, exported: dt.date, admin1: str, admin2: str, **changes: Any) -> Record:
    return rough_to_retail(
        subject="CF-1",
        country="CF",
        admin1=admin1,
        admin2=admin2,
        site_name=f"{admin2} alluvial workings",
        site_registry_id=None,
        mined=mined,
        exported=exported,
        scale="asm",
        **changes,
    )


def k09_at(assessment: Assessment, event_id: str) -> set[CheckStatus]:
    return {c.status for c in checks(assessment, CheckId.K09) if c.subject == f"event:{event_id}"}


def test_goods_of_the_2010_supervised_marange_sale_pass_when_a_hub_re_exports_them(
    reference: Reference,
) -> None:
    sold = run(marange(dt.date(2010, 8, 1), dt.date(2010, 9, 12), supervised=True), reference)

    assert k09_at(sold, "e2") == {CheckStatus.pass_}
    assert k09_at(sold, "e5") == {CheckStatus.pass_}, "the re-export inherits the sale's result"
    [inherited] = [c for c in checks(sold, CheckId.K09) if c.subject == "event:e5"]
    assert "2010-09-12" in inherited.reason and "e2" in inherited.reason
    assert sold.kp.result.value == "pass"


def test_marange_goods_exported_before_the_restriction_pass_a_later_re_export(
    reference: Reference,
) -> None:
    record = marange(dt.date(2009, 8, 1), dt.date(2009, 9, 1), supervised=False)
    delay_reexport(record, 60)  # re-exported on 2009-12-11, under the restriction

    before = run(record, reference)

    assert k09_at(before, "e5") == {CheckStatus.pass_}
    assert before.kp.result.value == "pass"


def test_car_goods_exported_before_the_suspension_pass_a_re_export_during_it(
    reference: Reference,
) -> None:
    record = car(dt.date(2013, 1, 10), dt.date(2013, 2, 1), "Haute-Kotto", "Bria")
    delay_reexport(record, 120)  # re-exported from Antwerp on 2013-07-13, CAR suspended

    assessment = run(record, reference)

    assert k09_at(assessment, "e5") == {CheckStatus.pass_}
    assert assessment.kp.result.value == "pass"


def test_an_unsupervised_restricted_export_fails_and_the_re_export_inherits_it(
    reference: Reference,
) -> None:
    assessment = run(marange(dt.date(2010, 3, 1), dt.date(2010, 4, 5), supervised=False), reference)

    assert k09_at(assessment, "e2") == {CheckStatus.fail}
    [inherited] = [c for c in checks(assessment, CheckId.K09) if c.subject == "event:e5"]
    assert inherited.status is CheckStatus.fail
    assert "judged at their export out of ZW on 2010-04-05" in inherited.reason


def test_a_re_export_without_the_origin_export_is_missing_when_measures_applied(
    reference: Reference,
) -> None:
    record = car(dt.date(2019, 4, 2), dt.date(2019, 5, 2), "Haute-Kotto", "Bria")
    record["events"] = [e for e in record["events"] if e["id"] not in {"e2", "e3"}]
    record["events"][0]["date"] = "2019-04-02"

    assessment = run(record, reference)

    assert k09_at(assessment, "e5") == {CheckStatus.missing}


# --- 3. before the KP: the rules then in force ---------------------------------------------


def before_kp(record: Record, origin_certificate: str | None = None) -> Record:
    """A chain from before 2003: no KP certificate existed, so none is recorded; the first
    export carries the government's certificate of origin when ``origin_certificate`` names
    the issuing country."""
    record["documents"] = [d for d in record["documents"] if d["type"] != "kp_certificate"]
    for item in record["events"]:
        item["document_ids"] = [d for d in item.get("document_ids", []) if d.startswith("inv")]
    if origin_certificate:
        record["documents"].append(
            {
                "type": "certificate_of_origin",
                "id": "coo1",
                "number": f"{origin_certificate}-COO-2001-0042",
                "issuing_country": origin_certificate,
                "issuing_authority": "Government Gold and Diamond Office",
                "country_of_origin": origin_certificate,
                "date_of_issue": event(record, "e2")["date"],
                "lot_ids": ["L1"],
            }
        )
        event(record, "e2")["document_ids"] = ["coo1"]
    return record


def sierra_leone_2001(**changes: Any) -> Record:
    return rough_to_retail(
        subject="SL-2001",
        country="SL",
        admin1="Eastern",
        admin2="Kono",
        site_name="Kono alluvial fields",
        site_registry_id=None,
        mined=dt.date(2001, 3, 1),
        scale="asm",
        **changes,
    )


def test_a_legitimate_1998_botswana_chain_passes_by_the_rules_of_1998(
    reference: Reference,
) -> None:
    assessment = run(before_kp(botswana(dt.date(1998, 3, 1))), reference)

    assert assessment.kp.result.value == "pass", assessment.kp.summary
    assert statuses(assessment, CheckId.K02) == {CheckStatus.not_applicable}
    for kp_only in (CheckId.K03, CheckId.K04, CheckId.K09, CheckId.K13):
        assert statuses(assessment, kp_only) == {CheckStatus.not_applicable}, kp_only
    assert statuses(assessment, CheckId.K10) == {CheckStatus.pass_}
    assert "rules then in force" in assessment.kp.summary


def test_a_2001_sierra_leone_export_under_the_government_certificate_of_origin_passes(
    reference: Reference,
) -> None:
    assessment = run(before_kp(sierra_leone_2001(), origin_certificate="SL"), reference)

    assert assessment.kp.result.value == "pass", assessment.kp.summary
    k10 = checks(assessment, CheckId.K10)
    assert {c.status for c in k10} == {CheckStatus.pass_}
    assert all("UNSC-SL-2000" in {e.id for e in c.evidence} for c in k10)
    assert not any("not a KP participant" in c.reason for c in assessment.kp.checks)


def test_a_2001_sierra_leone_export_without_it_fails_the_un_ban_by_name(
    reference: Reference,
) -> None:
    assessment = run(before_kp(sierra_leone_2001()), reference)

    failed = [c for c in checks(assessment, CheckId.K10) if c.status is CheckStatus.fail]
    assert failed and "res 1306" in failed[0].reason
    assert statuses(assessment, CheckId.K02) == {CheckStatus.not_applicable}


def test_an_estate_stone_cut_before_2003_and_sold_today_is_not_blocked(
    reference: Reference,
) -> None:
    record = before_kp(botswana(dt.date(1998, 3, 1)))
    event(record, "e10")["date"] = "2025-01-10"
    invoice = document(record, "inv2")
    invoice["date"] = "2025-01-10"
    invoice["sow_statement"] = (
        "The diamonds herein invoiced have been purchased from legitimate sources not involved "
        "in funding conflict, in compliance with the United Nations Resolutions and corresponding "
        "national laws. The seller hereby guarantees that these diamonds are conflict free and "
        "confirms adherence to the WDC SoW Guidelines."
    )

    assessment = run(record, reference)

    assert assessment.kp.result.value == "pass", assessment.kp.summary
    k13 = {c.subject: c.status for c in checks(assessment, CheckId.K13)}
    assert k13 == {"event:e4": CheckStatus.not_applicable, "event:e10": CheckStatus.pass_}


# --- 4. the certificate's declared origin --------------------------------------------------


def test_botswana_goods_on_a_certificate_declaring_south_african_origin_fail(
    reference: Reference,
) -> None:
    record = botswana()
    document(record, "kpc1")["country_of_origin"] = "ZA"

    assessment = run(record, reference)

    [wrong] = [c for c in checks(assessment, CheckId.K17) if c.status is CheckStatus.fail]
    assert "declares origin ZA" in wrong.reason and "mined in BW" in wrong.reason
    assert assessment.kp.result.value == "fail"


def test_mixed_origin_is_accepted_only_for_goods_that_really_were_mixed(
    reference: Reference,
) -> None:
    single = botswana()
    document(single, "kpc2")["country_of_origin"] = "MIXED"
    really = botswana()
    really["lots"][0]["mixed_origin"] = True
    document(really, "kpc2")["country_of_origin"] = "MIXED"

    assert CheckStatus.warn in statuses(run(single, reference), CheckId.K17)
    assert statuses(run(really, reference), CheckId.K17) == {CheckStatus.pass_}


def test_a_certificate_with_no_recorded_extraction_to_compare_is_not_judged(
    reference: Reference,
) -> None:
    record = botswana()
    record["events"] = record["events"][1:]

    assert statuses(run(record, reference), CheckId.K17) == {CheckStatus.not_applicable}


# --- 5. every applicable rule runs, with or without a certificate --------------------------


def test_a_smuggled_1999_angolan_parcel_names_the_un_ban(reference: Reference) -> None:
    record = before_kp(
        rough_to_retail(
            subject="AO-1999",
            country="AO",
            admin1="Lunda Norte",
            admin2="Cuango",
            site_name="Cuango alluvial workings",
            site_registry_id=None,
            mined=dt.date(1999, 2, 1),
            scale="asm",
        )
    )

    assessment = run(record, reference)

    failed = [c for c in checks(assessment, CheckId.K10) if c.status is CheckStatus.fail]
    assert failed, assessment.kp.summary
    assert "UNSC-AO-1998" in {e.id for e in failed[0].evidence}
    assert "res 1173" in assessment.kp.summary


def test_an_export_without_a_certificate_still_runs_every_other_rule(
    reference: Reference,
) -> None:
    record = rough_to_retail(
        subject="CI-2010",
        country="CI",
        admin1="Woroba",
        admin2="Séguéla",
        site_name="Séguéla alluvial fields",
        site_registry_id=None,
        mined=dt.date(2010, 2, 1),
        scale="asm",
    )
    event(record, "e2")["document_ids"] = []

    assessment = run(record, reference)

    at_export = {c.id: c.status for c in assessment.kp.checks if c.subject == "event:e2"}
    assert at_export[CheckId.K02] is CheckStatus.fail
    assert at_export[CheckId.K10] is CheckStatus.fail, "the UN ban is named, not hidden"
    for rule in (CheckId.K03, CheckId.K04, CheckId.K09):
        assert rule in at_export, rule
    failing = {c.id for c in assessment.kp.checks if c.status is CheckStatus.fail}
    assert {CheckId.K02, CheckId.K10} <= failing


def test_an_import_without_a_certificate_still_checks_where_it_came_from(
    reference: Reference,
) -> None:
    record = botswana()
    event(record, "e3")["document_ids"] = []

    assessment = run(record, reference)

    at_import = {c.id: c.status for c in assessment.kp.checks if c.subject == "event:e3"}
    assert at_import == {CheckId.K02: CheckStatus.fail, CheckId.K04: CheckStatus.pass_}


# --- 6. every non-pass check names its rows, their sources and the deciding dates ----------


def test_every_non_pass_check_cites_its_rule_with_sources(reference: Reference) -> None:
    records = [
        with_transit(seals=False),
        with_transit(seals=None),
        marange(dt.date(2010, 3, 1), dt.date(2010, 4, 5), supervised=False),
        car(dt.date(2019, 4, 2), dt.date(2019, 5, 2), "Haute-Kotto", "Bria"),
        before_kp(sierra_leone_2001()),
    ]
    seen = 0
    for record in records:
        for check in run(record, reference).kp.checks:
            if check.status is CheckStatus.pass_:
                continue
            seen += 1
            kinds = {e.kind for e in check.evidence}
            assert "kp_rule" in kinds, check
            assert check.sources, check
            cited = {sid for e in check.evidence for sid in e.source_ids}
            assert {s.id for s in check.sources} == cited, check
            assert all(s.strength is not None for s in check.sources)
    assert seen >= 10


def test_the_removal_reason_gives_the_removal_date_not_the_certificate_date(
    reference: Reference,
) -> None:
    record = rough_to_retail(
        subject="CG-2005",
        country="CG",
        admin1=None,
        admin2=None,
        site_name="Congo workings",
        site_registry_id=None,
        mined=dt.date(2005, 3, 1),
        scale="asm",
    )

    assessment = run(record, reference)

    [removed] = [c for c in checks(assessment, CheckId.K03) if c.status is CheckStatus.fail]
    assert "from 2004-07-09 to 2007-11-08" in removed.reason
    [row] = [e for e in removed.evidence if e.kind == "participant_status"]
    assert (row.id, row.valid_from, row.valid_to) == (
        "SP-CG-2004",
        dt.date(2004, 7, 9),
        dt.date(2007, 11, 8),
    )
    assert {"S17", "S17c"} <= {s.id for s in removed.sources}


def test_names_appear_as_written_in_the_reference_data(reference: Reference) -> None:
    record = rough_to_retail(
        subject="CG-2005",
        country="CG",
        admin1=None,
        admin2=None,
        site_name="Congo workings",
        site_registry_id=None,
        mined=dt.date(2005, 3, 1),
        scale="asm",
        hub="KE",
        hub_participant="KE",
    )

    reasons = " ".join(c.reason for c in run(record, reference).kp.checks)

    assert "Republic of the Congo" in reasons
    assert "KE was not a KP participant" in reasons
    assert "kp participant" not in reasons


def test_every_source_an_assessment_cites_says_how_strong_it_is(reference: Reference) -> None:
    marange_2008 = run(marange(dt.date(2008, 11, 10), dt.date(2008, 12, 15), supervised=False),
                       reference)  # fmt: skip

    cited = [s for c in marange_2008.csc.criteria for m in c.incidents for s in m.sources]
    assert cited
    assert all(s.strength is reference.sources[s.id].strength for s in cited)
    assert any(s.id == "S23" and s.strength is SourceStrength.primary for s in cited)


def test_a_lot_split_in_the_hub_inherits_its_parent_s_origin_export(reference: Reference) -> None:
    record = marange(dt.date(2010, 8, 1), dt.date(2010, 9, 12), supervised=True)
    record["lots"].append({"id": "L2", "carat": "10.50", "hs_code": "7102.31",
                           "parent_lot_ids": ["L1"]})  # fmt: skip
    record["stones"][0]["parent_lot_ids"] = ["L2"]
    sorting = {"id": "s1", "type": "sorting", "date": event(record, "e4")["date"],
               "items": ["L1", "L2"], "place": {"country": "AE"}}  # fmt: skip
    record["events"].insert(4, sorting)
    for later in ("e5", "e6"):
        event(record, later)["items"] = ["L2"]
    event(record, "e7")["items"] = ["L2", "ZW-1"]
    document(record, "kpc2")["lot_ids"] = ["L2"]

    assessment = run(record, reference)

    assert k09_at(assessment, "e5") == {CheckStatus.pass_}
    assert assessment.kp.result.value == "pass", assessment.kp.summary
