"""Verifying a stone's custody chains against their stored hashes.

For the stone and every lot it descends from, walk the item's links in order and check that:
the sequence has no gap, each ``prev_hash`` is the hash of the link before, each event's stored
payload still hashes to its ``content_hash``, and each link's hash is
``sha256(prev_hash ":" content_hash)``. Any altered, removed or reordered row breaks one of these
where it happened.
"""

from __future__ import annotations

from pydantic import BaseModel
from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

from clearstone_api.canonical import GENESIS_HASH, canonical_json, chain_hash, sha256_hex
from clearstone_api.models.custody import CustodyEvent, CustodyLink
from clearstone_api.models.lot import RoughLot
from clearstone_api.models.stone import Stone, StoneLot

__all__ = ["ChainProblem", "ChainReport", "CustodyVerification", "verify_custody"]


class ChainProblem(BaseModel):
    item: str
    seq: int
    event_id: str | None
    problem: str
    """``content_hash_mismatch``, ``stored_hash_mismatch``, ``broken_link`` or ``sequence_gap``."""


class ChainReport(BaseModel):
    item: str
    """``stone:<record id>`` or ``lot:<record id>``."""
    length: int
    head_hash: str
    """The hash of the chain's last link (``GENESIS_HASH`` when empty): publish it to anchor."""
    valid: bool


class CustodyVerification(BaseModel):
    """The result of re-checking every hash in a stone's custody chains."""

    stone_id: str
    valid: bool
    events_checked: int
    chains: list[ChainReport]
    problems: list[ChainProblem]


def verify_custody(session: Session, stone: Stone) -> CustodyVerification:
    lots = session.exec(
        select(RoughLot.id, RoughLot.record_id)
        .join(StoneLot, col(StoneLot.lot_id) == RoughLot.id)
        .where(StoneLot.stone_id == stone.id)
        .order_by(col(RoughLot.id))
    ).all()
    assert stone.id is not None
    names: dict[tuple[str, int], str] = {("stone", stone.id): f"stone:{stone.record_id}"}
    names.update({("lot", lot_id): f"lot:{rid}" for lot_id, rid in lots if lot_id is not None})
    lot_ids = [lot_id for lot_id, _ in lots if lot_id is not None]
    rows = session.exec(
        select(CustodyLink, CustodyEvent)
        .join(CustodyEvent, col(CustodyEvent.id) == CustodyLink.event_id)
        .where(
            or_(
                and_(col(CustodyLink.item_kind) == "stone", col(CustodyLink.item_id) == stone.id),
                and_(col(CustodyLink.item_kind) == "lot", col(CustodyLink.item_id).in_(lot_ids)),
            )
        )
        .order_by(col(CustodyLink.item_kind), col(CustodyLink.item_id), col(CustodyLink.seq))
    ).all()
    by_item: dict[tuple[str, int], list[tuple[CustodyLink, CustodyEvent]]] = {k: [] for k in names}
    for link, event in rows:
        by_item.setdefault((link.item_kind, link.item_id), []).append((link, event))
    problems: list[ChainProblem] = []
    chains: list[ChainReport] = []
    checked: set[int] = set()
    for key, links in by_item.items():
        item = names.get(key, f"{key[0]}:{key[1]}")
        before = len(problems)
        prev = GENESIS_HASH
        for expected_seq, (link, event) in enumerate(links, start=1):
            assert event.id is not None
            checked.add(event.id)

            def report(
                problem: str,
                link: CustodyLink = link,
                event: CustodyEvent = event,
                item: str = item,
            ) -> None:
                problems.append(
                    ChainProblem(item=item, seq=link.seq, event_id=event.public_id, problem=problem)
                )

            if link.seq != expected_seq:
                report("sequence_gap")
            if sha256_hex(canonical_json(event.payload)) != event.content_hash:
                report("content_hash_mismatch")
            if link.prev_hash != prev:
                report("broken_link")
            if chain_hash(link.prev_hash, event.content_hash) != link.hash:
                report("stored_hash_mismatch")
            prev = link.hash
        chains.append(
            ChainReport(item=item, length=len(links), head_hash=prev, valid=len(problems) == before)
        )
    return CustodyVerification(
        stone_id=stone.public_id,
        valid=not problems,
        events_checked=len(checked),
        chains=chains,
        problems=problems,
    )
