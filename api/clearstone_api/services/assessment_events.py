"""The events a stored assessment's change emits: ``stone.assessment.changed`` when a stone's
verdict moved, ``attestation.superseded`` when its signed word was replaced.

Called by the one place verdicts are written (``services/assessments.py``) and by the one
place attestations are issued (``services/attestation_lifecycle.py``), on their session: the
events commit with the new verdicts or not at all.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from clearstone_api.domain.verdicts import Assessment
from clearstone_api.models.assessment import StoneAssessment
from clearstone_api.services.outbox import NewEvent, emit, stone_audiences

__all__ = ["Cause", "VerdictChange", "emit_assessment_changes", "emit_superseded", "verdict_moved"]


@dataclass(frozen=True)
class Cause:
    """Why stones were re-assessed: what the event's ``cause`` says."""

    reason: str
    """``reference_change``, ``custody_event``, ``stone_registered``, ``attestation_renewal``,
    ``reference_release``..."""
    reference_change_id: int | None = None
    custody_event_id: str | None = None


@dataclass(frozen=True)
class VerdictChange:
    stone_id: int
    public_id: str
    before: StoneAssessment
    after: Assessment


def verdict_moved(before: StoneAssessment, after: Assessment) -> bool:
    """Whether a client would see a different verdict: KP or CSC result, risk score, or the
    sanctions flag."""
    return (before.kp_result, before.csc_result, before.risk_score, before.sanctions_result) != (
        after.kp.result.value,
        after.csc.result.value,
        after.csc.risk_score,
        after.sanctions.result.value,
    )


def _before(row: StoneAssessment) -> dict[str, Any]:
    summaries: dict[str, Any] = {}
    try:
        view = json.loads(row.public_json)
        summaries = {"kp_summary": view["kp"]["summary"], "csc_summary": view["csc"]["summary"]}
    except (ValueError, KeyError, TypeError):
        summaries = {"kp_summary": None, "csc_summary": None}
    return {
        "kp_result": row.kp_result,
        "csc_result": row.csc_result,
        "risk_score": row.risk_score,
        "sanctions_result": row.sanctions_result,
        **summaries,
        "policy_version": row.policy_version,
        "reference_data_version": row.reference_data_version,
        "assessed_at": row.assessed_at.isoformat(),
    }


def _after(assessment: Assessment, assessed_at: str) -> dict[str, Any]:
    return {
        "kp_result": assessment.kp.result.value,
        "csc_result": assessment.csc.result.value,
        "risk_score": assessment.csc.risk_score,
        "sanctions_result": assessment.sanctions.result.value,
        "kp_summary": assessment.kp.summary,
        "csc_summary": assessment.csc.summary,
        "policy_version": assessment.policy_version,
        "reference_data_version": assessment.reference_data_version,
        "assessed_at": assessed_at,
    }


def emit_assessment_changes(
    session: Session, changes: Sequence[VerdictChange], cause: Cause, assessed_at: str
) -> list[str]:
    """One ``stone.assessment.changed`` per stone whose verdict moved, for its supplier and its
    watchers; returns the event ids."""
    if not changes:
        return []
    audiences = stone_audiences(session, [c.stone_id for c in changes])
    return emit(
        session,
        [
            NewEvent(
                "stone.assessment.changed",
                c.public_id,
                {
                    "stone_id": c.public_id,
                    "before": _before(c.before),
                    "after": _after(c.after, assessed_at),
                    "cause": {
                        "reason": cause.reason,
                        "reference_change_id": cause.reference_change_id,
                        "custody_event_id": cause.custody_event_id,
                        "policy_version": c.after.policy_version,
                        "reference_data_version": c.after.reference_data_version,
                    },
                },
                audiences.get(c.stone_id, []),
            )
            for c in changes
        ],
    )


def emit_superseded(
    session: Session, superseded: Sequence[tuple[int, str, str, str]], reason: str
) -> list[str]:
    """One ``attestation.superseded`` per ``(stone id, stone public id, old attestation, new
    attestation)``: whoever keeps the old token should fetch the new one."""
    if not superseded:
        return []
    audiences = stone_audiences(session, [s[0] for s in superseded])
    return emit(
        session,
        [
            NewEvent(
                "attestation.superseded",
                public_id,
                {
                    "stone_id": public_id,
                    "attestation_id": old,
                    "superseded_by": new,
                    "reason": reason,
                    "status_url": f"/v1/attestations/{old}/status",
                },
                audiences.get(stone_id, []),
            )
            for stone_id, public_id, old, new in superseded
        ],
    )
