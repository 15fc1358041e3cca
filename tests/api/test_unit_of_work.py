"""The unit of work: before-commit actions commit with the write, after-commit actions run only
once it is durable, deferred work runs after that (over HTTP: after the response)."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlmodel import Session

from clearstone_api.db import Database
from clearstone_api.models.lot import RoughLot
from clearstone_api.routes.dependencies import UnitOfWorkDep
from clearstone_api.services.unit_of_work import unit_of_work
from tests.support.harness import ASGIClient


def _add_lot(session: Session, record_id: str) -> None:
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


def _lots(database: Database) -> int:
    with database.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(RoughLot)).scalar_one())


def test_after_commit_actions_see_the_write_committed(database: Database) -> None:
    seen: list[int] = []
    with unit_of_work(database) as uow:
        _add_lot(uow.session, "1")
        uow.after_commit(lambda: seen.append(_lots(database)))
        assert seen == []  # not yet: the transaction is open
    assert seen == [1]


def test_a_rollback_runs_no_action(database: Database) -> None:
    ran: list[str] = []
    with pytest.raises(RuntimeError), unit_of_work(database) as uow:
        _add_lot(uow.session, "1")
        uow.before_commit(lambda _session: ran.append("before"))
        uow.after_commit(lambda: ran.append("after"))
        uow.defer(ran.append, "deferred")
        raise RuntimeError("the write fails")
    assert ran == []
    assert _lots(database) == 0


def test_before_commit_actions_write_in_the_same_transaction(database: Database) -> None:
    with unit_of_work(database) as uow:
        _add_lot(uow.session, "1")
        uow.before_commit(lambda session: _add_lot(session, "2"))
    assert _lots(database) == 2


def test_a_failing_before_commit_action_rolls_the_write_back(database: Database) -> None:
    def fail(_session: Session) -> None:
        raise RuntimeError("the outbox could not be written")

    with pytest.raises(RuntimeError), unit_of_work(database) as uow:
        _add_lot(uow.session, "1")
        uow.before_commit(fail)
    assert _lots(database) == 0


def test_a_failing_after_commit_action_is_logged_and_the_rest_still_run(
    database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    ran: list[str] = []

    def fail() -> None:
        raise RuntimeError("cache gone")

    with caplog.at_level(logging.ERROR, "clearstone.unit_of_work"), unit_of_work(database) as uow:
        _add_lot(uow.session, "1")
        uow.after_commit(fail)
        uow.after_commit(lambda: ran.append("after"))
    assert ran == ["after"]
    assert _lots(database) == 1
    assert "after-commit action failed" in caplog.text


def test_deferred_work_goes_to_the_deferrer_after_the_commit(database: Database) -> None:
    handed: list[tuple[Callable[..., object], tuple[object, ...]]] = []

    def defer(action: Callable[..., object], *args: object) -> None:
        handed.append((action, args))

    with unit_of_work(database, defer=defer) as uow:
        _add_lot(uow.session, "1")
        uow.defer(print, "re-assess")
        assert handed == []
    assert handed == [(print, ("re-assess",))]


def test_over_http_deferred_work_runs_once_the_response_is_committed(
    app: FastAPI, client: ASGIClient, database: Database
) -> None:
    counted: list[int] = []

    @app.post("/test/deferred", status_code=201)
    def write(uow: UnitOfWorkDep) -> None:
        _add_lot(uow.session, "1")
        uow.defer(lambda: counted.append(_lots(database)))

    assert client.post("/test/deferred").status_code == 201
    assert counted == [1]
