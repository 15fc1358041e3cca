"""The database schema's lifecycle: Alembic is its only source.

``upgrade(settings)`` brings a database to head (the CLI's ``migrate``, the tests' fixtures);
``is_at_head`` answers ``/readyz``.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

from clearstone_api.db import make_engine
from clearstone_api.settings import Settings

__all__ = ["alembic_config", "head_revision", "is_at_head", "upgrade"]


def _script_location() -> str:
    return str(Path(str(resources.files("clearstone_api") / "migrations")))


def alembic_config(engine: Engine | None = None) -> Config:
    """An Alembic configuration without an ini file; ``engine`` is handed to ``env.py``."""
    config = Config()
    config.set_main_option("script_location", _script_location())
    if engine is not None:
        config.attributes["engine"] = engine
    return config


def upgrade(settings: Settings, revision: str = "head") -> None:
    """Migrate the database named by ``settings`` to ``revision``."""
    engine = make_engine(settings)
    try:
        command.upgrade(alembic_config(engine), revision)
    finally:
        engine.dispose()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def is_at_head(connection: Connection) -> bool:
    current = MigrationContext.configure(connection).get_current_revision()
    return current is not None and current == head_revision()
