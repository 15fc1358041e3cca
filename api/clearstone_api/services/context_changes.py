"""Context-layer loads as reviewed reference changes.

A load reads a publisher's file, builds the layer it would give, and returns the diff against the
layer in force; nothing is stored until the analyst applies it. Applying records one
``reference_changes`` row (kind ``context_layer``, target the layer's file) with the layer before
and after; the reference in force replaces that layer with the ``after`` rows, and the stones of
every country the diff touches are re-assessed (:func:`run_reassessment`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from sqlmodel import Session

from clearstone_api.domain.context_layers import CONTEXT_FILES
from clearstone_api.domain.context_loading import (
    LayerDiff,
    diamond_areas,
    diff_layer,
    merge_cahra,
    parse_cahra_export,
    parse_ucdp_ged,
)
from clearstone_api.domain.context_rows import CahraListing
from clearstone_api.domain.reference import Reference
from clearstone_api.models.reference_change import ReferenceChange
from clearstone_api.services.reference_events import emit_change_applied

__all__ = [
    "CONTEXT_KIND",
    "LayerLoad",
    "layer_rows_of",
    "prepare_cahra",
    "prepare_ucdp",
    "record_layer_change",
]

CONTEXT_KIND = "context_layer"


@dataclass(frozen=True)
class LayerLoad:
    """A layer as a load would leave it, and what changes."""

    file: str
    """``cahra_areas.csv`` or ``conflict_events.csv``."""
    label: str
    """The publisher's version (``Report: June 2026``, ``GED 26.1``)."""
    rows: list[BaseModel]
    diff: LayerDiff


def prepare_cahra(
    reference: Reference, text: str, *, effective: dt.date, retrieved_at: dt.date
) -> LayerLoad:
    """The CAHRA layer after the export ``text``, effective on ``effective``."""
    version, fresh = parse_cahra_export(text, effective=effective, retrieved_at=retrieved_at)
    current = list(reference.context.cahra)
    merged: list[CahraListing] = merge_cahra(current, fresh, effective)
    return LayerLoad("cahra_areas.csv", version, list(merged), diff_layer(current, merged))


def prepare_ucdp(
    reference: Reference, text: str, *, dataset_version: str, retrieved_at: dt.date
) -> LayerLoad:
    """The conflict-event layer replaced by GED ``dataset_version``'s events in the registry's
    diamond-producing areas."""
    events = parse_ucdp_ged(
        text,
        dataset_version=dataset_version,
        areas=diamond_areas(reference),
        retrieved_at=retrieved_at,
    )
    current = list(reference.context.events)
    return LayerLoad(
        "conflict_events.csv", f"GED {dataset_version}", list(events), diff_layer(current, events)
    )


def layer_rows_of(change: ReferenceChange) -> list[BaseModel]:
    """The rows a stored context-layer change puts in force."""
    model = CONTEXT_FILES[change.target_id]
    rows: Sequence[dict[str, Any]] = change.after["rows"]
    return [model.model_validate(row) for row in rows]


def record_layer_change(
    session: Session, actor: str, current: Reference, load: LayerLoad, note: str
) -> ReferenceChange:
    """Store the load as one audited change; the caller commits and runs the re-assessment."""
    before = current.context.rows()[load.file]
    countries = sorted(load.diff.countries())
    change = ReferenceChange(
        kind=CONTEXT_KIND,
        target_id=load.file,
        action="replace",
        before={"rows": [row.model_dump(mode="json") for row in before]},
        after={
            "label": load.label,
            "countries": countries,
            "rows": [row.model_dump(mode="json") for row in load.rows],
        },
        note=note,
        version="pending",
        actor=actor,
    )
    session.add(change)
    session.flush()
    change.version = f"{current.version.split('+', 1)[0]}+r{change.id}"
    emit_change_applied(session, change)
    return change
