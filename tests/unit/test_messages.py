"""Sentences stored as message ids: the English statement is exactly their rendering."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from clearstone_api.demo.scenarios import load_vectors
from clearstone_api.domain.assessment import assess
from clearstone_api.domain.messages import TEMPLATES, Message, render
from clearstone_api.domain.record_validation import parse_record
from clearstone_api.domain.reference import Reference


def test_every_vectors_coverage_statement_is_its_messages_rendered(reference: Reference) -> None:
    seen: set[str] = set()
    for vector in load_vectors():
        record = parse_record(vector["record"])
        coverage = assess(record, reference, dt.date.fromisoformat(vector["as_of"])).csc.coverage
        if coverage is None:
            continue
        assert coverage.statement_messages, vector["name"]
        rendered = "; ".join(render(m) for m in coverage.statement_messages) + "."
        assert rendered == coverage.statement, vector["name"]
        seen |= {m.id for m in coverage.statement_messages}
    assert {"coverage.no_origin", "coverage.incidents", "coverage.site_clean"} <= seen


@pytest.mark.parametrize("key", sorted(TEMPLATES))
def test_every_template_names_its_parameters(key: str) -> None:
    names = set(re.findall(r"%\((\w+)\)s", TEMPLATES[key]))
    message = Message(id=key, params={name: f"<{name}>" for name in names})
    assert all(f"<{name}>" in render(message) for name in names)
    assert render(message, "X %(place)s" if "place" in names else "X").startswith("X")
