"""``clearstone-api worker`` processes on PostgreSQL: a worker killed with SIGKILL in the middle
of a re-assessment loses nothing and does nothing twice once other workers finish the run.

The API process runs no jobs here (``jobs_in_process`` off, as in production): it only queues
them. Worker A starts the run and is killed mid-batch; its batch's transaction is rolled back
by PostgreSQL and its job stays ``doing``. Once A's heartbeat is older than the stall timeout,
two fresh worker processes start (``--processes 2 --burst``): they put A's job back in the
queue, finish the run and exit when no job is due.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import text

from bench.api.synthetic import generate_synthetic
from clearstone_api.app import create_app
from clearstone_api.container import container_of
from clearstone_api.db import Database
from clearstone_api.security.scopes import Role
from clearstone_api.settings import Settings
from tests.api.conftest import Auth
from tests.api.factories import india_incident
from tests.support.harness import ASGIClient

STONES = 240
BATCH = 2
HEARTBEAT = 0.5
STALL = 2.0


@pytest.fixture
def settings_pg(settings: Settings) -> Settings:
    if settings.is_sqlite:
        pytest.skip("worker processes need PostgreSQL (SQLite runs its jobs in the server)")
    return settings.model_copy(update={"jobs_in_process": False, "reassessment_batch_size": BATCH})


@pytest.fixture
def app(settings_pg: Settings) -> Iterator[FastAPI]:
    built = create_app(settings_pg)
    yield built
    container_of(built).jobs.close()


def _environment(settings: Settings) -> dict[str, str]:
    return {
        **os.environ,
        "CLEARSTONE_DATABASE_URL": settings.url,
        "CLEARSTONE_DATA_DIR": str(settings.data_dir),  # the same generated signing keys
        "CLEARSTONE_ENVIRONMENT": "test",
        "CLEARSTONE_JOB_HEARTBEAT_SECONDS": str(HEARTBEAT),
        "CLEARSTONE_JOB_STALL_SECONDS": str(STALL),
        "CLEARSTONE_JOBS_PERIODIC": "false",
        "CLEARSTONE_LOG_LEVEL": "WARNING",
    }


@pytest.fixture
def workers(settings_pg: Settings) -> Iterator[Any]:
    started: list[subprocess.Popen[bytes]] = []

    def start(*argv: str) -> subprocess.Popen[bytes]:
        process = subprocess.Popen(
            [sys.executable, "-m", "clearstone_api.cli", "worker", *argv],
            env=_environment(settings_pg),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait(30)
        assert process.stderr is not None
        process.stderr.close()


def _scalar(database: Database, sql: str, **params: Any) -> Any:
    with database.engine.connect() as connection:
        return connection.execute(text(sql), params).scalar_one()


def test_a_worker_killed_mid_run_loses_nothing_and_does_nothing_twice(
    app: FastAPI, client: ASGIClient, auth: Auth, database: Database, workers: Any
) -> None:
    container = container_of(app)
    generate_synthetic(container.database, container.references, STONES, distinct_records=True)
    analyst = auth(Role.analyst, tenant="clearstone")
    body = india_incident()
    change = client.post(
        "/v1/reference/incidents", json={"incident": body, "note": "n"}, headers=analyst
    )
    assert change.status_code == 201, change.text
    change_id = change.json()["change_id"]
    [run] = client.get(
        "/v1/reassessment-runs", params={"change_id": change_id}, headers=analyst
    ).json()["data"]
    assert run["state"] == "planning"  # queued with the change; no worker runs yet

    first = workers("--queue", "default", "--queue", "reassessment")
    deadline = time.monotonic() + 120
    done = 0
    while done < STONES // 5:  # a fifth of the run done: the worker is in full swing
        assert time.monotonic() < deadline, "worker A made no progress"
        assert first.poll() is None, first.stderr.read() if first.stderr else ""
        time.sleep(0.05)
        done = client.get(f"/v1/reassessment-runs/{run['id']}", headers=analyst).json()["done"]
    first.send_signal(signal.SIGKILL)
    assert first.wait(30) == -signal.SIGKILL
    at_kill = client.get(f"/v1/reassessment-runs/{run['id']}", headers=analyst).json()
    assert at_kill["state"] == "running"
    assert at_kill["done"] < STONES  # killed mid-run
    # The job A held (if the kill did not fall in the few milliseconds between two jobs) is
    # still `doing`, under a worker that no longer sends heartbeats.
    held = _scalar(database, "SELECT count(*) FROM procrastinate_jobs WHERE status = 'doing'")
    assert held <= 1

    time.sleep(STALL + 2 * HEARTBEAT)
    rest = workers("--processes", "2", "--burst", "--queue", "default", "--queue", "reassessment")
    assert rest.wait(180) == 0, rest.stderr.read() if rest.stderr else ""

    final = client.get(f"/v1/reassessment-runs/{run['id']}", headers=analyst).json()
    assert (final["state"], final["total"], final["done"]) == ("done", STONES, STONES)
    change_row = client.get(f"/v1/reference/changes/{change_id}", headers=analyst).json()
    assert (change_row["reassessment_state"], change_row["stones_reassessed"]) == ("done", STONES)
    # Every stone re-assessed exactly once for this change: nothing lost, nothing twice.
    per_stone = "SELECT count(*) FROM reassessments WHERE change_id = :c"
    assert _scalar(database, per_stone, c=change_id) == STONES
    distinct = "SELECT count(DISTINCT stone_id) FROM reassessments WHERE change_id = :c"
    assert _scalar(database, distinct, c=change_id) == STONES
    assert _scalar(database, "SELECT count(*) FROM reassessment_batches WHERE done_at IS NULL") == 0
    leftover = "SELECT count(*) FROM procrastinate_jobs WHERE status IN ('todo', 'doing', 'failed')"
    assert _scalar(database, leftover) == 0
    versions = "SELECT count(DISTINCT reference_data_version) FROM stone_assessments"
    assert _scalar(database, versions) == 1  # every stone under the change's version
