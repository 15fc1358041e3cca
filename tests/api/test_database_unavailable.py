"""A database that is down or drops connections: 503 problem+json with Retry-After, at once,
never a 500 or a hang; and a write that failed that way can be retried with its key."""

from __future__ import annotations

import socket
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, OperationalError

from clearstone_api.app import create_app
from clearstone_api.container import container_of
from clearstone_api.models.lot import RoughLot
from clearstone_api.security.scopes import Role
from clearstone_api.services import lots
from clearstone_api.services.idempotency import IdempotencyClaim
from clearstone_api.settings import Settings
from tests.api.factories import lot
from tests.support.harness import ASGIClient, bearer

DATABASE_DOWN = "https://clearstone.dev/problems/database-unavailable"


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port  # closed again: nothing listens there


def _assert_database_down(response: Any) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["retry-after"] == "2"
    body = response.json()
    assert body["type"] == DATABASE_DOWN
    assert body["status"] == 503
    assert body["request_id"] == response.headers["x-request-id"]


@pytest.fixture
def unreachable(tmp_path: Path) -> Any:
    """The app on a PostgreSQL URL where nothing listens (a stopped server)."""
    url = f"postgresql+psycopg://postgres@127.0.0.1:{_closed_port()}/clearstone"
    app = create_app(Settings(database_url=url, data_dir=tmp_path, environment="test"))
    client = ASGIClient(app)
    yield app, client
    client.close()


def test_reads_and_writes_fail_fast_with_503_when_the_database_is_down(
    unreachable: tuple[FastAPI, ASGIClient],
) -> None:
    app, client = unreachable
    supplier = {**bearer(app, Role.supplier), "Idempotency-Key": "k-down"}
    started = time.perf_counter()
    _assert_database_down(client.get("/v1/certificates/DEMO-BW-2023"))
    _assert_database_down(client.post("/v1/lots", json=lot(), headers=supplier))
    _assert_database_down(client.get("/v1/stones", headers=bearer(app, Role.supplier)))
    assert time.perf_counter() - started < 5  # refused at once, not a connect timeout each
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["detail"] == "The database is unreachable."


def test_a_connection_lost_mid_request_is_503(app: FastAPI, client: ASGIClient) -> None:
    @app.get("/test/lost")
    def lost() -> None:
        raise OperationalError(
            "SELECT 1", {}, ConnectionError("server closed the connection unexpectedly")
        )

    _assert_database_down(client.get("/test/lost"))


def test_other_database_errors_stay_500(app: FastAPI, client: ASGIClient) -> None:
    @app.get("/test/constraint")
    def constraint() -> None:
        raise IntegrityError("INSERT", {}, ValueError("duplicate key"))

    response = client.get("/test/constraint")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"


def test_a_write_cut_off_by_the_database_is_applied_once_when_retried_with_its_key(
    app: FastAPI, supplier: ASGIClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The database goes away after the key was claimed: the write fails, and so does the
    release of the key. The release is retried in the background, so the client's retry with
    the same key soon runs the write, once."""
    down = OperationalError("INSERT", {}, ConnectionError("terminating connection"))
    register, release = lots.register_lot, IdempotencyClaim.release
    failures = {"register": 1, "release": 1}

    def flaky_register(*args: Any, **kwargs: Any) -> Any:
        if failures["register"]:
            failures["register"] -= 1
            raise down
        return register(*args, **kwargs)

    def flaky_release(claim: IdempotencyClaim) -> None:
        if failures["release"]:
            failures["release"] -= 1
            raise down
        release(claim)

    monkeypatch.setattr(lots, "register_lot", flaky_register)
    monkeypatch.setattr(IdempotencyClaim, "release", flaky_release)
    headers = {"Idempotency-Key": "k-cut-off"}
    _assert_database_down(supplier.post("/v1/lots", json=lot(), headers=headers))

    deadline = time.monotonic() + 10
    statuses = []
    while True:
        response = supplier.post("/v1/lots", json=lot(), headers=headers)
        statuses.append(response.status_code)
        if response.status_code == 201 or time.monotonic() > deadline:
            break
        assert response.status_code == 409  # the claim is still held until its release runs
        time.sleep(0.1)
    assert statuses[-1] == 201, statuses
    replay = supplier.post("/v1/lots", json=lot(), headers=headers)
    assert replay.status_code == 201
    assert replay.headers["idempotent-replayed"] == "true"
    with container_of(app).database.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(RoughLot)).scalar_one() == 1
