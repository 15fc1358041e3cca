"""Assessing records and storing the results: the one place verdicts are written.

Every write that changes what a stone's record says, and every reference-data change, ends
here: assess, serialize the public view once, upsert the stored assessment, log before and
after. Batches go through bulk statements so that re-assessing 100,000 stones is dominated by
the engine, not by round trips.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import delete, insert, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from clearstone_api.canonical import canonical_json, sha256_hex
from clearstone_api.domain.assessment import assess
from clearstone_api.domain.record_validation import parse_record
from clearstone_api.domain.records import ProvenanceRecord, Stone
from clearstone_api.domain.reference import Reference
from clearstone_api.domain.text import STORED
from clearstone_api.domain.verdicts import Assessment
from clearstone_api.models.assessment import AssessedRecord, Reassessment, StoneAssessment
from clearstone_api.models.columns import utcnow
from clearstone_api.models.stone import Stone as StoneRow
from clearstone_api.models.stone import StoneFootprint
from clearstone_api.observability.metrics import count_assessments
from clearstone_api.services.assessment_events import (
    Cause,
    VerdictChange,
    emit_assessment_changes,
    verdict_moved,
)
from clearstone_api.services.attestation_lifecycle import ToIssue, attested_numbers, issue
from clearstone_api.services.attestations import Attester
from clearstone_api.services.certificates import certificate_view
from clearstone_api.services.chains import assemble_record, footprint

__all__ = [
    "InlineAssessment",
    "StoneInput",
    "Stored",
    "assess_inline",
    "assessment_row",
    "lock_stones",
    "reassess_rows",
    "reassess_stones",
    "store_assessments",
]


@dataclass(frozen=True)
class Stored:
    """What a store wrote: how many stones' assessments, and how many of their verdicts (KP,
    CSC or risk score) changed. Each stone's before and after is in the ``reassessments`` log."""

    stones: int
    changed: int


@dataclass(frozen=True)
class StoneInput:
    """What assessing one stored stone needs."""

    stone_id: int
    public_id: str
    as_of: dt.date | None
    record: ProvenanceRecord


def _form(record: ProvenanceRecord) -> str:
    subject = record.subject
    return subject.form if isinstance(subject, Stone) else "rough"


def assessment_row(
    stone: StoneInput,
    assessment: Assessment,
    assessed_at: dt.datetime,
    *,
    certificate_numbers: Sequence[str],
) -> tuple[dict[str, object], ToIssue]:
    """The ``stone_assessments`` row for ``assessment``: the public view pre-serialized, and
    what to sign (``attestation`` is filled in by :func:`store_assessments`)."""
    view = certificate_view(stone.public_id, _form(stone.record), assessment, assessed_at)
    body = view.model_dump_json().encode()
    # What is signed is this same view as JSON values: parsed back from its bytes, which is
    # cheaper than a second walk of the model (model_dump(mode="json") gives the same values).
    return {
        "stone_id": stone.stone_id,
        "kp_result": assessment.kp.result.value,
        "csc_result": assessment.csc.result.value,
        "risk_score": assessment.csc.risk_score,
        "sanctions_result": assessment.sanctions.result.value,
        "as_of": assessment.as_of,
        "policy_version": assessment.policy_version,
        "reference_data_version": assessment.reference_data_version,
        "record_digest": assessment.record_digest,
        "public_json": body,
        "etag": '"' + sha256_hex(body)[:40] + '"',
        "attestation": None,
        "assessed_at": assessed_at,
    }, ToIssue(
        stone.stone_id,
        stone.public_id,
        certificate_numbers,
        json.loads(body),
        assessed_at,
    )


def store_assessments(
    session: Session,
    reference: Reference,
    stones: Sequence[StoneInput],
    *,
    attester: Attester,
    reason: str,
    change_id: int | None = None,
    today: dt.date | None = None,
    custody_event_id: str | None = None,
) -> Stored:
    """Assess ``stones``, upsert their stored assessments (signed) and log each before and
    after; a stone whose verdict moved emits ``stone.assessment.changed`` in the same
    transaction (``services/assessment_events.py``)."""
    if not stones:
        return Stored(0, 0)
    today = today or dt.date.today()
    now = utcnow()
    numbers = attested_numbers(session, [s.stone_id for s in stones])
    previous = {
        row.stone_id: row
        for row in session.exec(
            select(StoneAssessment).where(
                col(StoneAssessment.stone_id).in_([s.stone_id for s in stones])
            )
        ).all()
    }
    updates: list[dict[str, object]] = []
    inserts: list[dict[str, object]] = []
    signing: list[ToIssue] = []
    log: list[dict[str, object]] = []
    moved: list[VerdictChange] = []
    records: dict[str, ProvenanceRecord] = {}
    # assess() is deterministic: stones sharing a record and a date share one assessment.
    memo: dict[tuple[int, dt.date], Assessment] = {}
    for stone in stones:
        as_of = stone.as_of or today
        assessment = memo.get((id(stone.record), as_of))
        if assessment is None:
            assessment = assess(stone.record, reference, as_of)
            memo[(id(stone.record), as_of)] = assessment
        records.setdefault(assessment.record_digest, stone.record)
        row, to_sign = assessment_row(
            stone, assessment, now, certificate_numbers=numbers[stone.stone_id]
        )
        signing.append(to_sign)
        before = previous.get(stone.stone_id)
        if before is not None and verdict_moved(before, assessment):
            moved.append(VerdictChange(stone.stone_id, stone.public_id, before, assessment))
        (updates if before is not None else inserts).append(row)
        after = (assessment.kp.result.value, assessment.csc.result.value, assessment.csc.risk_score)
        log.append(
            {
                "stone_id": stone.stone_id,
                "reason": reason,
                "change_id": change_id,
                "before_kp": before.kp_result if before else None,
                "before_csc": before.csc_result if before else None,
                "before_risk_score": before.risk_score if before else None,
                "before_reference_version": before.reference_data_version if before else None,
                "after_kp": after[0],
                "after_csc": after[1],
                "after_risk_score": after[2],
                "after_reference_version": assessment.reference_data_version,
                "changed": before is None
                or (before.kp_result, before.csc_result, before.risk_score) != after,
                "created_at": now,
            }
        )
    emit_assessment_changes(
        session, moved, Cause(reason, change_id, custody_event_id), now.isoformat()
    )
    tokens = issue(session, attester, signing, reason=reason)
    for row in (*inserts, *updates):
        row["attestation"] = tokens[int(str(row["stone_id"]))]
    _store_records(session, records)
    for stale in previous.values():
        session.expunge(stale)  # bulk UPDATE below; don't let the identity map write them back
    if inserts:
        session.execute(insert(StoneAssessment), inserts)
    if updates:
        session.execute(update(StoneAssessment), updates)
    session.execute(insert(Reassessment), log)
    count_assessments(reason, ((str(e["after_kp"]), str(e["after_csc"])) for e in log))
    return Stored(len(log), sum(1 for entry in log if entry["changed"]))


def _store_records(session: Session, records: dict[str, ProvenanceRecord]) -> None:
    """Content-addressed: insert only the digests not stored yet."""
    known = set(
        session.exec(
            select(AssessedRecord.digest).where(col(AssessedRecord.digest).in_(list(records)))
        ).all()
    )
    missing = [
        {"digest": digest, "record_json": canonical_json(record.model_dump(mode="json")).decode()}
        for digest, record in records.items()
        if digest not in known
    ]
    if missing:
        session.execute(insert(AssessedRecord), missing)


def lock_stones(session: Session, stone_ids: Sequence[int]) -> None:
    """Lock the rows of ``stone_ids`` until the transaction ends, in id order (so two writers
    never deadlock): two writers never store one stone's assessment at once, and the second
    reads what the first wrote. PostgreSQL; SQLite has one writer at a time anyway."""
    if session.get_bind().dialect.name == "postgresql" and stone_ids:
        session.execute(
            sa_select(col(StoneRow.id))
            .where(col(StoneRow.id).in_(sorted(stone_ids)))
            .order_by(col(StoneRow.id))
            .with_for_update()
        )


def reassess_stones(
    session: Session,
    reference: Reference,
    stones: Sequence[StoneRow],
    *,
    attester: Attester,
    reason: str,
    custody_event_id: str | None = None,
) -> Stored:
    """Rebuild the records of ``stones`` from the store (after a write), refresh their
    footprints and store new assessments. Raises ``RecordInvalid`` if a record breaks."""
    lock_stones(session, [stone.id for stone in stones if stone.id is not None])
    inputs: list[StoneInput] = []
    for stone in stones:
        assert stone.id is not None
        record = assemble_record(session, stone)
        inputs.append(StoneInput(stone.id, stone.public_id, stone.as_of, record))
        session.execute(delete(StoneFootprint).where(col(StoneFootprint.stone_id) == stone.id))
        keys = sorted(footprint(record))
        if keys:
            session.execute(
                insert(StoneFootprint),
                [{"stone_id": stone.id, "kind": k, "value": v[:128]} for k, v in keys],
            )
    return store_assessments(
        session,
        reference,
        inputs,
        attester=attester,
        reason=reason,
        custody_event_id=custody_event_id,
    )


def reassess_rows(
    session: Session,
    reference: Reference,
    stone_ids: Sequence[int],
    *,
    attester: Attester,
    reason: str,
    change_id: int | None,
) -> Stored:
    """Re-assess stored stones from their stored records (reference data changed, records
    did not): no chain is rebuilt. Locks the stones first (:func:`lock_stones`), then reads
    their stored records."""
    lock_stones(session, stone_ids)
    # sqlalchemy's select: sqlmodel's overloads stop at four columns.
    rows = session.execute(
        sa_select(
            col(StoneRow.id),
            col(StoneRow.public_id),
            col(StoneRow.as_of),
            col(AssessedRecord.digest),
            col(AssessedRecord.record_json),
        )
        .join(StoneAssessment, col(StoneAssessment.stone_id) == StoneRow.id)
        .join(AssessedRecord, col(AssessedRecord.digest) == StoneAssessment.record_digest)
        .where(col(StoneRow.id).in_(stone_ids))
    ).all()
    parsed: dict[str, ProvenanceRecord] = {}
    inputs: list[StoneInput] = []
    for stone_id, public_id, as_of, digest, record_json in rows:
        if digest not in parsed:
            # Checked when it was stored: parsed straight from its JSON, without re-checking
            # every string (the largest part of parsing a record).
            parsed[digest] = ProvenanceRecord.model_validate_json(
                record_json, context={STORED: True}
            )
        inputs.append(StoneInput(stone_id, public_id, as_of, parsed[digest]))
    return store_assessments(
        session, reference, inputs, attester=attester, reason=reason, change_id=change_id
    )


class InlineAssessment(Assessment):
    """An assessment of a record sent inline: computed, never stored, never signed."""

    stored: Literal[False] = False
    what_if: bool
    """True when the caller chose ``as_of``: a hypothetical answer for that date, not a verdict
    anyone may rely on as current."""
    note: str


def assess_inline(
    record: ProvenanceRecord, reference: Reference, as_of: dt.date | None
) -> InlineAssessment:
    """Both verdicts and the sanctions flag for a record sent inline, as of ``as_of`` (a
    what-if) or today (UTC); nothing is stored. A record whose references do not resolve raises
    :class:`~clearstone_api.domain.record_validation.RecordInvalid`."""
    parsed = parse_record(record.model_dump(mode="json"))
    on = as_of or dt.datetime.now(dt.UTC).date()
    assessment = assess(parsed, reference, on)
    count_assessments("inline", [(assessment.kp.result, assessment.csc.result)])
    what_if = as_of is not None
    note = (
        f"What-if: the assessment as it would have been made on {on.isoformat()}. "
        "Not stored, not signed; a stored stone is always assessed as of the day of assessment."
        if what_if
        else "Assessed as of today; not stored, not signed."
    )
    return InlineAssessment(**assessment.model_dump(), what_if=what_if, note=note)
