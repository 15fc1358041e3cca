"""The database schema's lifecycle: Alembic is its only source.

``upgrade(settings)`` brings a database to head (the CLI's ``migrate``, the tests' fixtures);
``serves_schema`` answers ``/readyz``.
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

__all__ = ["alembic_config", "head_revision", "serves_schema", "upgrade"]


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


def serves_schema(connection: Connection) -> bool:
    """Whether this code can serve the database: at its head, or ahead of it.

    A database *ahead* (a revision this code does not know) is what the previous release sees
    during a rolling upgrade once the next release's migration ran; migrations are
    expand-then-contract, so it keeps serving. A database *behind* (no revision, or a known
    earlier one) is not ready.
    """
    current = MigrationContext.configure(connection).get_current_revision()
    if current is None:
        return False
    scripts = ScriptDirectory.from_config(alembic_config())
    if current == scripts.get_current_head():
        return True
    return current not in {script.revision for script in scripts.walk_revisions()}
