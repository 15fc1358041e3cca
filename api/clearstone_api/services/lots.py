"""Rough lots: registration (immutable afterwards) and supplier reads."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel
from sqlalchemy import insert
from sqlmodel import Session, col, select

from clearstone_api.certificate_numbers import new_public_id
from clearstone_api.domain import records
from clearstone_api.errors import Conflict, NotFound
from clearstone_api.models.lot import LotAncestor, RoughLot
from clearstone_api.security.principals import Principal
from clearstone_api.services.idempotency import IdempotencyClaim
from clearstone_api.services.lineage import ancestors_of, resolve_lots
from clearstone_api.services.unit_of_work import UnitOfWork

__all__ = ["LotCreate", "LotPublic", "create_lot", "get_lot", "list_lots", "register_lot"]


class LotCreate(records.RoughLot):
    """A rough lot as the supplier's records name it; ``parent_lot_ids`` must be registered."""


class LotPublic(BaseModel):
    """A registered rough lot (supplier view)."""

    id: str
    """Clearstone's id (``CL-...``)."""
    record_id: str
    lot: records.RoughLot
    created_at: dt.datetime


def lot_public(row: RoughLot) -> LotPublic:
    return LotPublic(
        id=row.public_id,
        record_id=row.record_id,
        lot=records.RoughLot.model_validate(row.data),
        created_at=row.created_at,
    )


def register_lot(session: Session, principal: Principal, body: LotCreate) -> LotPublic:
    tenant = principal.tenant_id
    if session.exec(
        select(RoughLot.id).where(RoughLot.tenant_id == tenant, RoughLot.record_id == body.id)
    ).first():
        raise Conflict(f"Rough lot {body.id!r} is already registered.")
    parents = resolve_lots(session, tenant, body.parent_lot_ids, "body.parent_lot_ids")
    data: dict[str, Any] = records.RoughLot.model_validate(body.model_dump()).model_dump(
        mode="json"
    )
    row = RoughLot(
        public_id=new_public_id("CL"),
        tenant_id=tenant,
        record_id=body.id,
        data=data,
        created_by=principal.id,
    )
    session.add(row)
    session.flush()
    assert row.id is not None
    lineage = ancestors_of(session, [p.id for p in parents.values() if p.id is not None])
    lineage.add(row.id)
    session.execute(
        insert(LotAncestor), [{"lot_id": row.id, "ancestor_id": a} for a in sorted(lineage)]
    )
    return lot_public(row)


def get_lot(session: Session, principal: Principal, lot_id: str) -> LotPublic:
    row = session.exec(
        select(RoughLot).where(
            RoughLot.tenant_id == principal.tenant_id, RoughLot.public_id == lot_id
        )
    ).first()
    if row is None:
        raise NotFound(f"No rough lot {lot_id!r} in your account.")
    return lot_public(row)


def list_lots(
    session: Session, principal: Principal, limit: int, after: int | None
) -> tuple[list[LotPublic], bool, int | None]:
    query = select(RoughLot).where(RoughLot.tenant_id == principal.tenant_id)
    if after is not None:
        query = query.where(col(RoughLot.id) > after)
    rows = session.exec(query.order_by(col(RoughLot.id)).limit(limit + 1)).all()
    page = rows[:limit]
    last = page[-1].id if page and len(rows) > limit else None
    return [lot_public(r) for r in page], len(rows) > limit, last


def create_lot(
    uow: UnitOfWork, principal: Principal, body: LotCreate, claim: IdempotencyClaim
) -> LotPublic:
    """Register a lot in ``uow``, its response kept for ``claim``'s key when it commits."""
    lot = register_lot(uow.session, principal, body)
    claim.record_on_commit(uow, 201, lot)
    return lot
