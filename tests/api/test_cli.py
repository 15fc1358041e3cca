"""``clearstone-api serve``: workers, graceful shutdown, keep-alive and proxy headers from the
command line or the same environment variables as the image's uvicorn command."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from clearstone_api import serving
from clearstone_api.cli import main

UVICORN_ENV = (
    "WEB_CONCURRENCY",
    "UVICORN_TIMEOUT_GRACEFUL_SHUTDOWN",
    "UVICORN_TIMEOUT_KEEP_ALIVE",
    "UVICORN_TIMEOUT_WORKER_HEALTHCHECK",
    "FORWARDED_ALLOW_IPS",
    "PROMETHEUS_MULTIPROC_DIR",
)


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, Any]:
    """The uvicorn configuration ``serve`` builds (the server is not started)."""
    for name in UVICORN_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CLEARSTONE_DATA_DIR", str(tmp_path))
    calls: dict[str, Any] = {}

    def serve(config: serving.ServerConfig) -> None:
        assert isinstance(config, serving.ServerConfig)  # a factory failure exits non-zero
        calls.update(vars(config), access_log=config.access_log)
        calls["server_header"] = config.server_header

    monkeypatch.setattr(serving, "serve", serve)
    return calls


def test_serve_runs_the_factory_in_every_worker_with_safe_defaults(served: dict[str, Any]) -> None:
    main(["serve", "--port", "8123"])
    assert served["app"] == "clearstone_api.app:create_app"
    assert served["factory"] is True
    assert served["port"] == 8123
    assert served["workers"] == 1
    assert served["timeout_graceful_shutdown"] == 25
    assert served["proxy_headers"] is True
    assert served["forwarded_allow_ips"] == "127.0.0.1"
    assert served["server_header"] is False
    assert served["access_log"] is False  # the app logs requests itself, with their ids
    assert served["timeout_worker_healthcheck"] == 30  # a worker imports for seconds when busy


def test_serve_reads_the_images_environment(
    served: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WEB_CONCURRENCY", "2")
    monkeypatch.setenv("UVICORN_TIMEOUT_GRACEFUL_SHUTDOWN", "20")
    monkeypatch.setenv("UVICORN_TIMEOUT_KEEP_ALIVE", "75")
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "10.0.0.0/8")
    main(["serve"])
    assert (served["workers"], served["timeout_graceful_shutdown"]) == (2, 20)
    assert (served["timeout_keep_alive"], served["forwarded_allow_ips"]) == (75, "10.0.0.0/8")


def test_flags_win_over_the_environment(
    served: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WEB_CONCURRENCY", "4")
    main(["serve", "--workers", "3", "--no-proxy-headers", "--timeout-graceful-shutdown", "5"])
    assert (served["workers"], served["proxy_headers"]) == (3, False)
    assert served["timeout_graceful_shutdown"] == 5


def test_serve_empties_the_metrics_directory_before_workers_start(
    served: dict[str, Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    metrics = tmp_path / "prometheus"
    metrics.mkdir()
    (metrics / "counter_4242.db").write_bytes(b"left over by the last run")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(metrics))
    main(["serve"])
    assert served["factory"] is True
    assert list(metrics.iterdir()) == []
