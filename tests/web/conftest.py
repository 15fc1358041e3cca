"""Page tests: a fresh migrated database per test (SQLite, and PostgreSQL when configured) and
the app over ASGI, as in tests/api."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import pytest
from fastapi import FastAPI

from clearstone_api.app import create_app
from clearstone_api.container import container_of
from clearstone_api.services.demo import load_vector, vectors_path
from clearstone_api.settings import Settings
from tests.support.harness import ASGIClient, _templates, settings

__all__ = ["_templates", "app", "client", "load", "settings"]


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    return create_app(settings)


@pytest.fixture
def client(app: FastAPI) -> Iterator[ASGIClient]:
    test_client = ASGIClient(app)
    yield test_client
    test_client.close()


@pytest.fixture
def load(app: FastAPI) -> Callable[[str], None]:
    """Load the published test vector with this certificate number, as ``load-demo`` does."""
    vectors = {v["certificate"]: v for v in json.loads(vectors_path().read_text("utf-8"))}

    def load_certificate(certificate: str) -> None:
        assert load_vector(
            container_of(app).database,
            container_of(app).references,
            vectors[certificate],
            attester=container_of(app).attester,
        )

    return load_certificate
