"""API tests: a fresh migrated database per test (SQLite, and PostgreSQL when configured) and
the app over ASGI."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI

from clearstone_api.app import create_app
from clearstone_api.db import Database
from clearstone_api.settings import Settings
from clearstone_api.testing import ASGIClient, _templates, settings

__all__ = ["_templates", "app", "client", "database", "settings", "supplier"]

SUPPLIER = {"X-Clearstone-Client": "acme-mining"}


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    return create_app(settings)


@pytest.fixture
def client(app: FastAPI) -> Iterator[ASGIClient]:
    test_client = ASGIClient(app)
    yield test_client
    test_client.close()


@pytest.fixture
def supplier(client: ASGIClient) -> ASGIClient:
    """The client, as the placeholder supplier principal."""
    client.headers.update(SUPPLIER)
    return client


@pytest.fixture
def database(app: FastAPI) -> Database:
    database: Database = app.state.database
    return database
