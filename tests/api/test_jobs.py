"""The job queue seam (``services/jobs.py``): a job enqueued with a write runs once it commits,
never after a rollback; a failing job is retried on its task's backoff; the queue's depth, job
runs, durations and waits are metrics. Jobs run in the test's own process on both backends (the
harness's settings)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from fastapi import FastAPI
from prometheus_client.parser import text_string_to_metric_families

from clearstone_api.cli import main
from clearstone_api.container import AppContainer, container_of
from clearstone_api.services.jobs import DEFAULT, Backoff, Job, task
from clearstone_api.services.unit_of_work import unit_of_work
from clearstone_api.settings import Settings
from tests.support.harness import ASGIClient

_RAN: list[str] = []
_FAILURES: dict[str, int] = {}
_GUARD = threading.Lock()


@task("tests.record")
def record(app: AppContainer, *, value: str) -> None:
    assert isinstance(app, AppContainer)  # tasks get the process's container
    with _GUARD:
        _RAN.append(value)


@task("tests.flaky", retry=Backoff(max_attempts=3, first=0.05, cap=0.05))
def flaky(app: AppContainer, *, value: str, failures: int) -> None:
    del app
    with _GUARD:
        seen = _FAILURES.get(value, 0)
        _FAILURES[value] = seen + 1
    if seen < failures:
        raise RuntimeError(f"attempt {seen + 1} fails on purpose")
    with _GUARD:
        _RAN.append(value)


_GATES: dict[str, tuple[threading.Event, threading.Event]] = {}


@task("tests.gate")
def gate(app: AppContainer, *, value: str) -> None:
    """Holds the in-process worker (one job at a time) until the test opens the gate."""
    del app
    started, opened = _GATES[value]
    started.set()
    opened.wait(30)


def _ran(value: str) -> int:
    with _GUARD:
        return _RAN.count(value)


def _key(request: pytest.FixtureRequest) -> str:
    return request.node.nodeid


def test_a_job_enqueued_with_a_write_runs_once_the_write_commits(
    app: FastAPI, request: pytest.FixtureRequest
) -> None:
    container = container_of(app)
    value = _key(request)
    with unit_of_work(container.database) as uow:
        container.jobs.enqueue(uow, Job("tests.record", {"value": value}))
    assert container.jobs.wait_idle(30)
    assert _ran(value) == 1


def test_a_job_enqueued_with_a_write_that_rolls_back_never_runs(
    app: FastAPI, request: pytest.FixtureRequest
) -> None:
    container = container_of(app)
    value = _key(request)
    with pytest.raises(LookupError), unit_of_work(container.database) as uow:
        container.jobs.enqueue(uow, Job("tests.record", {"value": value}))
        raise LookupError("the write fails after the job was enqueued")
    container.jobs.enqueue_now(Job("tests.record", {"value": value + "/after"}))
    assert container.jobs.wait_idle(30)
    assert _ran(value + "/after") == 1  # the queue works, and it ran nothing else
    assert _ran(value) == 0


def test_a_failing_job_is_retried_on_its_backoff_until_it_succeeds(
    app: FastAPI, request: pytest.FixtureRequest
) -> None:
    container = container_of(app)
    value = _key(request)
    container.jobs.enqueue_now(Job("tests.flaky", {"value": value, "failures": 2}))
    deadline = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=30)
    while _ran(value) == 0 and dt.datetime.now(dt.UTC) < deadline:
        container.jobs.wait_idle(1)
    assert _ran(value) == 1
    assert _FAILURES[value] == 3  # two failures, then the run that succeeded


def test_a_job_whose_attempts_are_spent_is_not_run_again(
    app: FastAPI, request: pytest.FixtureRequest
) -> None:
    container = container_of(app)
    value = _key(request)
    container.jobs.enqueue_now(Job("tests.flaky", {"value": value, "failures": 10}))
    deadline = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=30)
    while _FAILURES.get(value, 0) < 3 and dt.datetime.now(dt.UTC) < deadline:
        container.jobs.wait_idle(1)
    assert container.jobs.wait_idle(5)
    assert _FAILURES[value] == 3  # max_attempts runs in all
    assert _ran(value) == 0


def test_enqueueing_an_undeclared_task_is_refused(app: FastAPI) -> None:
    with pytest.raises(LookupError, match=r"tests\.missing"):
        container_of(app).jobs.enqueue_now(Job("tests.missing"))


def test_a_job_scheduled_later_waits_and_is_not_counted_as_due(
    app: FastAPI, client: ASGIClient, request: pytest.FixtureRequest
) -> None:
    container = container_of(app)
    value = _key(request)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    container.jobs.enqueue_now(Job("tests.record", {"value": value}, schedule_at=later))
    container.jobs.enqueue_now(Job("tests.record", {"value": value + "/now"}))
    assert container.jobs.wait_idle(30)
    assert _ran(value + "/now") == 1
    assert _ran(value) == 0
    assert container.jobs.depth() == {"default": 0, "reassessment": 0, "webhooks": 0}
    metrics = client.get("/metrics")
    assert metrics.status_code == 200
    assert f'clearstone_job_queue_depth{{queue="{DEFAULT}"}} 0.0' in metrics.text
    assert 'clearstone_jobs_total{outcome="succeeded",queue="default",task="tests.record"}' in (
        metrics.text
    )


def test_worker_command_refuses_sqlite(
    tmp_path: object, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CLEARSTONE_DATABASE_URL", f"sqlite:///{tmp_path}/worker.db")
    monkeypatch.setenv("CLEARSTONE_ENVIRONMENT", "test")
    with pytest.raises(SystemExit, match="workers need PostgreSQL"):
        main(["worker", "--burst"])
    del capsys


def test_settings_run_jobs_in_process_on_sqlite_only_by_default(tmp_path: object) -> None:
    sqlite = AppContainer.from_settings(
        Settings(database_url=f"sqlite:///{tmp_path}/x.db", environment="test")
    )
    postgres = AppContainer.from_settings(
        Settings(database_url="postgresql+psycopg://nobody@127.0.0.1:1/none", environment="test")
    )
    assert sqlite.jobs.in_process
    assert not postgres.jobs.in_process
    assert postgres.jobs.wait_idle(0)  # separate workers: nothing to wait for here


def _metrics(client: ASGIClient) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def _sample(
    samples: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str
) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def test_queue_depth_job_runs_durations_and_waits_are_metrics(
    app: FastAPI, client: ASGIClient, request: pytest.FixtureRequest
) -> None:
    container = container_of(app)
    value = _key(request)
    started, opened = _GATES[value] = (threading.Event(), threading.Event())
    before = _metrics(client)
    depth = "clearstone_job_queue_depth"
    assert _sample(before, depth, queue=DEFAULT) == 0
    container.jobs.enqueue_now(Job("tests.gate", {"value": value}))
    assert started.wait(30)  # the worker is busy with the gate
    # The worker's periodic stall check may have queued its own job when the worker started.
    at_gate = _sample(_metrics(client), depth, queue=DEFAULT)
    waiting = [Job("tests.record", {"value": f"{value}/{i}"}) for i in range(2)]
    container.jobs.enqueue_now(*waiting)
    held = _metrics(client)
    assert _sample(held, depth, queue=DEFAULT) == at_gate + 2  # due, not started
    threading.Event().wait(0.2)  # they wait at least this long behind the gate
    opened.set()
    assert container.jobs.wait_idle(30)
    after = _metrics(client)
    assert _sample(after, depth, queue=DEFAULT) == 0

    def grew(name: str, **labels: str) -> float:
        return _sample(after, name, **labels) - _sample(before, name, **labels)

    succeeded = {"queue": DEFAULT, "outcome": "succeeded"}
    assert grew("clearstone_jobs_total", task="tests.gate", **succeeded) == 1
    assert grew("clearstone_jobs_total", task="tests.record", **succeeded) == 2
    assert grew("clearstone_job_duration_seconds_count", task="tests.gate") == 1
    assert grew("clearstone_job_duration_seconds_sum", task="tests.gate") >= 0.2
    assert grew("clearstone_job_wait_seconds_count", queue=DEFAULT) == 3
    assert grew("clearstone_job_wait_seconds_sum", queue=DEFAULT) >= 2 * 0.2
