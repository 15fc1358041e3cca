"""The request session: commit when the handler returns, roll back when it raises."""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy import func, select

from clearstone_api.db import Database
from clearstone_api.models.lot import RoughLot
from clearstone_api.routes.dependencies import SessionDep
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
