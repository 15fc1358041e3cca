from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from clearstone_api.domain.record_validation import RecordInvalid, parse_record

Vector = dict[str, Any]


def problems_of(data: Any) -> dict[str, str]:
    with pytest.raises(RecordInvalid) as caught:
        parse_record(data)
    return {problem.path: problem.type for problem in caught.value.problems}


def test_published_vectors_parse(vector: Callable[[str], Vector]) -> None:
    record = parse_record(vector("botswana-2023")["record"])
    assert record.subject.id == "DEMO-BW-2023"
    assert [event.type.value for event in record.events][:3] == ["extraction", "export", "import"]


def test_every_shape_problem_is_named_by_its_path(vector: Callable[[str], Vector]) -> None:
    data = vector("botswana-2023")["record"]
    data["stones"][0]["carat"] = "-1"
    data["events"][1]["date"] = "2023-02-30"
    data["events"][2]["place"]["country"] = "Belgium"
    data["documents"][0]["hs_codes"] = ["7102"]

    found = problems_of(data)

    assert found.keys() >= {
        "stones.0.carat",
        "events.1.date",
        "events.2.place.country",
        "documents.0.kp_certificate.hs_codes.0",
    }


def test_every_dangling_reference_is_named(vector: Callable[[str], Vector]) -> None:
    data = vector("botswana-2023")["record"]
    data["subject_id"] = "nope"
    data["events"][0]["items"] = ["L9"]
    data["events"][1]["document_ids"] = ["kpc9"]
    data["events"][3]["to_party_id"] = "ghost"
    data["stones"][0]["parent_lot_ids"] = ["L1", "L7"]

    found = problems_of(data)

    assert found == {
        "subject_id": "unknown_reference",
        "events.0.items.0": "unknown_reference",
        "events.1.document_ids.0": "unknown_reference",
        "events.3.to_party_id": "unknown_reference",
        "stones.0.parent_lot_ids.1": "unknown_reference",
    }


def test_duplicate_ids_and_lineage_cycles_are_rejected(vector: Callable[[str], Vector]) -> None:
    data = vector("botswana-2023")["record"]
    data["lots"].append({"id": "L2", "carat": "5", "parent_lot_ids": ["L3"]})
    data["lots"].append({"id": "L3", "carat": "5", "parent_lot_ids": ["L2"]})
    data["events"].append(copy.deepcopy(data["events"][0]))

    found = problems_of(data)

    assert found["events.10.id"] == "duplicate_id"
    assert "lineage_cycle" in found.values()


def test_unknown_fields_are_refused_rather_than_ignored(vector: Callable[[str], Vector]) -> None:
    data = vector("botswana-2023")["record"]
    data["stones"][0]["price_usd"] = "9000"

    assert problems_of(data) == {"stones.0.price_usd": "extra_forbidden"}


def test_problem_message_counts_and_lists_problems() -> None:
    with pytest.raises(RecordInvalid) as caught:
        parse_record({"subject_id": "x"})
    assert "1 problem(s)" in str(caught.value)
    assert "subject_id" in str(caught.value)
