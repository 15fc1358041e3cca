"""Properties the engine keeps for any input, checked with hypothesis."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from clearstone_api.demo.scenarios import load_vectors
from clearstone_api.domain.assessment import assess
from clearstone_api.domain.record_validation import parse_record
from clearstone_api.domain.reference import Reference, load_reference
from clearstone_api.domain.reference_rows import Incident, IncidentSource, IncidentStatus
from clearstone_api.services.party_screen import screened

REFERENCE = screened(load_reference())
VECTORS = {v["name"]: v for v in load_vectors()}
ASSESSABLE = [name for name, v in VECTORS.items() if v["expected"]["kp"] != "not_applicable"]
SETTINGS = settings(
    max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)


def assess_data(data: dict[str, Any], as_of: str, reference: Reference = REFERENCE) -> Any:
    return assess(parse_record(data), reference, dt.date.fromisoformat(as_of))


vector_names = st.sampled_from(sorted(VECTORS))


@SETTINGS
@given(name=vector_names)
def test_same_input_gives_the_same_assessment_byte_for_byte(name: str) -> None:
    vector = VECTORS[name]
    first = assess_data(copy.deepcopy(vector["record"]), vector["as_of"])
    second = assess_data(copy.deepcopy(vector["record"]), vector["as_of"])

    assert first.model_dump_json() == second.model_dump_json()


incidents = st.builds(
    lambda n, country, admin, site, status, categories, start, length: Incident(
        id=f"INC-PROP-{n}",
        title="Synthetic incident",
        summary="Generated for a property test.",
        date_start=start,
        date_end=start + dt.timedelta(days=length),
        reported_on=start,
        country=country,
        admin1=admin[0],
        admin2=admin[1],
        site_ids=[site] if site else [],
        actors=["state_military"],
        categories=categories,
        status=status,
        sources=[IncidentSource(source_id="S23", title="Synthetic")],
        retrieved_at=dt.date(2025, 12, 15),
        verification="unverified",
    ),
    n=st.integers(0, 10_000),
    country=st.sampled_from(["BW", "ZW", "CF", "TZ", "RU", "VE", "CI", "IN", "BE"]),
    admin=st.sampled_from(
        [(None, None), ("Southern", None), ("Manicaland", "Marange"), ("Haute-Kotto", "Bria")]
    ),
    site=st.sampled_from([None, "BW-JWANENG", "ZW-MARANGE", "TZ-WILLIAMSON"]),
    status=st.sampled_from(list(IncidentStatus)),
    categories=st.lists(
        st.sampled_from([f"C{i:02d}" for i in range(1, 16)]), min_size=1, max_size=4
    ),
    start=st.dates(dt.date(2000, 1, 1), dt.date(2026, 1, 1)),
    length=st.integers(0, 4000),
)


@SETTINGS
@given(name=st.sampled_from(ASSESSABLE), incident=incidents)
def test_adding_an_incident_never_lowers_the_risk_score(name: str, incident: Incident) -> None:
    vector = VECTORS[name]
    before = assess_data(copy.deepcopy(vector["record"]), vector["as_of"])
    richer = REFERENCE.with_changes(revision="prop", incidents=[incident])
    after = assess_data(copy.deepcopy(vector["record"]), vector["as_of"], richer)

    assert after.csc.risk_score >= before.csc.risk_score


def without_document(data: dict[str, Any], doc_id: str) -> dict[str, Any]:
    data["documents"] = [d for d in data["documents"] if d["id"] != doc_id]
    for event in data["events"]:
        event["document_ids"] = [d for d in event.get("document_ids", []) if d != doc_id]
    return data


@SETTINGS
@given(name=st.sampled_from(ASSESSABLE), data=st.data())
def test_removing_a_document_never_turns_a_non_pass_into_a_pass(name: str, data: Any) -> None:
    vector = VECTORS[name]
    docs = [d["id"] for d in vector["record"]["documents"]]
    if not docs:
        return
    doc_id = data.draw(st.sampled_from(docs))
    before = assess_data(copy.deepcopy(vector["record"]), vector["as_of"])
    after = assess_data(without_document(copy.deepcopy(vector["record"]), doc_id), vector["as_of"])

    if before.kp.result.value != "pass":
        assert after.kp.result.value != "pass"
    if before.csc.result.value != "no_known_red_flags":
        assert after.csc.result.value != "no_known_red_flags"


PASSING = [n for n, v in VECTORS.items() if v["expected"]["kp"] == "pass"]
PASSING_STONES = [n for n in PASSING if VECTORS[n]["record"]["stones"]]
"""Passing vectors whose subject is a polished stone (not a rough parcel)."""


@SETTINGS
@given(name=st.sampled_from(PASSING), data=st.data())
def test_custody_events_out_of_order_never_pass_silently(name: str, data: Any) -> None:
    vector = VECTORS[name]
    record = copy.deepcopy(vector["record"])
    events = record["events"]
    item = data.draw(st.sampled_from(sorted({i for e in events for i in e["items"]})))
    handled = [i for i, e in enumerate(events) if item in e["items"]]
    assume(len({events[i]["date"] for i in handled}) > 1)
    first, second = sorted(
        data.draw(st.lists(st.sampled_from(handled), min_size=2, max_size=2, unique=True))
    )
    assume(events[first]["date"] != events[second]["date"])
    events[first]["date"], events[second]["date"] = events[second]["date"], events[first]["date"]

    assert assess_data(record, vector["as_of"]).kp.result.value != "pass"


@SETTINGS
@given(name=st.sampled_from(PASSING_STONES), extra=st.decimals("0.01", "500", places=2))
def test_a_polished_stone_heavier_than_its_rough_never_passes(name: str, extra: Any) -> None:
    vector = VECTORS[name]
    record = copy.deepcopy(vector["record"])
    stone = record["stones"][0]
    rough = sum(
        float(lot["carat"]) for lot in record["lots"] if lot["id"] in stone["parent_lot_ids"]
    )
    stone["carat"] = f"{rough + float(extra):.2f}"

    assessment = assess_data(record, vector["as_of"])

    assert assessment.kp.result.value == "fail"
    assert any(c.id == "K14" and c.status.value == "fail" for c in assessment.kp.checks)
