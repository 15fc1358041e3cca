"""The backup and restore of docs/operations.md, run as written against a real PostgreSQL.

A database is migrated and loaded with the demo stones by the CLI, dumped with the documented
``pg_dump`` command line (from ``CLEARSTONE_DATABASE_URL`` itself, in the service's
``postgresql+psycopg://`` form that libpq does not read), restored with the documented
``pg_restore`` command line into an empty database, and compared: the row count of every table,
the head of every custody hash chain, and the custody transparency log's signed tree head. Then
the service is pointed at the restored copy: ``migrate`` has nothing to do, ``/readyz`` is 200,
and a certificate and the latest signed tree head read the same.

Runs with the normal suite when ``CLEARSTONE_TEST_DATABASE_URL`` names a PostgreSQL server and
``pg_dump``/``pg_restore`` are installed; skipped, with the reason, otherwise.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from clearstone_api.app import create_app
from clearstone_api.settings import Settings
from tests.support.harness import ASGIClient

SERVER = os.environ.get("CLEARSTONE_TEST_DATABASE_URL", "")

pytestmark = [
    pytest.mark.skipif(
        not SERVER.startswith("postgresql"),
        reason="needs PostgreSQL: set CLEARSTONE_TEST_DATABASE_URL",
    ),
    pytest.mark.skipif(
        shutil.which("pg_dump") is None or shutil.which("pg_restore") is None,
        reason="needs pg_dump and pg_restore (postgresql-client)",
    ),
]

# The command lines of docs/operations.md ("Backups and restore"), verbatim: bash turns the
# service's URL into libpq's by dropping the driver (`postgresql+psycopg://` -> `postgresql://`).
BACKUP = 'pg_dump --format=custom --file="$DUMP" "${CLEARSTONE_DATABASE_URL/+psycopg/}"'
RESTORE = (
    'pg_restore --clean --if-exists --no-owner --dbname="${CLEARSTONE_DATABASE_URL/+psycopg/}" '
    '"$DUMP"'
)

CHAIN_HEADS = """
    SELECT DISTINCT ON (item_kind, item_id) item_kind, item_id, seq, hash
    FROM custody_links ORDER BY item_kind, item_id, seq DESC
"""

TREE_HEAD = """
    SELECT tree_size, root_hash, signature FROM custody_tree_heads
    ORDER BY tree_size DESC LIMIT 1
"""

CERTIFICATE = "/v1/certificates/DEMO-BW-2023"
LATEST_TREE_HEAD = "/v1/transparency/tree-heads/latest"


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture
def databases() -> Iterator[tuple[str, str]]:
    """Two new, empty databases on the test server (the source and the restore target)."""
    suffix = uuid.uuid4().hex[:10]
    names = (f"clearstone_backup_{suffix}", f"clearstone_restore_{suffix}")
    with psycopg.connect(_libpq(SERVER), autocommit=True) as admin:
        for name in names:
            admin.execute(f'CREATE DATABASE "{name}"')
    server = make_url(SERVER)
    yield tuple(server.set(database=name).render_as_string(hide_password=False) for name in names)  # type: ignore[misc]  # two names, two URLs
    with psycopg.connect(_libpq(SERVER), autocommit=True) as admin:
        for name in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _cli(url: str, data_dir: Path, *args: str) -> str:
    env = {
        **os.environ,
        "CLEARSTONE_DATABASE_URL": url,
        "CLEARSTONE_DATA_DIR": str(data_dir),
        "CLEARSTONE_ENVIRONMENT": "test",
    }
    done = subprocess.run(
        [Path(sys.executable).with_name("clearstone-api"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _shell(command: str, url: str, dump: Path) -> None:
    env = {**os.environ, "CLEARSTONE_DATABASE_URL": url, "DUMP": str(dump)}
    done = subprocess.run(
        ["bash", "-c", command], env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr


Snapshot = tuple[dict[str, int], list[tuple[object, ...]]]


def _snapshot(url: str) -> Snapshot:
    """Every table's row count, every custody chain's head, and the custody transparency
    log's latest signed tree head."""
    with psycopg.connect(_libpq(url)) as connection:
        tables = [
            row[0]
            for row in connection.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
        ]
        counts = {
            table: connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]  # type: ignore[index]  # count(*) always answers one row
            for table in tables
        }
        heads = [tuple(row) for row in connection.execute(CHAIN_HEADS)]
        heads += [("tree head", *row) for row in connection.execute(TREE_HEAD)]
    return counts, heads


def test_the_documented_dump_and_restore_give_back_every_row_and_chain_head(
    databases: tuple[str, str], tmp_path: Path
) -> None:
    source, target = databases
    _cli(source, tmp_path, "migrate")
    _cli(source, tmp_path, "load-demo")
    before_counts, before_heads = _snapshot(source)
    assert before_counts["stones"] > 0 and before_counts["custody_links"] > 0
    assert before_heads, "the demo has custody chains to compare"
    assert before_heads[-1][0] == "tree head", "the demo's events are in the transparency log"

    dump = tmp_path / "clearstone.dump"
    _shell(BACKUP, source, dump)
    assert dump.stat().st_size > 0
    _shell(RESTORE, target, dump)

    after_counts, after_heads = _snapshot(target)
    assert after_counts == before_counts
    assert after_heads == before_heads

    # The restored copy is a working database for the service, at the code's schema head.
    assert "to head" in _cli(target, tmp_path, "migrate")
    assert _snapshot(target) == (before_counts, before_heads)
    original = ASGIClient(create_app(Settings(database_url=source, data_dir=tmp_path)))
    restored = ASGIClient(create_app(Settings(database_url=target, data_dir=tmp_path)))
    try:
        assert restored.get("/readyz").status_code == 200
        expected = original.get(CERTIFICATE)
        answered = restored.get(CERTIFICATE)
        assert (answered.status_code, expected.status_code) == (200, 200)
        assert answered.json() == expected.json()
        head, original_head = restored.get(LATEST_TREE_HEAD), original.get(LATEST_TREE_HEAD)
        assert (head.status_code, original_head.status_code) == (200, 200)
        assert head.json() == original_head.json(), "the signed custody tree head survives"
    finally:
        original.close()
        restored.close()


def test_the_services_url_is_not_one_libpq_reads() -> None:
    """Why the documented commands rewrite the URL: pg_dump given the service's form fails."""
    url = make_url(SERVER).render_as_string(hide_password=False)
    assert "+psycopg" in url or url.startswith("postgresql://")
    if "+psycopg" not in url:
        pytest.skip("the test server's URL names no driver")
    done = subprocess.run(
        ["pg_dump", "--schema-only", url], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode != 0
    # libpq does not recognise the scheme, so it takes the whole URL for a database name.
    assert f'database "{url}" does not exist' in done.stderr
