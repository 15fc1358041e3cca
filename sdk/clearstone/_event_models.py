"""The change feed's models: events, and the typed payloads of the known event types.

An event is the same in the feed (``client.events``) and in a webhook delivery
(``client.webhooks.unwrap``). :func:`parse_event` gives the typed class of a known ``type``
(:class:`StoneAssessmentChanged`...) and a plain :class:`Event` for a type this release does not
know yet; every model keeps fields it does not know.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal, TypeAlias

from pydantic import Field

from clearstone._models import BaseModel, CscResult, KpResult, SanctionsResult

__all__ = [
    "AssessmentChangeCause",
    "AssessmentSnapshot",
    "AttestationSuperseded",
    "AttestationSupersededData",
    "ChangeEventType",
    "DisputeClaim",
    "Event",
    "NumberDispute",
    "NumberDisputeData",
    "ReassessmentFinished",
    "ReassessmentFinishedData",
    "ReferenceChangeApplied",
    "ReferenceChangeAppliedData",
    "StoneAssessmentChanged",
    "StoneAssessmentChangedData",
    "Watch",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookEndpointDisabled",
    "WebhookEndpointSecret",
    "parse_event",
]

ChangeEventType: TypeAlias = (
    Literal[
        "stone.assessment.changed",
        "attestation.superseded",
        "reference.change.applied",
        "reassessment.finished",
        "certificate_number.dispute.opened",
        "certificate_number.dispute.settled",
        "webhook_endpoint.disabled",
        "webhook.test",
    ]
    | str
)


class Event(BaseModel):
    """One change that matters to you."""

    id: str
    """Stable: the same in the feed and in every delivery (the ``webhook-id`` header)."""
    type: ChangeEventType
    occurred_at: dt.datetime
    subject: str | None = None
    """What it is about: a stone's Clearstone id, ``reference-change:<id>``, an endpoint id."""
    data: Any = None


class AssessmentSnapshot(BaseModel):
    """A stone's stored verdict, before or after a change."""

    kp_result: KpResult | None = None
    csc_result: CscResult | None = None
    risk_score: int | None = None
    sanctions_result: SanctionsResult | None = None
    kp_summary: str | None = None
    csc_summary: str | None = None
    policy_version: str | None = None
    reference_data_version: str | None = None
    assessed_at: dt.datetime | None = None


class AssessmentChangeCause(BaseModel):
    reason: str
    """``reference_change``, ``custody_event``, ``attestation_renewal``..."""
    reference_change_id: int | None = None
    custody_event_id: str | None = None
    policy_version: str | None = None
    reference_data_version: str | None = None


class StoneAssessmentChangedData(BaseModel):
    stone_id: str
    before: AssessmentSnapshot
    after: AssessmentSnapshot
    cause: AssessmentChangeCause


class StoneAssessmentChanged(Event):
    """``stone.assessment.changed``: a stone's verdict moved."""

    data: StoneAssessmentChangedData


class AttestationSupersededData(BaseModel):
    stone_id: str
    attestation_id: str
    superseded_by: str
    reason: str | None = None
    status_url: str | None = None


class AttestationSuperseded(Event):
    """``attestation.superseded``: fetch the stone's new attestation."""

    data: AttestationSupersededData


class ReferenceChangeAppliedData(BaseModel):
    reference_change_id: int
    kind: str
    target_id: str
    action: str
    version: str
    note: str | None = None
    actor: str | None = None


class ReferenceChangeApplied(Event):
    """``reference.change.applied``: an analyst's change committed."""

    data: ReferenceChangeAppliedData


class ReassessmentFinishedData(BaseModel):
    reference_change_id: int | None = None
    reason: str | None = None
    stones_reassessed: int
    stones_changed: int
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None


class ReassessmentFinished(Event):
    """``reassessment.finished``: a re-assessment run has run to its end."""

    data: ReassessmentFinishedData


class DisputeClaim(BaseModel):
    id: str
    stone_id: str | None = None
    status: str


class NumberDisputeData(BaseModel):
    number: str
    lab: str
    status: str
    claims: list[DisputeClaim] = Field(default_factory=list)


class NumberDispute(Event):
    """``certificate_number.dispute.opened`` or ``...settled``."""

    data: NumberDisputeData


class WebhookEndpointDisabled(Event):
    """``webhook_endpoint.disabled``: deliveries to an endpoint kept failing; it is off."""

    data: dict[str, Any]


_TYPED: dict[str, type[Event]] = {
    "stone.assessment.changed": StoneAssessmentChanged,
    "attestation.superseded": AttestationSuperseded,
    "reference.change.applied": ReferenceChangeApplied,
    "reassessment.finished": ReassessmentFinished,
    "certificate_number.dispute.opened": NumberDispute,
    "certificate_number.dispute.settled": NumberDispute,
    "webhook_endpoint.disabled": WebhookEndpointDisabled,
}


def parse_event(body: Any) -> Event:
    """The typed event for a decoded JSON event: its known class, else a plain :class:`Event`."""
    kind = body.get("type") if isinstance(body, dict) else None
    model = _TYPED.get(kind, Event) if isinstance(kind, str) else Event
    return model.model_validate(body)


class Watch(BaseModel):
    """A stone you watch: its events reach your feed and webhook endpoints."""

    id: str
    stone_id: str
    source: Literal["explicit", "checkout"] | str
    created_at: dt.datetime


class WebhookEndpoint(BaseModel):
    """A receiver of your events."""

    id: str
    url: str
    description: str | None = None
    event_types: list[str] = Field(default_factory=list)
    """Empty: every type."""
    enabled: bool
    disabled_reason: str | None = None
    previous_secret_expires_at: dt.datetime | None = None
    """After a rotation: until when deliveries also carry a signature with the old secret."""
    created_at: dt.datetime
    updated_at: dt.datetime


class WebhookEndpointSecret(WebhookEndpoint):
    """An endpoint with its signing secret, as created or rotated: keep the secret now, it is
    not shown again."""

    secret: str = Field(repr=False)


class WebhookDelivery(BaseModel):
    """A delivery of one event to one endpoint (a test or a replay)."""

    id: str
    endpoint_id: str
    event_id: str
    state: Literal["pending", "succeeded", "failed"] | str
    attempts: int
    next_attempt_at: dt.datetime | None = None
    trigger: Literal["event", "replay", "test"] | str


class WebhookAttempt(BaseModel):
    """One delivery attempt and how the receiver answered."""

    id: int
    delivery_id: str
    event_id: str
    event_type: str
    attempted_at: dt.datetime
    succeeded: bool
    status_code: int | None = None
    error: str | None = None
    duration_ms: int
