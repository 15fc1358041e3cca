"""Every parameter, request body and response of the contract has an example, and every
example is valid against its own schema.

The operations are those of the committed contract, so an operation added later is held to
the same rule. What to do when this fails: a request example goes in
``api/clearstone_api/contract_examples/__init__.py``; a response example comes from
``make openapi-examples`` (add a step for a new operation in
``tests/contract/capture_examples.py``), then ``make openapi``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker

SPEC = json.loads(
    (Path(__file__).parents[2] / "openapi" / "openapi.json").read_text(encoding="utf-8")
)
METHODS = {"get", "post", "put", "patch", "delete"}
HOW = (
    "add the request example to api/clearstone_api/contract_examples/__init__.py, or capture "
    "the response (make openapi-examples; a new operation needs a step in "
    "tests/contract/capture_examples.py), then make openapi"
)


def _examples() -> list[tuple[str, Any, dict[str, Any] | None]]:
    """``(where, example, schema)`` for every parameter, body and response content."""
    found = []
    for _path, item in SPEC["paths"].items():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            op_id = operation["operationId"]
            for parameter in operation.get("parameters", []):
                found.append(
                    (
                        f"{op_id} parameter {parameter['name']}",
                        parameter.get("example"),
                        parameter["schema"],
                    )
                )
            for media, content in operation.get("requestBody", {}).get("content", {}).items():
                found.append(
                    (f"{op_id} request body ({media})", content.get("example"), content["schema"])
                )
            for status, response in operation["responses"].items():
                for media, content in response.get("content", {}).items():
                    found.append(
                        (
                            f"{op_id} response {status} ({media})",
                            content.get("example"),
                            content["schema"],
                        )
                    )
    return found


EXAMPLES = _examples()


def test_everything_has_an_example() -> None:
    missing = [where for where, example, _ in EXAMPLES if example is None]
    assert missing == [], f"{len(missing)} without an example: {missing}; {HOW}"
    assert len(EXAMPLES) > 400


@pytest.mark.parametrize(
    ("where", "example", "schema"),
    [e for e in EXAMPLES if e[1] is not None],
    ids=lambda v: v if isinstance(v, str) and " " in v else "",
)
def test_every_example_is_valid_against_its_schema(
    where: str, example: Any, schema: dict[str, Any]
) -> None:
    validator = Draft202012Validator(
        {**schema, "components": SPEC["components"]}, format_checker=FormatChecker()
    )
    errors = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(example)
    ]
    assert errors == [], f"{where}: {errors[:5]}; {HOW}"


def test_creating_operations_link_to_their_reads() -> None:
    links = SPEC["paths"]["/v1/stones"]["post"]["responses"]["201"]["links"]
    assert links["stones-get"]["parameters"] == {"path.stone_id": "$response.body#/id"}
    assert {"custody-verifications-get", "stone-summaries-get"} <= set(links)
    for _path, item in SPEC["paths"].items():
        for method, operation in item.items():
            if method in METHODS and "201" in operation["responses"]:
                assert operation["responses"]["201"].get("links"), (
                    f"{operation['operationId']}: no link to a read of what it created "
                    "(openapi_examples.add_links links POST <path> to GET <path>/{id})"
                )
