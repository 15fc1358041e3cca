"""``clearstone-api worker`` processes on PostgreSQL: an incident reaches a watching retailer as a
signed webhook delivered by worker processes; a worker killed with SIGKILL in the middle of a
re-assessment, or of a webhook delivery, loses nothing and records nothing twice once other
workers finish.

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
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import text

from bench.api.synthetic import generate_synthetic
from clearstone import Clearstone, StoneAssessmentChanged
from clearstone_api.app import create_app
from clearstone_api.container import container_of
from clearstone_api.db import Database
from clearstone_api.security.scopes import Role
from clearstone_api.settings import Settings
from tests.api.conftest import Auth, Loader
from tests.api.factories import incident, india_incident
from tests.api.receiver import Receiver, receiver
from tests.support.harness import ASGIClient

STONES = 240
BATCH = 2
HEARTBEAT = 0.5
STALL = 2.0


@pytest.fixture
def settings_pg(settings: Settings) -> Settings:
    if settings.is_sqlite:
        pytest.skip("worker processes need PostgreSQL (SQLite runs its jobs in the server)")
    # As in production: the API process only queues jobs (deliveries too); workers run them.
    update = {"jobs_in_process": False, "reassessment_batch_size": BATCH}
    return settings.model_copy(update={**update, "webhook_delivery": "queue"})


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
        "CLEARSTONE_WEBHOOKS_ALLOW_PRIVATE": "1",  # the receiver listens on 127.0.0.1
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


@pytest.fixture
def hook() -> Iterator[Receiver]:
    with receiver() as running:
        yield running


def _endpoint(client: ASGIClient, headers: dict[str, str], url: str, **body: Any) -> dict[str, Any]:
    created = client.post("/v1/webhook-endpoints", json={"url": url, **body}, headers=headers)
    assert created.status_code == 201, created.text
    endpoint: dict[str, Any] = created.json()
    return endpoint


def test_an_incident_reaches_a_watching_retailer_through_worker_processes(
    client: ASGIClient, auth: Auth, load: Loader, hook: Receiver, workers: Any
) -> None:
    load("DEMO-BW-2023")
    shop = auth(Role.retailer, tenant="bright-jewels")
    screened = client.post(
        "/v1/checkout/screenings", json={"items": ["DEMO-BW-2023"], "watch": True}, headers=shop
    )
    assert screened.status_code == 200, screened.text
    stone_id = screened.json()["items"][0]["stone_id"]
    endpoint = _endpoint(client, shop, hook.url, event_types=["stone.assessment.changed"])
    analyst = auth(Role.analyst, tenant="clearstone")
    change = client.post(
        "/v1/reference/incidents", json={"incident": incident(), "note": "n"}, headers=analyst
    )
    assert change.status_code == 201, change.text
    assert hook.received == []  # the API process only queued the work

    # Separate processes re-assess the stone, then deliver the event they wrote.
    done = workers("--processes", "2", "--burst")
    assert done.wait(180) == 0, done.stderr.read() if done.stderr else ""

    (delivered,) = hook.received
    with Clearstone(api_key="unused", base_url="http://127.0.0.1:9") as sdk:
        event = sdk.webhooks.unwrap(delivered.body, delivered.headers, endpoint["secret"])
    assert isinstance(event, StoneAssessmentChanged)
    assert event.data.stone_id == stone_id
    assert event.data.cause.reference_change_id == change.json()["change_id"]
    assert event.data.before.csc_result != event.data.after.csc_result
    feed = client.get("/v1/events", params={"type": "stone.assessment.changed"}, headers=shop)
    assert feed.status_code == 200
    assert [e["id"] for e in feed.json()["data"]] == [event.id]


DELIVERIES = 6


def test_a_worker_killed_mid_delivery_loses_no_delivery_and_records_none_twice(
    client: ASGIClient, auth: Auth, database: Database, hook: Receiver, workers: Any
) -> None:
    shop = auth(Role.retailer, tenant="bright-jewels")
    endpoint = _endpoint(client, shop, hook.url)
    sent = [
        client.post(f"/v1/webhook-endpoints/{endpoint['id']}/test-deliveries", headers=shop)
        for _ in range(DELIVERIES)
    ]
    assert [r.status_code for r in sent] == [202] * DELIVERIES
    events = {r.json()["event_id"] for r in sent}
    hook.hold = threading.Event()  # the receiver keeps the first request waiting for its answer

    first = workers("--queue", "webhooks")
    deadline = time.monotonic() + 60
    while not hook.received:
        assert time.monotonic() < deadline, "worker A sent nothing"
        assert first.poll() is None, first.stderr.read() if first.stderr else ""
        time.sleep(0.02)
    first.send_signal(signal.SIGKILL)  # mid-delivery: the request sent, its answer not read
    assert first.wait(30) == -signal.SIGKILL
    hook.hold.set()
    cut_off = hook.received[0].headers["webhook-id"]
    assert _scalar(database, "SELECT count(*) FROM webhook_attempts") == 0  # rolled back
    assert _scalar(database, "SELECT count(*) FROM procrastinate_jobs WHERE status = 'doing'") == 1

    time.sleep(STALL + 2 * HEARTBEAT)
    rest = workers("--processes", "2", "--burst", "--queue", "webhooks")
    assert rest.wait(120) == 0, rest.stderr.read() if rest.stderr else ""

    # At least once: every event arrived, the one cut off again (same webhook-id, so the
    # receiver can tell); each delivery recorded once, as one successful attempt.
    arrived = [r.headers["webhook-id"] for r in hook.received]
    assert set(arrived) == events
    assert arrived.count(cut_off) >= 2
    with database.engine.connect() as connection:
        rows = connection.execute(
            text("SELECT state, attempts FROM webhook_deliveries WHERE endpoint_id = :e"),
            {"e": endpoint["id"]},
        ).all()
    assert sorted(tuple(r) for r in rows) == [("succeeded", 1)] * DELIVERIES
    attempts = "SELECT count(*) FROM webhook_attempts WHERE succeeded"
    assert _scalar(database, attempts) == DELIVERIES
    assert _scalar(database, "SELECT count(*) FROM webhook_attempts") == DELIVERIES
    # (The stalled-job sweep, a periodic job of the `default` queue no worker here takes, may
    # be left waiting: only the delivery jobs are this test's.)
    leftover = (
        "SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'webhooks.deliver' "
        "AND status IN ('todo', 'doing', 'failed')"
    )
    assert _scalar(database, leftover) == 0


def test_a_burst_worker_waits_for_work_running_elsewhere_and_takes_what_it_queues(
    app: FastAPI, workers: Any
) -> None:
    """``--burst`` ends when no job is due or running, not at the first empty fetch: a burst
    pool started beside a running plan must still be there for the batches the plan queues.
    A job scheduled for later is not waited for."""
    database = container_of(app).database
    purge = '{"timestamp": 0}'
    with database.engine.begin() as connection:
        elsewhere = connection.execute(
            text("INSERT INTO procrastinate_workers DEFAULT VALUES RETURNING id")
        ).scalar_one()
        running = connection.execute(
            text(
                "INSERT INTO procrastinate_jobs (queue_name, task_name, args, status, worker_id) "
                "VALUES ('default', 'events.purge', CAST(:args AS jsonb), 'doing', :w) "
                "RETURNING id"
            ),
            {"args": purge, "w": elsewhere},
        ).scalar_one()
        connection.execute(
            text(
                "INSERT INTO procrastinate_jobs (queue_name, task_name, args, scheduled_at) "
                "VALUES ('default', 'events.purge', CAST(:args AS jsonb), "
                "now() + interval '1 hour')"
            ),
            {"args": purge},
        )

    def heartbeat() -> None:  # the other worker is alive: its job is not stalled
        with database.engine.begin() as connection:
            connection.execute(
                text("UPDATE procrastinate_workers SET last_heartbeat = now() WHERE id = :w"),
                {"w": elsewhere},
            )

    burst = workers("--burst", "--queue", "default")
    deadline = time.monotonic() + 4 * STALL
    while time.monotonic() < deadline:
        heartbeat()
        assert burst.poll() is None, "the burst worker left while a job was running elsewhere"
        time.sleep(HEARTBEAT / 2)

    # The running job ends, having queued one more (as a plan queues its batches).
    with database.engine.begin() as connection:
        connection.execute(
            text("UPDATE procrastinate_jobs SET status = 'succeeded' WHERE id = :j"),
            {"j": running},
        )
        connection.execute(
            text(
                "INSERT INTO procrastinate_jobs (queue_name, task_name, args) "
                "VALUES ('default', 'events.purge', CAST(:args AS jsonb))"
            ),
            {"args": purge},
        )
    assert burst.wait(60) == 0, burst.stderr.read() if burst.stderr else ""
    left = "SELECT status, count(*) FROM procrastinate_jobs GROUP BY status ORDER BY status"
    with database.engine.connect() as connection:
        statuses = dict(connection.execute(text(left)).all())
    # The queued job was taken and done (deleted on success); the later one still waits.
    assert statuses == {"succeeded": 1, "todo": 1}
