"""Database engines and the request session.

Two engines over one database: a synchronous one (SQLModel sessions, for writes, migrations and
batch work) and an async one for the hot reads, which use SQLAlchemy Core ``select()`` and never
the ORM (see ``performance-notes.md``). SQLite enforces foreign keys and runs in WAL mode.

On PostgreSQL the hottest read, the certificate lookup, goes through a small raw asyncpg pool
instead (:meth:`Database.hot_fetchrow`): one prepared statement and one round trip per lookup,
against three or four through the async engine (pre-ping, the statement in an implicit
transaction, the rollback on return). ``CLEARSTONE_HOT_READS_ASYNCPG=false`` turns it off.

Example::

    database = Database.from_settings(settings)
    with database.session() as session:
        ...
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlmodel import Session

from clearstone_api.errors import DatabaseUnavailable
from clearstone_api.security.secret_files import PRIVATE_FILE_MODE, private_directory
from clearstone_api.settings import SYNC_POOL_OVERFLOW, Settings

__all__ = ["Database", "make_engine"]


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
    """The SQLite file's directory (0700) and the file itself (0600), before SQLite creates it
    with the process's umask: SQLite gives its WAL and shared-memory files the database file's
    mode, so all three stay private to the service's user."""
    database = make_url(url).database
    if database and database != ":memory:" and not database.startswith("file:"):
        path = Path(database)
        private_directory(path.parent)
        with contextlib.suppress(FileExistsError):
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE))


CONNECT_TIMEOUT_SECONDS = 3
"""How long opening a PostgreSQL connection may take (libpq ``connect_timeout``; a URL that sets
its own wins). A database that is down refuses at once; this bounds one that does not answer."""


def _postgres_options(url: str, settings: Settings) -> dict[str, Any]:
    """Pool and connection options for PostgreSQL, shared by both engines.

    ``pool_pre_ping`` tests each pooled connection as it is checked out, so that after a
    database restart no request meets a dead connection: the pool reconnects instead, and while
    the database is down the attempt fails fast with ``OperationalError`` (a 503 problem).
    ``hide_parameters`` keeps bound values (tokens, secrets, client data) out of error messages
    and so out of logs.
    """
    connect_args: dict[str, Any] = {}
    if "connect_timeout" not in make_url(url).query:
        connect_args["connect_timeout"] = CONNECT_TIMEOUT_SECONDS
    return {
        "pool_size": settings.pool_size,
        "pool_pre_ping": True,
        "hide_parameters": True,
        "connect_args": connect_args,
    }


def make_engine(settings: Settings) -> Engine:
    """The synchronous engine: SQLModel sessions, migrations, bulk loads."""
    url = _sync_url(settings.url)
    if url.startswith("sqlite"):
        _ensure_sqlite_dir(url)
        engine = create_engine(url, connect_args={"check_same_thread": False}, hide_parameters=True)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, max_overflow=SYNC_POOL_OVERFLOW, **_postgres_options(url, settings))


def make_async_engine(settings: Settings) -> AsyncEngine:
    """The async engine for the hot reads (aiosqlite or psycopg 3 async)."""
    url = _async_url(settings.url)
    if url.startswith("sqlite"):
        _ensure_sqlite_dir(url)
        engine = create_async_engine(url, hide_parameters=True)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    return create_async_engine(
        url, max_overflow=settings.pool_size, **_postgres_options(url, settings)
    )


HOT_READS_APPLICATION_NAME = "clearstone-hot-reads"
"""``application_name`` of the raw asyncpg pool's connections (visible in ``pg_stat_activity``)."""

_CONNECTION_LOST = (
    OSError,
    asyncio.TimeoutError,
    asyncpg.exceptions.PostgresConnectionError,
    asyncpg.exceptions.InterfaceError,
    asyncpg.exceptions.OperatorInterventionError,
    # A connection the server terminated while idle in the pool: asyncpg reads the server's
    # "terminating connection" message as an operation in progress and refuses the next query
    # with this ("cannot switch to state ...; another operation is in progress").
    asyncpg.exceptions.InternalClientError,
)
"""What a lost or refused connection raises in asyncpg: worth one retry, then a 503."""


class HotPool(Protocol):
    """The part of ``asyncpg.Pool`` the hot reads use."""

    async def fetchrow(self, query: str, *args: object) -> Sequence[Any] | None: ...

    async def fetch(self, query: str, *args: object) -> list[Sequence[Any]]: ...

    async def close(self) -> None: ...

    def get_size(self) -> int: ...

    def get_idle_size(self) -> int: ...


def _asyncpg_dsn(url: str) -> tuple[str, float]:
    """The asyncpg DSN for a SQLAlchemy PostgreSQL URL, and its connect timeout. Other query
    parameters (``sslmode``...) pass through, since asyncpg reads libpq's."""
    parsed = make_url(url)
    query = dict(parsed.query)
    timeout = float(str(query.pop("connect_timeout", CONNECT_TIMEOUT_SECONDS)))
    dsn = parsed.set(drivername="postgresql", query=query).render_as_string(hide_password=False)
    return dsn, timeout


async def _keep(_connection: object) -> None:
    """The pool's reset on release, as a no-op: the hot reads run single read-only statements
    outside any transaction and change no session state, so asyncpg's default reset (a
    round trip of ``RESET ALL``, ``UNLISTEN *``...) would be pure cost."""


class Database:
    """Both engines of one database, owned by one app (or one CLI command); on PostgreSQL, also
    the raw asyncpg pool of the hot reads, opened on first use in the serving event loop."""

    def __init__(
        self,
        engine: Engine,
        async_engine: AsyncEngine,
        *,
        hot_reads_url: str | None = None,
        hot_pool_size: int = 10,
    ) -> None:
        self.engine = engine
        self.async_engine = async_engine
        self._hot_dsn = _asyncpg_dsn(hot_reads_url) if hot_reads_url else None
        self._hot_pool_size = hot_pool_size
        self._hot_pool: HotPool | None = None
        self._hot_lock: asyncio.Lock | None = None
        self.session_info: dict[str, Any] = {}
        """Put in the ``info`` of every session :meth:`session` opens: how the services find
        process-wide hooks, such as the webhook dispatcher of committed deliveries."""

    @classmethod
    def from_settings(cls, settings: Settings) -> Database:
        hot = settings.hot_reads_asyncpg and not settings.is_sqlite
        return cls(
            make_engine(settings),
            make_async_engine(settings),
            hot_reads_url=settings.url if hot else None,
            hot_pool_size=settings.pool_size,
        )

    @property
    def has_hot_pool(self) -> bool:
        """Whether the hot reads go through the raw asyncpg pool (PostgreSQL, not turned off)."""
        return self._hot_dsn is not None

    @property
    def hot_pool_limit(self) -> int:
        """The most connections the raw asyncpg pool opens (0 without one)."""
        return 2 * self._hot_pool_size if self.has_hot_pool else 0

    def hot_pool_in_use(self) -> int:
        """Connections of the raw asyncpg pool checked out now (0 before its first use)."""
        pool = self._hot_pool
        return 0 if pool is None else pool.get_size() - pool.get_idle_size()

    async def _open_hot_pool(self) -> HotPool:
        assert self._hot_dsn is not None
        if self._hot_lock is None:
            self._hot_lock = asyncio.Lock()
        async with self._hot_lock:
            if self._hot_pool is None:
                dsn, timeout = self._hot_dsn
                self._hot_pool = await asyncpg.create_pool(
                    dsn,
                    min_size=1,
                    max_size=self.hot_pool_limit,  # as the async engine: pool + overflow
                    reset=_keep,
                    timeout=timeout,
                    server_settings={"application_name": HOT_READS_APPLICATION_NAME},
                )
            return self._hot_pool

    async def hot_fetchrow(self, query: str, *args: object) -> Sequence[Any] | None:
        """One row of ``query`` through the raw asyncpg pool (``has_hot_pool`` must hold).

        asyncpg prepares each statement once per connection and caches it, so a lookup is one
        round trip. A connection lost since its last use (a database restart) is retried once
        on another; if that fails too, the database is unavailable (503, like the engines).
        """
        row: Sequence[Any] | None = await self._hot("fetchrow", query, args)
        return row

    async def hot_fetch(self, query: str, *args: object) -> list[Sequence[Any]]:
        """Every row of ``query``, as :meth:`hot_fetchrow` fetches one."""
        rows: list[Sequence[Any]] = await self._hot("fetch", query, args)
        return rows

    async def _hot(self, method: str, query: str, args: tuple[object, ...]) -> Any:
        for attempt in (1, 2):
            try:
                pool = self._hot_pool or await self._open_hot_pool()
                return await getattr(pool, method)(query, *args)
            except _CONNECTION_LOST as error:
                if attempt == 2:
                    raise DatabaseUnavailable(
                        "The database is unavailable; retry after the Retry-After delay."
                    ) from error
        raise AssertionError("unreachable")

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: commits when the block ends, rolls back when it raises."""
        with Session(self.engine, expire_on_commit=False, info=dict(self.session_info)) as session:
            try:
                yield session
            except BaseException:
                session.rollback()
                raise
            session.commit()

    async def dispose(self) -> None:
        if self._hot_pool is not None:
            pool, self._hot_pool = self._hot_pool, None
            await pool.close()
        await self.async_engine.dispose()
        self.engine.dispose()
