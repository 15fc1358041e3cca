"""The load-and-fault run: set up, a clean run, a run with PostgreSQL restarted in the middle,
then the checks. PostgreSQL is started again on every way out."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import subprocess
import sys
import time
from collections import Counter
from dataclasses import asdict
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text

from bench.load.analysis import outage_windows, summarize, verify_writes, write_summary
from bench.load.postgres import Outage, ensure_running, outage
from bench.load.stack import Stack, database_url, demo_certificates, metric_total
from bench.load.traffic import MIX, Load

__all__ = ["run"]

LOAD_ROUTES = {
    "lookup": ("GET", "/v1/certificates/{number}"),
    "screen": ("POST", "/v1/checkout/screenings"),
    "lot": ("POST", "/v1/lots"),
    "stone": ("POST", "/v1/stones"),
}


def _log(message: str) -> None:
    print(f"[bench.load {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _other_sessions(own: str) -> list[str]:
    """Client sessions on other databases of the cluster (other people's tests, benchmarks)."""
    engine = create_engine(database_url("postgres"))
    try:
        with engine.connect() as connection:
            return [
                f"{row.datname} ({row.n})"
                for row in connection.execute(
                    text(
                        "SELECT datname, count(*) AS n FROM pg_stat_activity WHERE datname IS NOT "
                        "NULL AND datname NOT IN (:own, 'postgres') AND pid <> pg_backend_pid() "
                        "GROUP BY datname"
                    ),
                    {"own": own},
                )
            ]
    finally:
        engine.dispose()


def _wait_quiet(own: str, seconds: float) -> list[str]:
    """Wait up to ``seconds`` for a moment when nobody else uses the cluster; say who does."""
    deadline = time.monotonic() + seconds
    others = _other_sessions(own)
    while others and time.monotonic() < deadline:
        time.sleep(2)
        others = _other_sessions(own)
    if others:
        _log(f"PostgreSQL is shared right now ({', '.join(others)}): they will see it restart")
    return others


def _versions() -> dict[str, str]:
    engine = create_engine(database_url("postgres"))
    try:
        with engine.connect() as connection:
            server = str(connection.execute(text("SHOW server_version")).scalar_one())
    finally:
        engine.dispose()
    redis = subprocess.run(["redis-cli", "INFO", "server"], capture_output=True, text=True)
    redis_version = next(
        (
            line.split(":", 1)[1].strip()
            for line in redis.stdout.splitlines()
            if "redis_version" in line
        ),
        "unknown",
    )
    return {
        "load_average_at_start": " ".join(f"{x:.1f}" for x in os.getloadavg()),
        "python": platform.python_version(),
        "postgresql": server,
        "redis": redis_version,
        "cores": str(os.cpu_count()),
    }


def _server_counts(scrapes: list[str]) -> dict[str, float]:
    return {
        op: metric_total(scrapes, "clearstone_http_requests_total", method=method, route=route)
        for op, (method, route) in LOAD_ROUTES.items()
    }


def _log_lines(paths: list[Path]) -> dict[str, Any]:
    """What the servers wrote: every line must be one JSON object; request lines carry an id."""
    lines = not_json = access_without_id = 0
    levels: Counter[str] = Counter()
    messages: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    for path in paths:
        for raw in path.read_text("utf-8").splitlines():
            lines += 1
            try:
                entry = json.loads(raw)
            except ValueError:
                not_json += 1
                continue
            levels[entry["level"]] += 1
            if entry["level"] != "INFO":
                messages[f"{entry['level']} {entry['logger']}: {entry['message'][:60]}"] += 1
            if entry["logger"] == "clearstone.access" and "request_id" not in entry:
                access_without_id += 1
            if entry["level"] == "ERROR" and "exception" in entry:
                tail = entry["exception"].strip().splitlines()[-1]
                errors[f"{entry['logger']}: {tail[:160]}"] += 1
    return {
        "lines": lines,
        "not_json": not_json,
        "levels": dict(levels),
        "access_lines_without_request_id": access_without_id,
        "not_info": dict(messages.most_common(10)),
        "exceptions": dict(errors.most_common(10)),
    }


def run(args: argparse.Namespace, run_dir: Path) -> dict[str, Any]:
    results: dict[str, Any] = {
        "config": {
            "database": args.database,
            "servers": 2,
            "workers_per_server": args.workers,
            "users": args.users,
            "mix": MIX,
            "clean_seconds": args.seconds,
            "fault_seconds": args.fault_seconds,
            "down_at": args.down_at,
            "down_seconds": args.down_seconds,
        },
    }
    try:
        ensure_running()
        results["versions"] = _versions()
        _log(f"setting up {args.database} and two servers")
        with Stack(args.database, run_dir, workers=args.workers) as stack:
            urls = [server.base_url for server in stack.servers]
            certificates = demo_certificates()
            started_workers = [server.worker_starts() for server in stack.servers]

            def load(phase: str, seconds: float) -> Load:
                return Load(
                    urls,
                    stack.token("supplier"),
                    stack.token("retailer"),
                    certificates,
                    seconds,
                    users=args.users,
                    phase=phase,
                )

            _log(f"clean run: {args.users} users for {args.seconds:.0f} s")
            clean = load("clean", args.seconds)
            asyncio.run(clean.run())
            results["clean"] = {
                **summarize(clean.attempts),
                "writes": write_summary(clean.writes),
            }
            _log(f"clean: {results['clean']['rps']} req/s, {results['clean']['errors']} errors")

            if not args.skip_fault:
                results["shared_cluster"] = _wait_quiet(args.database, args.quiet_wait)
                _log(
                    f"fault run: {args.fault_seconds:.0f} s, PostgreSQL stopped at "
                    f"{args.down_at:.0f} s for {args.down_seconds:.0f} s"
                )
                fault = load("fault", args.fault_seconds)

                async def fault_run() -> Outage:
                    running = asyncio.create_task(fault.run())
                    await asyncio.sleep(args.down_at)
                    window = await asyncio.to_thread(outage, args.down_seconds, fault.started)
                    await running
                    return window

                window = asyncio.run(fault_run())
                results["fault"] = {
                    **summarize(fault.attempts),
                    "outage": asdict(window),
                    **outage_windows(fault.attempts, window),
                    "writes": write_summary(fault.writes),
                }
                _log(f"fault: {results['fault']['statuses']}")

            supplier = stack.clients["supplier"]
            all_writes = clean.writes + (fault.writes if not args.skip_fault else [])
            results["database_count"] = verify_writes(
                database_url(args.database), supplier.tenant, supplier.client_id, all_writes
            )
            scrapes = stack.scrape()
            attempts = clean.attempts + (fault.attempts if not args.skip_fault else [])
            results["server_metrics"] = {
                "server_counted": _server_counts(scrapes),
                "client_got_a_response": {
                    op: sum(a.op == op and a.status != 0 for a in attempts) for op in LOAD_ROUTES
                },
                "http_503_total": metric_total(
                    scrapes, "clearstone_http_requests_total", status="503"
                ),
                "assessments_total": metric_total(scrapes, "clearstone_assessments_total"),
            }
            results["server_logs"] = _log_lines([server.log for server in stack.servers])
            results["versions"]["load_average_at_end"] = " ".join(
                f"{x:.1f}" for x in os.getloadavg()
            )
            results["servers"] = {
                "alive_at_the_end": stack.alive(),
                "ready_at_the_end": all(
                    httpx.get(f"{url}/readyz", timeout=5).status_code == 200 for url in urls
                ),
                "worker_pids_at_start": started_workers,
                "worker_pids_at_end": [server.worker_starts() for server in stack.servers],
            }
            _log(f"database count: {results['database_count']}")
    finally:
        ensure_running()
    return results
