"""``/healthz`` and ``/readyz``."""

from __future__ import annotations

from sqlalchemy import text

from clearstone_api.db import Database
from tests.support.harness import ASGIClient


def test_healthz_answers(client: ASGIClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}


def test_readyz_is_ok_at_head(client: ASGIClient) -> None:
    assert client.get("/readyz").status_code == 200


def test_readyz_is_503_when_schema_is_behind(client: ASGIClient, database: Database) -> None:
    with database.engine.begin() as connection:
        connection.execute(text("DELETE FROM alembic_version"))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"


def test_readyz_stays_ready_when_a_newer_release_migrated_ahead(
    client: ASGIClient, database: Database
) -> None:
    with database.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'f00dfeedcafe'"))
    assert client.get("/readyz").status_code == 200
