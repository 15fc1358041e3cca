"""The events of reference-data changes: ``reference.change.applied`` when an analyst's change
commits, ``reassessment.finished`` when the re-assessment it caused has run.

Both are for every analyst (``analyst:*``); the stones whose verdict moved emit their own
``stone.assessment.changed`` to their suppliers and watchers.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import Session

from clearstone_api.models.reference_change import ReferenceChange
from clearstone_api.services.outbox import ANALYSTS, NewEvent, emit

__all__ = ["emit_change_applied", "emit_reassessment_finished"]


def emit_change_applied(session: Session, change: ReferenceChange) -> str:
    """``reference.change.applied`` for ``change``, in the transaction that records it."""
    payload: dict[str, Any] = {
        "reference_change_id": change.id,
        "kind": change.kind,
        "target_id": change.target_id,
        "action": change.action,
        "version": change.version,
        "note": change.note,
        "actor": change.actor,
    }
    return emit(
        session,
        [
            NewEvent(
                "reference.change.applied", f"reference-change:{change.id}", payload, [ANALYSTS]
            )
        ],
    )[0]


def emit_reassessment_finished(
    session: Session,
    *,
    reference_change_id: int | None,
    stones_reassessed: int,
    stones_changed: int,
    started_at: dt.datetime | None = None,
    finished_at: dt.datetime | None = None,
    reason: str = "reference_change",
) -> str:
    """``reassessment.finished`` for a run, in the transaction that marks it done. The job
    queue's run calls this once, when its last batch has committed."""
    subject = f"reference-change:{reference_change_id}" if reference_change_id is not None else None
    payload: dict[str, Any] = {
        "reference_change_id": reference_change_id,
        "reason": reason,
        "stones_reassessed": stones_reassessed,
        "stones_changed": stones_changed,
        "started_at": started_at.isoformat() if started_at else None,
        "finished_at": finished_at.isoformat() if finished_at else None,
    }
    return emit(session, [NewEvent("reassessment.finished", subject, payload, [ANALYSTS])])[0]
