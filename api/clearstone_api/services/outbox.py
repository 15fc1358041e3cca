"""The outbox: every change that matters to a client writes an event in its own transaction.

An event is a row of ``events`` written on the session of the change it reports, so it commits
with the change or not at all: never lost, never emitted for a change that rolled back. Who may
see it is written beside it (``event_recipients``), as audiences:

- ``supplier:<tenant>``: the supplier that registered the stone;
- ``retailer:<tenant>``: a retailer that watches the stone (``services/watches.py``);
- ``lab:<code>``: the grading lab whose report number is disputed;
- ``analyst:*``: every analyst (reference changes, re-assessment runs, disputes).

In the same transaction each event is fanned out to the webhook endpoints of its audiences
whose type filter takes it (``webhook_deliveries``); once the transaction commits, the new
deliveries are handed to the session's dispatcher (:data:`DISPATCH_KEY`; see
``services/webhook_dispatch.py``), which sends them off the committing path::

    emit(session, [NewEvent("stone.assessment.changed", "CS-...", payload, audiences)])
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy import insert, or_
from sqlalchemy.orm import SessionTransaction
from sqlmodel import Session, col, select

from clearstone_api.models.columns import utcnow
from clearstone_api.models.event import Event, EventRecipient
from clearstone_api.models.stone import Stone
from clearstone_api.models.watch import Watch
from clearstone_api.models.webhook import WebhookDelivery, WebhookEndpoint
from clearstone_api.security.principals import Principal

__all__ = [
    "ANALYSTS",
    "DISPATCH_KEY",
    "EVENT_TYPES",
    "Dispatch",
    "NewEvent",
    "audience",
    "emit",
    "new_delivery_id",
    "principal_audiences",
    "stone_audiences",
]

EVENT_TYPES: dict[str, str] = {
    "stone.assessment.changed": "A stored stone's KP or CSC result, risk score or sanctions "
    "flag changed (a reference change, a custody event, a policy or reference-data release).",
    "attestation.superseded": "A stone's current attestation was replaced by a newer one.",
    "reference.change.applied": "An analyst added or corrected an incident or a KP status period.",
    "reassessment.finished": "A re-assessment run (after a reference change) finished.",
    "certificate_number.dispute.opened": "Two tenants claim the same grading-report number.",
    "certificate_number.dispute.settled": "A disputed grading-report number is settled.",
    "webhook_endpoint.disabled": "A webhook endpoint was disabled after sustained failure.",
    "webhook.test": "A test event, sent on request to one endpoint.",
}
"""Every event type, and when it is emitted."""

ANALYSTS = "analyst:*"
DISPATCH_KEY = "clearstone.webhook_dispatch"
"""``session.info`` key of the callable that takes the delivery ids a commit made durable."""
_PENDING_KEY = "clearstone.pending_deliveries"

Dispatch = Callable[[list[str]], None]


def audience(role: str, tenant: str) -> str:
    return f"{role}:{tenant}"


def principal_audiences(principal: Principal) -> list[str]:
    """The audiences whose events ``principal`` may read."""
    return [audience(principal.role.value, principal.tenant_id), f"{principal.role.value}:*"]


def new_event_id() -> str:
    return "evt_" + secrets.token_hex(12)


def new_delivery_id() -> str:
    return "dlv_" + secrets.token_hex(12)


@dataclass(frozen=True)
class NewEvent:
    """An event to write: its type, what it is about, its payload and who may see it."""

    type: str
    subject: str | None
    payload: dict[str, Any]
    audiences: Sequence[str]


def stone_audiences(session: Session, stone_ids: Iterable[int]) -> dict[int, list[str]]:
    """Who may see events about each stone: its supplier and every retailer watching it."""
    ids = sorted(set(stone_ids))
    if not ids:
        return {}
    found: dict[int, list[str]] = {
        stone_id: [audience("supplier", tenant)]
        for stone_id, tenant in session.exec(
            select(Stone.id, Stone.tenant_id).where(col(Stone.id).in_(ids))
        ).all()
        if stone_id is not None
    }
    for stone_id, tenant in session.exec(
        select(Watch.stone_id, Watch.tenant_id)
        .where(col(Watch.stone_id).in_(ids))
        .order_by(col(Watch.tenant_id))
    ).all():
        found.setdefault(stone_id, []).append(audience("retailer", tenant))
    return found


def emit(session: Session, events: Sequence[NewEvent]) -> list[str]:
    """Write ``events`` and their recipients on ``session`` (in its transaction), and a
    delivery to every enabled webhook endpoint that takes each; returns the event ids."""
    if not events:
        return []
    now = utcnow()
    rows = [
        {
            "id": new_event_id(),
            "type": e.type,
            "occurred_at": now,
            "subject": e.subject,
            "payload": e.payload,
        }
        for e in events
    ]
    returned = session.execute(insert(Event).returning(col(Event.seq), col(Event.id)), rows).all()
    seq_of = {event_id: seq for seq, event_id in returned}
    seqs = [seq_of[str(row["id"])] for row in rows]
    recipients = [
        {"event_seq": seq, "audience": who}
        for seq, e in zip(seqs, events, strict=True)
        for who in dict.fromkeys(e.audiences)
    ]
    if recipients:
        session.execute(insert(EventRecipient), recipients)
    _fan_out(session, list(zip(seqs, events, strict=True)))
    return [str(row["id"]) for row in rows]


def _fan_out(session: Session, written: list[tuple[int, NewEvent]]) -> None:
    wanted = {who for _, e in written for who in e.audiences}
    if not wanted:
        return
    # An endpoint of ``analyst:clearstone`` takes what is written for ``analyst:*``.
    everyone = sorted(a.removesuffix("*") for a in wanted if a.endswith(":*"))
    endpoints = session.exec(
        select(WebhookEndpoint.id, WebhookEndpoint.audience, WebhookEndpoint.event_types).where(
            or_(
                col(WebhookEndpoint.audience).in_(sorted(wanted)),
                *(col(WebhookEndpoint.audience).startswith(role) for role in everyone),
            ),
            col(WebhookEndpoint.enabled).is_(True),
        )
    ).all()
    if not endpoints:
        return
    now = utcnow()
    deliveries = [
        {
            "id": new_delivery_id(),
            "endpoint_id": endpoint_id,
            "event_seq": seq,
            "state": "pending",
            "attempts": 0,
            "next_attempt_at": now,
            "trigger": "event",
            "created_at": now,
        }
        for seq, e in written
        for endpoint_id, owner, types in endpoints
        if _takes(owner, e.audiences) and (not types or e.type in types)
    ]
    if deliveries:
        session.execute(insert(WebhookDelivery), deliveries)
        dispatch_after_commit(session, [str(d["id"]) for d in deliveries])


def _takes(owner: str, audiences: Sequence[str]) -> bool:
    return owner in audiences or owner.split(":", 1)[0] + ":*" in audiences


def dispatch_after_commit(session: Session, delivery_ids: list[str]) -> None:
    """Hand ``delivery_ids`` to the session's dispatcher once its transaction commits (never
    after a rollback). Without a dispatcher they stay due, for ``deliver_due``."""
    pending: list[str] | None = session.info.get(_PENDING_KEY)
    if pending is None:
        pending = session.info[_PENDING_KEY] = []
        sa_event.listen(session, "after_commit", _committed)
        sa_event.listen(session, "after_soft_rollback", _rolled_back)
    pending.extend(delivery_ids)


def _committed(session: Session) -> None:
    if session.get_nested_transaction() is not None:
        return  # a savepoint released (SQLAlchemy signals those too): not durable yet
    pending: list[str] = session.info.get(_PENDING_KEY) or []
    if not pending:
        return
    ids, pending[:] = list(pending), []
    dispatch: Dispatch | None = session.info.get(DISPATCH_KEY)
    if dispatch is not None:
        dispatch(ids)


def _rolled_back(session: Session, previous_transaction: SessionTransaction) -> None:
    if previous_transaction.nested:
        return  # a savepoint: the outer transaction, and its deliveries, may still commit
    pending: list[str] = session.info.get(_PENDING_KEY) or []
    pending[:] = []
