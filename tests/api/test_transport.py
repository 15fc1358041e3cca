"""Transport-level guards (``security/transport.py``, ``security/body_limits.py``): header size,
body read time, ``nosniff`` everywhere, no Host reflection, API docs off in production."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from clearstone_api.app import create_app
from clearstone_api.security.keys import generate_jwk
from clearstone_api.security.scopes import Role
from clearstone_api.settings import Settings
from tests.support.harness import ASGIClient, bearer


@pytest.mark.parametrize(
    "path",
    [
        "/v1/reference/taxonomy",  # JSON
        "/v1/certificates/GIA-0000000000",  # problem+json 404
        "/",  # the consumer page
        "/openapi.json",
        "/healthz",
        "/no/such/route",
    ],
)
def test_every_response_carries_nosniff(client: ASGIClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code in {200, 404}, response.text
    assert response.headers["x-content-type-options"] == "nosniff"


def test_static_files_carry_nosniff(client: ASGIClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    stylesheet = next(
        part.split('"')[1] for part in page.text.split("href=")[1:] if "/static/" in part
    )
    response = client.get(stylesheet)
    assert response.status_code == 200
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-content-type-options"].count("nosniff") == 1


def test_oversized_headers_are_431(client: ASGIClient) -> None:
    response = client.get("/v1/reference/taxonomy", headers={"x-padding": "a" * 20_000})
    assert response.status_code == 431, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 431
    fine = client.get("/v1/reference/taxonomy", headers={"x-padding": "a" * 4_000})
    assert fine.status_code == 200


def test_a_trailing_slash_is_not_redirected_to_the_callers_host(client: ASGIClient) -> None:
    response = client.get(
        "/v1/reference/taxonomy/", headers={"host": "evil.example"}, follow_redirects=False
    )
    assert response.status_code == 404, response.text
    assert "location" not in response.headers
    assert "evil.example" not in response.text


@pytest.fixture
def slow(settings: Settings) -> Iterator[ASGIClient]:
    app = create_app(settings.model_copy(update={"body_read_timeout_seconds": 0.2}))
    client = ASGIClient(app)
    client.headers.update(bearer(app, Role.supplier))
    yield client
    client.close()


def test_a_trickled_body_is_408(slow: ASGIClient) -> None:
    async def trickle() -> AsyncIterator[bytes]:
        yield b"{"
        await asyncio.sleep(0.5)
        yield b"}"

    response = slow.post(
        "/v1/lots", content=trickle(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 408, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["connection"] == "close"


def _production(tmp_path: Path, **changes: object) -> FastAPI:
    settings = Settings(
        environment="production",
        data_dir=tmp_path,
        database_url=f"sqlite:///{tmp_path / 'db.sqlite'}",
        signing_keys=SecretStr(json.dumps({"keys": [generate_jwk("prod-1")]})),
        client_secret_pepper=SecretStr("A" * 43),
        **changes,  # type: ignore[arg-type]
    )
    return create_app(settings)


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_api_docs_are_off_in_production_and_on_in_development(
    tmp_path: Path, client: ASGIClient, path: str
) -> None:
    assert client.get(path).status_code == 200
    production = ASGIClient(_production(tmp_path))
    try:
        assert production.get(path).status_code == 404
        assert production.get("/openapi.json").status_code == 200
    finally:
        production.close()
    opted_in = ASGIClient(_production(tmp_path, api_docs=True))
    try:
        assert opted_in.get(path).status_code == 200
    finally:
        opted_in.close()
