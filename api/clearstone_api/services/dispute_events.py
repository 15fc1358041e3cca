"""The events of a disputed grading-report number: ``certificate_number.dispute.opened`` when
a second tenant claims a number, ``certificate_number.dispute.settled`` when the lab's
decision (or a withdrawn claim) leaves one claimant.

They reach every claimant's supplier, the retailers watching a claiming stone, the lab, and
every analyst (``numbers:disputes``); claimants see each other's stones' Clearstone ids, never
each other's tenant.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, select

from clearstone_api.models.number_claim import NumberClaim
from clearstone_api.models.stone import Stone
from clearstone_api.services.outbox import ANALYSTS, NewEvent, audience, emit, stone_audiences

__all__ = ["emit_dispute_event"]


def emit_dispute_event(session: Session, claims: Sequence[NumberClaim], *, opened: bool) -> str:
    """The dispute event over ``claims`` (every claim on one number, as they now stand)."""
    first = claims[0]
    stone_ids = [c.stone_id for c in claims]
    public = dict(
        session.exec(select(Stone.id, Stone.public_id).where(col(Stone.id).in_(stone_ids))).all()
    )
    audiences = stone_audiences(session, stone_ids)
    who = [a for c in claims for a in audiences.get(c.stone_id, [])]
    who += [audience("lab", first.lab), ANALYSTS]
    kind = "opened" if opened else "settled"
    payload = {
        "number": first.number,
        "lab": first.lab,
        "status": "disputed" if opened else kind,
        "claims": [
            {"id": c.public_id, "stone_id": public.get(c.stone_id), "status": c.status}
            for c in sorted(claims, key=lambda c: c.id or 0)
        ],
    }
    return emit(
        session, [NewEvent(f"certificate_number.dispute.{kind}", first.number, payload, who)]
    )[0]
