"""Re-assessment as jobs: a reference change or stale verdicts start a run, split into bounded
batches that each run once; progress over the API and on the command line (SQLite and
PostgreSQL, jobs in the test's own process)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import func, text, update
from sqlmodel import col, select

from bench.api.synthetic import generate_synthetic
from clearstone_api import cli
from clearstone_api.app import create_app
from clearstone_api.container import container_of
from clearstone_api.db import Database
from clearstone_api.domain.policy import DEFAULT_POLICY
from clearstone_api.models.assessment import Reassessment, StoneAssessment
from clearstone_api.models.reassessment_run import ReassessmentBatch
from clearstone_api.security.scopes import Role
from clearstone_api.services.jobs import Job
from clearstone_api.services.reassessment_runs import SWEEP_TASK, batch_jobs, plan_job
from clearstone_api.settings import Settings
from tests.api.conftest import Auth
from tests.api.factories import india_incident
from tests.support.harness import ASGIClient

STONES = 30
BATCH = 7


@pytest.fixture
def app(settings: Settings) -> Iterator[FastAPI]:
    built = create_app(settings.model_copy(update={"reassessment_batch_size": BATCH}))
    yield built
    container_of(built).jobs.close()


@pytest.fixture
def stones(app: FastAPI) -> int:
    """``STONES`` stones, each with a record of its own; every one passes through India."""
    container = container_of(app)
    generate_synthetic(container.database, container.references, STONES, distinct_records=True)
    return STONES


@pytest.fixture
def analyst(auth: Auth) -> dict[str, str]:
    return auth(Role.analyst, tenant="clearstone", client_id="analyst-ana")


def _india(client: ASGIClient, analyst: dict[str, str]) -> dict[str, Any]:
    body = india_incident()
    response = client.post(
        "/v1/reference/incidents", json={"incident": body, "note": "n"}, headers=analyst
    )
    assert response.status_code == 201, response.text
    change: dict[str, Any] = response.json()["change"]
    return change


def _run_of(client: ASGIClient, analyst: dict[str, str], change_id: int) -> dict[str, Any]:
    listed = client.get(
        "/v1/reassessment-runs", params={"change_id": change_id}, headers=analyst
    ).json()
    [run] = listed["data"]
    response = client.get(f"/v1/reassessment-runs/{run['id']}", headers=analyst)
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


def _log(database: Database) -> list[tuple[int, str, int | None]]:
    with database.session() as session:
        rows = session.exec(
            select(Reassessment.stone_id, Reassessment.reason, Reassessment.change_id)
        ).all()
    return sorted((stone_id, reason, change_id) for stone_id, reason, change_id in rows)


def test_a_change_reassesses_its_stones_in_bounded_batches_and_reports_progress(
    client: ASGIClient, analyst: dict[str, str], database: Database, stones: int
) -> None:
    change = _india(client, analyst)
    run = _run_of(client, analyst, change["id"])
    assert (run["state"], run["reason"], run["change_id"]) == ("done", "reference_change", 1)
    assert run["total"] == run["done"] == stones
    assert run["rate"] > 0
    assert run["estimated_end"] == run["finished_at"]
    assert run["started_at"] <= run["finished_at"]
    assert (
        client.get(f"/v1/reference/changes/{change['id']}", headers=analyst).json()[
            "stones_reassessed"
        ]
        == stones
    )
    with database.session() as session:
        sizes = [len(b.stone_ids) for b in session.exec(select(ReassessmentBatch)).all()]
    assert sorted(sizes, reverse=True) == [BATCH] * (stones // BATCH) + [stones % BATCH]
    log = _log(database)
    assert len(log) == stones == len({stone_id for stone_id, _, _ in log})  # each once


def test_running_a_done_batch_or_plan_again_writes_nothing(
    app: FastAPI, client: ASGIClient, analyst: dict[str, str], database: Database, stones: int
) -> None:
    run = _run_of(client, analyst, _india(client, analyst)["id"])
    with database.session() as session:
        stored = session.exec(select(StoneAssessment.stone_id, StoneAssessment.assessed_at)).all()
    jobs = container_of(app).jobs
    jobs.enqueue_now(plan_job(run["id"]), *batch_jobs(run["id"], [0, 1, 2, 3, 4]))
    assert jobs.wait_idle(60)
    assert len(_log(database)) == stones  # not one entry more
    with database.session() as session:
        again = session.exec(select(StoneAssessment.stone_id, StoneAssessment.assessed_at)).all()
        batches = session.exec(select(func.count()).select_from(ReassessmentBatch)).one()
    assert sorted(again) == sorted(stored)
    assert batches == 5
    assert _run_of(client, analyst, 1) == run


def test_unknown_run_is_a_404_problem(client: ASGIClient, analyst: dict[str, str]) -> None:
    response = client.get("/v1/reassessment-runs/999", headers=analyst)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert client.get("/v1/reassessment-runs", headers=analyst).json()["data"] == []


def _make_stale(database: Database, count: int) -> None:
    """``count`` stored verdicts as if computed under an earlier policy."""
    with database.session() as session:
        session.execute(
            update(StoneAssessment)
            .where(col(StoneAssessment.stone_id) <= count)
            .values(policy_version="2025.01-1")
        )


@pytest.fixture
def run_cli(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Any:
    monkeypatch.setattr(
        cli, "Settings", lambda: settings.model_copy(update={"reassessment_batch_size": 4})
    )

    def call(*argv: str) -> str:
        capsys.readouterr()
        cli.main(list(argv))
        return capsys.readouterr().out

    return call


def test_reassess_stale_refreshes_verdicts_of_an_earlier_policy_and_shows_progress(
    run_cli: Any, database: Database, stones: int
) -> None:
    _make_stale(database, 10)
    out = run_cli("reassess", "--stale")
    assert "started re-assessment run(s) 1" in out
    assert "run 1 (stale) done: 10 stones re-assessed, 0 changed in " in out
    with database.session() as session:
        policies = set(session.exec(select(StoneAssessment.policy_version)).all())
        batches = session.exec(select(func.count()).select_from(ReassessmentBatch)).one()
    assert policies == {DEFAULT_POLICY.version}
    assert batches == 3  # 10 stones, 4 a batch
    assert [(s, reason) for s, reason, _ in _log(database)] == [(i, "stale") for i in range(1, 11)]
    assert run_cli("reassess", "--stale").strip() == "no stale verdicts"
    assert stones == STONES


def test_reassess_finishes_changes_left_without_a_run(
    run_cli: Any, client: ASGIClient, analyst: dict[str, str], database: Database, stones: int
) -> None:
    change = _india(client, analyst)
    with database.session() as session:  # as if recorded by a release before the job queue
        session.execute(text("DELETE FROM reassessment_runs"))
        session.execute(text("UPDATE reference_changes SET reassessment_state = 'pending'"))
    out = run_cli("reassess")
    done = f"(reference_change, reference change {change['id']}) done: {stones} stones re-assessed"
    assert done in out
    assert _run_of(client, analyst, change["id"])["done"] == stones
    assert run_cli("reassess").strip() == "nothing to re-assess"


def test_the_periodic_sweep_starts_a_run_over_stale_verdicts(
    app: FastAPI, client: ASGIClient, analyst: dict[str, str], database: Database, stones: int
) -> None:
    _make_stale(database, 3)
    jobs = container_of(app).jobs
    jobs.enqueue_now(Job(SWEEP_TASK, {"timestamp": int(dt.datetime.now(dt.UTC).timestamp())}))
    assert jobs.wait_idle(60)
    [run] = client.get("/v1/reassessment-runs", headers=analyst).json()["data"]
    assert (run["reason"], run["state"], run["total"], run["done"]) == ("stale", "done", 3, 3)
    jobs.enqueue_now(Job(SWEEP_TASK, {"timestamp": 0}))
    assert jobs.wait_idle(60)
    assert len(client.get("/v1/reassessment-runs", headers=analyst).json()["data"]) == 1
    assert stones == STONES
