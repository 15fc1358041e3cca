"""JSON logs: one object per line, the request id on every line logged during a request, an
access line per request when asked for, and never a credential."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import BackgroundTasks, FastAPI

from clearstone_api.app import create_app
from clearstone_api.container import container_of
from clearstone_api.observability.logs import JsonHandler, configure_logging, redact
from clearstone_api.security.client_secrets import SecretHasher, load_pepper
from clearstone_api.security.scopes import Role
from clearstone_api.services.clients import create_client
from clearstone_api.settings import Settings
from tests.support.harness import ASGIClient

test_logger = logging.getLogger("clearstone.test")


def _lines(captured: str) -> list[dict[str, Any]]:
    """Every line written to standard output, each of which must be one JSON object."""
    lines = [line for line in captured.splitlines() if line.strip()]
    return [json.loads(line) for line in lines]


@pytest.fixture
def _json_logs(settings: Settings) -> Iterator[None]:
    """JSON lines on standard output for this test, as in a server process (the factory leaves
    pytest's own logging alone otherwise)."""
    root = logging.getLogger()
    level = root.level
    handler = configure_logging(settings, force=True)
    assert handler is not None
    yield
    root.removeHandler(handler)
    root.setLevel(level)


@pytest.fixture
def logged_app(_json_logs: None, settings: Settings) -> FastAPI:
    return create_app(settings.model_copy(update={"access_log": True, "log_level": "DEBUG"}))


@pytest.fixture
def logged(logged_app: FastAPI) -> Iterator[ASGIClient]:
    test_client = ASGIClient(logged_app)
    yield test_client
    test_client.close()


def test_every_line_logged_during_a_request_carries_its_request_id(
    logged_app: FastAPI, logged: ASGIClient, capsys: pytest.CaptureFixture[str]
) -> None:
    def later() -> None:
        test_logger.info("background work after the response")

    @logged_app.get("/test/sync")
    def in_a_thread(background: BackgroundTasks) -> None:
        test_logger.info("from a def route (threadpool)")
        background.add_task(later)

    @logged_app.get("/test/async")
    async def on_the_loop() -> None:
        await asyncio.sleep(0)
        test_logger.warning("from an async def route")

    capsys.readouterr()
    assert logged.get("/test/sync", headers={"X-Request-Id": "trace-sync"}).status_code == 200
    assert logged.get("/test/async", headers={"X-Request-Id": "trace-async"}).status_code == 200
    server_lines = [
        line for line in _lines(capsys.readouterr().out) if line["logger"].startswith("clearstone")
    ]
    by_message = {line["message"]: line for line in server_lines}
    assert by_message["from a def route (threadpool)"]["request_id"] == "trace-sync"
    assert by_message["background work after the response"]["request_id"] == "trace-sync"
    assert by_message["from an async def route"]["request_id"] == "trace-async"
    access = [line for line in server_lines if line["logger"] == "clearstone.access"]
    assert [line["request_id"] for line in access] == ["trace-sync", "trace-async"]


def test_a_line_has_timestamp_level_logger_and_message(
    _json_logs: None, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    test_logger.warning("outside any request: %d", 42)
    (line,) = _lines(capsys.readouterr().out)
    assert line["timestamp"].endswith("Z") and "T" in line["timestamp"]
    assert (line["level"], line["logger"], line["message"]) == (
        "WARNING",
        "clearstone.test",
        "outside any request: 42",
    )
    assert "request_id" not in line


def test_access_line_names_route_template_status_duration_and_client(
    logged: ASGIClient, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    response = logged.get("/v1/certificates/NOPE-7")
    (access,) = [
        line for line in _lines(capsys.readouterr().out) if line["logger"] == "clearstone.access"
    ]
    assert access["request_id"] == response.headers["x-request-id"]
    assert access["method"] == "GET"
    assert access["route"] == "/v1/certificates/{number}"
    assert access["path"] == "/v1/certificates/NOPE-7"
    assert access["status"] == 404
    assert isinstance(access["duration_ms"], float) and access["duration_ms"] >= 0
    assert access["client"] == "127.0.0.1"


def test_no_access_line_unless_the_setting_asks(
    _json_logs: None, client: ASGIClient, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    client.get("/healthz")
    assert not [
        line for line in _lines(capsys.readouterr().out) if line["logger"] == "clearstone.access"
    ]


def test_the_factory_configures_json_logging_when_nothing_else_has(settings: Settings) -> None:
    root = logging.getLogger()
    kept, level = root.handlers[:], root.level
    root.handlers.clear()  # a fresh server process: uvicorn configures only its own loggers
    try:
        create_app(settings)
        assert [type(h) for h in root.handlers] == [JsonHandler]
        assert logging.getLogger("uvicorn.error").handlers == []  # handed to the root logger
    finally:
        root.handlers[:] = kept
        root.setLevel(level)


def test_the_factory_leaves_logging_configured_elsewhere_alone(settings: Settings) -> None:
    root = logging.getLogger()
    assert root.handlers  # pytest's own
    create_app(settings)
    assert not any(isinstance(h, JsonHandler) for h in root.handlers)


def test_an_unhandled_error_is_one_line_with_its_traceback(
    logged_app: FastAPI, logged: ASGIClient, capsys: pytest.CaptureFixture[str]
) -> None:
    @logged_app.get("/test/boom")
    def boom() -> None:
        raise RuntimeError("boom")

    capsys.readouterr()
    response = logged.get("/test/boom", headers={"X-Request-Id": "trace-boom"})
    assert response.status_code == 500
    errors = [line for line in _lines(capsys.readouterr().out) if line["level"] == "ERROR"]
    assert errors
    assert all(line["request_id"] == "trace-boom" for line in errors)
    assert "RuntimeError: boom" in errors[0]["exception"]


def test_bearer_tokens_and_client_secrets_never_reach_the_logs(
    logged_app: FastAPI,
    logged: ASGIClient,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    with container_of(logged_app).database.session() as session:
        created = create_client(
            session,
            SecretHasher(load_pepper(container_of(logged_app).settings)),
            role=Role.supplier,
            tenant_id="acme-mining",
        )
    secret = created.client_secret
    capsys.readouterr()
    issued = logged.post(
        "/v1/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": created.client_id,
            "client_secret": secret,
        },
    )
    assert issued.status_code == 200, issued.text
    token = issued.json()["access_token"]
    # Accepted, refused and malformed credentials, in headers and in bodies.
    assert logged.get("/v1/stones", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert (
        logged.get("/v1/stones", headers={"Authorization": f"Bearer {token}x"}).status_code == 401
    )
    wrong = {"grant_type": "client_credentials", "client_id": created.client_id}
    assert logged.post("/v1/oauth/token", data={**wrong, "client_secret": secret + "x"}).status_code
    logged.post(
        "/v1/lots",
        json={"id": "L1", "carat": "1", "client_secret": secret, "token": token},
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "k-1"},
    )
    output = capsys.readouterr().out
    assert any(line["logger"] == "clearstone.access" for line in _lines(output))
    for credential in (secret, token, token[-40:], secret[-16:]):
        assert credential not in output
        assert credential not in caplog.text


def test_credentials_in_messages_are_masked_as_a_second_line_of_defence() -> None:
    token = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXZhbHVl"
    assert token not in redact(f"retrying with Authorization: Bearer {token}")
    assert "s3cr3t-value" not in redact("client_id=abc&client_secret=s3cr3t-value&scope=x")
    assert "hunter2" not in redact('{"password": "hunter2"}')
    assert "pw" not in redact("postgresql+psycopg://clearstone:pw@db:5432/clearstone")
    assert redact("bearer token refused: expired") == "bearer token refused: expired"
