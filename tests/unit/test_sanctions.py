"""The sanctions answer: listed parties under every name, declared content, the scope of each
rule (industrial, synthetic, jewellery, weight bands, grandfathering) and one verdict per
jurisdiction."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from clearstone_api.demo.chains import rough_to_retail
from clearstone_api.domain.assessment import assess
from clearstone_api.domain.record_validation import parse_record
from clearstone_api.domain.reference import Reference
from clearstone_api.domain.sanctions import MissingNameScreen
from clearstone_api.domain.verdicts import JurisdictionVerdict, RuleOutcome, SanctionsVerdict

Record = dict[str, Any]
D = dt.date


def _chain(country: str = "RU", mined: D | None = None, carat: str = "1.02") -> Record:
    mined = mined or D(2024, 4, 1)
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


def _sanctions(record: Record, reference: Reference, as_of: D | None = None) -> SanctionsVerdict:
    return assess(parse_record(record), reference, as_of or D(2026, 11, 1)).sanctions


def _j(verdict: SanctionsVerdict, jurisdiction: str) -> JurisdictionVerdict:
    return next(j for j in verdict.jurisdictions if j.jurisdiction == jurisdiction)


def _outcome(verdict: JurisdictionVerdict, rule_id: str) -> RuleOutcome:
    return next(r.outcome for r in verdict.rules if r.rule_id == rule_id)


# --- 1. listed parties under every name ----------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["PJSC ALROSA", "ALROSA PJSC", "AK ALROSA (PAO)", "АЛРОСА", "Alrosa", "АК «АЛРОСА» (ПАО)"],  # noqa: RUF001
)
def test_alrosa_is_hit_under_every_name_on_every_list(name: str, reference: Reference) -> None:
    record = _chain(country="BW")
    record["parties"][1]["name"] = name  # the rough trader
    verdict = _sanctions(record, reference)

    party_hits = {h.jurisdiction: h.party for h in verdict.hits if h.party}
    assert set(party_hits) == {"EU", "US", "UK"}
    for jurisdiction, match in party_hits.items():
        assert match is not None
        assert match.listed_name == "ALROSA"
        assert match.score >= match.threshold
        assert match.name == name
        assert _j(verdict, jurisdiction).result.value == "flagged"
    us = party_hits["US"]
    assert us is not None and (us.list, us.listed_on) == ("OFAC SDN", D(2022, 4, 7))
    assert verdict.result.value == "flagged"


@pytest.mark.parametrize("name", ["Rosy Blue NV", "Alrose Diamonds LLC", "Almaz Trading FZE"])
def test_legitimate_names_near_alrosa_are_not_hit(name: str, reference: Reference) -> None:
    record = _chain(country="BW")
    record["parties"][1]["name"] = name
    assert _sanctions(record, reference).result.value == "clear"


def test_a_party_is_hit_before_its_listing_only_when_it_handled_the_goods_after(
    reference: Reference,
) -> None:
    record = _chain(country="BW", mined=D(2023, 3, 1))
    record["parties"][1]["name"] = "PJSC ALROSA"
    verdict = _sanctions(record, reference)
    # Listed by the US and UK in 2022, by the EU only on 2024-01-03.
    assert {h.jurisdiction for h in verdict.hits} == {"US", "UK"}


@pytest.mark.parametrize(("share", "hit"), [("51", True), ("50", True), ("49.9", False)])
def test_ownership_of_half_or_more_by_a_listed_party_counts(
    share: str, hit: bool, reference: Reference
) -> None:
    record = _chain(country="BW")
    record["parties"][2]["name"] = "Yakutia Cutting Works LLC"
    record["parties"][2]["owners"] = [{"name": "PJSC ALROSA", "share_percent": share}]
    verdict = _sanctions(record, reference)
    owned = [h.party for h in verdict.hits if h.party and h.party.via_owner]
    assert bool(owned) is hit
    if hit:
        assert owned[0] is not None and owned[0].owner_share == float(share)


def test_a_certificate_exporter_is_screened_too(reference: Reference) -> None:
    record = _chain(country="BW")
    record["documents"][0]["exporter"]["name"] = "Public Joint Stock Company ALROSA"
    verdict = _sanctions(record, reference)
    assert {h.regime_id for h in verdict.hits} >= {"US-SDN-ALROSA", "EU-ALROSA", "UK-ALROSA"}


# --- 2. declared content -------------------------------------------------------------------


def test_a_mixed_parcel_whose_invoice_declares_russia_is_flagged(reference: Reference) -> None:
    record = _chain(country="BW", mined=D(2024, 2, 1))
    record["lots"][0]["mixed_origin"] = True
    for doc in record["documents"]:
        if doc["type"] == "kp_certificate":
            doc["country_of_origin"] = "MIXED"
    record["documents"][1]["source_countries"] = ["BW", "RU", "ZA"]
    verdict = _sanctions(record, reference)

    assert verdict.result.value == "flagged"
    russia = [d for d in verdict.declared_countries if d.country == "RU"]
    assert [(d.basis, d.evidence.id) for d in russia] == [("invoice", "inv1")]
    assert verdict.goods is not None and "RU" in verdict.goods.mining_countries
    assert _outcome(_j(verdict, "EU"), "EU-RU-PROC-1CT") is RuleOutcome.applies


def test_a_certificate_country_of_origin_counts(reference: Reference) -> None:
    record = _chain(country="BW")
    record["documents"][2]["country_of_origin"] = "RU"
    verdict = _sanctions(record, reference)
    assert ("RU", "kp_certificate") in {(d.country, d.basis) for d in verdict.declared_countries}
    assert verdict.result.value == "flagged"


# --- 3. scope: industrial, synthetic, jewellery, bands, grandfathering ---------------------


def test_russian_industrial_rough_is_outside_every_ban(reference: Reference) -> None:
    record = _chain()
    record["lots"][0]["hs_code"] = "7102.21"
    verdict = _sanctions(record, reference)
    assert verdict.result.value == "clear"
    assert _outcome(_j(verdict, "EU"), "EU-RU-PROC-1CT") is RuleOutcome.out_of_scope


def _direct_rough(mined: D, carat: str = "0.30", origin: str = "natural") -> Record:
    """Rough exported from Russia straight into Antwerp; the parcel is the subject."""
    record = rough_to_retail(
        subject="S1",
        country="RU",
        admin1=None,
        admin2=None,
        site_name="Mine",
        site_registry_id=None,
        mined=mined,
    )
    record["subject_id"] = "L1"
    record["lots"][0]["carat"] = carat
    record["lots"][0]["origin"] = origin
    record["events"] = record["events"][:4]
    return record


def test_direct_imports_are_banned_at_any_weight(reference: Reference) -> None:
    verdict = _sanctions(_direct_rough(D(2024, 5, 1)), reference)
    eu = _j(verdict, "EU")
    assert (eu.result.value, eu.date_basis, eu.weight_band) == ("flagged", "import", "parcel")
    assert _outcome(eu, "EU-RU-DIRECT-2024") is RuleOutcome.applies


def test_rough_imported_into_the_eu_before_2024_is_grandfathered(reference: Reference) -> None:
    verdict = _sanctions(_direct_rough(D(2023, 6, 1)), reference)
    eu = _j(verdict, "EU")
    assert eu.result.value == "clear"
    assert eu.grandfathered
    assert _outcome(eu, "EU-RU-DIRECT-2024") is RuleOutcome.grandfathered


def test_the_eu_direct_ban_covers_russian_synthetics(reference: Reference) -> None:
    verdict = _sanctions(_direct_rough(D(2024, 5, 1), origin="lab_grown"), reference)
    assert _outcome(_j(verdict, "EU"), "EU-RU-DIRECT-2024") is RuleOutcome.applies
    # The US executive order covers natural diamonds of Russian origin only.
    assert _outcome(_j(verdict, "US"), "US-RU-EO14068") is RuleOutcome.out_of_scope


def test_jewellery_is_outside_the_eu_indirect_ban(reference: Reference) -> None:
    record = _chain(mined=D(2024, 10, 1))
    record["stones"][0]["article"] = "jewellery"
    verdict = _sanctions(record, reference)
    eu = _j(verdict, "EU")
    assert eu.result.value == "clear"
    reason = next(r.reason for r in eu.rules if r.rule_id == "EU-RU-PROC-1CT")
    assert "jewellery" in reason


@pytest.mark.parametrize(
    ("carat", "mined", "outcomes"),
    [
        # 1 ct and over, processed after 2024-03-01: covered.
        ("1.02", D(2024, 4, 1), {"EU-RU-PROC-1CT": "applies", "EU-RU-PROC-05CT": "out_of_scope"}),
        # 1 ct and over, processed before 2024-03-01: grandfathered.
        ("1.02", D(2023, 11, 1), {"EU-RU-PROC-1CT": "grandfathered"}),
        # 0.50-0.99 ct processed before 2024-09-01: grandfathered by the later cut-off.
        ("0.70", D(2024, 4, 1), {"EU-RU-PROC-05CT": "grandfathered"}),
        # 0.50-0.99 ct processed after 2024-09-01: covered.
        ("0.70", D(2024, 10, 1), {"EU-RU-PROC-05CT": "applies"}),
        # Under 0.50 ct processed in a third country: outside the indirect ban.
        ("0.40", D(2024, 10, 1), {"EU-RU-PROC-05CT": "out_of_scope"}),
    ],
)
def test_weight_bands_and_their_cut_offs(
    carat: str, mined: D, outcomes: dict[str, str], reference: Reference
) -> None:
    eu = _j(_sanctions(_chain(mined=mined, carat=carat), reference), "EU")
    for rule_id, outcome in outcomes.items():
        assert _outcome(eu, rule_id).value == outcome, rule_id
    assert eu.result.value == ("flagged" if "applies" in outcomes.values() else "clear")


# --- 4. one verdict per jurisdiction -------------------------------------------------------


def test_each_jurisdiction_reads_its_own_rules_on_its_own_date(reference: Reference) -> None:
    # Russian rough cut in India in 2022, graded and sold in the US: substantial transformation
    # still released a stone from the US order then, and the EU and UK measures came later;
    # read again in 2026, the EU and UK bans are in force but the stone predates their cut-off.
    record = _chain(mined=D(2022, 9, 1))
    verdict = _sanctions(record, reference, as_of=D(2023, 6, 1))
    us, eu, uk = (_j(verdict, j) for j in ("US", "EU", "UK"))
    assert us.date_basis == "arrival" and us.date < D(2023, 6, 1)
    assert _outcome(us, "US-RU-PROC-1CT") is RuleOutcome.not_in_force
    assert (eu.result.value, uk.result.value) == ("clear", "clear")
    assert _outcome(us, "US-RU-EO14068") is RuleOutcome.out_of_scope
    later = _sanctions(record, reference, as_of=D(2026, 11, 1))
    assert _j(later, "EU").grandfathered and _j(later, "UK").grandfathered
    assert _outcome(_j(later, "EU"), "EU-RU-PROC-1CT") is RuleOutcome.grandfathered
    assert _j(later, "US").result.value == "clear", "imported before the US indirect ban"


def test_the_uk_bans_russian_synthetics_processed_elsewhere_from_april_2025(
    reference: Reference,
) -> None:
    record = _chain(mined=D(2025, 6, 1), carat="0.60")
    record["stones"][0]["origin"] = "lab_grown"
    uk = _j(_sanctions(record, reference), "UK")
    assert _outcome(uk, "UK-RU-PROC-SYN") is RuleOutcome.applies


def test_the_summary_is_flagged_when_any_jurisdiction_is(reference: Reference) -> None:
    record = _chain(country="BW", mined=D(2023, 3, 1))
    record["parties"][1]["name"] = "PJSC ALROSA"
    verdict = _sanctions(record, reference)
    assert [j.result.value for j in verdict.jurisdictions] == ["clear", "flagged", "flagged"]
    assert verdict.result.value == "flagged"
    assert {h.regime_id for h in verdict.hits} == {
        h.regime_id for j in verdict.jurisdictions for h in j.hits
    }


def test_every_rule_row_comes_back_with_its_sources(reference: Reference) -> None:
    verdict = _sanctions(_chain(), reference)
    for jurisdiction in verdict.jurisdictions:
        ids = {r.rule_id for r in jurisdiction.rules}
        expected = {
            m.id for m in reference.sanction_measures if m.jurisdiction == jurisdiction.jurisdiction
        }
        assert ids == expected
        assert all(r.sources for r in jurisdiction.rules)


def test_a_reference_made_from_another_reads_its_own_rule_rows(reference: Reference) -> None:
    import dataclasses

    _sanctions(_chain(), reference)  # the rows of ``reference`` are prepared and kept with it
    first_eu_row = next(m for m in reference.sanction_measures if m.jurisdiction == "EU")
    fewer = dataclasses.replace(reference, sanction_measures=(first_eu_row,))

    verdict = _sanctions(_chain(), fewer)

    assert [len(j.rules) for j in verdict.jurisdictions] == [1, 0, 0]
    assert _j(verdict, "EU").rules[0].rule_id == first_eu_row.id


def test_a_reference_without_a_name_screen_refuses_to_screen(reference: Reference) -> None:
    import dataclasses

    bare = dataclasses.replace(reference, name_screen=None)
    with pytest.raises(MissingNameScreen):
        _sanctions(_chain(), bare)
