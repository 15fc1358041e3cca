"""The committed contract: fresh, valid, and complete about every operation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from openapi_spec_validator import validate

from clearstone_api.openapi_export import render_openapi

SPEC_PATH = Path(__file__).parents[2] / "openapi" / "openapi.json"
METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(render_openapi())
    return document


def _operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


def test_committed_spec_is_up_to_date() -> None:
    assert SPEC_PATH.read_text(encoding="utf-8") == render_openapi(), "run `make openapi`"


def test_spec_validates(spec: dict[str, Any]) -> None:
    validate(spec)


def test_operation_ids_are_unique_and_readable(spec: dict[str, Any]) -> None:
    ids = [op["operationId"] for _, _, op in _operations(spec)]
    assert len(ids) == len(set(ids))
    assert all(op_id.replace("-", "").isalpha() and op_id.islower() for op_id in ids)


def test_every_operation_is_tagged(spec: dict[str, Any]) -> None:
    assert all(op.get("tags") for _, _, op in _operations(spec))


def test_errors_are_declared_as_problem_json(spec: dict[str, Any]) -> None:
    for _, _, operation in _operations(spec):
        for status, response in operation["responses"].items():
            if int(status) >= 400:
                assert list(response["content"]) == ["application/problem+json"]


def test_operations_declare_the_statuses_they_return(spec: dict[str, Any]) -> None:
    statuses = {op["operationId"]: set(op["responses"]) for _, _, op in _operations(spec)}
    assert {"200", "304", "404", "422"} <= statuses["certificates-get"]
    for creating in ("stones-create", "lots-create", "custody-events-create", "incidents-create"):
        assert {"201", "401", "409", "422"} <= statuses[creating]
    for _, _, operation in _operations(spec):
        if operation.get("parameters") or operation.get("requestBody"):
            assert "422" in operation["responses"], operation["operationId"]
