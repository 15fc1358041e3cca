"""The raw asyncpg pool of the hot reads (PostgreSQL only): used by the certificate lookup,
absent on SQLite or when turned off, and it survives connections lost under it."""

from __future__ import annotations

import asyncio

from fastapi import FastAPI
from sqlalchemy import text

from bench.api.synthetic import generate_synthetic, synthetic_number
from clearstone_api.app import create_app
from clearstone_api.container import container_of
from clearstone_api.db import HOT_READS_APPLICATION_NAME, Database
from clearstone_api.services.reference_store import ReferenceStore
from clearstone_api.settings import Settings
from tests.support.harness import ASGIClient


def _hot_connections(database: Database) -> int:
    with database.engine.connect() as connection:
        return int(
            connection.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE application_name = :name AND datname = current_database()"
                ),
                {"name": HOT_READS_APPLICATION_NAME},
            ).scalar_one()
        )


def test_lookup_uses_the_hot_pool_on_postgresql_only(
    app: FastAPI, client: ASGIClient, database: Database
) -> None:
    first = generate_synthetic(database, container_of(app).references, 3)
    assert database.has_hot_pool == (database.dialect == "postgresql")
    response = client.get(f"/v1/certificates/{synthetic_number(first)}")
    assert response.status_code == 200
    if database.dialect == "postgresql":
        assert _hot_connections(database) >= 1
    assert client.get("/v1/certificates/SYN-999999999").status_code == 404


def test_lookup_survives_hot_connections_terminated_under_it(
    app: FastAPI, client: ASGIClient, database: Database
) -> None:
    number = synthetic_number(generate_synthetic(database, container_of(app).references, 3))
    body = client.get(f"/v1/certificates/{number}").content
    if database.dialect != "postgresql":
        return
    with database.engine.connect() as connection:
        connection.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = :name AND datname = current_database()"
            ),
            {"name": HOT_READS_APPLICATION_NAME},
        )
    again = client.get(f"/v1/certificates/{number}")
    assert again.status_code == 200
    assert again.content == body


def test_hot_pool_can_be_turned_off(settings: Settings) -> None:
    app = create_app(settings.model_copy(update={"hot_reads_asyncpg": False}))
    client = ASGIClient(app)
    try:
        database: Database = container_of(app).database
        assert not database.has_hot_pool
        first = generate_synthetic(database, container_of(app).references, 3)
        assert client.get(f"/v1/certificates/{synthetic_number(first)}").status_code == 200
        if database.dialect == "postgresql":
            assert _hot_connections(database) == 0
    finally:
        client.close()


def test_hot_fetch_returns_every_row(settings: Settings) -> None:
    database = Database.from_settings(settings)
    if not database.has_hot_pool:
        database.engine.dispose()
        return
    first = generate_synthetic(database, ReferenceStore(settings.reference_dir), 3)

    async def fetch() -> list[list[object]]:
        try:
            rows = await database.hot_fetch(
                "SELECT stone_id, kind FROM stone_numbers WHERE stone_id = ANY($1::int[]) "
                "ORDER BY stone_id, kind",
                [first, first + 2, 10**6],
            )
            return [list(row) for row in rows]
        finally:
            await database.dispose()

    assert asyncio.run(fetch()) == [
        [first, "alias"],
        [first, "clearstone_id"],
        [first + 2, "alias"],
        [first + 2, "clearstone_id"],
    ]
