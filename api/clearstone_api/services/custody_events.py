"""Reading back one appended custody event: what its ``201`` answered, from what is stored."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, select

from clearstone_api import merkle
from clearstone_api.domain import records
from clearstone_api.errors import NotFound
from clearstone_api.models.custody import CustodyEvent, CustodyLink
from clearstone_api.models.lot import RoughLot
from clearstone_api.models.stone import Stone
from clearstone_api.models.transparency import TreeHead
from clearstone_api.security.principals import Principal
from clearstone_api.services.custody import ChainLink, CustodyEventPublic
from clearstone_api.services.lineage import stones_descending_from
from clearstone_api.services.transparency import SignedTreeHead, event_leaf

__all__ = ["get_event"]


def get_event(session: Session, principal: Principal, event_id: str) -> CustodyEventPublic:
    """One of the caller's events by Clearstone's id (``CE-...``) or the caller's own id;
    another tenant's is a 404, as if it did not exist."""
    row = session.exec(
        select(CustodyEvent)
        .where(CustodyEvent.tenant_id == principal.tenant_id)
        .where(
            (col(CustodyEvent.public_id) == event_id) | (col(CustodyEvent.record_id) == event_id)
        )
        .order_by(col(CustodyEvent.public_id) != event_id)
    ).first()
    if row is None or row.id is None or row.log_index is None:
        raise NotFound(f"No custody event {event_id!r} in your account.")
    links = session.exec(
        select(CustodyLink).where(CustodyLink.event_id == row.id).order_by(col(CustodyLink.id))
    ).all()
    names = _record_ids(session, links)
    head = session.exec(
        select(TreeHead)
        .where(col(TreeHead.tree_size) > row.log_index)
        .order_by(col(TreeHead.tree_size))
        .limit(1)
    ).one()
    lots = [link.item_id for link in links if link.item_kind == "lot"]
    stones = {s.public_id for s in stones_descending_from(session, lots)}
    stones |= {names[("stone-public", link.item_id)] for link in links if link.item_kind == "stone"}
    return CustodyEventPublic(
        id=row.public_id,
        event=records.CustodyEvent.model_validate(row.payload["event"]),
        content_hash=row.content_hash,
        links=[
            ChainLink(
                item=f"{link.item_kind}:{names[(link.item_kind, link.item_id)]}",
                seq=link.seq,
                prev_hash=link.prev_hash,
                hash=link.hash,
            )
            for link in links
        ],
        reassessed_stones=sorted(stones),
        created_at=row.created_at,
        log_index=row.log_index,
        leaf_hash=merkle.leaf_hash(event_leaf(row, links)).hex(),
        tree_head=SignedTreeHead.model_validate(head, from_attributes=True),
    )


def _record_ids(session: Session, links: Sequence[CustodyLink]) -> dict[tuple[str, int], str]:
    """``(kind, row id)`` -> the tenant's record id, and Clearstone's id for stones."""
    lot_ids = [link.item_id for link in links if link.item_kind == "lot"]
    stone_ids = [link.item_id for link in links if link.item_kind == "stone"]
    names: dict[tuple[str, int], str] = {}
    for lot in session.exec(select(RoughLot).where(col(RoughLot.id).in_(lot_ids))).all():
        names[("lot", lot.id or 0)] = lot.record_id
    for stone in session.exec(select(Stone).where(col(Stone.id).in_(stone_ids))).all():
        names[("stone", stone.id or 0)] = stone.record_id
        names[("stone-public", stone.id or 0)] = stone.public_id
    return names
