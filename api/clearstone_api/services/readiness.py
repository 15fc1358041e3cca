"""Readiness: whether this process can serve, asked by the ``/readyz`` probe."""

from __future__ import annotations

from sqlalchemy.exc import SQLAlchemyError

from clearstone_api.db import Database
from clearstone_api.schema import serves_schema

__all__ = ["readiness_problem"]


def readiness_problem(database: Database) -> str | None:
    """Why ``database`` cannot serve this release (unreachable, or its schema is behind the
    migrations), or None when it can. Blocking: call it off the event loop."""
    try:
        with database.engine.connect() as connection:
            if serves_schema(connection):
                return None
            return "The database schema is behind this release's migrations."
    except SQLAlchemyError:
        return "The database is unreachable."
