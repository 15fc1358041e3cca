"""HEAD, CORS and media types (``http_semantics.py``), as browsers and generic clients use them.

The CORS tests walk every operation of the app's own OpenAPI document, so an operation added
later is held to the policy its declared security implies."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi import FastAPI

from clearstone_api.app import create_app
from clearstone_api.security.scopes import Role
from clearstone_api.settings import Settings
from tests.api.conftest import Auth, Loader
from tests.support.harness import ASGIClient

SHOP = "https://shop.example"
METHODS = ("get", "post", "put", "patch", "delete")


def _operations(app: FastAPI) -> list[tuple[str, str, bool]]:
    """``(method, path with its parameters filled in, public read?)`` of every operation."""
    found = []
    for path, item in app.openapi()["paths"].items():
        concrete = re.sub(r"\{[^}]+\}", "x1", path)
        for method, operation in item.items():
            if method in METHODS:
                public = method == "get" and not operation.get("security")
                found.append((method.upper(), concrete, public))
    return found


def _preflight(client: ASGIClient, method: str, path: str, request_headers: str) -> Any:
    return client.request(
        "OPTIONS",
        path,
        headers={
            "Origin": SHOP,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": request_headers,
        },
    )


@pytest.mark.parametrize(
    "path",
    [
        "/v1/certificates/DEMO-BW-2023",
        "/v1/reference/taxonomy",
        "/healthz",
        "/.well-known/jwks.json",
    ],
)
def test_head_answers_wherever_get_does(load: Loader, client: ASGIClient, path: str) -> None:
    load("DEMO-BW-2023")
    got = client.get(path)
    head = client.request("HEAD", path)
    assert got.status_code == head.status_code == 200, head.text
    assert head.content == b""
    assert head.headers["content-type"] == got.headers["content-type"]
    assert head.headers.get("etag") == got.headers.get("etag")


def test_head_answers_as_get_on_every_get_operation(client: ASGIClient) -> None:
    """Every GET of the contract (ids that match nothing; no credentials), so an operation added
    later is held to it: the same status and media type, no body."""
    gets = [(path, public) for method, path, public in _operations(client.app) if method == "GET"]
    assert len(gets) > 30
    for path, public in gets:
        got = client.get(path)
        head = client.request("HEAD", path)
        assert head.status_code == got.status_code, (path, head.status_code, got.status_code)
        assert public or got.status_code == 401, (path, got.status_code)
        assert head.content == b"", path
        assert head.headers.get("content-type") == got.headers.get("content-type"), path


def test_head_on_an_unknown_certificate_is_404_without_a_body(client: ASGIClient) -> None:
    response = client.request("HEAD", "/v1/certificates/NOPE-1")
    assert response.status_code == 404
    assert response.content == b""


def test_a_page_on_any_origin_may_read_a_public_lookup(load: Loader, client: ASGIClient) -> None:
    load("DEMO-BW-2023")
    preflight = client.request(
        "OPTIONS",
        "/v1/certificates/DEMO-BW-2023",
        headers={"Origin": SHOP, "Access-Control-Request-Method": "GET"},
    )
    assert preflight.status_code == 200, preflight.text
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in preflight.headers
    response = client.get("/v1/certificates/DEMO-BW-2023", headers={"Origin": SHOP})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    assert "ETag" in response.headers["access-control-expose-headers"]


def test_public_reads_and_nothing_else_answer_any_origin(client: ASGIClient) -> None:
    """A public read (a GET that declares no credentials, an attestation's status included)
    answers any origin, in its preflight and in its answer, whatever the status; every other
    operation, an authenticated one on a public path included, answers no origin by default."""
    operations = _operations(client.app)
    assert ("GET", "/v1/attestations/x1/status", True) in operations
    assert ("GET", "/v1/reference/changes", False) in operations
    for method, path, public in operations:
        if public:
            preflight = _preflight(client, method, path, "if-none-match")
            assert preflight.status_code == 200, (path, preflight.text)
            assert preflight.headers["access-control-allow-origin"] == "*", path
            answer = client.request("HEAD", path, headers={"Origin": SHOP})
            assert answer.headers["access-control-allow-origin"] == "*", (path, answer.status_code)
        else:
            preflight = _preflight(client, method, path, "authorization, content-type")
            assert "access-control-allow-origin" not in preflight.headers, (method, path)


def test_an_allowed_origin_may_call_every_authenticated_operation(settings: Settings) -> None:
    app: FastAPI = create_app(settings.model_copy(update={"cors_allow_origins": [SHOP]}))
    client = ASGIClient(app)
    try:
        for method, path, public in _operations(app):
            if public:
                continue
            preflight = _preflight(client, method, path, "authorization, content-type")
            assert preflight.status_code == 200, (method, path, preflight.text)
            assert preflight.headers["access-control-allow-origin"] == SHOP, (method, path)
        other = client.request(
            "OPTIONS",
            "/v1/checkout/screenings",
            headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
        )
        assert other.headers.get("access-control-allow-origin") != "https://evil.example"
    finally:
        client.close()


@pytest.mark.parametrize("media_type", ["text/plain", "application/x-www-form-urlencoded", None])
def test_a_body_that_is_not_json_is_415(
    client: ASGIClient, auth: Auth, media_type: str | None
) -> None:
    headers = auth(Role.retailer)
    if media_type is not None:
        headers["content-type"] = media_type
    response = client.post("/v1/checkout/screenings", content=b'{"items": ["X1"]}', headers=headers)
    assert response.status_code == 415, response.text
    assert response.headers["content-type"] == "application/problem+json"
    fine = client.post(
        "/v1/checkout/screenings", json={"items": ["X1"]}, headers=auth(Role.retailer)
    )
    assert fine.status_code == 200, fine.text
