"""Resolving a tenant's record ids (``L1``, ``stone-7``) to stored lots and stones."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, select

from clearstone_api.domain.record_validation import RecordInvalid, RecordProblem
from clearstone_api.errors import FieldError, Unprocessable
from clearstone_api.models.lot import LotAncestor, RoughLot
from clearstone_api.models.stone import Stone, StoneLot

__all__ = ["ancestors_of", "invalid_record", "resolve_lots", "stones_descending_from"]


def resolve_lots(
    session: Session, tenant_id: str, record_ids: Sequence[str], path: str
) -> dict[str, RoughLot]:
    """The tenant's lots by record id; 422 naming ``path.<i>`` for each unknown one."""
    found = {
        lot.record_id: lot
        for lot in session.exec(
            select(RoughLot).where(
                RoughLot.tenant_id == tenant_id, col(RoughLot.record_id).in_(list(record_ids))
            )
        ).all()
    }
    missing = [
        FieldError(
            path=f"{path}.{i}", message=f"unknown rough lot {rid!r}", type="unknown_reference"
        )
        for i, rid in enumerate(record_ids)
        if rid not in found
    ]
    if missing:
        raise Unprocessable("Register the rough lots first.", errors=missing)
    return found


def ancestors_of(session: Session, lot_ids: Sequence[int]) -> set[int]:
    """Every lot in the lineage of ``lot_ids``, themselves included."""
    if not lot_ids:
        return set()
    rows = session.exec(
        select(LotAncestor.ancestor_id).where(col(LotAncestor.lot_id).in_(list(lot_ids)))
    ).all()
    return set(rows) | set(lot_ids)


def stones_descending_from(session: Session, lot_ids: Sequence[int]) -> list[Stone]:
    if not lot_ids:
        return []
    return list(
        session.exec(
            select(Stone)
            .where(
                col(Stone.id).in_(
                    select(StoneLot.stone_id).where(col(StoneLot.lot_id).in_(list(lot_ids)))
                )
            )
            .order_by(col(Stone.id))
        ).all()
    )


def invalid_record(exc: RecordInvalid, what: str) -> Unprocessable:
    """A write that would leave a stone's assembled record invalid: say which part breaks."""

    def field(problem: RecordProblem) -> FieldError:
        return FieldError(path="record." + problem.path, message=problem.msg, type=problem.type)

    return Unprocessable(
        f"This {what} would make a stone's provenance record invalid: {exc}",
        errors=[field(p) for p in exc.problems],
    )
