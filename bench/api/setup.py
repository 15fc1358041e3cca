"""``python -m bench.api setup``: a dedicated database with N synthetic stones, timed.

Drops and recreates the database, migrates it and loads the demo stones with the product's own
``clearstone-api migrate`` and ``clearstone-api load-demo`` (with the bench server's data
directory, so that both sign with the same development keys), generates the synthetic stones
with ``generate_synthetic`` (what ``python -m bench.api generate`` runs, plus the option of
distinct records), then VACUUM ANALYZE so that autovacuum does not wake up in the middle of a
measurement. A database that already holds the
requested number of synthetic stones is reused unless ``--fresh`` is given.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from bench.api.config import DATA_DIR, database_url
from bench.api.synthetic import count_synthetic, generate_synthetic
from clearstone_api.db import Database
from clearstone_api.services.reference_store import ReferenceStore
from clearstone_api.settings import Settings

__all__ = ["existing_stones", "setup"]


def _admin(url: str) -> Any:
    return create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")


def _cli(url: str, *command: str) -> None:
    """``clearstone-api COMMAND`` against the bench database, with the bench data directory."""
    cli = Path(sys.executable).with_name("clearstone-api")
    env = {**os.environ, "CLEARSTONE_DATABASE_URL": url, "CLEARSTONE_DATA_DIR": str(DATA_DIR)}
    subprocess.run([str(cli), *command], env=env, check=True)


def existing_stones(url: str) -> int | None:
    """Synthetic stones in the database at ``url``; None when it is missing or not migrated."""
    database = Database.from_settings(Settings(database_url=url))
    try:
        return count_synthetic(database)
    except OperationalError:
        return None
    except Exception:  # missing tables: a database left half-made
        return None
    finally:
        database.engine.dispose()


def setup(
    name: str, stones: int, *, distinct_records: bool, fresh: bool, results: Path
) -> dict[str, Any]:
    url = database_url(name)
    present = None if fresh else existing_stones(url)
    if present is not None and present >= stones:
        _cli(url, "migrate")  # the schema may have moved on since it was made
        print(f"reusing {name}: {present:,} synthetic stones already there, schema at head")
        return {"database": name, "reused": True, "stones": present}
    timings: dict[str, Any] = {
        "database": name,
        "reused": False,
        "stones": stones,
        "distinct_records": distinct_records,
    }
    admin = _admin(url)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    settings = Settings(database_url=url, data_dir=DATA_DIR)
    started = time.perf_counter()
    _cli(url, "migrate")
    timings["migrate_s"] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    _cli(url, "load-demo")
    timings["load_demo_s"] = round(time.perf_counter() - started, 1)
    database = Database.from_settings(settings)
    store = ReferenceStore(settings.reference_dir)
    try:
        started = time.perf_counter()
        last = [0.0]

        def progress(done: int) -> None:
            if time.perf_counter() - last[0] > 10 or done == stones:
                last[0] = time.perf_counter()
                elapsed = last[0] - started
                print(f"  {done:,} stones, {elapsed:.0f}s, {done / elapsed:,.0f}/s", flush=True)

        generate_synthetic(
            database, store, stones, distinct_records=distinct_records, progress=progress
        )
        timings["generate_s"] = round(time.perf_counter() - started, 1)
        started = time.perf_counter()
        with database.engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").execute(
                text("VACUUM ANALYZE")
            )
        timings["vacuum_analyze_s"] = round(time.perf_counter() - started, 1)
        with database.engine.connect() as connection:
            size = connection.execute(text("SELECT pg_database_size(current_database())"))
            timings["database_bytes"] = int(size.scalar_one())
    finally:
        database.engine.dispose()
    print(json.dumps(timings, indent=2))
    results.mkdir(parents=True, exist_ok=True)
    (results / f"setup-{name}.json").write_text(json.dumps(timings, indent=2) + "\n")
    return timings
