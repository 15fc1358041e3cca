"""SQLModel tables, one module per resource. Alembic migrations are the only source of the
schema; these classes describe it to the ORM and to autogenerate."""

from clearstone_api.models.assessment import AssessedRecord, Reassessment, StoneAssessment
from clearstone_api.models.attestation import AttestationRecord
from clearstone_api.models.client import Client
from clearstone_api.models.custody import CustodyAttachment, CustodyEvent, CustodyLink
from clearstone_api.models.event import Event, EventRecipient
from clearstone_api.models.idempotency import IdempotencyKey
from clearstone_api.models.lot import LotAncestor, RoughLot
from clearstone_api.models.number_claim import NumberClaim
from clearstone_api.models.reassessment_run import ReassessmentBatch, ReassessmentRun
from clearstone_api.models.reference_change import ReferenceChange
from clearstone_api.models.screening import StoneScreening
from clearstone_api.models.stone import Stone, StoneFootprint, StoneLot, StoneNumber
from clearstone_api.models.transparency import TreeHead, TreeNode
from clearstone_api.models.watch import Watch
from clearstone_api.models.webhook import WebhookAttempt, WebhookDelivery, WebhookEndpoint

__all__ = [
    "AssessedRecord",
    "AttestationRecord",
    "Client",
    "CustodyAttachment",
    "CustodyEvent",
    "CustodyLink",
    "Event",
    "EventRecipient",
    "IdempotencyKey",
    "LotAncestor",
    "NumberClaim",
    "Reassessment",
    "ReassessmentBatch",
    "ReassessmentRun",
    "ReferenceChange",
    "RoughLot",
    "Stone",
    "StoneAssessment",
    "StoneFootprint",
    "StoneLot",
    "StoneNumber",
    "StoneScreening",
    "TreeHead",
    "TreeNode",
    "Watch",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
]
