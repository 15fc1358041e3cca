"""A large synthetic dataset for benchmarks: N stones with stored assessments.

Benchmark support, not part of the service: ``python -m bench.api generate --stones N`` loads
them into the database of ``CLEARSTONE_DATABASE_URL`` (``setup`` does it for the API
benchmark).

Each synthetic stone copies one demo vector's record and its assessment (the view differs only
in the Clearstone id), so the rows look like real ones in size and shape while loading needs one
engine call per vector, not per stone. With ``distinct_records`` every stone instead carries a
record of its own (the vector's, with a unique grading report on the subject stone): the honest
worst case for re-assessment, where no two stones share an assessment. The grading report does
not enter any verdict, so the stored assessment is the vector's with the subject and digest
replaced (``tests/api/test_synthetic.py`` checks that it equals a fresh ``assess()``).

PostgreSQL loads through COPY in text format, in batches that each commit: one thread builds
the batches while ``workers`` connections copy them in, so building rows in Python overlaps
with PostgreSQL's own work (index maintenance, foreign-key checks, TOAST compression).
SQLite loads through executemany.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import queue
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, func, insert, select, text
from sqlalchemy.sql.schema import Table
from sqlmodel import col

from clearstone_api.canonical import canonical_json
from clearstone_api.certificate_numbers import lookup_key
from clearstone_api.db import Database
from clearstone_api.domain.assessment import assess, record_digest
from clearstone_api.domain.record_validation import parse_record
from clearstone_api.domain.records import GradingReport, ProvenanceRecord, Stone
from clearstone_api.domain.verdicts import Assessment
from clearstone_api.models.assessment import AssessedRecord, StoneAssessment
from clearstone_api.models.columns import utcnow
from clearstone_api.models.stone import Stone as StoneRow
from clearstone_api.models.stone import StoneFootprint, StoneNumber
from clearstone_api.services.certificates import certificate_view
from clearstone_api.services.chains import footprint
from clearstone_api.services.demo import vectors_path
from clearstone_api.services.reference_store import ReferenceStore
from clearstone_api.settings import Settings

__all__ = ["SYNTHETIC_LAB", "TENANT", "count_synthetic", "generate_synthetic", "synthetic_number"]

TENANT = "synthetic"
SYNTHETIC_LAB = "SYN"
"""The grading lab named on the distinct records' grading reports."""
_PLACEHOLDER = "CS-PLACEHOLDER0"
_CREATED_BY = "generate-synthetic"

_STONES = (
    "id",
    "public_id",
    "tenant_id",
    "record_id",
    "origin",
    "data",
    "documents",
    "as_of",
    "created_at",
    "created_by",
)
_NUMBERS = ("key", "stone_id", "number", "kind")
_ASSESSMENTS = (
    "stone_id",
    "kp_result",
    "csc_result",
    "risk_score",
    "sanctions_result",
    "as_of",
    "policy_version",
    "reference_data_version",
    "record_digest",
    "public_json",
    "etag",
    "assessed_at",
)
_FOOTPRINTS = ("stone_id", "kind", "value")
_RECORDS = ("digest", "record_json")

# COPY text format: backslash, tab, newline and carriage return are escaped; NULL is \N.
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def synthetic_number(index: int) -> str:
    """The certificate number of synthetic stone ``index`` (``SYN-000000042``)."""
    return f"SYN-{index:09d}"


def _public_id(index: int) -> str:
    return f"CS-S{index:011d}"


def _table(model: Any) -> Table:
    table: Table = model.__table__
    return table


@dataclass(frozen=True)
class _Template:
    """One demo vector, assessed once."""

    record: ProvenanceRecord
    assessment: Assessment
    form: str
    footprint: list[tuple[str, str]]
    view_head: bytes
    """The stored view up to the placeholder Clearstone id..."""
    view_tail: bytes
    """...and after it."""
    head_hash: Any
    """SHA-256 state after ``view_head``, copied per stone."""
    fixed: tuple[object, ...]
    """``stone_assessments`` columns from ``kp_result`` to ``record_digest``."""


def _assessment_columns(assessment: Assessment) -> tuple[object, ...]:
    return (
        assessment.kp.result.value,
        assessment.csc.result.value,
        assessment.csc.risk_score,
        assessment.sanctions.result.value,
        assessment.as_of,
        assessment.policy_version,
        assessment.reference_data_version,
        assessment.record_digest,
    )


def _template(record: ProvenanceRecord, assessment: Assessment, now: dt.datetime) -> _Template:
    subject = record.subject
    form = subject.form if isinstance(subject, Stone) else "rough"
    view = certificate_view(_PLACEHOLDER, form, assessment, now).model_dump_json().encode()
    head, placeholder, tail = view.partition(_PLACEHOLDER.encode())
    assert placeholder and _PLACEHOLDER.encode() not in tail
    return _Template(
        record=record,
        assessment=assessment,
        form=form,
        footprint=sorted((k, v[:128]) for k, v in footprint(record)),
        view_head=head,
        view_tail=tail,
        head_hash=hashlib.sha256(head),
        fixed=_assessment_columns(assessment),
    )


@dataclass
class _Batch:
    """The rows of one batch, per table, as tuples in the column orders above."""

    records: list[tuple[object, ...]] = field(default_factory=list)
    stones: list[tuple[object, ...]] = field(default_factory=list)
    numbers: list[tuple[object, ...]] = field(default_factory=list)
    assessments: list[tuple[object, ...]] = field(default_factory=list)
    footprints: list[tuple[object, ...]] = field(default_factory=list)

    def tables(self) -> Iterator[tuple[Any, tuple[str, ...], list[tuple[object, ...]]]]:
        """Parents before children (foreign keys)."""
        yield AssessedRecord, _RECORDS, self.records
        yield StoneRow, _STONES, self.stones
        yield StoneNumber, _NUMBERS, self.numbers
        yield StoneAssessment, _ASSESSMENTS, self.assessments
        yield StoneFootprint, _FOOTPRINTS, self.footprints


def _distinct(
    template: _Template, index: int, public_id: str, now: dt.datetime
) -> tuple[tuple[object, ...], bytes, tuple[object, ...], dict[str, Any]]:
    """A record of its own for stone ``index``: (record row, view, assessment columns, data)."""
    subject = template.record.subject
    assert isinstance(subject, Stone)
    grading = GradingReport(lab=SYNTHETIC_LAB, number=f"{index:09d}")
    stone = subject.model_copy(update={"grading_report": grading})
    record = template.record.model_copy(
        update={"stones": [stone if s.id == subject.id else s for s in template.record.stones]}
    )
    digest = record_digest(record)
    assessment = template.assessment.model_copy(
        update={
            "subject": template.assessment.subject.model_copy(
                update={
                    "grading_lab": grading.lab,
                    "grading_report_number": grading.number,
                    "identity": grading.identity(),
                }
            ),
            "record_digest": digest,
        }
    )
    view = certificate_view(public_id, template.form, assessment, now).model_dump_json().encode()
    row = (digest, canonical_json(record.model_dump(mode="json")).decode())
    data = {"grading_report": grading.model_dump(mode="json", exclude_none=True)}
    return row, view, _assessment_columns(assessment), data


def _build(
    templates: Sequence[_Template],
    first: int,
    stop: int,
    now: dt.datetime,
    *,
    distinct_records: bool,
) -> _Batch:
    batch = _Batch()
    for index in range(first, stop):
        template = templates[index % len(templates)]
        public_id = _public_id(index)
        subject = template.assessment.subject
        data: dict[str, Any] = {"id": f"syn-{index}", "origin": subject.origin}
        data["carat"] = subject.carat
        if distinct_records:
            record_row, body, fixed, extra = _distinct(template, index, public_id, now)
            batch.records.append(record_row)
            data.update(extra)
            etag = '"' + hashlib.sha256(body).hexdigest()[:40] + '"'
        else:
            tail = public_id.encode() + template.view_tail
            body = template.view_head + tail
            digest = template.head_hash.copy()
            digest.update(tail)
            etag = '"' + digest.hexdigest()[:40] + '"'
            fixed = template.fixed
        batch.stones.append(
            (
                index,
                public_id,
                TENANT,
                f"syn-{index}",
                subject.origin,
                data,
                [],
                template.assessment.as_of,
                now,
                _CREATED_BY,
            )
        )
        number = synthetic_number(index)
        batch.numbers.append((lookup_key(number), index, number, "alias"))
        batch.numbers.append((lookup_key(public_id), index, public_id, "clearstone_id"))
        batch.assessments.append((index, *fixed, body, etag, now))
        batch.footprints.extend((index, kind, value) for kind, value in template.footprint)
    return batch


def _copy_field(value: object) -> str:
    if value is None:
        return "\\N"
    if type(value) is int:
        return str(value)
    if isinstance(value, bytes):
        return "\\\\x" + value.hex()
    if isinstance(value, dict | list):
        value = json.dumps(value, separators=(",", ":"))
    field = str(value)
    if "\\" in field or "\t" in field or "\n" in field or "\r" in field:
        return field.translate(_ESCAPES)
    return field


def _copy_text(rows: Sequence[tuple[object, ...]]) -> bytes:
    return "".join("\t".join([_copy_field(value) for value in row]) + "\n" for row in rows).encode()


def _write(connection: Connection, batch: _Batch) -> None:
    if connection.dialect.name != "postgresql":
        for model, columns, rows in batch.tables():
            if rows:
                connection.execute(
                    insert(_table(model)), [dict(zip(columns, r, strict=True)) for r in rows]
                )
        return
    # A lost batch on a crash is re-generated; a corrupted one cannot happen.
    connection.exec_driver_sql("SET LOCAL synchronous_commit = off")
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    for model, columns, rows in batch.tables():
        if rows:
            statement = f"COPY {_table(model).name} ({', '.join(columns)}) FROM STDIN"
            with cursor.copy(statement) as copy:
                copy.write(_copy_text(rows))


def _templates(store: ReferenceStore, database: Database, now: dt.datetime) -> list[_Template]:
    vectors = json.loads(vectors_path().read_text(encoding="utf-8"))
    with database.session() as session:
        reference = store.current(session)
    templates = []
    for vector in vectors:
        if not vector["record"]["stones"]:
            continue  # a rough parcel's vector: synthetic stones are polished stones
        record = parse_record(vector["record"])
        assessment = assess(record, reference, dt.date.fromisoformat(vector["as_of"]))
        templates.append(_template(record, assessment, now))
    return templates


def count_synthetic(database: Database) -> int:
    """How many synthetic stones the database holds."""
    with database.engine.connect() as connection:
        return int(
            connection.execute(
                select(func.count()).select_from(StoneRow).where(col(StoneRow.tenant_id) == TENANT)
            ).scalar_one()
        )


def generate_synthetic(
    database: Database,
    store: ReferenceStore,
    count: int,
    *,
    batch_size: int = 20_000,
    distinct_records: bool = False,
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Add ``count`` synthetic stones after any already there; returns the first new index.

    ``workers`` connections copy batches in at once on PostgreSQL (default 2); SQLite always
    writes from one.
    """
    now = utcnow()
    templates = _templates(store, database, now)
    with database.engine.begin() as connection:
        known = set(connection.execute(select(col(AssessedRecord.digest))).scalars())
        shared = _Batch()
        for template in templates:
            digest = template.assessment.record_digest
            if digest not in known:
                known.add(digest)
                json_text = canonical_json(template.record.model_dump(mode="json")).decode()
                shared.records.append((digest, json_text))
        _write(connection, shared)
        highest = connection.execute(select(func.max(col(StoneRow.id)))).scalar_one()
        start = (highest or 0) + 1
    postgres = database.dialect == "postgresql"
    threads = max(1, workers if workers is not None else 2) if postgres else 1
    pending: queue.Queue[_Batch | None] = queue.Queue(maxsize=threads)
    done: queue.Queue[int | BaseException] = queue.Queue()

    def writer() -> None:
        failed = False
        while (batch := pending.get()) is not None:
            if failed:
                continue  # keep draining, so that the producer never blocks on a full queue
            try:
                with database.engine.begin() as connection:
                    _write(connection, batch)
                done.put(len(batch.stones))
            except BaseException as error:  # handed to the producer, which stops and re-raises
                done.put(error)
                failed = True

    workers_ = [threading.Thread(target=writer, daemon=True) for _ in range(threads)]
    for thread in workers_:
        thread.start()
    written = 0
    failure: BaseException | None = None

    def collect(block: bool) -> None:
        nonlocal written, failure
        while True:
            try:
                item = done.get(block=block)
            except queue.Empty:
                return
            if isinstance(item, BaseException):
                failure = failure or item
            else:
                written += item
                if progress is not None:
                    progress(written)
            if block:
                return

    try:
        for offset in range(0, count, batch_size):
            stop = start + min(offset + batch_size, count)
            batch = _build(templates, start + offset, stop, now, distinct_records=distinct_records)
            collect(block=False)
            if failure is not None:
                break
            pending.put(batch)
    finally:
        for _ in workers_:
            pending.put(None)
        for thread in workers_:
            thread.join()
        collect(block=False)
    if failure is not None:
        raise failure
    if postgres:
        with database.engine.begin() as connection:
            connection.execute(
                text(
                    "SELECT setval(pg_get_serial_sequence('stones', 'id'), "
                    "(SELECT max(id) FROM stones))"
                )
            )
    return start


def generate_into_configured_database(stones: int, batch_size: int = 20_000) -> int:
    """``python -m bench.api generate``: ``stones`` synthetic stones into the database of the
    service's settings (the environment); the first new stone's id."""
    settings = Settings()
    database = Database.from_settings(settings)
    started = time.perf_counter()
    try:
        first = generate_synthetic(
            database,
            ReferenceStore(settings.reference_dir),
            stones,
            batch_size=batch_size,
            progress=lambda done: print(f"  {done:,} stones", flush=True),
        )
    finally:
        database.engine.dispose()
    print(f"generated {stones:,} synthetic stones in {time.perf_counter() - started:.1f}s")
    return first
