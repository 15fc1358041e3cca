"""The custody log: appending events (append-only, hash-chained) and verifying the chains."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from clearstone_api import merkle
from clearstone_api.canonical import GENESIS_HASH, canonical_json, chain_hash, sha256_hex
from clearstone_api.certificate_numbers import new_public_id
from clearstone_api.container import AppContainer
from clearstone_api.domain import records
from clearstone_api.domain.record_validation import RecordInvalid
from clearstone_api.domain.reference import Reference
from clearstone_api.errors import Conflict, FieldError, Unprocessable
from clearstone_api.models.custody import CustodyEvent, CustodyLink
from clearstone_api.models.lot import RoughLot
from clearstone_api.models.stone import Stone
from clearstone_api.security.principals import Principal
from clearstone_api.services.assessments import reassess_stones
from clearstone_api.services.attestations import Attester
from clearstone_api.services.custody_attachments import resolve_attachments
from clearstone_api.services.idempotency import IdempotencyClaim
from clearstone_api.services.lineage import invalid_record, stones_descending_from
from clearstone_api.services.transparency import SignedTreeHead, append_leaf, event_leaf
from clearstone_api.services.unit_of_work import UnitOfWork

__all__ = [
    "ChainLink",
    "CustodyEventCreate",
    "CustodyEventPublic",
    "append_event",
    "create_event",
]


class CustodyEventCreate(BaseModel):
    """One custody event, with the documents, parties and sites it names that are not on file
    yet. A document, party or site submitted before may be named by id alone."""

    model_config = ConfigDict(extra="forbid")

    event: records.CustodyEvent
    documents: Annotated[list[records.Document], Field(max_length=100)] = []
    parties: Annotated[list[records.Party], Field(max_length=100)] = []
    sites: Annotated[list[records.Site], Field(max_length=100)] = []


class ChainLink(BaseModel):
    """The event's place in the hash chain of one lot or stone."""

    item: str
    """``lot:<record id>`` or ``stone:<record id>``."""
    seq: int
    prev_hash: str
    hash: str


class CustodyEventPublic(BaseModel):
    """An appended custody event."""

    id: str
    """Clearstone's id (``CE-...``)."""
    event: records.CustodyEvent
    content_hash: str
    """SHA-256 of the canonical event with the documents, parties and sites it names."""
    links: list[ChainLink]
    reassessed_stones: list[str]
    """Clearstone ids of the stones this event re-assessed."""
    created_at: dt.datetime
    log_index: int
    """The event's leaf in the custody transparency log."""
    leaf_hash: str
    """Hex RFC 9162 leaf hash of the event, every stored field and link included."""
    tree_head: SignedTreeHead
    """The signed tree head that first includes the event."""


Item = tuple[str, int, str]
"""An item an event handled: ``("lot" | "stone", row id, record id)``."""


def _items(session: Session, tenant: str, event: records.CustodyEvent) -> list[Item]:
    ids = list(event.items)
    lots = {
        r.record_id: r.id
        for r in session.exec(
            select(RoughLot).where(RoughLot.tenant_id == tenant, col(RoughLot.record_id).in_(ids))
        ).all()
    }
    stones = {
        r.record_id: r.id
        for r in session.exec(
            select(Stone).where(Stone.tenant_id == tenant, col(Stone.record_id).in_(ids))
        ).all()
    }
    resolved: list[Item] = []
    missing: list[FieldError] = []
    for index, item in enumerate(ids):
        if item in lots and lots[item] is not None:
            resolved.append(("lot", lots[item] or 0, item))
        elif item in stones and stones[item] is not None:
            resolved.append(("stone", stones[item] or 0, item))
        else:
            missing.append(
                FieldError(
                    path=f"body.event.items.{index}",
                    message=f"unknown lot or stone {item!r}",
                    type="unknown_reference",
                )
            )
    if missing:
        raise Unprocessable(
            "Register the lots and stones before their custody events.", errors=missing
        )
    return resolved


def append_event(
    session: Session,
    principal: Principal,
    reference: Reference,
    body: CustodyEventCreate,
    *,
    attester: Attester,
    max_chain_length: int = 1000,
) -> CustodyEventPublic:
    """Append one event to the chains of every item it handled and to the transparency log,
    then re-assess their stones.

    A chain already holding ``max_chain_length`` events takes no more: 422 naming the item."""
    tenant = principal.tenant_id
    event = body.event
    if session.exec(
        select(CustodyEvent.id).where(
            CustodyEvent.tenant_id == tenant, CustodyEvent.record_id == event.id
        )
    ).first():
        raise Conflict(f"Custody event {event.id!r} is already in the log.")
    items = _items(session, tenant, event)
    attached = resolve_attachments(
        session, tenant, event, sites=body.sites, documents=body.documents, parties=body.parties
    )
    payload = attached.payload(event)
    row = CustodyEvent(
        public_id=new_public_id("CE"),
        tenant_id=tenant,
        record_id=event.id,
        event_date=event.date,
        payload=payload,
        content_hash=sha256_hex(canonical_json(payload)),
        created_by=principal.id,
    )
    session.add(row)
    session.flush()
    link_rows = _link(session, row, items, max_chain_length)
    head = append_leaf(session, row, link_rows, attester)
    assert row.log_index is not None
    stones = _reassess(session, reference, items, attester, row.public_id)
    return CustodyEventPublic(
        id=row.public_id,
        event=event,
        content_hash=row.content_hash,
        links=[
            ChainLink(
                item=f"{kind}:{record_id}", seq=link.seq, prev_hash=link.prev_hash, hash=link.hash
            )
            for link, (kind, _, record_id) in zip(link_rows, items, strict=True)
        ],
        reassessed_stones=[s.public_id for s in stones],
        created_at=row.created_at,
        log_index=row.log_index,
        leaf_hash=merkle.leaf_hash(event_leaf(row, link_rows)).hex(),
        tree_head=head,
    )


def _link(
    session: Session, row: CustodyEvent, items: list[Item], max_chain_length: int
) -> list[CustodyLink]:
    """Append ``row`` to the hash chain of every item, in the items' order; 422 for a chain at
    its length limit, 409 when another event took the same place in a chain at once."""
    assert row.id is not None
    link_rows: list[CustodyLink] = []
    too_long: list[FieldError] = []
    for index, (kind, item_id, record_id) in enumerate(items):
        last = session.exec(
            select(CustodyLink.seq, CustodyLink.hash)
            .where(CustodyLink.item_kind == kind, CustodyLink.item_id == item_id)
            .order_by(col(CustodyLink.seq).desc())
            .limit(1)
        ).first()
        seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)
        if seq > max_chain_length:
            too_long.append(
                FieldError(
                    path=f"body.event.items.{index}",
                    message=f"the custody chain of {record_id!r} already holds "
                    f"{max_chain_length} events, the most one lot or stone may carry",
                    type="chain_too_long",
                )
            )
            continue
        link = CustodyLink(
            event_id=row.id,
            item_kind=kind,
            item_id=item_id,
            seq=seq,
            prev_hash=prev,
            hash=chain_hash(prev, row.content_hash),
        )
        session.add(link)
        link_rows.append(link)
    if too_long:
        raise Unprocessable("A custody chain is at its length limit.", errors=too_long)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict("Another event was appended to the same chain at once; retry.") from None
    return link_rows


def _reassess(
    session: Session, reference: Reference, items: list[Item], attester: Attester, event_id: str
) -> list[Stone]:
    """Re-assess every stone the event touched: those it handled and those descending from
    the lots it handled, in id order."""
    touched = {
        s.id: s for s in stones_descending_from(session, [i for k, i, _ in items if k == "lot"])
    }
    direct = [i for k, i, _ in items if k == "stone"]
    if direct:
        touched.update(
            {s.id: s for s in session.exec(select(Stone).where(col(Stone.id).in_(direct))).all()}
        )
    stones = [touched[k] for k in sorted(k for k in touched if k is not None)]
    try:
        reassess_stones(
            session,
            reference,
            stones,
            attester=attester,
            reason="custody_event",
            custody_event_id=event_id,
        )
    except RecordInvalid as exc:
        raise invalid_record(exc, "custody event") from None
    return stones


def chain_length(session: Session, kind: str, item_id: int) -> int:
    return session.exec(
        select(func.count())
        .select_from(CustodyLink)
        .where(CustodyLink.item_kind == kind, CustodyLink.item_id == item_id)
    ).one()


def create_event(
    uow: UnitOfWork,
    app: AppContainer,
    principal: Principal,
    body: CustodyEventCreate,
    claim: IdempotencyClaim,
) -> CustodyEventPublic:
    """Append an event in ``uow`` (:func:`append_event`); once committed, the certificate
    cache is cleared and ``claim``'s key replays the response."""
    event = append_event(
        uow.session,
        principal,
        app.references.current(uow.session),
        body,
        attester=app.attester,
        max_chain_length=app.settings.max_custody_chain_length,
    )
    claim.record_on_commit(uow, 201, event)
    uow.after_commit(app.certificate_cache.clear)
    return event
