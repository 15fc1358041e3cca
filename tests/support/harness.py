"""Test support: one migrated database per worker, a clean one per test, on every backend, and
access tokens on demand.

SQLite always; PostgreSQL too when ``CLEARSTONE_TEST_DATABASE_URL`` is set. Each pytest-xdist
worker migrates its own template once (a SQLite file, or a PostgreSQL database named after the
worker); each test then gets a copy of the file, or the worker's database truncated. Alembic
builds every schema; nothing calls ``create_all``. Test settings lift the rate limits (tests that
are about them set their own) and keep the generated key set under the worker's directory.

Tokens: :func:`bearer` signs one with the app's own key for any role, tenant and scopes, without
a registered client (the token endpoint has its own tests)::

    client.get("/v1/stones", headers=bearer(app, Role.supplier, tenant="acme"))

Used by ``tests/api/conftest.py``, the contract, SDK and web suites.
"""

from __future__ import annotations

import functools
import os
import shutil
import uuid
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import httpx
import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal
from fastapi import FastAPI
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

import clearstone_api.models  # noqa: F401  (registers the tables whose names we truncate)
from clearstone_api.container import container_of
from clearstone_api.schema import head_revision, upgrade
from clearstone_api.security.scopes import ROLE_SCOPES, Role
from clearstone_api.settings import Settings

__all__ = [
    "BACKENDS",
    "TEST_DATABASE_ENV",
    "TEST_REDIS_ENV",
    "UNLIMITED",
    "ASGIClient",
    "DatabaseTemplate",
    "bearer",
    "mint_token",
    "worker_id",
]

JOB_TABLES = (
    "procrastinate_periodic_defers",
    "procrastinate_events",
    "procrastinate_jobs",
    "procrastinate_workers",
)
"""The job queue's tables (PostgreSQL; created by the migrations, not by SQLModel): emptied
between tests like the rest."""

TEST_DATABASE_ENV = "CLEARSTONE_TEST_DATABASE_URL"
TEST_REDIS_ENV = "CLEARSTONE_TEST_REDIS_URL"
"""A Redis for the tests that need one (rate limits shared across processes); they skip
without it."""
BACKENDS = ["sqlite", "postgresql"]
"""Every database test runs on both; without ``CLEARSTONE_TEST_DATABASE_URL`` the PostgreSQL half
reports itself skipped, with the reason, rather than silently not existing."""

UNLIMITED: dict[str, Any] = {
    "rate_limit_public": 10**9,
    "rate_limit_client": 10**9,
    "rate_limit_token": 10**9,
    "token_failures_per_client": 10**9,
}
"""Test settings: no test trips over a rate limit unless it is about them."""


def worker_id() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@functools.cache
def _run_id() -> str:
    """Shared by the workers of one pytest-xdist run; unique per run."""
    return os.environ.get("PYTEST_XDIST_TESTRUNUID", uuid.uuid4().hex)[:8]


def _test_settings(url: str, data_dir: Path) -> Settings:
    # Explicit values, so that a developer's own CLEARSTONE_* variables cannot leak in.
    return Settings(
        database_url=url,
        data_dir=data_dir,
        environment="test",
        lookup_cache_ttl_seconds=0,
        redis_url=None,
        # Jobs run in the test's own process on both backends (a worker thread); the tests of
        # separate worker processes turn this off.
        jobs_in_process=True,
        jobs_periodic=False,
        signing_keys=None,
        signing_keys_file=None,
        signing_key_id=None,
        # Webhooks: delivered in the committing thread, to the tests' loopback receivers.
        webhook_delivery="inline",
        webhooks_allow_private=True,
        **UNLIMITED,
    )


def mint_token(
    app: FastAPI,
    role: Role,
    *,
    tenant: str = "acme-mining",
    scopes: Iterable[str] | None = None,
    client_id: str | None = None,
) -> str:
    """An access token signed by ``app``'s active key, as the token endpoint would issue it."""
    return (
        container_of(app)
        .tokens.issue(
            client_id=client_id or f"cli_test_{role.value}_{tenant}",
            role=role,
            tenant=tenant,
            scopes=ROLE_SCOPES[role] if scopes is None else scopes,
        )
        .token
    )


def bearer(
    app: FastAPI,
    role: Role,
    *,
    tenant: str = "acme-mining",
    scopes: Iterable[str] | None = None,
    client_id: str | None = None,
) -> dict[str, str]:
    """The ``Authorization`` header for :func:`mint_token`."""
    token = mint_token(app, role, tenant=tenant, scopes=scopes, client_id=client_id)
    return {"Authorization": f"Bearer {token}"}


class DatabaseTemplate:
    """A migrated database this worker may reset between tests."""

    def __init__(self, backend: str, root: Path) -> None:
        self.backend = backend
        self.root = root
        if backend == "sqlite":
            self.template = root / "template.db"
            upgrade(_test_settings(f"sqlite:///{self.template}", root))
            self.url = ""
        else:
            base = make_url(os.environ[TEST_DATABASE_ENV])
            # Named after the run as well as the worker: two test runs against one server
            # (two checkouts, two people) must not drop each other's databases.
            # And after this template: two templates in one process (the test directories
            # each keep their own) must not drop each other's database from under it.
            name = f"clearstone_test_{_run_id()}_{worker_id()}_{uuid.uuid4().hex[:6]}"
            self._admin_url = base
            self._name = name
            admin = create_engine(base, isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                connection.execute(text(f'CREATE DATABASE "{name}"'))
            admin.dispose()
            self.url = base.set(database=name).render_as_string(hide_password=False)
            upgrade(_test_settings(self.url, root))
            self._engine = create_engine(self.url)

    def fresh(self, name: str) -> Settings:
        """Settings for an empty, migrated database for one test."""
        if self.backend == "sqlite":
            path = self.root / f"{name}.db"
            shutil.copyfile(self.template, path)
            return _test_settings(f"sqlite:///{path}", self.root)
        tables = ", ".join([*(t.name for t in SQLModel.metadata.sorted_tables), *JOB_TABLES])
        with self._engine.begin() as connection:
            connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
            # A test may have moved the recorded revision (readiness tests): put it back.
            connection.execute(text("DELETE FROM alembic_version"))
            connection.execute(
                text("INSERT INTO alembic_version (version_num) VALUES (:head)"),
                {"head": head_revision()},
            )
        return _test_settings(self.url, self.root)

    def close(self) -> None:
        if self.backend != "sqlite":
            self._engine.dispose()
            admin = create_engine(self._admin_url, isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{self._name}" WITH (FORCE)'))
            admin.dispose()


@pytest.fixture(scope="session")
def _templates() -> Iterator[dict[str, DatabaseTemplate]]:
    made: dict[str, DatabaseTemplate] = {}
    yield made
    for template in made.values():
        template.close()


@pytest.fixture(params=BACKENDS)
def settings(
    request: pytest.FixtureRequest,
    _templates: dict[str, DatabaseTemplate],
    tmp_path_factory: pytest.TempPathFactory,
) -> Settings:
    """Settings for a fresh migrated database, once per backend."""
    backend: str = request.param
    if backend == "postgresql" and not os.environ.get(TEST_DATABASE_ENV):
        pytest.skip(f"PostgreSQL: set {TEST_DATABASE_ENV} to run this test there too")
    if backend not in _templates:
        _templates[backend] = DatabaseTemplate(backend, tmp_path_factory.mktemp(f"db-{backend}"))
    safe = "".join(c if c.isalnum() else "_" for c in request.node.name)[:80]
    return _templates[backend].fresh(safe)


class ASGIClient:
    """A synchronous face on ``httpx.AsyncClient`` + ``ASGITransport``: the app runs on one
    event loop in a portal thread (as uvicorn would run it), the tests stay plain functions."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.headers: dict[str, str] = {}
        self._portal_cm: AbstractContextManager[BlockingPortal] = start_blocking_portal()
        self._portal = self._portal_cm.__enter__()
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        self._client = httpx.AsyncClient(transport=transport, base_url="http://testserver")

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        headers = {**self.headers, **(kwargs.pop("headers", None) or {})}

        async def call() -> httpx.Response:
            return await self._client.request(method, url, headers=headers, **kwargs)

        return self._portal.call(call)

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    def put(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("PUT", url, **kwargs)

    def delete(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("DELETE", url, **kwargs)

    def close(self) -> None:
        async def shutdown() -> None:
            await self._client.aclose()
            await container_of(self.app).aclose()

        self._portal.call(shutdown)
        self._portal_cm.__exit__(None, None, None)
