"""``python -m bench.load overhead``: what observability costs a request, and what pre-ping costs.

In process, on one event loop, no sockets and no HTTP client: the app is called as uvicorn
would call it, so the only thing that differs between two variants is the app. Variants are
alternated round by round (the machine's speed drifts by ±30% and more from minute to minute
when others use it), and each figure is the median of the rounds, in microseconds per request:

- the certificate lookup served from the process cache (the cheapest request there is, so the
  largest relative cost): without and with the metrics middleware, and with the JSON access log
  on too (written to /dev/null);
- the lookup read from PostgreSQL (cache off): without and with the metrics middleware;
- a checkout screen of 5 certificates (one query on the async engine), with the async engine's
  pool pre-ping off and on.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from bench.load.stack import database_url, demo_certificates, prepare_database, write_signing_keys
from clearstone_api.app import create_app
from clearstone_api.container import container_of
from clearstone_api.observability.http import MetricsMiddleware
from clearstone_api.security.scopes import Role
from clearstone_api.settings import Settings

__all__ = ["measure_overhead"]

NUMBER = "0003352911"  # DEMO-BW-2023's grading report (fictitious)


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    body: bytes = b""
    headers: tuple[tuple[bytes, bytes], ...] = ()


LOOKUP = Call("GET", f"/v1/certificates/{NUMBER}")


async def _per_request(app: Any, call: Call, count: int) -> float:
    scope_template = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "method": call.method,
        "scheme": "http",
        "path": call.path,
        "raw_path": call.path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"bench"), (b"accept", b"application/json"), *call.headers],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    statuses: list[int] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": call.body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    started = time.perf_counter()
    for _ in range(count):
        await app({**scope_template, "state": {}}, receive, send)
    elapsed = time.perf_counter() - started
    assert set(statuses) == {200}, set(statuses)
    return elapsed / count


def _app(settings: Settings, *, metrics: bool = True, pre_ping: bool = True) -> FastAPI:
    app = create_app(settings)
    if not metrics:
        app.user_middleware = [m for m in app.user_middleware if m.cls is not MetricsMiddleware]
    container_of(app).database.async_engine.sync_engine.pool._pre_ping = pre_ping
    return app


def _screen(app: FastAPI) -> Call:
    token = (
        container_of(app)
        .tokens.issue(
            client_id="cli_bench_shop",
            role=Role.retailer,
            tenant="bench-shop",
            scopes=["screenings"],
        )
        .token
    )
    body = json.dumps({"items": demo_certificates()[:5]}).encode()
    return Call(
        "POST",
        "/v1/checkout/screenings",
        body,
        (
            (b"authorization", f"Bearer {token}".encode()),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ),
    )


def _rounds(
    variants: dict[str, Callable[[], FastAPI]],
    call: Callable[[FastAPI], Call],
    rounds: int,
    count: int,
) -> dict[str, float]:
    apps = {name: make() for name, make in variants.items()}
    samples: dict[str, list[float]] = {name: [] for name in apps}

    async def run() -> None:
        for app in apps.values():
            await _per_request(app, call(app), max(count // 10, 50))  # warm pools and caches
        for _ in range(rounds):
            for name, app in apps.items():
                samples[name].append(await _per_request(app, call(app), count))
        for app in apps.values():
            await container_of(app).database.dispose()

    with open("/dev/null", "w") as null, contextlib.redirect_stdout(null):
        asyncio.run(run())
    return {name: round(statistics.median(values) * 1e6, 1) for name, values in samples.items()}


def measure_overhead(
    database: str, run_dir: Path, rounds: int = 15, count: int = 1000
) -> dict[str, Any]:
    run_dir.mkdir(parents=True, exist_ok=True)
    keys = run_dir / "signing-keys.json"
    write_signing_keys(keys)
    prepare_database(database, keys, run_dir)
    base = Settings(
        database_url=database_url(database),
        data_dir=run_dir,
        environment="production",
        signing_keys_file=keys,
        rate_limit_enabled=False,
        access_log=False,
    )
    cached = base.model_copy(update={"lookup_cache_ttl_seconds": 3600.0})
    uncached = base.model_copy(update={"lookup_cache_ttl_seconds": 0.0})
    logged = cached.model_copy(update={"access_log": True})

    def lookup(_app: FastAPI) -> Call:
        return LOOKUP

    result: dict[str, Any] = {"rounds": rounds, "requests_per_round": count}
    result |= _rounds(
        {
            "lookup, cached: no metrics": lambda: _app(cached, metrics=False),
            "lookup, cached: metrics": lambda: _app(cached),
            "lookup, cached: metrics + JSON access log": lambda: _app(logged),
        },
        lookup,
        rounds,
        count,
    )
    result |= _rounds(
        {
            "lookup, PostgreSQL: no metrics": lambda: _app(uncached, metrics=False),
            "lookup, PostgreSQL: metrics": lambda: _app(uncached),
        },
        lookup,
        rounds,
        count // 2,
    )
    result |= _rounds(
        {
            "screen of 5, PostgreSQL: no pre-ping": lambda: _app(uncached, pre_ping=False),
            "screen of 5, PostgreSQL: pre-ping": lambda: _app(uncached, pre_ping=True),
        },
        _screen,
        rounds,
        count // 2,
    )
    print(result, file=sys.stderr)
    return result
