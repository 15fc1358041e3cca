"""The custody transparency log (RFC 9162 style): every appended custody event is a leaf of one
append-only Merkle tree, and every append signs a new tree head.

A leaf covers every stored field of its event: who wrote it (``created_by``) and when
(``created_at``), the event date, the tenant, the payload and its hash, its place in the log and
its links in every lot or stone chain. The tree is stored as complete subtrees
(:mod:`clearstone_api.merkle`); tree heads ``{tree_size, root_hash, timestamp}`` are signed with
the attestation key and kept, so anyone may fetch the latest, its history, inclusion proofs and
consistency proofs, and check them offline.

Appends are serialized (a transaction-scoped advisory lock on PostgreSQL; SQLite has one writer)
so that leaf indexes are dense and every tree head extends the one before.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel
from sqlalchemy import func, insert, text
from sqlmodel import Session, col, select

from clearstone_api import merkle
from clearstone_api.canonical import canonical_json
from clearstone_api.errors import FieldError, NotFound, Unprocessable
from clearstone_api.models.custody import CustodyEvent, CustodyLink
from clearstone_api.models.transparency import TreeHead, TreeNode
from clearstone_api.services.attestations import Attester

__all__ = [
    "ConsistencyProof",
    "InclusionProof",
    "SignedTreeHead",
    "anchor_unlogged",
    "append_leaf",
    "consistency",
    "event_leaf",
    "inclusion",
    "latest_tree_head",
    "list_tree_heads",
    "tree_head",
]

_LOCK_KEY = 0x0C1EA5701E106  # any constant: the advisory lock that serializes appends
LEAF_VERSION = 1


class SignedTreeHead(BaseModel):
    """The log's size and root at one moment, signed by Clearstone."""

    tree_size: int
    root_hash: str
    """Hex SHA-256 root (RFC 9162 §2.1.1) of the first ``tree_size`` leaves."""
    timestamp: int
    """Milliseconds since the Unix epoch."""
    signature: str
    """Compact JWS, ES256, ``typ: clearstone-tree-head+jws``, over the JCS of
    ``{"v": 1, "iss", "tree_size", "root_hash", "timestamp"}``; verify with the JWKS."""


class InclusionProof(BaseModel):
    """RFC 9162 §2.1.3: the audit path from leaf ``leaf_index`` to the root of ``tree_size``."""

    leaf_index: int
    tree_size: int
    leaf_hash: str
    audit_path: list[str]
    """Hex hashes, leaf end first."""


class ConsistencyProof(BaseModel):
    """RFC 9162 §2.1.4: that the tree of ``first`` leaves is a prefix of the tree of
    ``second``."""

    first: int
    second: int
    proof: list[str]
    """Hex hashes, in the RFC's order."""


def event_leaf(event: CustodyEvent, links: Sequence[CustodyLink]) -> bytes:
    """The leaf bytes of ``event``: canonical JSON of every stored field and its links."""
    created_at = event.created_at.astimezone(dt.UTC).isoformat()
    return canonical_json(
        {
            "v": LEAF_VERSION,
            "log_index": event.log_index,
            "event": event.public_id,
            "tenant": event.tenant_id,
            "record_id": event.record_id,
            "event_date": event.event_date.isoformat(),
            "payload": event.payload,
            "content_hash": event.content_hash,
            "created_at": created_at,
            "created_by": event.created_by,
            "links": sorted(
                (
                    {
                        "item_kind": link.item_kind,
                        "item_id": link.item_id,
                        "seq": link.seq,
                        "prev_hash": link.prev_hash,
                        "hash": link.hash,
                    }
                    for link in links
                ),
                key=lambda link: (str(link["item_kind"]), int(str(link["item_id"]))),
            ),
        }
    )


class _Nodes:
    """``node(level, index)`` over the stored tree, each node read at most once per call."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._seen: dict[tuple[int, int], bytes] = {}

    def __call__(self, level: int, index: int) -> bytes:
        key = (level, index)
        if key not in self._seen:
            found = self._session.exec(
                select(TreeNode.hash).where(TreeNode.level == level, TreeNode.idx == index)
            ).first()
            if found is None:
                raise LookupError(f"the log has no node {key}")
            self._seen[key] = bytes.fromhex(found)
        return self._seen[key]


def _size(session: Session) -> int:
    """Leaves in the log: one past the highest leaf index (the primary key answers it)."""
    last = session.exec(select(func.max(TreeNode.idx)).where(TreeNode.level == 0)).one()
    return 0 if last is None else int(last) + 1


def append_leaf(
    session: Session, event: CustodyEvent, links: Sequence[CustodyLink], attester: Attester
) -> SignedTreeHead:
    """Enter ``event`` (already flushed, with its links) as the log's next leaf and sign the
    new tree head, in the caller's transaction."""
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
    size = _size(session)
    event.log_index = size
    session.add(event)
    session.flush()
    nodes = _Nodes(session)
    made = merkle.appended_nodes(size, merkle.leaf_hash(event_leaf(event, links)), nodes)
    session.execute(
        insert(TreeNode), [{"level": lv, "idx": i, "hash": h.hex()} for lv, i, h in made]
    )
    for level, index, value in made:
        nodes._seen[(level, index)] = value
    return _sign(session, size + 1, merkle.root(size + 1, nodes), attester)


def anchor_unlogged(session: Session, attester: Attester) -> int:
    """Enter every custody event that is not in the log yet (appended before the log existed),
    in the order they were appended, each as the next leaf with a signed tree head; how many."""
    unlogged = session.exec(
        select(CustodyEvent)
        .where(col(CustodyEvent.log_index).is_(None))
        .order_by(col(CustodyEvent.id))
    ).all()
    for event in unlogged:
        links = session.exec(select(CustodyLink).where(CustodyLink.event_id == event.id)).all()
        append_leaf(session, event, links, attester)
    return len(unlogged)


def _sign(session: Session, size: int, root: bytes, attester: Attester) -> SignedTreeHead:
    timestamp = int(dt.datetime.now(dt.UTC).timestamp() * 1000)
    members: dict[str, Any] = {"tree_size": size, "root_hash": root.hex(), "timestamp": timestamp}
    head = SignedTreeHead(**members, signature=attester.sign_tree_head(members))
    session.add(TreeHead(**head.model_dump()))
    session.flush()
    return head


def _public(row: TreeHead) -> SignedTreeHead:
    return SignedTreeHead.model_validate(row, from_attributes=True)


def latest_tree_head(session: Session) -> SignedTreeHead | None:
    """The newest signed tree head, or None before the first event."""
    row = session.exec(select(TreeHead).order_by(col(TreeHead.tree_size).desc()).limit(1)).first()
    return _public(row) if row is not None else None


def tree_head(session: Session, tree_size: int) -> SignedTreeHead:
    row = session.get(TreeHead, tree_size)
    if row is None:
        raise NotFound(f"No signed tree head has tree_size {tree_size}.")
    return _public(row)


def list_tree_heads(
    session: Session, limit: int, after: int | None
) -> tuple[list[SignedTreeHead], bool, int | None]:
    """Tree heads, oldest first, ``limit`` at a time after the tree size ``after``."""
    query = select(TreeHead).order_by(col(TreeHead.tree_size))
    if after is not None:
        query = query.where(col(TreeHead.tree_size) > after)
    rows = session.exec(query.limit(limit + 1)).all()
    page = [_public(r) for r in rows[:limit]]
    more = len(rows) > limit
    return page, more, page[-1].tree_size if more and page else None


def _bounded(session: Session, tree_size: int, field: str) -> None:
    size = _size(session)
    if tree_size > size:
        raise Unprocessable(
            f"The log holds {size} leaves.",
            errors=[_error(field, f"must be at most the log's size, {size}")],
        )


def _error(field: str, message: str) -> FieldError:
    return FieldError(path=f"query.{field}", message=message, type="out_of_range")


def inclusion(session: Session, leaf_index: int, tree_size: int) -> InclusionProof:
    """The inclusion proof of leaf ``leaf_index`` in the tree of ``tree_size`` leaves."""
    _bounded(session, tree_size, "tree_size")
    if leaf_index >= tree_size:
        raise Unprocessable(
            "The leaf is not in a tree that small.",
            errors=[_error("leaf_index", "must be below tree_size")],
        )
    nodes = _Nodes(session)
    path = merkle.inclusion_proof(leaf_index, tree_size, nodes)
    return InclusionProof(
        leaf_index=leaf_index,
        tree_size=tree_size,
        leaf_hash=nodes(0, leaf_index).hex(),
        audit_path=[p.hex() for p in path],
    )


def consistency(session: Session, first: int, second: int) -> ConsistencyProof:
    """The consistency proof between the trees of ``first`` and ``second`` leaves."""
    _bounded(session, second, "second")
    if first > second:
        raise Unprocessable(
            "The first tree must not be larger than the second.",
            errors=[_error("first", "must be at most second")],
        )
    proof = merkle.consistency_proof(first, second, _Nodes(session))
    return ConsistencyProof(first=first, second=second, proof=[p.hex() for p in proof])
