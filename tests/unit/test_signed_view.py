"""What an attestation signs is the stored view's own JSON, read back from its bytes.

``assessment_row`` serializes a stone's public view once (the stored ``public_json``) and signs
``json.loads`` of those bytes instead of walking the model a second time. That holds only while
the two give the same JSON values, types included (a float stays a float, an integer an
integer): this checks it on every published vector, and that RFC 8785 writes them alike.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from clearstone_api.canonical import jcs
from clearstone_api.demo.scenarios import load_vectors
from clearstone_api.domain.assessment import assess
from clearstone_api.domain.record_validation import parse_record
from clearstone_api.domain.reference import Reference
from clearstone_api.services.certificates import CertificatePublic, certificate_view

ASSESSED_AT = dt.datetime(2026, 12, 5, 9, 30, tzinfo=dt.UTC)


def _typed(value: Any) -> Any:
    """``value`` with the type of every leaf beside it (``1 == 1.0`` must not pass)."""
    if isinstance(value, dict):
        return {name: _typed(member) for name, member in value.items()}
    if isinstance(value, list):
        return [_typed(item) for item in value]
    return (type(value).__name__, value)


def _view(vector: dict[str, Any], reference: Reference) -> CertificatePublic:
    record = parse_record(vector["record"])
    assessment = assess(record, reference, dt.date.fromisoformat(vector["as_of"]))
    return certificate_view("CS-0000000001", "polished", assessment, ASSESSED_AT)


@pytest.mark.parametrize("vector", load_vectors(), ids=lambda v: str(v["name"]))
def test_the_view_read_back_from_its_bytes_is_the_view(
    vector: dict[str, Any], reference: Reference
) -> None:
    view = _view(vector, reference)

    walked = view.model_dump(mode="json")
    read_back = json.loads(view.model_dump_json())

    assert _typed(read_back) == _typed(walked)
    assert jcs(read_back) == jcs(walked)


def test_the_vectors_compare_floats_and_integers(reference: Reference) -> None:
    """The comparison above means something only if the views carry both kinds of number."""
    leaves = [
        leaf
        for vector in load_vectors()
        for leaf in _leaves(_view(vector, reference).model_dump(mode="json"))
    ]
    assert any(type(leaf) is float and not leaf.is_integer() for leaf in leaves)
    assert any(type(leaf) is int for leaf in leaves)


def _leaves(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [leaf for member in value.values() for leaf in _leaves(member)]
    if isinstance(value, list):
        return [leaf for item in value for leaf in _leaves(item)]
    return [value]
