"""Database engines and the request session.

Two engines over one database: a synchronous one (SQLModel sessions, for writes, migrations and
batch work) and an async one for the hot reads, which use SQLAlchemy Core ``select()`` and never
the ORM (see ``performance-notes.md``). SQLite enforces foreign keys and runs in WAL mode.

Example::

    database = Database.from_settings(settings)
    with database.session() as session:
        ...
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlmodel import Session

from clearstone_api.settings import Settings

__all__ = ["Database", "SessionDep", "database_of", "get_session", "make_engine"]


def _sync_url(url: str) -> str:
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres", "postgresql+asyncpg"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    elif parsed.drivername == "sqlite+aiosqlite":
        parsed = parsed.set(drivername="sqlite")
    return parsed.render_as_string(hide_password=False)


def _async_url(url: str) -> str:
    parsed = make_url(_sync_url(url))
    if parsed.drivername == "sqlite":
        parsed = parsed.set(drivername="sqlite+aiosqlite")
    return parsed.render_as_string(hide_password=False)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _ensure_sqlite_dir(url: str) -> None:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)


def make_engine(settings: Settings) -> Engine:
    """The synchronous engine: SQLModel sessions, migrations, bulk loads."""
    url = _sync_url(settings.url)
    if url.startswith("sqlite"):
        _ensure_sqlite_dir(url)
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_size=settings.pool_size, pool_pre_ping=True)


def make_async_engine(settings: Settings) -> AsyncEngine:
    """The async engine for the hot reads (aiosqlite or psycopg 3 async)."""
    url = _async_url(settings.url)
    if url.startswith("sqlite"):
        _ensure_sqlite_dir(url)
        engine = create_async_engine(url)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    return create_async_engine(url, pool_size=settings.pool_size, max_overflow=settings.pool_size)


class Database:
    """Both engines of one database, owned by one app (or one CLI command)."""

    def __init__(self, engine: Engine, async_engine: AsyncEngine) -> None:
        self.engine = engine
        self.async_engine = async_engine

    @classmethod
    def from_settings(cls, settings: Settings) -> Database:
        return cls(make_engine(settings), make_async_engine(settings))

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: commits when the block ends, rolls back when it raises."""
        with Session(self.engine, expire_on_commit=False) as session:
            try:
                yield session
            except BaseException:
                session.rollback()
                raise
            session.commit()

    async def dispose(self) -> None:
        await self.async_engine.dispose()
        self.engine.dispose()


def database_of(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


def get_session(request: Request) -> Iterator[Session]:
    """The request's unit of work, committed before the response is sent.

    Used with ``scope="function"`` so that the commit happens before the response starts: a
    failing commit becomes an error response, never a 201 for a write that did not happen.
    """
    with database_of(request).session() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
