"""The engine against the published test vectors and the scenarios of PRODUCT.md."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from clearstone_api.demo.chains import rough_to_retail
from clearstone_api.demo.scenarios import load_vectors
from clearstone_api.domain.assessment import assess
from clearstone_api.domain.record_validation import parse_record
from clearstone_api.domain.reference import Reference
from clearstone_api.domain.verdicts import Assessment, CheckStatus, CriterionLevel

Vector = dict[str, Any]
VECTORS = load_vectors()


def run(vector: Vector, reference: Reference) -> Assessment:
    return assess(parse_record(vector["record"]), reference, dt.date.fromisoformat(vector["as_of"]))


def statuses(assessment: Assessment, check_id: str) -> set[CheckStatus]:
    return {check.status for check in assessment.kp.checks if check.id == check_id}


@pytest.mark.parametrize("vector", VECTORS, ids=[v["name"] for v in VECTORS])
def test_published_vector_gives_its_expected_results(vector: Vector, reference: Reference) -> None:
    assessment = run(vector, reference)

    got = {
        "kp": assessment.kp.result.value,
        "csc": assessment.csc.result.value,
        "sanctions": assessment.sanctions.result.value,
    }
    if "sanctions_jurisdictions" in vector["expected"]:
        got["sanctions_jurisdictions"] = {
            j.jurisdiction: j.result.value for j in assessment.sanctions.jurisdictions
        }
    assert got == vector["expected"], assessment.kp.summary + " | " + assessment.csc.summary


def test_marange_2008_passes_the_kp_but_is_a_red_flag_with_sources(
    vector: Callable[[str], Vector], reference: Reference
) -> None:
    assessment = run(vector("marange-2008"), reference)

    assert assessment.kp.result.value == "pass"
    killings = next(c for c in assessment.csc.criteria if c.code == "C03")
    assert killings.level is CriterionLevel.red_flag
    match = killings.incidents[0]
    assert (match.incident_id, match.match_level.value, match.overlap) == (
        "INC-ZW-MARANGE",
        "site",
        "same_period",
    )
    assert any("hrw.org" in (source.url or "") for source in match.sources)
    assert assessment.csc.risk_score >= 70


def test_kp_pass_is_never_worded_as_ethical_or_conflict_free(
    vector: Callable[[str], Vector], reference: Reference
) -> None:
    summary = run(vector("marange-2008"), reference).kp.summary.lower()

    assert "ethical" not in summary
    assert "conflict-free" not in summary
    assert "narrow" in summary


def test_bria_2019_fails_on_the_compliant_zones_and_2025_passes(
    vector: Callable[[str], Vector], reference: Reference
) -> None:
    in_2019 = run(vector("car-bria-2019"), reference)
    in_2025 = run(vector("car-bria-2025"), reference)

    k09 = [c for c in in_2019.kp.checks if c.id == "K09" and c.status is CheckStatus.fail]
    assert k09 and "compliant zones" in k09[0].reason
    assert "Bria" in k09[0].reason
    assert statuses(in_2025, "K09") == {CheckStatus.pass_}
    assert statuses(in_2025, "K03") == {CheckStatus.pass_}


def test_berberati_2019_shows_the_car_country_context(
    vector: Callable[[str], Vector], reference: Reference
) -> None:
    assessment = run(vector("car-berberati-2019"), reference)

    assert any("compliant zones" in note and "inside" in note for note in assessment.csc.context)
    assert CheckStatus.warn in statuses(assessment, "K03")


def test_the_registry_speaks_as_known_on_the_date(
    vector: Callable[[str], Vector], reference: Reference
) -> None:
    then = vector("marange-2008-as-known-then")
    assert run(then, reference).csc.result.value == "no_known_red_flags"

    then["as_of"] = "2010-01-01"
    assert run(then, reference).csc.result.value == "red_flag"


def test_unlinked_polished_stone_is_never_a_pass(
    vector: Callable[[str], Vector], reference: Reference
) -> None:
    assessment = run(vector("polished-unlinked"), reference)

    assert statuses(assessment, "K14") == {CheckStatus.missing}
    assert "not linked to any rough lot" in assessment.csc.summary
    assert assessment.origin.evidence_level is None


def test_lab_grown_is_out_of_scope_with_a_clear_statement(
    vector: Callable[[str], Vector], reference: Reference
) -> None:
    assessment = run(vector("lab-grown"), reference)

    assert [c.id for c in assessment.kp.checks] == ["K01"]
    assert assessment.csc.scope_note and "laboratory-grown" in assessment.csc.scope_note


def test_origin_is_documented_when_the_certificate_states_it(
    vector: Callable[[str], Vector], reference: Reference
) -> None:
    data = vector("botswana-2023")
    assert run(data, reference).origin.evidence_level.value == "documented"  # type: ignore[union-attr]

    data["record"]["documents"].append(
        {
            "type": "attestation",
            "id": "origin-report",
            "scheme": "lab_origin_report",
            "level": "stone",
            "subject_id": "DEMO-BW-2023",
            "issuer": "GIA",
            "evidence_level": "lab_matched",
            "valid_from": "2023-08-01",
            "origin_country": "BW",
        }
    )
    assert run(data, reference).origin.evidence_level.value == "lab_matched"  # type: ignore[union-attr]


def test_site_attestation_mitigates_regional_risk_but_never_a_same_site_incident(
    vector: Callable[[str], Vector], reference: Reference
) -> None:
    data = vector("williamson-2018")
    data["record"]["documents"].append(
        {
            "type": "attestation",
            "id": "irma-audit",
            "scheme": "irma",
            "level": "site",
            "subject_id": "site",
            "issuer": "IRMA",
            "evidence_level": "issuer_confirmed",
            "valid_from": "2017-01-01",
        }
    )

    assessment = run(data, reference)

    assert assessment.csc.result.value == "red_flag"
    killings = next(c for c in assessment.csc.criteria if c.code == "C03")
    assert killings.level is CriterionLevel.red_flag
    assert not killings.incidents[0].mitigated


def test_russian_origin_is_flagged_separately_from_the_kp(
    vector: Callable[[str], Vector], reference: Reference
) -> None:
    assessment = run(vector("russia-2024"), reference)

    assert assessment.kp.result.value == "pass"
    assert assessment.sanctions.hits
    by_jurisdiction = {hit.jurisdiction: hit.regime_id for hit in assessment.sanctions.hits}
    assert by_jurisdiction == {
        "EU": "EU-RU-PROC-1CT",
        "US": "US-RU-PROC-1CT",
        "UK": "UK-RU-PROC-1CT",
    }


def test_reference_and_policy_versions_are_part_of_every_assessment(
    vector: Callable[[str], Vector], reference: Reference
) -> None:
    assessment = run(vector("botswana-2023"), reference)

    assert assessment.reference_data_version == reference.version
    assert assessment.policy_version
    assert len(assessment.record_digest) == 64


def _sierra_leone(exporter: str) -> Vector:
    record = rough_to_retail(
        subject="SL-2003",
        country="SL",
        admin1="Eastern",
        admin2="Kono",
        site_name="Kono alluvial fields",
        site_registry_id=None,
        mined=dt.date(2003, 1, 10),
        scale="asm",
    )
    if exporter != "SL":
        record["events"][1]["place"]["country"] = exporter
        record["documents"][0]["issuing_participant"] = exporter
        record["documents"][0]["number"] = f"{exporter}-2003-004711"
    return {"record": record, "as_of": "2026-11-01"}


def test_un_ban_exempts_the_governments_certificate_regime_only(reference: Reference) -> None:
    direct = run(_sierra_leone("SL"), reference)
    through_guinea = run(_sierra_leone("GN"), reference)

    assert statuses(direct, "K10") == {CheckStatus.pass_}
    assert CheckStatus.fail in statuses(through_guinea, "K10")
    assert through_guinea.kp.result.value == "fail"
