"""One run of the webhook delivery benchmark: the stack, the phases, the figures.

For each configuration (SQLite with the in-process worker of ``clearstone-api serve``; then
PostgreSQL with 1, then 2, ``clearstone-api worker`` processes), on 127.0.0.1 only:

1. ``clearstone-api serve`` (one process, as ``make serve``) on a fresh database, a retailer
   client, a webhook endpoint pointing at the receiver (``bench.webhooks.receiver``, a process
   of its own that verifies every delivery with the SDK's ``client.webhooks.unwrap``).
2. **Capacity.** PostgreSQL: ``--events`` test events are committed through the API
   (``POST /v1/webhook-endpoints/{id}/test-deliveries``: one event, one delivery, one job each)
   while no worker runs; then the workers start and drain the backlog: events per second from
   the first delivery received to the last. SQLite: the same events are committed as fast as
   the API takes them while the serving process delivers them (one process does both, as on a
   laptop): events per second from the first commit to the last delivery.
3. **Delay under load.** Events committed at a fixed rate (``--rate``, at most half the
   capacity just measured) for ``--seconds``: the delay from each event's ``occurred_at`` (the
   event row, written in the committing transaction) to its arrival at the receiver, p50 and
   p99.
4. **Baseline, same run.** The same receiver driven by this process with the same signed
   payloads: httpx over kept-alive connections with as many in flight as the workers run
   (the most the receiver takes), and one new ``httpx.Client`` per post, sequentially (what a
   delivery cost when every attempt built its own client).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from standardwebhooks import Webhook

from bench.api.config import database_url
from clearstone import AsyncClearstone, Clearstone

__all__ = ["Config", "run_baseline", "run_configuration"]

CLI = Path(sys.executable).with_name("clearstone-api")
PG_DATABASE = "clearstone_bench_webhooks"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


class Config:
    """One configuration: a backend and its workers."""

    def __init__(self, backend: str, workers: int, concurrency: int) -> None:
        self.backend = backend
        self.workers = workers
        self.concurrency = concurrency

    @property
    def name(self) -> str:
        if self.backend == "sqlite":
            return "sqlite, in-process worker"
        return f"postgresql, {self.workers} worker process(es) x {self.concurrency}"


class Stack:
    """The server, the receiver and (PostgreSQL) the workers of one configuration."""

    def __init__(self, config: Config, scratch: Path) -> None:
        self.config = config
        self.scratch = scratch
        self.data_dir = scratch / "data"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("CLEARSTONE_")},
            "CLEARSTONE_DATA_DIR": str(self.data_dir),
            "CLEARSTONE_ENVIRONMENT": "development",
            "CLEARSTONE_RATE_LIMIT_ENABLED": "false",
            "CLEARSTONE_WEBHOOKS_ALLOW_PRIVATE": "1",
            "CLEARSTONE_JOBS_PERIODIC": "false",  # no sweep fires mid-measurement
            "CLEARSTONE_LOG_LEVEL": "WARNING",
            "WEB_CONCURRENCY": "1",
        }
        if config.backend == "postgresql":
            self.url = database_url(PG_DATABASE)
            self.env["CLEARSTONE_DATABASE_URL"] = self.url
        else:
            self.url = f"sqlite:///{self.data_dir / 'clearstone.db'}"
        self.processes: list[subprocess.Popen[bytes]] = []
        self.workers: subprocess.Popen[bytes] | None = None

    # Setting up -----------------------------------------------------------------------

    def _cli(self, *args: str) -> str:
        done = subprocess.run(
            [str(CLI), *args], env=self.env, capture_output=True, text=True, check=True
        )
        return done.stdout

    def _spawn(self, argv: list[str], log: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
        with (self.scratch / log).open("ab") as out:
            process = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT)
        self.processes.append(process)
        return process

    def up(self) -> None:
        if self.config.backend == "postgresql":
            admin = create_engine(
                make_url(self.url).set(database="postgres"), isolation_level="AUTOCOMMIT"
            )
            with admin.connect() as connection:
                connection.execute(text(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)"))
                connection.execute(text(f"CREATE DATABASE {PG_DATABASE}"))
            admin.dispose()
        self._cli("migrate")
        created = json.loads(
            self._cli("create-client", "--role", "retailer", "--tenant", "bench-shop", "--json")
        )
        self.client_id, self.client_secret = created["client_id"], created["client_secret"]
        port = free_port()
        self.base_url = f"http://127.0.0.1:{port}"
        self._spawn([str(CLI), "serve", "--port", str(port)], "server.log", self.env)
        _wait_http(f"{self.base_url}/healthz", self.processes[-1])
        self.receiver_port = free_port()
        self.hook_url = f"http://127.0.0.1:{self.receiver_port}/hook"
        with self.sdk() as api:
            endpoint = api.webhook_endpoints.create(self.hook_url)
        self.endpoint_id, self.secret = endpoint.id, endpoint.secret
        receiver_env = {**self.env, "BENCH_WEBHOOK_SECRET": self.secret}
        argv = [sys.executable, "-m", "bench.webhooks.receiver", "--port", str(self.receiver_port)]
        self._spawn(argv, "receiver.log", receiver_env)
        _wait_http(f"http://127.0.0.1:{self.receiver_port}/results", self.processes[-1])

    def sdk(self) -> Clearstone:
        return Clearstone(
            base_url=self.base_url, client_id=self.client_id, client_secret=self.client_secret
        )

    def start_workers(self) -> None:
        if self.config.backend != "postgresql":
            return
        argv = [str(CLI), "worker", "--queue", "webhooks"]
        argv += ["--processes", str(self.config.workers)]
        argv += ["--concurrency", str(self.config.concurrency)]
        self.workers = self._spawn(argv, "workers.log", self.env)

    def stop_workers(self) -> None:
        if self.workers is not None and self.workers.poll() is None:
            self.workers.send_signal(signal.SIGTERM)
            self.workers.wait(60)
        self.workers = None

    def down(self) -> None:
        self.stop_workers()
        for process in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(30)
                except subprocess.TimeoutExpired:
                    process.kill()
        if self.config.backend == "postgresql":
            admin = create_engine(
                make_url(self.url).set(database="postgres"), isolation_level="AUTOCOMMIT"
            )
            with admin.connect() as connection:
                connection.execute(text(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)"))
            admin.dispose()

    # Measuring ------------------------------------------------------------------------

    def reset_receiver(self) -> None:
        httpx.post(f"http://127.0.0.1:{self.receiver_port}/reset", timeout=10).raise_for_status()

    def received(self) -> dict[str, float]:
        """First arrival of each event id."""
        answer = httpx.get(f"http://127.0.0.1:{self.receiver_port}/results", timeout=30).json()
        if answer["refused"]:
            raise SystemExit(f"the receiver refused {answer['refused']} deliveries")
        first: dict[str, float] = {}
        for event_id, at, _sent in answer["received"]:
            first.setdefault(event_id, at)
        return first

    def wait_received(self, ids: set[str], timeout: float) -> dict[str, float]:
        deadline = time.monotonic() + timeout
        while True:
            got = self.received()
            if ids <= got.keys():
                return {i: got[i] for i in ids}
            if time.monotonic() > deadline:
                raise SystemExit(f"{len(ids - got.keys())} of {len(ids)} events not delivered")
            time.sleep(0.2)

    def commit_times(self, ids: set[str]) -> dict[str, float]:
        engine = create_engine(self.url)
        try:
            with engine.connect() as connection:
                rows = connection.execute(
                    text("SELECT id, occurred_at FROM events WHERE type = 'webhook.test'")
                ).all()
        finally:
            engine.dispose()
        return {str(i): _epoch(at) for i, at in rows if i in ids}

    def produce(self, count: int, *, rate: float | None, in_flight: int = 16) -> set[str]:
        """Commit ``count`` test events through the API: as fast as it takes them (``rate``
        None), or one every ``1 / rate`` seconds (open loop); their event ids."""
        return asyncio.run(self._produce(count, rate, in_flight))

    async def _produce(self, count: int, rate: float | None, in_flight: int) -> set[str]:
        ids: set[str] = set()
        gate = asyncio.Semaphore(in_flight)
        async with AsyncClearstone(
            base_url=self.base_url, client_id=self.client_id, client_secret=self.client_secret
        ) as api:

            async def one(i: int, start: float) -> None:
                if rate is not None:
                    await asyncio.sleep(max(0.0, start + i / rate - time.monotonic()))
                async with gate:
                    delivery = await api.webhook_endpoints.test_deliveries.create(self.endpoint_id)
                ids.add(delivery.event_id)

            await api.webhook_endpoints.get(self.endpoint_id)  # the token, before the clock
            start = time.monotonic()
            await asyncio.gather(*(one(i, start) for i in range(count)))
        return ids


def _epoch(value: Any) -> float:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return float(value.timestamp())


def _wait_http(url: str, process: subprocess.Popen[bytes], timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise SystemExit(f"{process.args!r} exited with {process.returncode}")
        with contextlib.suppress(httpx.HTTPError):
            httpx.get(url, timeout=2)
            return
        if time.monotonic() > deadline:
            raise SystemExit(f"{url} did not answer")
        time.sleep(0.2)


def _delays(commits: dict[str, float], arrivals: dict[str, float]) -> dict[str, float]:
    delays = [(arrivals[i] - commits[i]) * 1000 for i in commits]
    return {
        "p50_ms": round(percentile(delays, 0.50), 1),
        "p99_ms": round(percentile(delays, 0.99), 1),
        "max_ms": round(max(delays), 1),
        "mean_ms": round(statistics.fmean(delays), 1),
    }


def run_configuration(
    config: Config, events: int, rate: float, seconds: float, timeout: float
) -> dict[str, Any]:
    """Capacity and delay under load for one configuration."""
    scratch = Path(tempfile.mkdtemp(prefix="clearstone-bench-webhooks-"))
    stack = Stack(config, scratch)
    result: dict[str, Any] = {"configuration": config.name, "load1_start": os.getloadavg()[0]}
    try:
        stack.up()
        stack.start_workers()
        warm = stack.produce(20, rate=None)  # imports, pools, the first connections
        stack.wait_received(warm, timeout)
        stack.reset_receiver()

        if config.backend == "postgresql":
            stack.stop_workers()
            ids = stack.produce(events, rate=None)
            stack.start_workers()
            arrivals = stack.wait_received(ids, timeout)
            span = max(arrivals.values()) - min(arrivals.values())
            capacity = (len(ids) - 1) / span
            how = "backlog drained: first to last delivery"
        else:
            ids = stack.produce(events, rate=None)
            arrivals = stack.wait_received(ids, timeout)
            commits = stack.commit_times(ids)
            span = max(arrivals.values()) - min(commits.values())
            capacity = len(ids) / span
            how = "committed and delivered together: first commit to last delivery"
        result["capacity"] = {
            "events": len(ids),
            "seconds": round(span, 2),
            "events_per_s": round(capacity, 1),
            "measured": how,
        }
        stack.reset_receiver()

        paced = min(rate, capacity / 2)
        count = max(20, round(paced * seconds))
        ids = stack.produce(count, rate=paced)
        arrivals = stack.wait_received(ids, timeout)
        commits = stack.commit_times(ids)
        result["under_load"] = {
            "offered_events_per_s": round(paced, 1),
            "events": count,
            **_delays(commits, arrivals),
        }
        result["load1_end"] = os.getloadavg()[0]
        return result
    finally:
        stack.down()
        shutil.rmtree(scratch, ignore_errors=True)


# The baseline ---------------------------------------------------------------------------


@contextlib.contextmanager
def _receiver(secret: str) -> Iterator[int]:
    port = free_port()
    env = {**os.environ, "BENCH_WEBHOOK_SECRET": secret}
    argv = [sys.executable, "-m", "bench.webhooks.receiver", "--port", str(port)]
    process = subprocess.Popen(argv, env=env)
    try:
        _wait_http(f"http://127.0.0.1:{port}/results", process)
        yield port
    finally:
        process.terminate()
        process.wait(30)


def _payload(i: int) -> tuple[str, bytes]:
    event_id = f"evt_{i:024x}"
    body = {
        "id": event_id,
        "type": "webhook.test",
        "occurred_at": dt.datetime.now(dt.UTC).isoformat(),
        "subject": "whe_" + "0" * 24,
        "data": {"endpoint_id": "whe_" + "0" * 24, "message": "A test event from Clearstone."},
    }
    return event_id, json.dumps(body).encode()


def _signed(secret: str, i: int) -> tuple[str, bytes, dict[str, str]]:
    event_id, body = _payload(i)
    now = dt.datetime.now(dt.UTC)
    headers = {
        "Content-Type": "application/json",
        "webhook-id": event_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(secret).sign(event_id, now, body),
        "x-bench-sent": repr(time.time()),
    }
    return event_id, body, headers


def _results(port: int) -> list[tuple[str, float, float]]:
    answer = httpx.get(f"http://127.0.0.1:{port}/results", timeout=30).json()
    assert answer["refused"] == 0, answer["refused"]
    return [(i, at, sent) for i, at, sent in answer["received"]]


def run_baseline(events: int, concurrency: int) -> dict[str, Any]:
    """The receiver driven directly: kept-alive connections, ``concurrency`` in flight; and
    a new client per post, one at a time."""
    secret = "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    out: dict[str, Any] = {"load1_start": os.getloadavg()[0]}
    with _receiver(secret) as port:
        url = f"http://127.0.0.1:{port}/hook"

        async def pooled() -> float:
            gate = asyncio.Semaphore(concurrency)
            async with httpx.AsyncClient(timeout=10) as client:

                async def post(i: int) -> None:
                    async with gate:
                        _id, body, headers = _signed(secret, i)
                        (await client.post(url, content=body, headers=headers)).raise_for_status()

                await post(-1)
                httpx.post(f"http://127.0.0.1:{port}/reset", timeout=10)
                started = time.perf_counter()
                await asyncio.gather(*(post(i) for i in range(events)))
                return time.perf_counter() - started

        elapsed = asyncio.run(pooled())
        got = _results(port)
        delays = [(at - sent) * 1000 for _i, at, sent in got]
        out["kept_alive"] = {
            "in_flight": concurrency,
            "events": len(got),
            "events_per_s": round(len(got) / elapsed, 1),
            "p50_ms": round(percentile(delays, 0.5), 1),
            "p99_ms": round(percentile(delays, 0.99), 1),
        }
        httpx.post(f"http://127.0.0.1:{port}/reset", timeout=10)
        count = max(20, events // 10)
        started = time.perf_counter()
        for i in range(count):
            _id, body, headers = _signed(secret, i)
            with httpx.Client(timeout=10, follow_redirects=False, trust_env=False) as client:
                client.post(url, content=body, headers=headers).raise_for_status()
        elapsed = time.perf_counter() - started
        out["new_client_per_post"] = {
            "in_flight": 1,
            "events": count,
            "events_per_s": round(count / elapsed, 1),
            "ms_per_post": round(elapsed / count * 1000, 1),
        }
    out["load1_end"] = os.getloadavg()[0]
    return out
