"""The public certificate: the consumer's view of a stone, and its hot lookup.

The view is serialized once, when an assessment is stored (``public_json``); the lookup reads
those bytes with one indexed Core ``select()`` and serves them as they are: on PostgreSQL through
the raw asyncpg pool of the hot reads (the same statement, compiled once for asyncpg and
prepared once per connection), elsewhere on the async engine.
A small per-process cache in front bounds the staleness it may add by
``lookup_cache_ttl_seconds``; writes in the same process clear it at once.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import bindparam, select
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlmodel import col

from clearstone_api.canonical import sha256_hex
from clearstone_api.certificate_numbers import lookup_key
from clearstone_api.db import Database
from clearstone_api.domain.grading import ReportIdentity
from clearstone_api.domain.verdicts import (
    Assessment,
    CheckStatus,
    CriterionLevel,
    CscVerdict,
    KpVerdict,
    OriginSummary,
    SanctionsSummary,
)
from clearstone_api.errors import NotFound, NumberAmbiguous, NumberDisputed
from clearstone_api.models.assessment import StoneAssessment
from clearstone_api.models.number_claim import NumberClaim
from clearstone_api.models.stone import Stone, StoneNumber

__all__ = [
    "CertificateCache",
    "CertificateLookup",
    "CertificatePublic",
    "CertificateStone",
    "CscPublic",
    "KpPublic",
    "StoredAttestation",
    "StoredCertificate",
    "certificate_view",
    "lookup_attestation",
    "lookup_certificate",
]


class CertificateStone(BaseModel):
    """The stone as a consumer may see it: no prices, no counterparties."""

    id: str
    """Clearstone's id (``CS-...``); also accepted as a certificate number."""
    origin: str
    """``natural`` or ``lab_grown``."""
    form: str
    carat: str
    grading_lab: str | None = None
    grading_report_number: str | None = None
    identity: ReportIdentity | None = Field(default=None, exclude_if=lambda v: v is None)
    """What the grading report says the stone looks like, for matching the stone in hand;
    absent when the report states none of it."""


class KpPublic(KpVerdict):
    """The KP verdict in the consumer tier: every check that did not pass, and how many did."""

    passed_checks: int
    """Checks that passed; the full list is in the auditor tier."""


class CscPublic(CscVerdict):
    """The CSC verdict in the consumer tier: only the criteria with something against them."""


class CertificatePublic(BaseModel):
    """The consumer view of a stone: both verdicts in plain language, with reasons and sources."""

    stone: CertificateStone
    origin: OriginSummary
    """Where the stone comes from as far as known, with the evidence level behind the claim."""
    as_of: dt.date
    """The date the assessment speaks for."""
    assessed_at: dt.datetime
    policy_version: str
    reference_data_version: str
    kp: KpPublic
    csc: CscPublic
    sanctions: SanctionsSummary
    disclaimer: str


def _consumer_kp(kp: KpVerdict) -> KpPublic:
    shown = [check for check in kp.checks if check.status is not CheckStatus.pass_]
    return KpPublic(
        result=kp.result,
        summary=kp.summary,
        checks=shown,
        passed_checks=len(kp.checks) - len(shown),
    )


def _consumer_csc(csc: CscVerdict) -> CscPublic:
    return CscPublic(
        result=csc.result,
        risk_score=csc.risk_score,
        summary=csc.summary,
        criteria=[c for c in csc.criteria if c.level is not CriterionLevel.none],
        context=csc.context,
        scope_note=csc.scope_note,
        area_context=csc.area_context,
        coverage=csc.coverage,
    )


def certificate_view(
    public_id: str, form: str, assessment: Assessment, assessed_at: dt.datetime
) -> CertificatePublic:
    subject = assessment.subject
    return CertificatePublic(
        stone=CertificateStone(
            id=public_id,
            origin=subject.origin,
            form=form,
            carat=subject.carat,
            grading_lab=subject.grading_lab,
            grading_report_number=subject.grading_report_number,
            identity=subject.identity,
        ),
        origin=assessment.origin,
        as_of=assessment.as_of,
        assessed_at=assessed_at,
        policy_version=assessment.policy_version,
        reference_data_version=assessment.reference_data_version,
        kp=_consumer_kp(assessment.kp),
        csc=_consumer_csc(assessment.csc),
        sanctions=SanctionsSummary.of(assessment.sanctions),
        disclaimer=assessment.disclaimer,
    )


class CertificateLookup(CertificatePublic):
    """The consumer view as the lookup serves it: with the status of the number looked up."""

    number_status: str | None = None
    """For a grading lab's number: ``claimed`` (by the supplier, not yet confirmed by the lab)
    or ``confirmed`` (by the grading lab). Absent for Clearstone ids and aliases. A disputed
    number is not served: the lookup answers 409 ``certificate-number-disputed``."""


class StoredCertificate:
    """The bytes to serve and their strong ETag."""

    __slots__ = ("body", "etag", "number_status")

    def __init__(self, body: bytes, etag: str, number_status: str | None = None) -> None:
        self.body = body
        self.etag = etag
        self.number_status = number_status


class CertificateCache:
    """A bounded LRU of looked-up certificates with a time-to-live.

    Entries go in in time order and a hit does not move one, so the oldest is always first:
    each ``put`` drops the expired ones from the front, and the cache holds only what a TTL's
    worth of lookups brought in (a few thousand under load) rather than ``size`` dead entries
    that the garbage collector would keep walking.
    """

    def __init__(self, ttl_seconds: float, size: int) -> None:
        self.ttl = ttl_seconds
        self.size = size
        self._items: OrderedDict[str, tuple[float, StoredCertificate]] = OrderedDict()

    def get(self, key: str) -> StoredCertificate | None:
        if self.ttl <= 0:
            return None
        hit = self._items.get(key)
        if hit is None:
            return None
        if hit[0] < time.monotonic():
            self._items.pop(key, None)
            return None
        return hit[1]

    def put(self, key: str, value: StoredCertificate) -> None:
        if self.ttl <= 0 or self.size <= 0:
            return
        now = time.monotonic()
        items = self._items
        items.pop(key, None)  # a refreshed entry goes to the back, in time order
        items[key] = (now + self.ttl, value)
        while len(items) > self.size or next(iter(items.values()))[0] < now:
            items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)

    def clear(self) -> None:
        self._items.clear()


_LOOKUP = (
    select(col(StoneAssessment.public_json), col(StoneAssessment.etag), col(StoneNumber.status))
    .join_from(
        StoneNumber, StoneAssessment, col(StoneNumber.stone_id) == col(StoneAssessment.stone_id)
    )
    .where(col(StoneNumber.key) == bindparam("key"))
)
_LOOKUP_ASYNCPG = str(_LOOKUP.compile(dialect=asyncpg_dialect()))  # type: ignore[no-untyped-call]
"""``_LOOKUP`` as asyncpg takes it (``$1`` for the key)."""


async def lookup_certificate(
    database: Database, cache: CertificateCache, number: str
) -> StoredCertificate:
    """The stored public view of the stone ``number`` names; 404 when none does."""
    key = lookup_key(number)
    cached = cache.get(key)
    if cached is not None:
        return cached
    row: Sequence[Any] | None
    if database.has_hot_pool:
        row = await database.hot_fetchrow(_LOOKUP_ASYNCPG, key)
    else:
        async with database.async_engine.connect() as connection:
            row = (await connection.execute(_LOOKUP, {"key": key})).first()
    if row is None:
        choices = await number_choices(database, key)
        if len(choices) == 1 and lookup_key(choices[0]) != key:
            return await lookup_certificate(database, cache, choices[0])
        raise NotFound(f"No assessed stone has the certificate number {number!r}.")
    status = row[2]
    if status == "disputed":
        raise NumberDisputed(
            f"Several suppliers claim {number!r} and its grading laboratory has not yet said "
            "whose it is: Clearstone shows no verdict for it until then."
        )
    body, etag = bytes(row[0]), str(row[1])
    if status is not None:
        body = body[:-1] + b',"number_status":"' + str(status).encode("ascii") + b'"}'
        etag = '"' + sha256_hex(f"{etag}:{status}".encode())[:40] + '"'
    found = StoredCertificate(body, etag, status)
    cache.put(key, found)
    return found


_CHOICES = (
    select(col(NumberClaim.number))
    .where(col(NumberClaim.digits) == bindparam("key"), col(NumberClaim.status) != "rejected")
    .distinct()
)


async def number_choices(database: Database, key: str) -> list[str]:
    """The lab-qualified numbers whose bare digits are ``key``: more than one is a choice the
    caller must make (``NumberAmbiguous``), never a silent pick."""
    async with database.async_engine.connect() as connection:
        found = sorted(str(r[0]) for r in await connection.execute(_CHOICES, {"key": key}))
    if len(found) > 1:
        raise NumberAmbiguous(
            f"Reports of {len(found)} laboratories have this number; choose one: "
            + ", ".join(found)
            + ".",
            extensions={"choices": found},
        )
    return found


class StoredAttestation:
    """A stone's attestation (compact JWS), its strong ETag and the stone's Clearstone id."""

    __slots__ = ("body", "etag", "stone_id")

    def __init__(self, body: bytes, etag: str, stone_id: str) -> None:
        self.body = body
        self.etag = etag
        self.stone_id = stone_id


_ATTESTATION = (
    select(col(StoneAssessment.attestation), col(Stone.public_id), col(StoneNumber.status))
    .join_from(
        StoneNumber, StoneAssessment, col(StoneNumber.stone_id) == col(StoneAssessment.stone_id)
    )
    .join(Stone, col(Stone.id) == col(StoneNumber.stone_id))
    .where(col(StoneNumber.key) == bindparam("key"))
)


async def lookup_attestation(database: Database, number: str) -> StoredAttestation:
    """The signed attestation of the stone ``number`` names; 404 when there is none."""
    async with database.async_engine.connect() as connection:
        row = (await connection.execute(_ATTESTATION, {"key": lookup_key(number)})).first()
    if row is None:
        choices = await number_choices(database, lookup_key(number))
        if len(choices) == 1 and lookup_key(choices[0]) != lookup_key(number):
            return await lookup_attestation(database, choices[0])
        raise NotFound(f"No assessed stone has the certificate number {number!r}.")
    if row[2] == "disputed":
        raise NumberDisputed(
            f"Several suppliers claim {number!r}: no attestation is served until its grading "
            "laboratory decides."
        )
    if row[0] is None:
        raise NotFound(f"The assessment of {number!r} has not been signed yet.")
    body = str(row[0]).encode("ascii")
    return StoredAttestation(body, '"' + sha256_hex(body)[:40] + '"', str(row[1]))
