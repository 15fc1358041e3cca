"""API tests: a fresh migrated database per test (SQLite, and PostgreSQL when configured), the
app over ASGI, and access tokens for any role and tenant."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator

import pytest
from fastapi import FastAPI

from clearstone_api.app import create_app
from clearstone_api.container import container_of
from clearstone_api.db import Database
from clearstone_api.security.client_secrets import SecretHasher, load_pepper
from clearstone_api.security.scopes import Role
from clearstone_api.services.demo import load_vector, vectors_path
from clearstone_api.settings import Settings
from tests.support.harness import ASGIClient, _templates, bearer, settings

__all__ = [
    "SUPPLIER_ID",
    "SUPPLIER_TENANT",
    "_templates",
    "app",
    "auth",
    "client",
    "database",
    "hasher",
    "load",
    "settings",
    "supplier",
]

SUPPLIER_TENANT = "acme-mining"

Auth = Callable[..., dict[str, str]]
Loader = Callable[..., None]


@pytest.fixture
def app(settings: Settings) -> Iterator[FastAPI]:
    built = create_app(settings)
    yield built
    container_of(built).jobs.close()  # its in-process worker, if a test started one


@pytest.fixture
def client(app: FastAPI) -> Iterator[ASGIClient]:
    test_client = ASGIClient(app)
    yield test_client
    test_client.close()


@pytest.fixture
def auth(app: FastAPI) -> Auth:
    """``auth(Role.analyst)`` → the ``Authorization`` header of a token for that role (tenant
    and scopes optional)."""

    def headers(
        role: Role,
        *,
        tenant: str = SUPPLIER_TENANT,
        scopes: Iterable[str] | None = None,
        client_id: str | None = None,
    ) -> dict[str, str]:
        return bearer(app, role, tenant=tenant, scopes=scopes, client_id=client_id)

    return headers


SUPPLIER_ID = "cli_test_acme"


@pytest.fixture
def supplier(client: ASGIClient, auth: Auth) -> ASGIClient:
    """The client, authenticated as the supplier ``SUPPLIER_ID`` of ``SUPPLIER_TENANT``."""
    client.headers.update(auth(Role.supplier, client_id=SUPPLIER_ID))
    return client


@pytest.fixture
def hasher(settings: Settings) -> SecretHasher:
    """The app's client-secret hasher (the same generated pepper under the same data dir)."""
    return SecretHasher(load_pepper(settings))


@pytest.fixture
def database(app: FastAPI) -> Database:
    database: Database = container_of(app).database
    return database


@pytest.fixture
def load(app: FastAPI) -> Loader:
    """``load("DEMO-BW-2023", ...)``: load published test vectors as ``load-demo`` does."""
    vectors = {v["certificate"]: v for v in json.loads(vectors_path().read_text("utf-8"))}

    def load_certificates(*certificates: str) -> None:
        for certificate in certificates:
            assert load_vector(
                container_of(app).database,
                container_of(app).references,
                vectors[certificate],
                attester=container_of(app).attester,
            )

    return load_certificates
