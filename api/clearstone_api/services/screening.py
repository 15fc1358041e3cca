"""The checkout screen: a decision per cart item under the retailer's own policy.

The whole cart is read with ONE indexed query, and the retailer's link to the stones it screened
is written by the same statement: on PostgreSQL one prepared statement through the raw asyncpg
pool of the hot reads (the read as a CTE, the ``INSERT ... ON CONFLICT DO NOTHING`` fed from it),
so a screen is one round trip; elsewhere Core on the async engine, a read then an insert. The
policy is applied in memory by the pure rule :func:`clearstone_api.domain.checkout.decide`.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Select,
    String,
    and_,
    any_,
    bindparam,
    literal,
    literal_column,
    or_,
    select,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col

from clearstone_api.certificate_numbers import NUMBER_PATTERN, lookup_key
from clearstone_api.db import Database
from clearstone_api.domain.checkout import (
    Decision,
    ScreeningPolicy,
    Verdicts,
    decide,
    strictest,
)
from clearstone_api.domain.verdicts import CscResult, KpResult
from clearstone_api.models.assessment import StoneAssessment
from clearstone_api.models.columns import UtcDateTime, utcnow
from clearstone_api.models.screening import StoneScreening
from clearstone_api.models.stone import Stone, StoneNumber
from clearstone_api.services.watches import watch_screened

__all__ = [
    "Decision",
    "ScreeningCreate",
    "ScreeningItem",
    "ScreeningPolicy",
    "ScreeningPublic",
    "screen",
]

MAX_ITEMS = 100

CertificateNumber = Annotated[str, StringConstraints(strip_whitespace=True, pattern=NUMBER_PATTERN)]


class ScreeningCreate(BaseModel):
    """A cart to screen."""

    model_config = ConfigDict(extra="forbid")

    items: Annotated[list[CertificateNumber], Field(min_length=1, max_length=MAX_ITEMS)]
    """Certificate numbers, one per cart line (duplicates are answered per line)."""
    policy: ScreeningPolicy = ScreeningPolicy()
    watch: bool = False
    """Watch every known stone of the cart: its events (a changed verdict, a superseded
    attestation) then reach your change feed and webhooks (``/v1/watches``)."""


class ScreeningItem(BaseModel):
    number: str
    decision: Decision
    reasons: list[str]
    """Plain-language reasons, one per rule that fired."""
    stone_id: str | None
    kp_result: KpResult | None
    csc_result: CscResult | None
    risk_score: int | None
    as_of: dt.date | None
    assessed_at: dt.datetime | None = None
    """When the stored assessment was made (its ``as_of`` is that day)."""


class ScreeningPublic(BaseModel):
    """The decision per item, and the cart's decision (the strictest of its items)."""

    decision: Decision
    items: list[ScreeningItem]
    policy: ScreeningPolicy
    """The policy applied: the one sent, with the defaults of every field it left out."""


def _cart(
    keys_match: ColumnElement[bool],
) -> Select[str, str, str, str, int, str, dt.date, dt.datetime]:
    """The cart query: each key's stone and stored verdicts, joined through the indexes."""
    return (
        select(
            col(StoneNumber.key),
            col(Stone.public_id),
            col(StoneAssessment.kp_result),
            col(StoneAssessment.csc_result),
            col(StoneAssessment.risk_score),
            col(StoneAssessment.sanctions_result),
            col(StoneAssessment.as_of),
            col(StoneAssessment.assessed_at),
        )
        .join_from(
            StoneNumber,
            StoneAssessment,
            col(StoneNumber.stone_id) == col(StoneAssessment.stone_id),
        )
        .join(Stone, col(Stone.id) == col(StoneNumber.stone_id))
        .where(keys_match)
    )


_SETTLED = or_(
    col(StoneNumber.status).is_(None), col(StoneNumber.status) != literal_column("'disputed'")
)
"""A disputed number is screened as unknown (the policy's ``unknown``): never as settled."""
_CART = _cart(and_(col(StoneNumber.key).in_(bindparam("keys", expanding=True)), _SETTLED))
_CART_ASYNCPG = str(
    _cart(
        and_(col(StoneNumber.key) == any_(bindparam("keys", type_=ARRAY(String))), _SETTLED)
    ).compile(
        dialect=asyncpg_dialect()  # type: ignore[no-untyped-call]
    )
)
"""``_CART`` for the raw asyncpg pool on PostgreSQL: the keys as one array parameter, so the
statement is prepared once per connection whatever the cart's size."""


def _cart_and_remember() -> tuple[str, list[str]]:
    """``_CART_ASYNCPG`` that also links the tenant to every stone it found, in one statement
    (first screening only), and the names of its positional parameters in order (``keys``,
    ``tenant``, ``now``)."""
    cart = (
        _cart(and_(col(StoneNumber.key) == any_(bindparam("keys", type_=ARRAY(String))), _SETTLED))
        .add_columns(col(Stone.id).label("stone_row"))
        .cte("cart")
    )
    remembered = (
        pg_insert(StoneScreening)
        .from_select(
            ["stone_id", "tenant_id", "first_screened_at"],
            select(
                cart.c.stone_row,
                bindparam("tenant", type_=String()),
                bindparam("now", type_=UtcDateTime()),
            ).distinct(),
        )
        .on_conflict_do_nothing()
        .cte("remembered")
    )
    statement = select(*[c for c in cart.c if c.name != "stone_row"]).add_cte(remembered)
    compiled = statement.compile(dialect=asyncpg_dialect())  # type: ignore[no-untyped-call]
    return str(compiled), list(compiled.positiontup or ())


_CART_AND_REMEMBER_ASYNCPG, _CART_AND_REMEMBER_PARAMS = _cart_and_remember()


def _aware(value: object) -> dt.datetime:
    moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def _item(
    number: str,
    row: tuple[object, ...] | None,
    policy: ScreeningPolicy,
    now: dt.datetime,
) -> ScreeningItem:
    if row is None:
        decided = decide(None, policy, now)
        return ScreeningItem(
            number=number,
            decision=decided.decision,
            reasons=list(decided.reasons),
            stone_id=None,
            kp_result=None,
            csc_result=None,
            risk_score=None,
            as_of=None,
        )
    _, stone_id, kp_raw, csc_raw, risk, sanctions, as_of, assessed_raw = row
    verdicts = Verdicts(
        kp=KpResult(str(kp_raw)),
        csc=CscResult(str(csc_raw)),
        risk_score=int(str(risk)),
        sanctions_flagged=sanctions == "flagged",
        assessed_at=_aware(assessed_raw),
    )
    decided = decide(verdicts, policy, now)
    return ScreeningItem(
        number=number,
        decision=decided.decision,
        reasons=list(decided.reasons),
        stone_id=str(stone_id),
        kp_result=verdicts.kp,
        csc_result=verdicts.csc,
        risk_score=verdicts.risk_score,
        as_of=as_of if isinstance(as_of, dt.date) else dt.date.fromisoformat(str(as_of)),
        assessed_at=verdicts.assessed_at,
    )


async def _remember(database: Database, tenant_id: str, stone_ids: list[str]) -> None:
    """Link the retailer to the stones it screened (first screening only): the link lets it read
    their sanctions evidence packs. One statement; existing links are left as they are."""
    if not stone_ids:
        return
    chosen = select(
        col(Stone.id), literal(tenant_id, String()), literal(utcnow(), UtcDateTime())
    ).where(col(Stone.public_id).in_(sorted(set(stone_ids))))
    engine = database.async_engine
    dialect_insert = pg_insert if engine.dialect.name == "postgresql" else sqlite_insert
    statement = (
        dialect_insert(StoneScreening)
        .from_select(["stone_id", "tenant_id", "first_screened_at"], chosen)
        .on_conflict_do_nothing()
    )
    async with engine.begin() as connection:
        await connection.execute(statement)


async def screen(
    database: Database, body: ScreeningCreate, tenant_id: str | None = None
) -> ScreeningPublic:
    """Decide every cart line; when ``tenant_id`` is given, remember that it screened the known
    stones."""
    keys = {number: lookup_key(number) for number in body.items}
    wanted = sorted(set(keys.values()))
    now = dt.datetime.now(dt.UTC)
    if database.has_hot_pool:
        if tenant_id is None:
            found = await database.hot_fetch(_CART_ASYNCPG, wanted)
        else:
            params = {"keys": wanted, "tenant": tenant_id, "now": now}
            found = await database.hot_fetch(
                _CART_AND_REMEMBER_ASYNCPG, *(params[name] for name in _CART_AND_REMEMBER_PARAMS)
            )
        rows = {row[0]: tuple(row) for row in found}
    else:
        async with database.async_engine.connect() as connection:
            result = await connection.execute(_CART, {"keys": wanted})
            rows = {row[0]: tuple(row) for row in result}
    items = [_item(number, rows.get(keys[number]), body.policy, now) for number in body.items]
    if tenant_id is not None and not database.has_hot_pool:
        await _remember(database, tenant_id, [i.stone_id for i in items if i.stone_id])
    if tenant_id is not None and body.watch:
        await watch_screened(database, tenant_id, [i.stone_id for i in items if i.stone_id])
    return ScreeningPublic(
        decision=strictest(item.decision for item in items), items=items, policy=body.policy
    )
