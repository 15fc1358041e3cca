"""Service settings, read from ``CLEARSTONE_*`` environment variables.

Nothing here runs at import time: the CLI and the tests build :class:`Settings` themselves and
pass it to :func:`clearstone_api.app.create_app`.

Example::

    settings = Settings(database_url="postgresql+psycopg://postgres@127.0.0.1:5432/clearstone")
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Environment", "Settings"]

Environment = Literal["development", "test", "production"]


class Settings(BaseSettings):
    """Everything the service reads from its environment."""

    model_config = SettingsConfigDict(env_prefix="CLEARSTONE_", extra="ignore")

    environment: Environment = "development"
    data_dir: Path = Path("data")
    """Where the default SQLite database lives."""
    database_url: str | None = None
    """SQLAlchemy URL; default ``sqlite:///<data_dir>/clearstone.db``. PostgreSQL through psycopg 3:
    ``postgresql+psycopg://user@host:5432/db``."""
    redis_url: str | None = None
    """Shared rate-limit store for several processes (issue 4); in-process when unset."""
    reference_dir: Path | None = None
    """Reference data directory; the data shipped in the package when unset."""
    pool_size: int = Field(default=10, ge=1, le=200)
    lookup_cache_ttl_seconds: float = Field(default=2.0, ge=0, le=3600)
    """How long a process may serve a certificate from its own cache. Bounds staleness across
    processes; writes in the same process clear it at once."""
    lookup_cache_size: int = Field(default=65536, ge=0)
    reassessment_batch_size: int = Field(default=500, ge=1, le=10000)
    idempotency_lock_seconds: int = Field(default=60, ge=1)
    """After this long an unfinished idempotent request no longer blocks a retry with its key."""
    access_log: bool = False
    """Log one line per request to ``clearstone.access`` (costs roughly 10% on hot paths)."""

    @model_validator(mode="after")
    def _default_database_url(self) -> Settings:
        if self.database_url is None:
            self.database_url = f"sqlite:///{self.data_dir / 'clearstone.db'}"
        return self

    @property
    def url(self) -> str:
        """The database URL, always set after validation."""
        assert self.database_url is not None
        return self.database_url

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")
