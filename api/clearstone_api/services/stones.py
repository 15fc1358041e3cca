"""Stones: registration with their certificate numbers, and supplier reads."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field, StringConstraints
from sqlalchemy import insert, or_
from sqlmodel import Session, col, select

from clearstone_api.certificate_numbers import NUMBER_PATTERN, lookup_key, new_public_id
from clearstone_api.container import AppContainer
from clearstone_api.domain import records
from clearstone_api.domain.record_validation import RecordInvalid
from clearstone_api.domain.reference import Reference
from clearstone_api.errors import Conflict, NotFound
from clearstone_api.models.assessment import StoneAssessment
from clearstone_api.models.stone import Stone, StoneLot, StoneNumber
from clearstone_api.security.principals import Principal
from clearstone_api.services.assessments import reassess_stones
from clearstone_api.services.attestations import Attester
from clearstone_api.services.idempotency import IdempotencyClaim
from clearstone_api.services.lineage import ancestors_of, invalid_record, resolve_lots
from clearstone_api.services.number_claims import claim_report_number
from clearstone_api.services.unit_of_work import UnitOfWork

__all__ = [
    "AssessmentSummary",
    "StoneCreate",
    "StonePublic",
    "create_stone",
    "find_stone",
    "get_stone",
    "list_stones",
    "register_stone",
    "stone_public",
    "stone_publics",
]


def _not_digits_only(alias: str) -> str:
    if lookup_key(alias).isdigit():
        raise ValueError(
            "an alias of digits only could pass for a grading lab's report number; qualify it "
            "(for example with your own prefix)"
        )
    return alias


CertificateNumber = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=NUMBER_PATTERN),
    AfterValidator(_not_digits_only),
]


class StoneCreate(records.Stone):
    """A stone as the supplier's records name it, with extra numbers it may be looked up by."""

    aliases: Annotated[list[CertificateNumber], Field(default_factory=list, max_length=10)]
    """Extra certificate numbers (an inscription, a retailer's certificate)."""
    documents: Annotated[list[records.Document], Field(default_factory=list, max_length=100)]
    """Documents about the stone itself, such as a lab origin report.

    There is no ``as_of``: the date a stored verdict speaks for is the service's (the day it is
    assessed), never the writer's; an ``as_of`` key is refused like any unknown key."""


class AssessmentSummary(BaseModel):
    kp_result: str
    csc_result: str
    risk_score: int
    as_of: dt.date
    reference_data_version: str
    assessed_at: dt.datetime


class StonePublic(BaseModel):
    """A registered stone (supplier view)."""

    id: str
    """Clearstone's id (``CS-...``)."""
    record_id: str
    stone: records.Stone
    certificate_numbers: list[str]
    created_at: dt.datetime
    assessment: AssessmentSummary | None


def _numbers(aliases: list[str], public_id: str) -> list[tuple[str, str]]:
    """Clearstone's id and the aliases; the grading report goes through a claim."""
    return [(public_id, "clearstone_id"), *((alias, "alias") for alias in aliases)]


def stone_publics(session: Session, rows: Sequence[Stone]) -> list[StonePublic]:
    """The supplier views of ``rows``: two queries (numbers, assessments), however many."""
    ids = [row.id for row in rows if row.id is not None]
    numbers: dict[int, list[str]] = defaultdict(list)
    stored: dict[int, StoneAssessment] = {}
    if ids:
        for stone_id, number in session.exec(
            select(StoneNumber.stone_id, StoneNumber.number)
            .where(col(StoneNumber.stone_id).in_(ids))
            .order_by(col(StoneNumber.stone_id), col(StoneNumber.number))
        ).all():
            numbers[stone_id].append(number)
        stored = {
            found.stone_id: found
            for found in session.exec(
                select(StoneAssessment).where(col(StoneAssessment.stone_id).in_(ids))
            ).all()
        }
    return [_public(row, numbers[row.id or 0], stored.get(row.id or 0)) for row in rows]


def stone_public(session: Session, row: Stone) -> StonePublic:
    return stone_publics(session, [row])[0]


def _public(row: Stone, numbers: list[str], stored: StoneAssessment | None) -> StonePublic:
    summary = (
        AssessmentSummary.model_validate(stored, from_attributes=True)
        if stored is not None
        else None
    )
    return StonePublic(
        id=row.public_id,
        record_id=row.record_id,
        stone=records.Stone.model_validate(row.data),
        certificate_numbers=numbers,
        created_at=row.created_at,
        assessment=summary,
    )


def register_stone(
    session: Session,
    principal: Principal,
    reference: Reference,
    body: StoneCreate,
    *,
    attester: Attester,
    pinned_as_of: dt.date | None = None,
) -> StonePublic:
    """Register a stone, index its numbers, link its lineage and assess it.

    ``pinned_as_of`` is for the demo loader alone (its published vectors speak for fixed
    dates); the public API has no way to set it, and every other stone is assessed as of the
    day of each assessment.

    The grading report is *claimed* (``services/number_claims.py``): another tenant's claim on
    the same number makes it ``disputed`` until the lab decides, never a first-come win. An alias
    that already names another stone is a 409, for the demo loader as for everyone.
    """
    tenant = principal.tenant_id
    if session.exec(
        select(Stone.id).where(Stone.tenant_id == tenant, Stone.record_id == body.id)
    ).first():
        raise Conflict(f"Stone {body.id!r} is already registered.")
    parents = resolve_lots(session, tenant, body.parent_lot_ids, "body.parent_lot_ids")
    stone = records.Stone.model_validate(body.model_dump(exclude={"aliases", "documents"}))
    row = Stone(
        public_id=new_public_id("CS"),
        tenant_id=tenant,
        record_id=body.id,
        origin=stone.origin.value,
        data=stone.model_dump(mode="json"),
        documents=[doc.model_dump(mode="json") for doc in body.documents],
        as_of=pinned_as_of,
        created_by=principal.id,
    )
    session.add(row)
    session.flush()
    assert row.id is not None
    wanted: dict[str, tuple[str, str]] = {}
    for number, kind in _numbers(body.aliases, row.public_id):
        wanted.setdefault(lookup_key(number), (number, kind))
    taken = set(
        session.exec(select(StoneNumber.key).where(col(StoneNumber.key).in_(list(wanted)))).all()
    )
    for key in taken:
        number, kind = wanted.pop(key)
        if kind not in ("grading_report", "clearstone_id"):
            raise Conflict(f"The certificate number {number!r} already names another stone.")
    if wanted:
        session.execute(
            insert(StoneNumber),
            [
                {"key": k, "stone_id": row.id, "number": n, "kind": kind}
                for k, (n, kind) in wanted.items()
            ],
        )
    if stone.grading_report is not None:
        report = stone.grading_report
        claim_report_number(session, row, tenant, report.lab, report.number)
    lineage = ancestors_of(session, [p.id for p in parents.values() if p.id is not None])
    if lineage:
        session.execute(
            insert(StoneLot), [{"stone_id": row.id, "lot_id": lot} for lot in sorted(lineage)]
        )
    try:
        reassess_stones(session, reference, [row], attester=attester, reason="stone_registered")
    except RecordInvalid as exc:
        raise invalid_record(exc, "stone") from None
    return stone_public(session, row)


def find_stone(session: Session, principal: Principal, stone_id: str) -> Stone:
    row = session.exec(
        select(Stone).where(Stone.tenant_id == principal.tenant_id, Stone.public_id == stone_id)
    ).first()
    if row is None:
        raise NotFound(f"No stone {stone_id!r} in your account.")
    return row


def get_stone(session: Session, principal: Principal, stone_id: str) -> StonePublic:
    """One of the caller's stones by Clearstone's id (``CS-...``) or, failing that, by the id
    the caller registered it under (``stone.id``, unique per tenant)."""
    row = session.exec(
        select(Stone)
        .where(Stone.tenant_id == principal.tenant_id)
        .where(or_(col(Stone.public_id) == stone_id, col(Stone.record_id) == stone_id))
        .order_by(col(Stone.public_id) != stone_id)
    ).first()
    if row is None:
        raise NotFound(f"No stone {stone_id!r} in your account.")
    return stone_public(session, row)


def list_stones(
    session: Session, principal: Principal, limit: int, after: int | None
) -> tuple[list[StonePublic], bool, int | None]:
    """A page of the caller's stones after id ``after``, whether more follow, and the id to
    continue after: three queries whatever ``limit`` is."""
    query = select(Stone).where(Stone.tenant_id == principal.tenant_id)
    if after is not None:
        query = query.where(col(Stone.id) > after)
    rows = session.exec(query.order_by(col(Stone.id)).limit(limit + 1)).all()
    page = rows[:limit]
    last = page[-1].id if page and len(rows) > limit else None
    return stone_publics(session, page), len(rows) > limit, last


def create_stone(
    uow: UnitOfWork,
    app: AppContainer,
    principal: Principal,
    body: StoneCreate,
    claim: IdempotencyClaim,
) -> StonePublic:
    """Register and assess a stone in ``uow``; once committed, the certificate lookup serves
    it (the cache is cleared) and ``claim``'s key replays the response."""
    stone = register_stone(
        uow.session,
        principal,
        app.references.current(uow.session),
        body,
        attester=app.attester,
    )
    claim.record_on_commit(uow, 201, stone)
    uow.after_commit(app.certificate_cache.clear)
    return stone
