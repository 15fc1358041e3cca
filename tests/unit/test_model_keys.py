"""``known_keys``: the keys a model takes at a path, through lists, optionals and unions."""

from __future__ import annotations

from clearstone_api.domain.model_keys import known_keys
from clearstone_api.domain.records import KPCertificate, ProvenanceRecord


def test_the_keys_at_the_top_of_a_model() -> None:
    assert "subject_id" in known_keys(ProvenanceRecord, ())
    assert known_keys(ProvenanceRecord, ()) == sorted(ProvenanceRecord.model_fields)


def test_the_keys_inside_a_list_of_models() -> None:
    assert "seals_intact" in known_keys(ProvenanceRecord, ("events", 0))
    assert "admin2" in known_keys(ProvenanceRecord, ("events", 0, "place"))


def test_the_keys_through_an_optional_and_a_discriminated_union() -> None:
    assert "country" in known_keys(KPCertificate, ("exporter",))
    assert "number" in known_keys(ProvenanceRecord, ("documents", 0))


def test_a_path_that_leaves_the_model_has_no_keys() -> None:
    assert known_keys(ProvenanceRecord, ("no_such_field",)) == []
    assert known_keys(ProvenanceRecord, ("subject_id", "deeper")) == []
    assert known_keys(dict, ()) == []
