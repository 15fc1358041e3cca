"""``GET /metrics``: requests by route template, latency, assessments, re-assessment runs and
database pools; and the numbers of several worker processes added up."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from fastapi import FastAPI
from prometheus_client.parser import text_string_to_metric_families

from clearstone_api.schema import upgrade
from clearstone_api.security.scopes import Role
from clearstone_api.services.demo import vectors_path
from clearstone_api.settings import Settings
from tests.api.conftest import Auth, Loader
from tests.support.harness import ASGIClient

CERTIFICATE = "/v1/certificates/{number}"


def _samples(client: ASGIClient) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def _value(client: ASGIClient, name: str, **labels: str) -> float:
    """A sample's value, 0 when it does not exist yet (the metrics outlive one test's app)."""
    return _samples(client).get((name, frozenset(labels.items())), 0.0)


def test_requests_are_counted_by_route_template_not_raw_path(client: ASGIClient) -> None:
    labels = {"method": "GET", "route": CERTIFICATE, "status": "404"}
    before = _value(client, "clearstone_http_requests_total", **labels)
    for number in ("NOPE-1", "NOPE-2", "NOPE-3"):
        assert client.get(f"/v1/certificates/{number}").status_code == 404
    assert _value(client, "clearstone_http_requests_total", **labels) == before + 3
    assert "NOPE-" not in client.get("/metrics").text


def test_each_route_has_a_latency_histogram(client: ASGIClient) -> None:
    labels = {"method": "GET", "route": "/healthz"}
    before = _value(client, "clearstone_http_request_duration_seconds_count", **labels)
    assert client.get("/healthz").status_code == 200
    samples = _samples(client)
    assert samples[
        ("clearstone_http_request_duration_seconds_count", frozenset(labels.items()))
    ] == (before + 1)
    infinite = frozenset({**labels, "le": "+Inf"}.items())
    assert samples[("clearstone_http_request_duration_seconds_bucket", infinite)] == before + 1


def test_paths_no_route_matches_share_one_label(client: ASGIClient) -> None:
    labels = {"method": "GET", "route": "unmatched", "status": "404"}
    before = _value(client, "clearstone_http_requests_total", **labels)
    client.get("/no/such/path/1")
    client.get("/no/such/path/2")
    assert _value(client, "clearstone_http_requests_total", **labels) == before + 2


def test_metrics_are_not_part_of_the_api_contract(app: FastAPI) -> None:
    assert "/metrics" not in app.openapi()["paths"]


def _assessments(client: ASGIClient) -> dict[tuple[str, str, str], float]:
    return {
        (labels["source"], labels["kp"], labels["csc"]): value
        for (name, pairs), value in _samples(client).items()
        if name == "clearstone_assessments_total"
        for labels in [dict(pairs)]
    }


def test_stored_and_inline_assessments_are_counted_by_result(
    client: ASGIClient, load: Loader, auth: Auth
) -> None:
    before = _assessments(client)
    load("DEMO-BW-2023")  # the stone, then its custody events: each write re-assesses it
    after = _assessments(client)
    grew = {
        key: after[key] - before.get(key, 0) for key in after if after[key] > before.get(key, 0)
    }
    assert {source for source, _, _ in grew} == {"stone_registered", "custody_event"}
    assert grew[("custody_event", "pass", "no_known_red_flags")] >= 1  # its final verdicts

    vectors = json.loads(vectors_path().read_text("utf-8"))
    vector = next(v for v in vectors if v["certificate"] == "DEMO-BW-2023")
    response = client.post(
        "/v1/assessments",
        json={"record": vector["record"], "as_of": vector["as_of"]},
        headers=auth(Role.retailer),
    )
    assert response.status_code == 200, response.text
    inline = ("inline", "pass", "no_known_red_flags")
    assert _assessments(client).get(inline) == after.get(inline, 0) + 1


def test_reassessment_runs_are_counted_with_the_stones_they_changed(
    client: ASGIClient, load: Loader, auth: Auth
) -> None:
    load("DEMO-BW-2023")
    runs = _value(client, "clearstone_reassessment_runs_total", outcome="done")
    changed = _value(client, "clearstone_reassessment_stones_total", result="changed")
    durations = _value(client, "clearstone_reassessment_duration_seconds_count")
    incident = {
        "id": "INC-METRICS-JWANENG",
        "title": "Forced evictions near Jwaneng (test)",
        "summary": "A test incident.",
        "date_start": "2022-01-01",
        "reported_on": "2022-06-01",
        "country": "BW",
        "admin1": "Southern",
        "admin2": "Jwaneng",
        "site_ids": ["BW-JWANENG"],
        "actors": ["private security"],
        "categories": ["C01"],
        "status": "adjudicated",
        "sources": [{"source_id": "S1", "title": "A report"}],
        "retrieved_at": "2026-11-01",
        "verification": "verified",
    }
    response = client.post(
        "/v1/reference/incidents",
        json={"incident": incident, "note": "metrics test"},
        headers=auth(Role.analyst, tenant="clearstone"),
    )
    assert response.status_code == 201, response.text
    assert _value(client, "clearstone_reassessment_runs_total", outcome="done") == runs + 1
    assert _value(client, "clearstone_reassessment_stones_total", result="changed") == changed + 1
    assert _value(client, "clearstone_reassessment_duration_seconds_count") == durations + 1


def test_pool_gauges_show_size_limit_and_nothing_checked_out_when_idle(
    client: ASGIClient, settings: Settings
) -> None:
    client.get("/v1/certificates/NOPE-1")  # uses the async pool (the asyncpg one on PostgreSQL)
    samples = _samples(client)
    engines = ("sync", "async") if settings.is_sqlite else ("sync", "async", "asyncpg")
    for engine in engines:
        labels = frozenset({"engine": engine}.items())
        size = samples[("clearstone_db_pool_size", labels)]
        assert size == (5 if settings.is_sqlite else settings.pool_size)
        assert samples[("clearstone_db_pool_limit", labels)] > size
        assert samples[("clearstone_db_pool_checked_out", labels)] == 0


def test_the_connection_budget_counts_every_pool_including_the_raw_asyncpg_one(
    client: ASGIClient, settings: Settings
) -> None:
    """What PostgreSQL's max_connections must fit, per process: docs/operations.md uses the
    same figure (``Settings.connection_budget``) for the deploy files' budgets."""
    assert client.get("/v1/certificates/NOPE-1").status_code == 404
    samples = _samples(client)
    limits = {
        dict(labels)["engine"]: value
        for (name, labels), value in samples.items()
        if name == "clearstone_db_pool_limit"
    }
    budget = samples[("clearstone_db_connection_budget", frozenset())]
    if settings.is_sqlite:  # (an asyncpg gauge may remain from an earlier test's app)
        assert budget == limits["sync"] + limits["async"]
        return
    assert budget == sum(limits.values())
    pool = settings.pool_size
    assert limits == {"sync": pool + 10, "async": 2 * pool, "asyncpg": 2 * pool}
    assert budget == settings.connection_budget() == 5 * pool + 10


def test_without_the_asyncpg_hot_reads_the_budget_has_two_pools() -> None:
    settings = Settings(
        database_url="postgresql+psycopg://clearstone@db:5432/clearstone",
        pool_size=5,
        hot_reads_asyncpg=False,
        environment="test",
    )
    assert settings.connection_budget() == (5 + 10) + 10
    assert Settings(environment="test").connection_budget() == 0  # SQLite


# --- several worker processes ------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def _concurrent_gets(url: str, count: int) -> int:
    async def one() -> bool:
        async with httpx.AsyncClient(timeout=10) as client:
            return (await client.get(url)).status_code == 200

    return sum(await asyncio.gather(*(one() for _ in range(count))))


def test_two_workers_report_one_sum_in_multiprocess_mode(tmp_path: Path) -> None:
    """``clearstone-api serve --workers 2`` with PROMETHEUS_MULTIPROC_DIR: whichever worker a
    scrape reaches, it reports every request both workers answered."""
    database = f"sqlite:///{tmp_path / 'metrics.db'}"
    upgrade(Settings(database_url=database, data_dir=tmp_path, environment="test"))
    port = _free_port()
    metrics_dir = tmp_path / "prometheus"
    env = {
        **os.environ,
        "CLEARSTONE_DATABASE_URL": database,
        "CLEARSTONE_DATA_DIR": str(tmp_path),
        "CLEARSTONE_ENVIRONMENT": "test",
        "CLEARSTONE_RATE_LIMIT_ENABLED": "false",
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
    }
    cli = Path(sys.executable).with_name("clearstone-api")
    with (tmp_path / "server.log").open("w") as log:
        server = subprocess.Popen(
            [cli, "serve", "--port", str(port), "--workers", "2"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    answered = 0
    try:
        deadline = time.monotonic() + 60  # two interpreters starting on a busy machine
        while not answered:
            try:
                answered += httpx.get(f"{base}/healthz", timeout=5).status_code == 200
            except httpx.ConnectError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)

        # Many connections at once, until both workers have taken some of them.
        def serving() -> set[str]:
            files = os.listdir(metrics_dir)
            return {name.rsplit("_", 1)[1] for name in files if name.startswith("counter_")}

        for _ in range(20):
            answered += asyncio.run(_concurrent_gets(f"{base}/healthz", 60))
            if len(serving()) == 2:
                break
        assert len(serving()) == 2, "one worker took every connection"
        scraped = {
            (sample.name, frozenset(sample.labels.items())): sample.value
            for family in text_string_to_metric_families(httpx.get(f"{base}/metrics").text)
            for sample in family.samples
        }
        healthz = frozenset({"method": "GET", "route": "/healthz", "status": "200"}.items())
        assert scraped[("clearstone_http_requests_total", healthz)] == answered
        sizes = [v for (name, _), v in scraped.items() if name == "clearstone_db_pool_size"]
        assert sizes == [10.0, 10.0]  # 5 per SQLite pool, summed over the two live workers
    finally:
        server.terminate()
        server.wait(timeout=30)
