"""The public lookups through the deploy's nginx (``deploy/nginx.conf``, adapted by
``bench/edge/nginx.py``): answered from its cache, revalidated with the ETag, and a re-assessed
stone's new verdict served within the documented bound (max-age + stale-while-revalidate, here
configured to 1 + 3 s so the test stays short). Skipped when nginx is not installed."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from bench.edge.nginx import nginx_binary, running_nginx
from clearstone_api.security.scopes import Role
from clearstone_api.settings import Settings
from tests.api.conftest import Loader
from tests.api.factories import incident
from tests.support.harness import mint_token

pytestmark = pytest.mark.skipif(
    nginx_binary() is None, reason="nginx is not installed (apt-get install nginx-light)"
)

NUMBER = "DEMO-BW-2023"
MAX_AGE, STALE = 1, 3
SLACK = 1.5
"""Beyond the bound: nginx's one-second clock, the background revalidation and this poll."""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def api(settings: Settings, tmp_path: Path) -> Iterator[str]:
    """``clearstone-api serve`` on the test database, with a one-second freshness bound."""
    port = _free_port()
    env = {
        **os.environ,
        "CLEARSTONE_ENVIRONMENT": "test",
        "CLEARSTONE_DATABASE_URL": settings.database_url,
        "CLEARSTONE_DATA_DIR": str(settings.data_dir),
        "CLEARSTONE_LOOKUP_CACHE_TTL_SECONDS": "0",
        "CLEARSTONE_JOBS_IN_PROCESS": "true",  # the re-assessment runs in this server
        "CLEARSTONE_PUBLIC_CACHE_MAX_AGE_SECONDS": str(MAX_AGE),
        "CLEARSTONE_PUBLIC_CACHE_STALE_SECONDS": str(STALE),
        "CLEARSTONE_RATE_LIMIT_PUBLIC": "1000000",
        "CLEARSTONE_RATE_LIMIT_CLIENT": "1000000",
        "CLEARSTONE_REDIS_URL": "",
        "CLEARSTONE_LOG_LEVEL": "WARNING",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
    }
    (tmp_path / "metrics").mkdir()
    command = [
        sys.executable, "-m", "clearstone_api.cli", "serve", "--host", "127.0.0.1",
        "--port", str(port), "--workers", "1",
    ]  # fmt: skip
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None, "the API did not start"
            assert time.monotonic() < deadline, "the API did not answer within 60 s"
            time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture
def edge(api: str, tmp_path: Path) -> Iterator[str]:
    with running_nginx(
        listen_port=_free_port(), api_port=int(api.rsplit(":", 1)[1]), workdir=tmp_path / "nginx"
    ) as base:
        yield base


def test_the_edge_serves_a_new_verdict_within_the_bound(
    app: FastAPI, load: Loader, api: str, edge: str
) -> None:
    load(NUMBER)
    url = f"/v1/certificates/{NUMBER}"
    with (
        httpx.Client(base_url=edge, timeout=10) as through,
        httpx.Client(base_url=api, timeout=10) as direct,
    ):
        first = through.get(url)
        assert first.status_code == 200, first.text
        assert first.headers["cache-control"] == (
            f"public, max-age={MAX_AGE}, stale-while-revalidate={STALE}"
        )
        assert first.headers["x-cache-status"] == "MISS"
        assert "ratelimit" not in first.headers  # another caller's budget is not ours
        assert first.headers["x-request-id"]
        second = through.get(url, headers={"X-Request-Id": "edge-test-1"})
        assert second.headers["x-cache-status"] == "HIT"
        assert second.headers["x-request-id"] == "edge-test-1"
        assert second.content == first.content
        assert second.headers["etag"] == first.headers["etag"]
        assert through.get(url, headers={"If-None-Match": first.headers["etag"]}).status_code == 304
        time.sleep(MAX_AGE + 1.2)  # expired (nginx counts whole seconds), within the stale window
        stale = through.get(url)
        assert stale.headers["x-cache-status"] == "STALE"  # at once, refreshed in the background
        assert stale.content == first.content
        deadline = time.monotonic() + 5
        while through.get(url).headers["x-cache-status"] != "HIT":  # the refreshed copy
            assert time.monotonic() < deadline
            time.sleep(0.05)
        time.sleep(MAX_AGE + STALE + 1.1)  # expired and past the stale window
        revalidated = through.get(url)
        assert revalidated.headers["x-cache-status"] == "REVALIDATED"  # a 304 from the API
        assert revalidated.content == first.content

        # A new incident near the stone's mine re-assesses it (a background task of the API).
        analyst = {"Authorization": f"Bearer {mint_token(app, Role.analyst, tenant='clearstone')}"}
        posted = direct.post(
            "/v1/reference/incidents",
            json={"incident": incident(), "note": "edge"},
            headers=analyst,
        )
        assert posted.status_code == 201, posted.text
        through.get(url)  # the edge holds the old verdict again, fresh for MAX_AGE
        deadline = time.monotonic() + 30
        while direct.get(url).headers["etag"] == first.headers["etag"]:
            assert time.monotonic() < deadline, "the API never served the re-assessment"
            time.sleep(0.05)
        served_by_api = time.monotonic()
        changed = direct.get(url)
        assert changed.json()["csc"]["result"] != first.json()["csc"]["result"]

        while True:
            seen = through.get(url)
            if seen.headers["etag"] == changed.headers["etag"]:
                break
            assert seen.headers["etag"] == first.headers["etag"]
            elapsed = time.monotonic() - served_by_api
            assert elapsed <= MAX_AGE + STALE + SLACK, f"still the old verdict after {elapsed:.1f}s"
            time.sleep(0.1)
        assert seen.json()["csc"]["result"] == changed.json()["csc"]["result"]


def test_credentialed_requests_bypass_the_edge_cache(app: FastAPI, load: Loader, edge: str) -> None:
    load(NUMBER)
    token = mint_token(app, Role.retailer, tenant="shop-1")
    url = f"{edge}/v1/certificates/{NUMBER}"
    assert httpx.get(url).headers["x-cache-status"] == "MISS"
    assert httpx.get(url).headers["x-cache-status"] == "HIT"
    with_token = httpx.get(url, headers={"Authorization": f"Bearer {token}"})
    assert with_token.status_code == 200
    assert with_token.headers["x-cache-status"] == "BYPASS"
    assert "ratelimit" not in with_token.headers
