"""What the load test runs against: a dedicated PostgreSQL database, API clients with
secrets, and ``clearstone-api serve --workers 2`` processes on loopback ports.

Everything is started here and stopped here; ``Stack`` is a context manager so that no server
outlives the run, whatever happens.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from clearstone_api.db import Database
from clearstone_api.schema import upgrade
from clearstone_api.security.client_secrets import SecretHasher, load_pepper
from clearstone_api.security.keys import load_key_set
from clearstone_api.security.scopes import Role
from clearstone_api.security.tokens import Tokens
from clearstone_api.services.attestations import Attester
from clearstone_api.services.clients import create_client
from clearstone_api.services.demo import load_demo, vectors_path
from clearstone_api.services.reference_store import ReferenceStore
from clearstone_api.settings import Settings

__all__ = ["ADMIN_URL", "Client", "Stack", "demo_certificates", "prepare_database"]

ADMIN_URL = os.environ.get("BENCH_LOAD_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432")
REDIS_URL = os.environ.get("BENCH_LOAD_REDIS_URL", "redis://127.0.0.1:6379/0")
CLI = Path(sys.executable).with_name("clearstone-api")


@dataclass(frozen=True)
class Client:
    """An OAuth client of the load test, with its secret (created in the test database)."""

    client_id: str
    client_secret: str
    role: str
    tenant: str


def database_url(name: str) -> str:
    return make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def demo_certificates() -> list[str]:
    return [v["certificate"] for v in json.loads(vectors_path().read_text("utf-8"))]


def prepare_database(name: str, keys_file: Path, run_dir: Path) -> dict[str, Client]:
    """Drop and recreate ``name``, migrate it, load the demo stones, create the clients."""
    admin = create_engine(database_url("postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    settings = Settings(
        database_url=database_url(name),
        data_dir=run_dir,
        environment="production",
        signing_keys_file=keys_file,
    )
    upgrade(settings)
    database = Database.from_settings(settings)
    tokens = Tokens(
        load_key_set(settings),
        issuer=settings.token_issuer,
        audience=settings.token_audience,
        ttl_seconds=settings.access_token_ttl_seconds,
    )
    try:
        load_demo(
            database,
            ReferenceStore(settings.reference_dir),
            Attester(tokens, settings.token_issuer),
        )
        clients: dict[str, Client] = {}
        hasher = SecretHasher(load_pepper(settings))
        with database.session() as session:
            for role, tenant in ((Role.supplier, "load-supplier"), (Role.retailer, "load-shop")):
                created = create_client(
                    session, hasher, role=role, tenant_id=tenant, name="bench.load"
                )
                clients[role.value] = Client(
                    created.client_id, created.client_secret, role.value, tenant
                )
    finally:
        database.engine.dispose()
    return clients


def write_signing_keys(path: Path) -> None:
    generated = subprocess.run(
        [CLI, "generate-signing-key", "--kid", "bench-load"],
        check=True,
        capture_output=True,
        text=True,
    )
    path.write_text(generated.stdout, encoding="utf-8")
    path.chmod(0o600)


@dataclass
class Server:
    """One ``clearstone-api serve`` process (a supervisor and its workers)."""

    port: int
    log: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def worker_starts(self) -> list[int]:
        """Pids of every worker that started (a restarted worker would add one)."""
        found = re.findall(r"Started server process \[(\d+)\]", self.log.read_text("utf-8"))
        return [int(pid) for pid in found]


@dataclass
class Stack:
    """``servers`` × ``clearstone-api serve --workers N`` on one database and Redis."""

    database: str
    run_dir: Path
    ports: tuple[int, ...] = (8801, 8802)
    workers: int = 1
    keys_file: Path = field(init=False)
    clients: dict[str, Client] = field(init=False, default_factory=dict)
    servers: list[Server] = field(init=False, default_factory=list)

    def environment(self, server: int) -> dict[str, str]:
        return {
            **os.environ,
            "CLEARSTONE_ENVIRONMENT": "production",
            "CLEARSTONE_DATABASE_URL": database_url(self.database),
            "CLEARSTONE_DATA_DIR": str(self.run_dir),
            "CLEARSTONE_SIGNING_KEYS_FILE": str(self.keys_file),
            "CLEARSTONE_POOL_SIZE": "5",
            "CLEARSTONE_ACCESS_LOG": "true",
            # The shared Redis budget, set far above what the test sends: this measures the
            # service, not its throttling (a key prefix of its own keeps it off other runs).
            "CLEARSTONE_REDIS_URL": REDIS_URL,
            "CLEARSTONE_REDIS_KEY_PREFIX": f"bench-load-{os.getpid()}:",
            "CLEARSTONE_RATE_LIMIT_PUBLIC": "100000000",
            "CLEARSTONE_RATE_LIMIT_CLIENT": "100000000",
            "CLEARSTONE_RATE_LIMIT_TOKEN": "100000",
            "PROMETHEUS_MULTIPROC_DIR": str(self.run_dir / f"prometheus-{server}"),
            "UVICORN_TIMEOUT_GRACEFUL_SHUTDOWN": "10",
            "PYTHONUNBUFFERED": "1",
        }

    def __enter__(self) -> Stack:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.keys_file = self.run_dir / "signing-keys.json"
        write_signing_keys(self.keys_file)
        self.clients = prepare_database(self.database, self.keys_file, self.run_dir)
        try:
            for index, port in enumerate(self.ports):
                server = Server(port, self.run_dir / f"server-{index}.log")
                with server.log.open("wb") as log:
                    server.process = subprocess.Popen(
                        [CLI, "serve", "--port", str(port), "--workers", str(self.workers)],
                        env=self.environment(index),
                        stdout=log,
                        stderr=subprocess.STDOUT,
                        start_new_session=True,
                    )
                self.servers.append(server)
            for server in self.servers:
                _wait_ready(server)
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def stop(self) -> None:
        """SIGTERM each server (a graceful shutdown); SIGKILL what is left after 20 s."""
        for server in self.servers:
            if server.process is not None and server.process.poll() is None:
                server.process.send_signal(signal.SIGTERM)
        for server in self.servers:
            if server.process is None:
                continue
            try:
                server.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.process.pid, signal.SIGKILL)
                server.process.wait(timeout=10)

    def alive(self) -> bool:
        return all(s.process is not None and s.process.poll() is None for s in self.servers)

    def token(self, role: str) -> str:
        client = self.clients[role]
        response = httpx.post(
            f"{self.servers[0].base_url}/v1/oauth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": client.client_id,
                "client_secret": client.client_secret,
            },
            timeout=10,
        )
        response.raise_for_status()
        token: str = response.json()["access_token"]
        return token

    def scrape(self) -> list[str]:
        """``/metrics`` of each server (each adds up its own workers)."""
        return [httpx.get(f"{s.base_url}/metrics", timeout=10).text for s in self.servers]


def _wait_ready(server: Server, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process is not None and server.process.poll() is not None:
            raise RuntimeError(f"server on :{server.port} exited; see {server.log}")
        try:
            if httpx.get(f"{server.base_url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.25)
    raise RuntimeError(f"server on :{server.port} not ready after {timeout:.0f} s")


def metric_total(texts: list[str], name: str, **labels: str) -> float:
    """The sum of ``name`` over every server's scrape, for samples carrying ``labels``."""
    from prometheus_client.parser import text_string_to_metric_families

    total = 0.0
    for scraped in texts:
        for family in text_string_to_metric_families(scraped):
            for sample in family.samples:
                if sample.name == name and all(
                    sample.labels.get(k) == v for k, v in labels.items()
                ):
                    total += sample.value
    return total
