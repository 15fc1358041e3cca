"""Verifying a stone's custody chains against their stored hashes.

For the stone and every lot it descends from, walk the item's links in order and check that:
the sequence has no gap, each ``prev_hash`` is the hash of the link before, each event's stored
payload still hashes to its ``content_hash``, and each link's hash is
``sha256(prev_hash ":" content_hash)``. Any altered, removed or reordered row breaks one of these
where it happened.

Each chain is then checked against the custody transparency log's latest signed tree head: the
head's signature must verify with the service's keys, the log must still hold exactly as many
events as the head counts (a deleted event or chain is missing from it), and every event,
re-hashed from its stored fields and links, must be proven in the signed root by an inclusion
proof. Hash chains alone cannot catch a consistent rewrite (change an event, re-hash every later
link) or a truncation; the signed root can, because the attacker cannot sign a new one.
"""

from __future__ import annotations

from pydantic import BaseModel
from sqlalchemy import and_, func, or_
from sqlmodel import Session, col, select

from clearstone_api import merkle
from clearstone_api.canonical import GENESIS_HASH, canonical_json, chain_hash, sha256_hex
from clearstone_api.errors import ClearstoneError
from clearstone_api.models.assessment import StoneAssessment
from clearstone_api.models.custody import CustodyEvent, CustodyLink
from clearstone_api.models.lot import RoughLot
from clearstone_api.models.stone import Stone, StoneLot
from clearstone_api.services.attestation_lifecycle import custody_summaries
from clearstone_api.services.attestations import Attester
from clearstone_api.services.transparency import (
    SignedTreeHead,
    event_leaf,
    inclusion,
    latest_tree_head,
)

__all__ = ["ChainProblem", "ChainReport", "CustodyVerification", "verify_custody"]


class ChainProblem(BaseModel):
    item: str
    """The chain (``stone:<record id>``, ``lot:<record id>``), or ``log`` for the whole log."""
    seq: int
    event_id: str | None
    problem: str
    """``content_hash_mismatch``, ``stored_hash_mismatch``, ``broken_link``, ``sequence_gap``,
    ``not_in_signed_tree`` (the event as stored is not the leaf the signed root holds),
    ``not_in_log``, ``log_size_mismatch`` (events deleted, or added outside the log),
    ``tree_head_signature_invalid``, ``unsigned_log``, ``attested_custody_mismatch`` (the
    chains no longer hold what the stone's current attestation signed: events deleted or
    rewritten) or ``tree_head_behind_attestation`` (the log was rolled back behind the tree head
    the attestation was checked against)."""


class ChainReport(BaseModel):
    item: str
    """``stone:<record id>`` or ``lot:<record id>``."""
    length: int
    head_hash: str
    """The hash of the chain's last link (``GENESIS_HASH`` when empty): publish it to anchor."""
    valid: bool


class CustodyVerification(BaseModel):
    """The result of re-checking every hash in a stone's custody chains, and each event's
    inclusion in the log's latest signed tree head."""

    stone_id: str
    valid: bool
    events_checked: int
    chains: list[ChainReport]
    problems: list[ChainProblem]
    tree_head: SignedTreeHead | None
    """The signed tree head the events were checked against (the latest)."""


def _log_problems(
    session: Session, head: SignedTreeHead | None, attester: Attester
) -> list[ChainProblem]:
    """Whether the latest tree head is ours and still counts every stored event."""
    stored = session.exec(
        select(func.count())
        .select_from(CustodyEvent)
        .where(col(CustodyEvent.log_index).is_not(None))
    ).one()
    problems: list[ChainProblem] = []
    if head is None:
        if stored:
            problems.append(ChainProblem(item="log", seq=0, event_id=None, problem="unsigned_log"))
        return problems
    signed = attester.verify_tree_head(head.signature)
    if signed is None or {k: signed.get(k) for k in ("tree_size", "root_hash", "timestamp")} != {
        "tree_size": head.tree_size,
        "root_hash": head.root_hash,
        "timestamp": head.timestamp,
    }:
        problems.append(
            ChainProblem(item="log", seq=0, event_id=None, problem="tree_head_signature_invalid")
        )
    if stored != head.tree_size:
        problems.append(ChainProblem(item="log", seq=0, event_id=None, problem="log_size_mismatch"))
    return problems


def _in_signed_tree(
    session: Session, event: CustodyEvent, head: SignedTreeHead | None
) -> str | None:
    """None when the event, re-hashed from what is stored, is proven in ``head``; else the
    problem."""
    if event.log_index is None:
        return "not_in_log"
    if head is None or event.log_index >= head.tree_size:
        return "not_in_signed_tree"
    links = session.exec(select(CustodyLink).where(CustodyLink.event_id == event.id)).all()
    leaf = merkle.leaf_hash(event_leaf(event, links))
    try:
        proof = inclusion(session, event.log_index, head.tree_size).audit_path
    except (LookupError, ClearstoneError):
        return "not_in_signed_tree"
    root = bytes.fromhex(head.root_hash)
    path = [bytes.fromhex(p) for p in proof]
    if not merkle.verify_inclusion(event.log_index, head.tree_size, leaf, path, root):
        return "not_in_signed_tree"
    return None


def _attested_problems(
    session: Session, stone: Stone, head: SignedTreeHead | None, attester: Attester
) -> list[ChainProblem]:
    """Whether the chains still hold what the stone's current attestation signed."""
    assert stone.id is not None
    stored = session.get(StoneAssessment, stone.id)
    signed = attester.read(stored.attestation) if stored and stored.attestation else None
    if signed is None or "custody" not in signed:
        return []
    item = f"stone:{stone.record_id}"
    problems: list[ChainProblem] = []
    if custody_summaries(session, [stone.id])[stone.id] != signed["custody"]:
        problems.append(
            ChainProblem(item=item, seq=0, event_id=None, problem="attested_custody_mismatch")
        )
    attested_size = int(signed.get("tree_head", {}).get("tree_size") or 0)
    if attested_size > (head.tree_size if head is not None else 0):
        problems.append(
            ChainProblem(item="log", seq=0, event_id=None, problem="tree_head_behind_attestation")
        )
    return problems


def verify_custody(session: Session, stone: Stone, attester: Attester) -> CustodyVerification:
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
    head = latest_tree_head(session)
    problems = _log_problems(session, head, attester)
    chains: list[ChainReport] = []
    checked: set[int] = set()
    proven: dict[int, str | None] = {}
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
            if event.id not in proven:
                proven[event.id] = _in_signed_tree(session, event, head)
            if proven[event.id] is not None:
                report(str(proven[event.id]))
            prev = link.hash
        chains.append(
            ChainReport(item=item, length=len(links), head_hash=prev, valid=len(problems) == before)
        )
    problems.extend(_attested_problems(session, stone, head, attester))
    return CustodyVerification(
        stone_id=stone.public_id,
        valid=not problems,
        events_checked=len(checked),
        chains=chains,
        problems=problems,
        tree_head=head,
    )
