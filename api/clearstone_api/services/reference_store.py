"""The reference data in force: the shipped files with every analyst change applied.

Each process keeps the current :class:`Reference` and rebuilds it when the database holds a
newer change than the one it applied (one cheap ``max(id)`` query), so several API processes
converge on the same version without talking to each other.
"""

from __future__ import annotations

import functools
import gc
import threading
from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel
from sqlalchemy import func
from sqlmodel import Session, select

from clearstone_api.domain.reference import Reference, load_reference
from clearstone_api.domain.reference_rows import Incident, StatusPeriod
from clearstone_api.models.reference_change import ReferenceChange
from clearstone_api.services.context_changes import CONTEXT_KIND, layer_rows_of
from clearstone_api.services.party_screen import screened

__all__ = ["ReferenceStore", "base_reference"]


@functools.cache
def base_reference(directory: Path | None) -> Reference:
    """The shipped reference data, loaded and validated once per process, with the party
    screen attached.

    It lives as long as the process, so its objects (and whatever else the process built before
    it) are moved out of the garbage collector's sight (``gc.freeze``): a full collection no
    longer walks them every time it runs, which cost an assessment about a tenth of its time."""
    reference = screened(load_reference(directory))
    gc.collect()  # nothing collectable is frozen with it
    gc.freeze()
    return reference


def apply_changes(base: Reference, changes: list[ReferenceChange]) -> Reference:
    """``base`` with ``changes`` (in id order) applied; later changes to one row win."""
    if not changes:
        return base
    incidents: dict[str, Incident] = {}
    periods: dict[str, StatusPeriod] = {}
    layers: dict[str, Sequence[BaseModel]] = {}
    for change in changes:
        if change.kind == "incident":
            incidents[change.target_id] = Incident.model_validate(change.after)
        elif change.kind == "status_period":
            periods[change.target_id] = StatusPeriod.model_validate(change.after)
        elif change.kind == CONTEXT_KIND:
            layers[change.target_id] = layer_rows_of(change)
    last = changes[-1].id
    return base.with_changes(
        revision=f"r{last}",
        incidents=incidents.values(),
        status_periods=periods.values(),
        layers=layers,
    )


class ReferenceStore:
    """The process's view of the current reference data."""

    def __init__(self, directory: Path | None = None) -> None:
        self._directory = directory
        self._lock = threading.Lock()
        self._applied: int | None = None
        self._current: Reference | None = None

    @property
    def base(self) -> Reference:
        return base_reference(self._directory)

    def current(self, session: Session) -> Reference:
        """The reference with every change committed so far (as ``session`` sees them)."""
        latest = session.exec(select(func.max(ReferenceChange.id))).one()
        with self._lock:
            if self._current is not None and self._applied == latest:
                return self._current
        changes = list(session.exec(select(ReferenceChange).order_by(ReferenceChange.id)).all())  # type: ignore[arg-type]
        reference = apply_changes(self.base, changes)
        with self._lock:
            self._current, self._applied = reference, latest
        return reference
