"""``Idempotency-Key`` on creating POSTs (draft-ietf-httpapi-idempotency-key-header).

The HTTP side (reading the header, replaying a stored response) is the route dependency
:data:`clearstone_api.routes.dependencies.IdempotencyDep`; the claims live here.

The key is claimed in its own short transaction before the handler runs, so a concurrent
duplicate sees the claim at once (409) instead of waiting on a lock. The handler then stores its
response through :meth:`IdempotencyClaim.record` inside the request's own transaction: the write
and the stored response commit together or not at all. A failed request releases its claim so a
retry can run. When the failure was the database going away, the release cannot run either: it
is retried in the background until the database is back, so that the client's retry with the
same key is not held off (409) for ``idempotency_lock_seconds``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import time

from anyio.to_thread import run_sync
from pydantic import BaseModel
from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlmodel import Session, select

from clearstone_api.canonical import canonical_json, sha256_hex
from clearstone_api.db import Database
from clearstone_api.errors import IdempotencyInProgress, IdempotencyKeyReused
from clearstone_api.models.columns import utcnow
from clearstone_api.models.idempotency import IdempotencyKey
from clearstone_api.services.unit_of_work import UnitOfWork

__all__ = [
    "IdempotencyClaim",
    "IdempotentReplay",
    "claim_key",
    "release_after_failure",
]

logger = logging.getLogger("clearstone.idempotency")

_RELEASES: set[asyncio.Task[None]] = set()
"""Background releases in flight (the event loop keeps only weak references to tasks)."""


class IdempotentReplay(Exception):
    """The request was already answered: replay the stored response."""

    def __init__(self, status_code: int, body: bytes) -> None:
        super().__init__(status_code)
        self.status_code = status_code
        self.body = body


class IdempotencyClaim:
    """The caller's hold on a key; inert when the request carried none."""

    def __init__(self, database: Database | None = None, row_id: int | None = None) -> None:
        self._database = database
        self._row_id = row_id

    @property
    def active(self) -> bool:
        return self._row_id is not None

    def record(self, session: Session, status_code: int, body: BaseModel) -> None:
        """Store the response in ``session``'s transaction, beside the write it describes."""
        if self._row_id is None:
            return
        session.execute(
            update(IdempotencyKey)
            .where(IdempotencyKey.id == self._row_id)  # type: ignore[arg-type]
            .values(
                state="done", status_code=status_code, response_body=body.model_dump_json().encode()
            )
        )

    def record_on_commit(self, uow: UnitOfWork, status_code: int, body: BaseModel) -> None:
        """Store the response in ``uow``'s transaction, just before it commits."""
        if self._row_id is not None:
            uow.before_commit(lambda session: self.record(session, status_code, body))

    def release(self) -> None:
        """Give the key back after a failure (its own transaction)."""
        if self._row_id is None or self._database is None:
            return
        with self._database.session() as session:
            session.execute(
                delete(IdempotencyKey).where(
                    IdempotencyKey.id == self._row_id,  # type: ignore[arg-type]
                    IdempotencyKey.state == "in_progress",  # type: ignore[arg-type]
                )
            )


def _request_hash(body: bytes) -> str:
    try:
        return sha256_hex(canonical_json(json.loads(body)))
    except (ValueError, UnicodeDecodeError):
        return sha256_hex(body)


def _claim(
    database: Database,
    client_id: str,
    key: str,
    operation: str,
    request_hash: str,
    lock_seconds: int,
) -> IdempotencyClaim:
    with database.session() as session:
        row = session.exec(
            select(IdempotencyKey).where(
                IdempotencyKey.client_id == client_id, IdempotencyKey.key == key
            )
        ).first()
        if row is None:
            row = IdempotencyKey(
                client_id=client_id,
                key=key,
                operation=operation,
                request_hash=request_hash,
                state="in_progress",
            )
            session.add(row)
            try:
                session.flush()
            except IntegrityError:
                raise IdempotencyInProgress(
                    "Another request with this Idempotency-Key is being processed."
                ) from None
            assert row.id is not None
            return IdempotencyClaim(database, row.id)
        if row.request_hash != request_hash or row.operation != operation:
            raise IdempotencyKeyReused(
                "This Idempotency-Key was used with a different request; use a new key."
            )
        if row.state == "done" and row.status_code is not None and row.response_body is not None:
            raise IdempotentReplay(row.status_code, bytes(row.response_body))
        if utcnow() - row.created_at > dt.timedelta(seconds=lock_seconds):
            row.created_at = utcnow()  # the first attempt died without releasing: take over
            assert row.id is not None
            return IdempotencyClaim(database, row.id)
        raise IdempotencyInProgress("Another request with this Idempotency-Key is being processed.")


async def claim_key(
    database: Database,
    client_id: str,
    key: str | None,
    operation: str,
    body: bytes,
    lock_seconds: int,
) -> IdempotencyClaim:
    """Claim ``key`` for one request of ``client_id`` (its own key space) on ``operation`` with
    ``body``, in its own short transaction; an inert claim when no key was sent. Raises
    :class:`IdempotentReplay` when the request was already answered, 409 while another holds
    the key, 422 when the key was used with another request."""
    if key is None:
        return IdempotencyClaim()
    return await run_sync(
        _claim, database, client_id, key, operation, _request_hash(body), lock_seconds
    )


async def release_after_failure(claim: IdempotencyClaim, lock_seconds: int) -> None:
    """Give ``claim`` back after its request failed, so that a retry can run; if the database
    cannot be reached either, keep trying in the background."""
    if not claim.active:
        return
    try:
        await run_sync(claim.release)
    except SQLAlchemyError:
        # Stop well before another request may take the key over (lock_seconds after the
        # claim), so that a late release never deletes that request's claim.
        _release_later(claim, lock_seconds / 2)


def _release_later(claim: IdempotencyClaim, give_up_after: float) -> None:
    task = asyncio.get_running_loop().create_task(_keep_releasing(claim, give_up_after))
    _RELEASES.add(task)
    task.add_done_callback(_RELEASES.discard)


async def _keep_releasing(claim: IdempotencyClaim, give_up_after: float) -> None:
    deadline = time.monotonic() + give_up_after
    delay = 0.25
    while time.monotonic() + delay < deadline:
        await asyncio.sleep(delay)
        try:
            await run_sync(claim.release)
            return
        except SQLAlchemyError:
            delay = min(delay * 2, 4.0)
    logger.warning("idempotency key left claimed until its lock expires: database unreachable")
