"""Webhook endpoints: where a tenant's events are delivered, signed per Standard Webhooks.

Each endpoint belongs to one audience (the caller's ``<role>:<tenant>``) and receives the
events written for it (``services/outbox.py``) whose type its filter takes (every type when the
filter is empty). The signing secret (``whsec_`` + base64 of 24 random bytes) is shown once, at
creation and at rotation; after a rotation the old secret keeps signing beside the new one for
:data:`ROTATION_OVERLAP`, so receivers can switch without losing a delivery.
"""

from __future__ import annotations

import base64
import datetime as dt
import secrets
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlmodel import Session, col, select

from clearstone_api.errors import FieldError, NotFound, Unprocessable
from clearstone_api.models.columns import utcnow
from clearstone_api.models.event import Event
from clearstone_api.models.webhook import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from clearstone_api.security.principals import Principal
from clearstone_api.services.event_feed import visible_event
from clearstone_api.services.idempotency import IdempotencyClaim
from clearstone_api.services.outbox import (
    EVENT_TYPES,
    NewEvent,
    audience,
    dispatch_after_commit,
    emit,
    new_delivery_id,
)
from clearstone_api.services.unit_of_work import UnitOfWork
from clearstone_api.services.webhook_urls import check_url

__all__ = [
    "ROTATION_OVERLAP",
    "AttemptPublic",
    "DeliveryPublic",
    "EndpointCreate",
    "EndpointCreated",
    "EndpointPublic",
    "EndpointUpdate",
    "ReplayCreate",
    "create_endpoint",
    "delete_endpoint",
    "get_endpoint",
    "list_attempts",
    "list_endpoints",
    "replay",
    "rotate_secret",
    "send_test",
    "update_endpoint",
]

ROTATION_OVERLAP = dt.timedelta(hours=24)
"""How long a rotated-out secret keeps signing, beside the new one."""
MAX_ENDPOINTS = 20
"""Per audience: enough for every environment of an integration, not a fan-out service."""

Url = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
EventTypes = Annotated[list[str], Field(max_length=len(EVENT_TYPES))]


class EndpointCreate(BaseModel):
    """A receiver to deliver your events to."""

    model_config = ConfigDict(extra="forbid")

    url: Url = Field(examples=["https://hooks.example.com/clearstone"])
    """``https`` only, to a public address."""
    event_types: EventTypes = Field(default_factory=list, examples=[["stone.assessment.changed"]])
    """Deliver only these types; empty: every type."""
    description: Description | None = None


class EndpointUpdate(BaseModel):
    """What to change; keys left out stay as they are."""

    model_config = ConfigDict(extra="forbid")

    url: Url | None = None
    event_types: EventTypes | None = None
    description: Description | None = None
    enabled: bool | None = None
    """``true`` re-enables an endpoint that was disabled after sustained failure."""


class EndpointPublic(BaseModel):
    """A webhook endpoint (its secret is shown only when created or rotated)."""

    id: str = Field(examples=["ep_5d2c8a7b9e1f3a4c6b8d0e2f"])
    url: str
    description: str | None
    event_types: list[str]
    """Empty: every type."""
    enabled: bool
    disabled_reason: str | None
    previous_secret_expires_at: dt.datetime | None
    """After a rotation: until when deliveries also carry a signature with the old secret."""
    created_at: dt.datetime
    updated_at: dt.datetime


class EndpointCreated(EndpointPublic):
    """The endpoint and its signing secret, shown this once."""

    secret: str = Field(examples=["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"])
    """Verify every delivery with it (``client.webhooks.unwrap(body, headers, secret)``)."""


class AttemptPublic(BaseModel):
    """One delivery attempt: what was sent where, and how the receiver answered."""

    id: int
    delivery_id: str
    event_id: str
    event_type: str
    attempted_at: dt.datetime
    succeeded: bool
    status_code: int | None
    """The receiver's HTTP status; null when no response came."""
    error: str | None
    duration_ms: int


class DeliveryPublic(BaseModel):
    """A delivery of one event to one endpoint, at least once."""

    id: str
    endpoint_id: str
    event_id: str
    state: str
    """``pending``, ``succeeded`` or ``failed``."""
    attempts: int
    next_attempt_at: dt.datetime | None
    trigger: str
    """``event``, ``replay`` or ``test``."""


class ReplayCreate(BaseModel):
    """An event of your feed to deliver again to this endpoint."""

    model_config = ConfigDict(extra="forbid")

    event_id: Annotated[str, StringConstraints(pattern=r"^evt_[0-9a-f]{24}$")]


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def _types(types: list[str], field: str) -> list[str]:
    unknown = [t for t in types if t not in EVENT_TYPES]
    if unknown:
        raise Unprocessable(
            f"Unknown event type {unknown[0]!r}.",
            errors=[FieldError(path=field, message="unknown event type", type="enum")],
        )
    return sorted(set(types))


def _public(row: WebhookEndpoint) -> EndpointPublic:
    expires = row.previous_secret_expires_at
    return EndpointPublic(
        id=row.id,
        url=row.url,
        description=row.description,
        event_types=row.event_types,
        enabled=row.enabled,
        disabled_reason=row.disabled_reason,
        previous_secret_expires_at=expires if expires and expires > utcnow() else None,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _owner(principal: Principal) -> str:
    return audience(principal.role.value, principal.tenant_id)


def owned_endpoint(session: Session, principal: Principal, endpoint_id: str) -> WebhookEndpoint:
    row = session.get(WebhookEndpoint, endpoint_id)
    if row is None or row.audience != _owner(principal):
        raise NotFound(f"No webhook endpoint {endpoint_id!r}.")
    return row


def create_endpoint(
    uow: UnitOfWork,
    principal: Principal,
    body: EndpointCreate,
    claim: IdempotencyClaim,
    *,
    allow_private: bool,
) -> EndpointCreated:
    session = uow.session
    types = _types(body.event_types, "body.event_types")
    check_url(body.url, allow_private=allow_private)
    owner = _owner(principal)
    count = len(
        session.exec(select(WebhookEndpoint.id).where(WebhookEndpoint.audience == owner)).all()
    )
    if count >= MAX_ENDPOINTS:
        raise Unprocessable(f"At most {MAX_ENDPOINTS} webhook endpoints per organization.")
    row = WebhookEndpoint(
        id="ep_" + secrets.token_hex(12),
        audience=owner,
        url=body.url,
        description=body.description,
        event_types=types,
        secret=new_secret(),
        created_by=principal.id,
    )
    session.add(row)
    session.flush()
    created = EndpointCreated(**_public(row).model_dump(), secret=row.secret)
    claim.record_on_commit(uow, 201, created)
    return created


def list_endpoints(
    session: Session, principal: Principal, limit: int, after: str | None
) -> tuple[list[EndpointPublic], bool, str | None]:
    query = (
        select(WebhookEndpoint)
        .where(WebhookEndpoint.audience == _owner(principal))
        .order_by(col(WebhookEndpoint.id))
    )
    if after is not None:
        query = query.where(col(WebhookEndpoint.id) > after)
    rows = session.exec(query.limit(limit + 1)).all()
    data = [_public(r) for r in rows[:limit]]
    more = len(rows) > limit
    return data, more, data[-1].id if more and data else None


def get_endpoint(session: Session, principal: Principal, endpoint_id: str) -> EndpointPublic:
    return _public(owned_endpoint(session, principal, endpoint_id))


def update_endpoint(
    session: Session,
    principal: Principal,
    endpoint_id: str,
    body: EndpointUpdate,
    *,
    allow_private: bool,
) -> EndpointPublic:
    row = owned_endpoint(session, principal, endpoint_id)
    given = body.model_dump(exclude_unset=True)
    for name in ("url", "enabled", "event_types"):
        if name in given and given[name] is None:
            raise Unprocessable(
                f"{name} cannot be null.",
                errors=[FieldError(path=f"body.{name}", message="may not be null", type="null")],
            )
    if "url" in given:
        check_url(given["url"], allow_private=allow_private)
        row.url = given["url"]
    if "event_types" in given:
        row.event_types = _types(given["event_types"], "body.event_types")
    if "description" in given:
        row.description = given["description"]
    if "enabled" in given:
        row.enabled = bool(given["enabled"])
        if row.enabled:
            row.disabled_reason = None
            row.failing_since = None
    row.updated_at = utcnow()
    session.add(row)
    session.flush()
    return _public(row)


def rotate_secret(session: Session, principal: Principal, endpoint_id: str) -> EndpointCreated:
    """A new secret; the current one keeps signing beside it for :data:`ROTATION_OVERLAP`."""
    row = owned_endpoint(session, principal, endpoint_id)
    now = utcnow()
    row.previous_secret, row.previous_secret_expires_at = row.secret, now + ROTATION_OVERLAP
    row.secret = new_secret()
    row.updated_at = now
    session.add(row)
    session.flush()
    return EndpointCreated(**_public(row).model_dump(), secret=row.secret)


def delete_endpoint(session: Session, principal: Principal, endpoint_id: str) -> None:
    """Delete the endpoint with its deliveries and attempt log."""
    row = owned_endpoint(session, principal, endpoint_id)
    session.delete(row)
    session.flush()


def _delivery(
    session: Session, endpoint: WebhookEndpoint, seq: int, trigger: str
) -> WebhookDelivery:
    delivery = WebhookDelivery(
        id=new_delivery_id(), endpoint_id=endpoint.id, event_seq=seq, trigger=trigger
    )
    session.add(delivery)
    session.flush()
    dispatch_after_commit(session, [delivery.id])
    return delivery


def _delivery_public(delivery: WebhookDelivery, event_id: str) -> DeliveryPublic:
    return DeliveryPublic(
        id=delivery.id,
        endpoint_id=delivery.endpoint_id,
        event_id=event_id,
        state=delivery.state,
        attempts=delivery.attempts,
        next_attempt_at=delivery.next_attempt_at,
        trigger=delivery.trigger,
    )


def send_test(session: Session, principal: Principal, endpoint_id: str) -> DeliveryPublic:
    """A ``webhook.test`` event, delivered to this endpoint only (whatever its type filter)."""
    endpoint = owned_endpoint(session, principal, endpoint_id)
    payload = {"endpoint_id": endpoint.id, "message": "A test event from Clearstone."}
    (event_id,) = emit(session, [NewEvent("webhook.test", endpoint.id, payload, [])])
    seq = _seq(session, event_id)
    return _delivery_public(_delivery(session, endpoint, seq, "test"), event_id)


def _seq(session: Session, event_id: str) -> int:
    seq = session.exec(select(Event.seq).where(Event.id == event_id)).one()
    assert seq is not None
    return seq


def replay(
    session: Session, principal: Principal, endpoint_id: str, body: ReplayCreate
) -> DeliveryPublic:
    """Deliver an event of your feed again to this endpoint: a new delivery, with the same
    ``webhook-id``."""
    endpoint = owned_endpoint(session, principal, endpoint_id)
    event = visible_event(session, principal, body.event_id)
    assert event.seq is not None
    return _delivery_public(_delivery(session, endpoint, event.seq, "replay"), event.id)


def list_attempts(
    session: Session, principal: Principal, endpoint_id: str, limit: int, after: int | None
) -> tuple[list[AttemptPublic], bool, int | None]:
    """The endpoint's delivery attempts, newest first."""
    owned_endpoint(session, principal, endpoint_id)
    query = (
        select(WebhookAttempt, Event.id, Event.type)
        .join(WebhookDelivery, col(WebhookDelivery.id) == col(WebhookAttempt.delivery_id))
        .join(Event, col(Event.seq) == col(WebhookDelivery.event_seq))
        .where(WebhookAttempt.endpoint_id == endpoint_id)
        .order_by(col(WebhookAttempt.id).desc())
    )
    if after is not None:
        query = query.where(col(WebhookAttempt.id) < after)
    rows = session.exec(query.limit(limit + 1)).all()
    data = [
        AttemptPublic(
            id=a.id or 0,
            delivery_id=a.delivery_id,
            event_id=event_id,
            event_type=event_type,
            attempted_at=a.attempted_at,
            succeeded=a.succeeded,
            status_code=a.status_code,
            error=a.error,
            duration_ms=a.duration_ms,
        )
        for a, event_id, event_type in rows[:limit]
    ]
    more = len(rows) > limit
    return data, more, data[-1].id if more and data else None
