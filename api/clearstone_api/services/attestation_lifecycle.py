"""Issuing attestations, and their lifecycle: each stone's attestations are numbered, expire,
and are ``current``, ``superseded`` (by the newer one they link to) or ``revoked``.

Every attestation carries, besides the signed consumer view: its id (``jti``), the stone's
sequence number (``seq``), ``iat`` and ``exp`` (``iat`` + :data:`LIFETIME`), the stone's custody
chains as they stood (``custody``: the number of events and a digest of the chain heads) and
the custody log's signed tree head they were checked against (``tree_head``). Anyone may ask
``GET /v1/attestations/{id}/status`` whether it is still the current word.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from sqlalchemy import and_, bindparam, func, insert, or_, update
from sqlmodel import Session, col, select

from clearstone_api.canonical import canonical_json, sha256_hex
from clearstone_api.certificate_numbers import new_public_id
from clearstone_api.db import Database
from clearstone_api.errors import NotFound
from clearstone_api.models.assessment import StoneAssessment
from clearstone_api.models.attestation import AttestationRecord
from clearstone_api.models.columns import utcnow
from clearstone_api.models.custody import CustodyLink
from clearstone_api.models.stone import Stone, StoneLot, StoneNumber
from clearstone_api.services.assessment_events import emit_superseded
from clearstone_api.services.attestations import ATTESTED_NUMBER_KINDS, Attester
from clearstone_api.services.transparency import latest_tree_head

__all__ = [
    "LIFETIME",
    "AttestationStatus",
    "ToIssue",
    "attestation_status",
    "attested_numbers",
    "custody_summaries",
    "expiring_stones",
    "issue",
    "revoke",
    "sign_missing",
]

LIFETIME = dt.timedelta(days=90)
"""How long an attestation is valid. A verdict older than a quarter should be re-read: the
registry and the rules move, and an old signature should not pass for today's word. Stored
stones are re-assessed and re-signed before it runs out (``clearstone-api renew-attestations``,
daily), so the lookup never serves an expired one."""


@dataclass(frozen=True)
class ToIssue:
    """One stone's new attestation: what it says, and when it was assessed."""

    stone_id: int
    public_id: str
    certificate_numbers: Sequence[str]
    view: dict[str, Any]
    assessed_at: dt.datetime


def custody_summaries(session: Session, stone_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """Per stone, its custody as it stands: ``chain_length`` (distinct events in the chains of
    the stone and every lot it descends from) and ``chain_head`` (SHA-256 of the chains' last
    links), two queries for the batch."""
    lots: dict[int, set[int]] = {s: set() for s in stone_ids}
    for stone_id, lot_id in session.exec(
        select(StoneLot.stone_id, StoneLot.lot_id).where(col(StoneLot.stone_id).in_(stone_ids))
    ).all():
        lots[stone_id].add(lot_id)
    every_lot = sorted({lot for found in lots.values() for lot in found})
    links = session.exec(
        select(CustodyLink).where(
            or_(
                and_(
                    col(CustodyLink.item_kind) == "stone", col(CustodyLink.item_id).in_(stone_ids)
                ),
                and_(col(CustodyLink.item_kind) == "lot", col(CustodyLink.item_id).in_(every_lot)),
            )
        )
    ).all()
    chains: dict[tuple[str, int], list[CustodyLink]] = {}
    for link in links:
        chains.setdefault((link.item_kind, link.item_id), []).append(link)
    summaries: dict[int, dict[str, Any]] = {}
    for stone_id in stone_ids:
        keys = [("stone", stone_id), *(("lot", lot) for lot in sorted(lots[stone_id]))]
        events: set[int] = set()
        heads: list[list[object]] = []
        for key in keys:
            chain = sorted(chains.get(key, []), key=lambda link: link.seq)
            events.update(link.event_id for link in chain)
            if chain:
                heads.append([key[0], key[1], chain[-1].seq, chain[-1].hash])
        summaries[stone_id] = {
            "chain_length": len(events),
            "chain_head": sha256_hex(canonical_json(heads)),
        }
    return summaries


def issue(
    session: Session, attester: Attester, stones: Sequence[ToIssue], *, reason: str = "re-signed"
) -> dict[int, str]:
    """Sign and record a new attestation for each of ``stones``, superseding each stone's
    previous one (an ``attestation.superseded`` event each, in the same transaction); the
    compact JWS per stone id."""
    if not stones:
        return {}
    ids = [s.stone_id for s in stones]
    replaced = dict(
        session.exec(
            select(AttestationRecord.stone_id, AttestationRecord.id).where(
                col(AttestationRecord.stone_id).in_(ids),
                col(AttestationRecord.superseded_by).is_(None),
            )
        ).all()
    )
    last_seq = dict(
        session.exec(
            select(AttestationRecord.stone_id, func.max(AttestationRecord.seq))
            .where(col(AttestationRecord.stone_id).in_(ids))
            .group_by(col(AttestationRecord.stone_id))
        ).all()
    )
    head = latest_tree_head(session)
    tree_head = (
        {"tree_size": head.tree_size, "root_hash": head.root_hash, "timestamp": head.timestamp}
        if head is not None
        else {"tree_size": 0, "root_hash": None, "timestamp": None}
    )
    custody = custody_summaries(session, ids)
    rows: list[dict[str, Any]] = []
    tokens: dict[int, str] = {}
    for stone in stones:
        attestation_id = new_public_id("AT")
        seq = int(last_seq.get(stone.stone_id) or 0) + 1
        expires_at = stone.assessed_at + LIFETIME
        token = attester.attest(
            stone_id=stone.public_id,
            certificate_numbers=stone.certificate_numbers,
            view=stone.view,
            assessed_at=stone.assessed_at,
            lifecycle={
                "jti": attestation_id,
                "seq": seq,
                "exp": int(expires_at.timestamp()),
                "custody": custody[stone.stone_id],
                "tree_head": tree_head,
            },
        )
        tokens[stone.stone_id] = token
        rows.append(
            {
                "id": attestation_id,
                "stone_id": stone.stone_id,
                "seq": seq,
                "issued_at": stone.assessed_at,
                "expires_at": expires_at,
                "token": token,
            }
        )
    table = AttestationRecord.__table__  # type: ignore[attr-defined]
    session.execute(
        update(table)
        .where(
            table.c.stone_id == bindparam("b_stone"),
            table.c.superseded_by.is_(None),
        )
        .values(superseded_by=bindparam("b_new")),
        [{"b_stone": r["stone_id"], "b_new": r["id"]} for r in rows],
    )
    session.execute(insert(AttestationRecord), rows)
    emit_superseded(
        session,
        [
            (stone.stone_id, stone.public_id, replaced[stone.stone_id], row["id"])
            for stone, row in zip(stones, rows, strict=True)
            if stone.stone_id in replaced
        ],
        reason,
    )
    return tokens


class AttestationStatus(BaseModel):
    """Whether an attestation is still Clearstone's current word on its stone."""

    id: str
    stone_id: str
    """The stone's Clearstone id (the attestation's ``sub``)."""
    seq: int
    status: str
    """``current``, ``superseded`` (a newer attestation replaced it) or ``revoked``."""
    issued_at: dt.datetime
    expires_at: dt.datetime
    expired: bool
    superseded_by: str | None
    """The attestation that replaced it."""
    current: str | None
    """The stone's current attestation (its status URL is ``/v1/attestations/{current}/status``);
    null when every attestation of the stone is revoked."""
    revoked_at: dt.datetime | None
    revocation_reason: str | None


def attestation_status(session: Session, attestation_id: str) -> AttestationStatus:
    row = session.get(AttestationRecord, attestation_id)
    if row is None:
        raise NotFound(f"No attestation {attestation_id!r}.")
    stone = session.get(Stone, row.stone_id)
    assert stone is not None
    newest = session.exec(
        select(AttestationRecord)
        .where(
            AttestationRecord.stone_id == row.stone_id,
            col(AttestationRecord.superseded_by).is_(None),
        )
        .order_by(col(AttestationRecord.seq).desc())
        .limit(1)
    ).first()
    if row.revoked_at is not None:
        status = "revoked"
    elif row.superseded_by is not None:
        status = "superseded"
    else:
        status = "current"
    return AttestationStatus(
        id=row.id,
        stone_id=stone.public_id,
        seq=row.seq,
        status=status,
        issued_at=row.issued_at,
        expires_at=row.expires_at,
        expired=row.expires_at <= utcnow(),
        superseded_by=row.superseded_by,
        current=newest.id if newest is not None and newest.revoked_at is None else None,
        revoked_at=row.revoked_at,
        revocation_reason=row.revocation_reason,
    )


def revoke(session: Session, attestation_id: str, reason: str) -> bool:
    """Mark an attestation revoked (an operator's decision, or a disputed number); False when
    there is none. Idempotent: the first revocation's time and reason stand."""
    row = session.get(AttestationRecord, attestation_id)
    if row is None:
        return False
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        row.revocation_reason = reason[:500]
        session.add(row)
        session.flush()
    return True


def expiring_stones(
    session: Session, before: dt.datetime, issued_before: dt.datetime, limit: int
) -> list[int]:
    """Stones whose current attestation expires before ``before`` and was issued before
    ``issued_before`` (the renewal's work list: what it renewed itself is not picked again)."""
    return list(
        session.exec(
            select(AttestationRecord.stone_id)
            .where(
                col(AttestationRecord.superseded_by).is_(None),
                col(AttestationRecord.revoked_at).is_(None),
                col(AttestationRecord.expires_at) < before,
                col(AttestationRecord.issued_at) < issued_before,
            )
            .order_by(col(AttestationRecord.stone_id))
            .limit(limit)
        ).all()
    )


def sign_missing(
    database: Database, attester: Attester, batch_size: int = 500, *, everything: bool = False
) -> int:
    """Sign every stored assessment that has no attestation yet (rows stored before
    attestations existed, or bulk-loaded), or with ``everything`` every stored assessment anew
    with the active key (after a key is withdrawn, superseding the old ones); returns how many.
    Each batch commits."""
    signed = 0
    after = 0
    while True:
        with database.session() as session:
            query = (
                select(
                    StoneAssessment.stone_id,
                    Stone.public_id,
                    StoneAssessment.public_json,
                    StoneAssessment.assessed_at,
                )
                .join(Stone, col(Stone.id) == col(StoneAssessment.stone_id))
                .where(col(StoneAssessment.stone_id) > after)
                .order_by(col(StoneAssessment.stone_id))
                .limit(batch_size)
            )
            if not everything:
                query = query.where(col(StoneAssessment.attestation).is_(None))
            rows = session.exec(query).all()
            if not rows:
                return signed
            after = rows[-1][0]
            numbers = attested_numbers(session, [row[0] for row in rows])
            tokens = issue(
                session,
                attester,
                [
                    ToIssue(stone_id, public_id, numbers[stone_id], json.loads(body), assessed_at)
                    for stone_id, public_id, body, assessed_at in rows
                ],
            )
            for stone_id, token in tokens.items():
                session.execute(
                    update(StoneAssessment)
                    .where(col(StoneAssessment.stone_id) == stone_id)
                    .values(attestation=token)
                )
            signed += len(rows)


def attested_numbers(session: Session, stone_ids: Sequence[int]) -> dict[int, list[str]]:
    """The certificate numbers each stone's attestation lists."""
    found: dict[int, list[str]] = {stone_id: [] for stone_id in stone_ids}
    rows = session.exec(
        select(StoneNumber.stone_id, StoneNumber.number).where(
            col(StoneNumber.stone_id).in_(list(stone_ids)),
            col(StoneNumber.kind).in_(sorted(ATTESTED_NUMBER_KINDS)),
        )
    ).all()
    for stone_id, number in rows:
        found[stone_id].append(number)
    return found
