"""Every error is application/problem+json with type, title, status, detail and request_id."""

from __future__ import annotations

import pytest

from clearstone_api.security.scopes import Role
from tests.api.conftest import Auth
from tests.support.harness import ASGIClient

PROBLEM_FIELDS = {"type", "title", "status", "detail", "request_id"}


def _assert_problem(response_status: int, body: dict[str, object], content_type: str) -> None:
    assert content_type == "application/problem+json"
    assert PROBLEM_FIELDS <= set(body)
    assert body["status"] == response_status


def test_unknown_route_is_404_problem(client: ASGIClient) -> None:
    response = client.get("/v1/nothing-here")
    assert response.status_code == 404
    _assert_problem(404, response.json(), response.headers["content-type"])


def test_wrong_method_is_405_problem_keeping_allow(client: ASGIClient) -> None:
    response = client.delete("/v1/checkout/screenings")
    assert response.status_code == 405
    assert "POST" in response.headers["allow"]
    _assert_problem(405, response.json(), response.headers["content-type"])


def test_validation_error_names_each_invalid_field(client: ASGIClient, auth: Auth) -> None:
    response = client.post(
        "/v1/checkout/screenings",
        json={"items": [], "policy": {"unknown": "maybe"}},
        headers=auth(Role.retailer),
    )
    assert response.status_code == 422
    body = response.json()
    _assert_problem(422, body, response.headers["content-type"])
    paths = {error["path"] for error in body["errors"]}
    assert {"body.items", "body.policy.unknown"} <= paths


def test_malformed_json_is_400_problem_as_the_contract_declares(
    client: ASGIClient, auth: Auth
) -> None:
    response = client.post(
        "/v1/assessments",
        content=b"{not json",
        headers={"content-type": "application/json", **auth(Role.retailer)},
    )
    assert response.status_code == 400
    _assert_problem(400, response.json(), response.headers["content-type"])
    assert response.json()["type"].endswith("/malformed-json")


def test_error_body_carries_the_request_id_of_the_response(client: ASGIClient) -> None:
    response = client.get("/v1/certificates/NOPE-1", headers={"X-Request-Id": "trace-123"})
    assert response.headers["x-request-id"] == "trace-123"
    assert response.json()["request_id"] == "trace-123"


@pytest.mark.parametrize("scopes", [None, ["records:read"]], ids=["no-token", "no-scope"])
def test_credentials_are_checked_before_the_body_is_parsed(
    client: ASGIClient, auth: Auth, scopes: list[str] | None
) -> None:
    headers = {"content-type": "application/json"}
    if scopes is not None:
        headers |= auth(Role.supplier, scopes=scopes)
    response = client.post("/v1/lots", content=b"{not json", headers=headers)
    assert response.status_code == (401 if scopes is None else 403)
    _assert_problem(response.status_code, response.json(), response.headers["content-type"])


def test_writes_without_credentials_are_401_with_www_authenticate(client: ASGIClient) -> None:
    response = client.post("/v1/lots", json={"id": "L1", "carat": "1"})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    _assert_problem(401, response.json(), response.headers["content-type"])
