"""Where the benchmark's databases live and how its settings are built."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from sqlalchemy.engine import make_url

from clearstone_api.settings import Settings

__all__ = ["SERVER_URL_ENV", "database_url", "server_settings"]

BASE_URL_ENV = "CLEARSTONE_BENCH_POSTGRES"
"""The PostgreSQL server to use (any database name in it is replaced)."""
DEFAULT_BASE = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
SERVER_URL_ENV = "CLEARSTONE_BENCH_DATABASE_URL"
"""Set by the runner for the served app (``bench.api.app``)."""


def database_url(name: str) -> str:
    """The SQLAlchemy URL of the benchmark database ``name``."""
    base = make_url(os.environ.get(BASE_URL_ENV, DEFAULT_BASE))
    return base.set(database=name).render_as_string(hide_password=False)


DATA_DIR = Path(tempfile.gettempdir()) / "clearstone-bench"
"""The served app's data directory (its generated development signing keys)."""
UNLIMITED = 10**9


def server_settings(url: str) -> Settings:
    """The settings the benchmark serves with: the product's defaults and this database, with
    rate limits still enforced (their per-request cost is measured) but out of reach, since
    one load generator on one address would exhaust the public budget in a fraction of a
    second. ``CLEARSTONE_*`` environment variables still override anything not set here."""
    return Settings(
        database_url=url,
        environment="development",
        data_dir=DATA_DIR,
        rate_limit_public=UNLIMITED,
        rate_limit_client=UNLIMITED,
        rate_limit_token=UNLIMITED,
    )
