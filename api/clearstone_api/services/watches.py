"""Watches: the stones a retailer follows, so that their events reach its feed and webhooks.

A retailer watches a stone explicitly (``POST /v1/watches``) or by screening it at checkout
with ``watch: true``. Watching is entitlement to events only: it reveals nothing the retailer
tier does not already show (any retailer may read any stone's summary).
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlalchemy import String, cast, literal, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col
from sqlmodel import select as sm_select

from clearstone_api.db import Database
from clearstone_api.errors import FieldError, NotFound, Unprocessable
from clearstone_api.models.columns import UtcDateTime, utcnow
from clearstone_api.models.stone import Stone
from clearstone_api.models.watch import Watch
from clearstone_api.security.principals import Principal
from clearstone_api.services.idempotency import IdempotencyClaim
from clearstone_api.services.unit_of_work import UnitOfWork

__all__ = [
    "WatchCreate",
    "WatchPublic",
    "create_watch",
    "delete_watch",
    "get_watch",
    "list_watches",
    "watch_screened",
]

StoneId = Annotated[str, StringConstraints(pattern=r"^CS-[0-9A-Z]{12}$")]


class WatchCreate(BaseModel):
    """A stone to watch."""

    model_config = ConfigDict(extra="forbid")

    stone_id: StoneId = Field(examples=["CS-7K2M9QXH4D1P"])
    """The stone's Clearstone id (as a screening answers it)."""


class WatchPublic(BaseModel):
    """A stone you watch."""

    id: str = Field(examples=["wat_0f3a9c1b2d4e5f60718293a4"])
    stone_id: str
    source: str
    """``explicit`` or ``checkout`` (screened with ``watch: true``)."""
    created_at: dt.datetime


def new_watch_id() -> str:
    return "wat_" + secrets.token_hex(12)


def _public(watch: Watch, public_id: str) -> WatchPublic:
    return WatchPublic(
        id=watch.id, stone_id=public_id, source=watch.source, created_at=watch.created_at
    )


def create_watch(
    uow: UnitOfWork, principal: Principal, body: WatchCreate, claim: IdempotencyClaim
) -> tuple[WatchPublic, bool]:
    """Watch a stone; watching one already watched answers the existing watch (and False)."""
    session = uow.session
    stone = session.exec(sm_select(Stone).where(Stone.public_id == body.stone_id)).first()
    if stone is None or stone.id is None:
        raise Unprocessable(
            f"No stone {body.stone_id!r}.",
            errors=[
                FieldError(path="body.stone_id", message="unknown stone", type="unknown_reference")
            ],
        )
    existing = session.exec(
        sm_select(Watch).where(Watch.tenant_id == principal.tenant_id, Watch.stone_id == stone.id)
    ).first()
    if existing is not None:
        public = _public(existing, stone.public_id)
        claim.record_on_commit(uow, 200, public)
        return public, False
    watch = Watch(
        id=new_watch_id(), tenant_id=principal.tenant_id, stone_id=stone.id, source="explicit"
    )
    session.add(watch)
    session.flush()
    public = _public(watch, stone.public_id)
    claim.record_on_commit(uow, 201, public)
    return public, True


def _owned(session: Session, principal: Principal, watch_id: str) -> tuple[Watch, str]:
    found = session.exec(
        sm_select(Watch, Stone.public_id)
        .join(Stone, col(Stone.id) == col(Watch.stone_id))
        .where(Watch.id == watch_id, Watch.tenant_id == principal.tenant_id)
    ).first()
    if found is None:
        raise NotFound(f"No watch {watch_id!r}.")
    return found


def get_watch(session: Session, principal: Principal, watch_id: str) -> WatchPublic:
    watch, public_id = _owned(session, principal, watch_id)
    return _public(watch, public_id)


def delete_watch(session: Session, principal: Principal, watch_id: str) -> None:
    watch, _ = _owned(session, principal, watch_id)
    session.delete(watch)
    session.flush()


def list_watches(
    session: Session, principal: Principal, limit: int, after: str | None
) -> tuple[list[WatchPublic], bool, str | None]:
    """Your watches in id order; up to ``limit`` after ``after``."""
    query = (
        sm_select(Watch, Stone.public_id)
        .join(Stone, col(Stone.id) == col(Watch.stone_id))
        .where(Watch.tenant_id == principal.tenant_id)
        .order_by(col(Watch.id))
    )
    if after is not None:
        query = query.where(col(Watch.id) > after)
    rows = session.exec(query.limit(limit + 1)).all()
    data = [_public(w, p) for w, p in rows[:limit]]
    more = len(rows) > limit
    return data, more, data[-1].id if more and data else None


async def watch_screened(database: Database, tenant_id: str, stone_ids: list[str]) -> None:
    """Watch every screened stone (``watch: true`` at checkout): one statement, stones
    already watched are left as they are."""
    if not stone_ids:
        return
    chosen = select(
        literal(new_watch_id(), String()) + cast(col(Stone.id), String()),
        literal(tenant_id, String()),
        col(Stone.id),
        literal("checkout", String()),
        literal(utcnow(), UtcDateTime()),
    ).where(col(Stone.public_id).in_(sorted(set(stone_ids))))
    engine = database.async_engine
    dialect_insert = pg_insert if engine.dialect.name == "postgresql" else sqlite_insert
    statement = (
        dialect_insert(Watch)
        .from_select(["id", "tenant_id", "stone_id", "source", "created_at"], chosen)
        .on_conflict_do_nothing()
    )
    async with engine.begin() as connection:
        await connection.execute(statement)
