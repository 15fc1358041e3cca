"""Whether an attestation is still Clearstone's current word: the status endpoint's answer, and
what a verification says about currency online and offline."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from clearstone._models import BaseModel

__all__ = ["AttestationCurrency", "AttestationStatus", "CustodySummary", "TreeHeadClaim"]


class AttestationStatus(BaseModel):
    """``GET /v1/attestations/{id}/status``."""

    id: str
    stone_id: str
    seq: int
    status: Literal["current", "superseded", "revoked"] | str
    issued_at: dt.datetime
    expires_at: dt.datetime
    expired: bool = False
    superseded_by: str | None = None
    """The attestation that replaced this one."""
    current: str | None = None
    """The stone's current attestation; None when every one is revoked."""
    revoked_at: dt.datetime | None = None
    revocation_reason: str | None = None


class CustodySummary(BaseModel):
    """The stone's custody chains as the attestation signed them."""

    chain_length: int
    """Custody events in the chains of the stone and every lot it descends from."""
    chain_head: str
    """SHA-256 of the chains' last links."""


class TreeHeadClaim(BaseModel):
    """The custody log's signed tree head the attestation was checked against."""

    tree_size: int
    root_hash: str | None = None
    timestamp: int | None = None


class AttestationCurrency(BaseModel):
    """Whether a verified attestation is still current, and how one knows."""

    status: Literal["current", "superseded", "revoked", "unknown"] | str
    """``unknown`` offline: a valid signature says what Clearstone said, not that it still
    says it."""
    checked_online: bool
    age: dt.timedelta
    """Time since the attestation was issued (``iat``)."""
    superseded_by: str | None = None
    current: str | None = None
    note: str
    """A plain sentence for people."""
