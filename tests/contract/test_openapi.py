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
        # The token endpoint reports bad input as RFC 6749 §5.2 says: 400 invalid_request.
        invalid = "400" if operation["operationId"] == "oauth-tokens-create" else "422"
        checked = [p for p in operation.get("parameters", []) if p["name"] != "If-None-Match"]
        if checked or operation.get("requestBody"):
            assert invalid in operation["responses"], operation["operationId"]


def test_security_schemes_are_oauth2_client_credentials_and_bearer(spec: dict[str, Any]) -> None:
    schemes = spec["components"]["securitySchemes"]
    flow = schemes["OAuth2"]["flows"]["clientCredentials"]
    assert flow["tokenUrl"] == "/v1/oauth/token"
    assert {"records:read", "records:write", "screenings", "reference:write"} <= set(flow["scopes"])
    assert schemes["bearerAuth"] == {**schemes["bearerAuth"], "type": "http", "scheme": "bearer"}


def test_protected_operations_declare_their_scope_and_refusals(spec: dict[str, Any]) -> None:
    public = {
        "certificates-get",
        "certificate-attestations-get",
        "participants-list",
        "incidents-list",
        "incidents-get",
        "taxonomy-list",
        "jwks-get",
        "oauth-tokens-create",
        "health-get",
        "readiness-get",
        "tree-heads-latest-get",
        "tree-heads-list",
        "tree-heads-get",
        "inclusion-proofs-get",
        "consistency-proofs-get",
        "attestation-statuses-get",
        "status-periods-get",
    }
    for _, _, operation in _operations(spec):
        op_id = operation["operationId"]
        if op_id in public:
            assert all("OAuth2" not in r for r in operation.get("security", [])), op_id
            continue
        (scopes,) = [r["OAuth2"] for r in operation["security"] if "OAuth2" in r]
        assert len(scopes) == 1, op_id
        assert {"bearerAuth": []} in operation["security"], op_id
        assert {"401", "403", "429"} <= set(operation["responses"]), op_id
        assert "WWW-Authenticate" in operation["responses"]["401"]["headers"], op_id


def test_rate_limited_operations_declare_429_with_retry_after(spec: dict[str, Any]) -> None:
    for path, _, operation in _operations(spec):
        if path in ("/healthz", "/readyz"):
            assert "429" not in operation["responses"]
            continue
        assert "Retry-After" in operation["responses"]["429"]["headers"], operation["operationId"]
        success = min(status for status in operation["responses"] if status.startswith("2"))
        assert "RateLimit" in operation["responses"][success]["headers"], operation["operationId"]


def _open_objects(spec: dict[str, Any], schema: Any, where: str, seen: set[str]) -> list[str]:
    """Every object schema reachable from ``schema`` that would accept an unknown key."""
    if isinstance(schema, list):
        return [hit for item in schema for hit in _open_objects(spec, item, where, seen)]
    if not isinstance(schema, dict):
        return []
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        if name in seen:
            return []
        seen.add(name)
        return _open_objects(spec, spec["components"]["schemas"][name], name, seen)
    found = []
    if schema.get("type") == "object" and "properties" in schema:
        if schema.get("additionalProperties") is not False:
            found.append(where)
    for key, value in schema.items():
        if key in {"properties", "items", "anyOf", "oneOf", "allOf", "additionalProperties"}:
            children = value.values() if key == "properties" else value
            found += _open_objects(
                spec, list(children) if key == "properties" else children, where, seen
            )
    return found


def test_every_request_body_object_refuses_unknown_keys(spec: dict[str, Any]) -> None:
    open_objects = {
        f"{operation['operationId']}: {where}"
        for _, _, operation in _operations(spec)
        for media, content in operation.get("requestBody", {}).get("content", {}).items()
        if media == "application/json"
        for where in _open_objects(spec, content["schema"], "body", set())
    }
    assert open_objects == set()


def test_every_schema_has_a_title_of_its_own(spec: dict[str, Any]) -> None:
    """Generators name classes after titles: two schemas with one title lose one of them."""
    schemas = spec["components"]["schemas"]
    titles = [schema.get("title", name) for name, schema in schemas.items()]
    assert len(titles) == len(set(titles))
    assert all(name.isalnum() for name in schemas), "names a generator can use as they are"
    for name in ("StoneInput", "Stone", "StonePublicPage"):
        assert schemas[name]["title"] == name


def test_a_date_parameter_is_a_date_format_not_a_pattern(spec: dict[str, Any]) -> None:
    (on,) = [
        p
        for p in spec["paths"]["/v1/reference/participants"]["get"]["parameters"]
        if p["name"] == "on"
    ]
    assert on["schema"]["type"] == "string"
    assert on["schema"]["format"] == "date"
    assert "pattern" not in on["schema"]


def test_every_get_declares_its_etag_and_304(spec: dict[str, Any]) -> None:
    missing = [
        f"{op['operationId']}: declare ETag on 200 and a 304 (conditional_gets.py adds them)"
        for _, method, op in _operations(spec)
        if method == "get"
        and ("304" not in op["responses"] or "ETag" not in op["responses"]["200"]["headers"])
    ]
    assert missing == []


def test_every_201_declares_location_and_the_resource_can_be_read_there(
    spec: dict[str, Any],
) -> None:
    readable = {path for path, item in spec["paths"].items() if "get" in item}
    problems = []
    for path, _, operation in _operations(spec):
        created = operation["responses"].get("201")
        if created is None:
            continue
        if "Location" not in created.get("headers", {}):
            problems.append(
                f"{operation['operationId']}: set Location (routes/created.py: created_at) "
                "and declare it (responses={201: {'headers': LOCATION_HEADER}})"
            )
        if not any(
            p.startswith(path + "/{") and p.count("/") == path.count("/") + 1 for p in readable
        ):
            problems.append(f"{operation['operationId']}: add GET {path}/{{id}} to read it back")
    assert problems == []


def test_every_operation_declares_what_the_middleware_can_answer(spec: dict[str, Any]) -> None:
    for _, _, operation in _operations(spec):
        declared = set(operation["responses"])
        assert {"405", "406", "500", "503"} <= declared, operation["operationId"]
        if any(p["name"] == "after" for p in operation.get("parameters", [])):
            assert "400" in declared, f"{operation['operationId']}: a bad cursor is a 400"
        if "requestBody" in operation:
            assert {"400", "413"} <= declared, operation["operationId"]


def test_a_discriminated_union_requires_its_tag(spec: dict[str, Any]) -> None:
    schemas = spec["components"]["schemas"]
    tagged = (
        [
            (schema["discriminator"], name)
            for name, schema in schemas.items()
            if "discriminator" in schema
        ]
        + [
            (prop["discriminator"], f"{name}.{key}")
            for name, schema in schemas.items()
            for key, prop in schema.get("properties", {}).items()
            if isinstance(prop, dict) and "discriminator" in prop
        ]
        + [
            (prop["items"]["discriminator"], f"{name}.{key}[]")
            for name, schema in schemas.items()
            for key, prop in schema.get("properties", {}).items()
            if isinstance(prop, dict) and "discriminator" in prop.get("items", {})
        ]
    )
    assert tagged, "the document union is discriminated by type"
    for discriminator, where in tagged:
        for ref in discriminator["mapping"].values():
            member = schemas[ref.rsplit("/", 1)[1]]
            assert discriminator["propertyName"] in member["required"], (where, ref)
