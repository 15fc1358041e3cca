"""The request session: commit when the handler returns, roll back when it raises."""

from __future__ import annotations

import stat
from pathlib import Path

from fastapi import FastAPI
from sqlalchemy import func, select

from clearstone_api.db import Database
from clearstone_api.models.lot import RoughLot
from clearstone_api.routes.dependencies import SessionDep
from clearstone_api.schema import upgrade
from clearstone_api.settings import Settings
from tests.support.harness import ASGIClient


def _add_lot(session: SessionDep, record_id: str) -> None:
    session.add(
        RoughLot(
            public_id=f"CL-{record_id:0>12}",
            tenant_id="t",
            record_id=record_id,
            data={},
            created_by="test",
        )
    )
    session.flush()


def test_handler_that_raises_after_a_write_leaves_no_row(
    app: FastAPI, client: ASGIClient, database: Database
) -> None:
    @app.post("/test/write-then-fail")
    def write_then_fail(session: SessionDep) -> None:
        _add_lot(session, "1")
        raise RuntimeError("boom after the write")

    response = client.post("/test/write-then-fail")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert "boom" not in response.text
    with database.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(RoughLot)).scalar_one() == 0


def test_handler_that_returns_commits_before_responding(
    app: FastAPI, client: ASGIClient, database: Database
) -> None:
    @app.post("/test/write")
    def write(session: SessionDep) -> None:
        _add_lot(session, "2")

    assert client.post("/test/write").status_code == 200
    with database.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(RoughLot)).scalar_one() == 1


def test_sqlite_enforces_foreign_keys(database: Database) -> None:
    if database.dialect != "sqlite":
        return
    with database.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1


def test_a_new_sqlite_database_and_its_wal_are_private(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    settings = Settings(data_dir=data_dir, environment="test")
    upgrade(settings)
    database = Database.from_settings(settings)
    try:
        with database.session() as session:
            _add_lot(session, "private-1")
        files = {path.name: stat.S_IMODE(path.stat().st_mode) for path in data_dir.iterdir()}
    finally:
        database.engine.dispose()
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    assert files["clearstone.db"] == 0o600
    assert files.get("clearstone.db-wal", 0o600) == 0o600
    assert all(mode & 0o077 == 0 for mode in files.values()), files
