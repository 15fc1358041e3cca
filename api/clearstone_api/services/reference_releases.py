"""Shipped reference data as a versioned reference change.

When a deployment starts serving new shipped reference files (a new registry release), the
stones stored under the previous release still carry verdicts computed without it. Recording
the release as one ``reference_changes`` row (kind ``release``) makes it part of the audit trail
and lets the usual resumable re-assessment run over every stone whose stored assessment was
computed under another shipped version (``clearstone-api release-reference``).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_
from sqlmodel import Session, col, select

from clearstone_api.domain.reference import Reference
from clearstone_api.models.assessment import StoneAssessment
from clearstone_api.models.reference_change import ReferenceChange
from clearstone_api.services.reference_events import emit_change_applied

__all__ = ["RELEASE_KIND", "any_stale", "record_release", "stale_stone_ids"]

RELEASE_KIND = "release"


def record_release(session: Session, base: Reference) -> ReferenceChange | None:
    """Record the shipped version ``base`` once; None when it is already recorded."""
    known = session.exec(
        select(ReferenceChange)
        .where(col(ReferenceChange.kind) == RELEASE_KIND)
        .order_by(col(ReferenceChange.id).desc())
    ).all()
    if any(row.target_id == base.version for row in known):
        return None
    previous = known[0].target_id if known else None
    change = ReferenceChange(
        kind=RELEASE_KIND,
        target_id=base.version,
        action="release",
        before={"version": previous},
        after={
            "version": base.version,
            "incidents": len(base.incidents),
            "countries": sorted({i.country for i in base.incidents.values()}),
            "cahra_listings": len(base.context.cahra),
            "sanctions_regimes": len(base.context.regimes),
        },
        note=f"Shipped reference data {base.version}",
        version="pending",
        actor="system:release",
    )
    session.add(change)
    session.flush()
    change.version = f"{base.version}+r{change.id}"
    emit_change_applied(session, change)
    return change


def _stale(base_version: str, policy_version: str | None) -> ColumnElement[bool]:
    version = col(StoneAssessment.reference_data_version)
    stale: ColumnElement[bool] = ~or_(
        version == base_version, version.startswith(f"{base_version}+")
    )
    if policy_version is not None:
        stale = or_(stale, col(StoneAssessment.policy_version) != policy_version)
    return stale


def stale_stone_ids(
    session: Session, base_version: str, *, policy_version: str | None = None
) -> list[int]:
    """Stones whose stored assessment was computed under another shipped version, or (when
    ``policy_version`` is given) under another policy, in id order."""
    return list(
        session.exec(
            select(StoneAssessment.stone_id)
            .where(_stale(base_version, policy_version))
            .order_by(col(StoneAssessment.stone_id))
        ).all()
    )


def any_stale(session: Session, base_version: str, *, policy_version: str | None = None) -> bool:
    """Whether any stored assessment is stale (as :func:`stale_stone_ids`), without listing."""
    found = session.exec(
        select(StoneAssessment.stone_id).where(_stale(base_version, policy_version)).limit(1)
    ).first()
    return found is not None
