"""Who owns a grading-report number: suppliers claim, the grading lab confirms or rejects.

A supplier registering a stone with a grading report *claims* the lab-qualified number
(``GIA-2141438167``). A second tenant claiming the same number does not get a 409 while the
first claimant's stone is served: both claims are kept and the number becomes ``disputed``,
which the public lookup answers with a problem and no verdict. A ``lab`` client (tenant = the
lab's code) confirms one claim (the others are rejected, and the number names the confirmed
stone) or rejects a claim. The bare digits (``2141438167``) answer only while one lab's number
has them; when several labs' reports share them, the lookup lists the lab-qualified choices.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel
from sqlalchemy import delete, insert, update
from sqlmodel import Session, col, select

from clearstone_api.certificate_numbers import lab_qualified, lookup_key, new_public_id
from clearstone_api.errors import Conflict, NotFound
from clearstone_api.models.columns import utcnow
from clearstone_api.models.number_claim import NumberClaim
from clearstone_api.models.stone import Stone, StoneNumber
from clearstone_api.security.principals import Principal
from clearstone_api.security.scopes import Role, Scope
from clearstone_api.services.dispute_events import emit_dispute_event

__all__ = [
    "ClaimDecision",
    "ClaimStatus",
    "NumberClaimPublic",
    "claim_report_number",
    "decide_claim",
    "list_claims",
]


class ClaimStatus(StrEnum):
    claimed = "claimed"
    confirmed = "confirmed"
    disputed = "disputed"
    rejected = "rejected"


class ClaimDecision(StrEnum):
    confirm = "confirm"
    reject = "reject"


OPEN = (ClaimStatus.claimed.value, ClaimStatus.disputed.value)


class NumberClaimPublic(BaseModel):
    """One claim on a grading lab's report number."""

    id: str
    """``NC-...``."""
    number: str
    """The lab-qualified number (``GIA-2141438167``)."""
    lab: str
    stone_id: str
    """The claiming stone's Clearstone id."""
    status: ClaimStatus
    created_at: dt.datetime
    decided_at: dt.datetime | None


def _public(session: Session, claim: NumberClaim) -> NumberClaimPublic:
    stone = session.get(Stone, claim.stone_id)
    assert stone is not None
    return NumberClaimPublic(
        id=claim.public_id,
        number=claim.number,
        lab=claim.lab,
        stone_id=stone.public_id,
        status=ClaimStatus(claim.status),
        created_at=claim.created_at,
        decided_at=claim.decided_at,
    )


def _settle(session: Session, key: str, digits: str) -> None:
    """Make the lookup rows of ``key`` (and its bare ``digits``) say what the claims say; a
    dispute that opens or ends here emits its event in the same transaction."""
    claims = session.exec(select(NumberClaim).where(NumberClaim.key == key)).all()
    was = session.exec(select(StoneNumber.status).where(StoneNumber.key == key)).first()
    confirmed = [c for c in claims if c.status == ClaimStatus.confirmed]
    open_claims = [c for c in claims if c.status in OPEN]
    winner: NumberClaim | None = None
    status: str | None = None
    if confirmed:
        winner, status = confirmed[0], ClaimStatus.confirmed.value
    elif len(open_claims) == 1:
        winner, status = open_claims[0], ClaimStatus.claimed.value
        winner.status = status
        session.add(winner)
    elif len(open_claims) > 1:
        for claim in open_claims:
            claim.status = ClaimStatus.disputed.value
            session.add(claim)
        # The number keeps naming the first claimant, but the lookup answers "disputed".
        winner, status = min(open_claims, key=lambda c: c.id or 0), ClaimStatus.disputed.value
    labs = set(
        session.exec(
            select(NumberClaim.lab).where(
                NumberClaim.digits == digits, col(NumberClaim.status) != ClaimStatus.rejected
            )
        ).all()
    )
    session.execute(delete(StoneNumber).where(col(StoneNumber.key) == key))
    if digits != key:
        session.execute(
            delete(StoneNumber).where(
                col(StoneNumber.key) == digits, col(StoneNumber.kind) == "grading_report"
            )
        )
    if (was == ClaimStatus.disputed.value) != (status == ClaimStatus.disputed.value):
        session.flush()
        emit_dispute_event(session, claims, opened=status == ClaimStatus.disputed.value)
    if winner is None:
        session.flush()
        return
    rows = [{"key": key, "stone_id": winner.stone_id, "number": winner.number,
             "kind": "lab_qualified", "status": status}]  # fmt: skip
    if digits != key and len(labs) == 1:
        rows.append({"key": digits, "stone_id": winner.stone_id,
                     "number": winner.number.partition("-")[2], "kind": "grading_report",
                     "status": status})  # fmt: skip
    session.execute(insert(StoneNumber), rows)
    session.flush()


def claim_report_number(
    session: Session, stone: Stone, tenant: str, lab: str, number: str
) -> NumberClaimPublic:
    """Record ``stone``'s claim on ``lab``'s report ``number`` and settle what the number
    answers: never a silent drop, never a first-come win across tenants."""
    assert stone.id is not None
    qualified = lab_qualified(lab, number)
    if session.exec(
        select(NumberClaim.id).where(
            NumberClaim.key == lookup_key(qualified),
            NumberClaim.tenant_id == tenant,
            col(NumberClaim.status) != ClaimStatus.rejected,
        )
    ).first():
        raise Conflict(
            f"The certificate number {qualified!r} already names another of your stones."
        )
    squatter = session.exec(
        select(StoneNumber).where(
            StoneNumber.key == lookup_key(qualified),
            col(StoneNumber.kind).in_(["alias", "clearstone_id"]),
        )
    ).first()
    if squatter is not None and squatter.stone_id != stone.id:
        # Someone registered this lab's number as an alias: that is a claim too, and now a
        # disputed one, for the lab to decide.
        owner = session.get(Stone, squatter.stone_id)
        assert owner is not None
        session.add(
            NumberClaim(
                public_id=new_public_id("NC"),
                key=lookup_key(qualified),
                digits=lookup_key(number),
                lab=lab.strip().upper(),
                number=qualified,
                stone_id=squatter.stone_id,
                tenant_id=owner.tenant_id,
                status=ClaimStatus.claimed.value,
            )
        )
    claim = NumberClaim(
        public_id=new_public_id("NC"),
        key=lookup_key(qualified),
        digits=lookup_key(number),
        lab=lab.strip().upper(),
        number=qualified,
        stone_id=stone.id,
        tenant_id=tenant,
        status=ClaimStatus.claimed.value,
    )
    session.add(claim)
    session.flush()
    _settle(session, claim.key, claim.digits)
    session.refresh(claim)
    return _public(session, claim)


def _lab_claim(session: Session, principal: Principal, claim_id: str) -> NumberClaim:
    claim = session.exec(select(NumberClaim).where(NumberClaim.public_id == claim_id)).first()
    if claim is None or claim.lab != principal.tenant_id.upper():
        raise NotFound(f"No claim {claim_id!r} on your laboratory's numbers.")
    return claim


def decide_claim(
    session: Session, principal: Principal, claim_id: str, decision: ClaimDecision
) -> NumberClaimPublic:
    """The lab confirms a claim on its number (rejecting the others) or rejects it."""
    claim = _lab_claim(session, principal, claim_id)
    now = utcnow()
    if decision is ClaimDecision.confirm:
        session.execute(
            update(NumberClaim)
            .where(col(NumberClaim.key) == claim.key, col(NumberClaim.id) != claim.id)
            .values(status=ClaimStatus.rejected.value, decided_at=now, decided_by=principal.id)
        )
    claim.status = (
        ClaimStatus.confirmed.value
        if decision is ClaimDecision.confirm
        else ClaimStatus.rejected.value
    )
    claim.decided_at, claim.decided_by = now, principal.id
    session.add(claim)
    session.flush()
    session.expire_all()
    _settle(session, claim.key, claim.digits)
    refreshed = session.exec(select(NumberClaim).where(NumberClaim.public_id == claim_id)).one()
    return _public(session, refreshed)


def list_claims(
    session: Session,
    *,
    lab: str | None,
    status: ClaimStatus | None,
    limit: int,
    after: int | None,
) -> tuple[list[NumberClaimPublic], bool, int | None]:
    """Claims, oldest first: one lab's (``lab``), or every lab's for an operator."""
    query = select(NumberClaim).order_by(col(NumberClaim.id))
    if lab is not None:
        query = query.where(NumberClaim.lab == lab.upper())
    if status is not None:
        query = query.where(NumberClaim.status == status.value)
    if after is not None:
        query = query.where(col(NumberClaim.id) > after)
    rows = session.exec(query.limit(limit + 1)).all()
    page = rows[:limit]
    more = len(rows) > limit
    return [_public(session, r) for r in page], more, page[-1].id if more and page else None


def claims_of_number(session: Session, key: str) -> list[NumberClaimPublic]:
    """Every open claim on the number whose lookup key is ``key`` (a dispute's parties)."""
    rows = session.exec(
        select(NumberClaim)
        .where(NumberClaim.key == key, col(NumberClaim.status).in_(OPEN))
        .order_by(col(NumberClaim.id))
    ).all()
    return [_public(session, r) for r in rows]


def lab_choices(session: Session, digits: str) -> list[str]:
    """The lab-qualified numbers whose bare digits are ``digits`` (more than one: a choice)."""
    return sorted(
        set(
            session.exec(
                select(NumberClaim.number).where(
                    NumberClaim.digits == digits, col(NumberClaim.status) != ClaimStatus.rejected
                )
            ).all()
        )
    )


def confirm_demo_claim(session: Session, lab: str, number: str, certificate: str) -> None:
    """The demo loader's stand-in for a lab's decision: confirm the claim on ``number`` of the
    demo stone registered as ``certificate`` (its alias), if it is not decided yet."""
    stone_id = session.exec(
        select(StoneNumber.stone_id).where(StoneNumber.key == lookup_key(certificate))
    ).first()
    claim = session.exec(
        select(NumberClaim).where(
            NumberClaim.key == lookup_key(number), NumberClaim.stone_id == stone_id
        )
    ).first()
    if claim is None or claim.status not in OPEN:
        return
    lab_principal = Principal(
        id="demo-loader", tenant_id=lab, role=Role.lab, scopes=frozenset({Scope.numbers_decide})
    )
    decide_claim(session, lab_principal, claim.public_id, ClaimDecision.confirm)
