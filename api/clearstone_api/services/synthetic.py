"""A large synthetic dataset for benchmarks: N stones with stored assessments.

Each synthetic stone copies one demo vector's record and its assessment (the view differs only
in the Clearstone id), so the rows look like real ones in size and shape while loading needs one
engine call per vector, not per stone. PostgreSQL loads through COPY, SQLite through
executemany, in batches that each commit.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection, func, insert, select, text
from sqlalchemy.sql.schema import Table
from sqlmodel import col

from clearstone_api.canonical import canonical_json, sha256_hex
from clearstone_api.certificate_numbers import lookup_key
from clearstone_api.db import Database
from clearstone_api.domain.assessment import assess
from clearstone_api.domain.records import parse_record
from clearstone_api.models.assessment import AssessedRecord, StoneAssessment
from clearstone_api.models.columns import utcnow
from clearstone_api.models.stone import Stone, StoneFootprint, StoneNumber
from clearstone_api.services.certificates import certificate_view
from clearstone_api.services.chains import footprint
from clearstone_api.services.demo import vectors_path
from clearstone_api.services.reference_store import ReferenceStore

__all__ = ["generate_synthetic", "synthetic_number"]

TENANT = "synthetic"
_PLACEHOLDER = "CS-PLACEHOLDER0"


def synthetic_number(index: int) -> str:
    """The certificate number of synthetic stone ``index`` (``SYN-000000042``)."""
    return f"SYN-{index:09d}"


def _public_id(index: int) -> str:
    return f"CS-S{index:011d}"


def _table(model: Any) -> Table:
    table: Table = model.__table__
    return table


def _bulk(connection: Connection, model: Any, rows: Sequence[dict[str, Any]]) -> None:
    if not rows:
        return
    table = _table(model)
    if connection.dialect.name != "postgresql":
        connection.execute(insert(table), list(rows))
        return
    columns = list(rows[0])
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(
                [json.dumps(v) if isinstance(v, dict | list) else v for v in row.values()]
            )


def generate_synthetic(
    database: Database,
    store: ReferenceStore,
    count: int,
    *,
    batch_size: int = 20_000,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Add ``count`` synthetic stones after any already there; returns the first new index."""
    vectors = json.loads(vectors_path().read_text(encoding="utf-8"))
    with database.session() as session:
        reference = store.current(session)
    templates = []
    now = utcnow()
    for vector in vectors:
        record = parse_record(vector["record"])
        assessment = assess(record, reference, dt.date.fromisoformat(vector["as_of"]))
        view = certificate_view(_PLACEHOLDER, "polished", assessment, now).model_dump_json()
        templates.append((record, assessment, view, sorted(footprint(record))))
    with database.engine.begin() as connection:
        known = set(connection.execute(select(col(AssessedRecord.digest))).scalars())
        fresh = {}
        for record, assessment, _, _ in templates:
            if assessment.record_digest not in known:
                fresh[assessment.record_digest] = canonical_json(
                    record.model_dump(mode="json")
                ).decode()
        _bulk(
            connection, AssessedRecord, [{"digest": d, "record_json": j} for d, j in fresh.items()]
        )
        highest = connection.execute(select(func.max(col(Stone.id)))).scalar_one()
        start = (highest or 0) + 1
    for offset in range(0, count, batch_size):
        stones: list[dict[str, Any]] = []
        numbers: list[dict[str, Any]] = []
        assessments: list[dict[str, Any]] = []
        footprints: list[dict[str, Any]] = []
        for index in range(start + offset, start + min(offset + batch_size, count)):
            record, assessment, view, keys = templates[index % len(templates)]
            public_id = _public_id(index)
            body = view.replace(_PLACEHOLDER, public_id).encode()
            stones.append(
                {
                    "id": index,
                    "public_id": public_id,
                    "tenant_id": TENANT,
                    "record_id": f"syn-{index}",
                    "origin": assessment.subject.origin,
                    "data": {
                        "id": f"syn-{index}",
                        "origin": assessment.subject.origin,
                        "carat": assessment.subject.carat,
                    },
                    "documents": [],
                    "as_of": assessment.as_of,
                    "created_at": now,
                    "created_by": "generate-synthetic",
                }
            )
            number = synthetic_number(index)
            numbers.append(
                {"key": lookup_key(number), "stone_id": index, "number": number, "kind": "alias"}
            )
            numbers.append(
                {
                    "key": lookup_key(public_id),
                    "stone_id": index,
                    "number": public_id,
                    "kind": "clearstone_id",
                }
            )
            assessments.append(
                {
                    "stone_id": index,
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
                    "assessed_at": now,
                }
            )
            footprints.extend({"stone_id": index, "kind": k, "value": v[:128]} for k, v in keys)
        with database.engine.begin() as connection:
            _bulk(connection, Stone, stones)
            _bulk(connection, StoneNumber, numbers)
            _bulk(connection, StoneAssessment, assessments)
            _bulk(connection, StoneFootprint, footprints)
        if progress is not None:
            progress(min(offset + batch_size, count))
    if database.dialect == "postgresql":
        with database.engine.begin() as connection:
            connection.execute(
                text(
                    "SELECT setval(pg_get_serial_sequence('stones', 'id'), "
                    "(SELECT max(id) FROM stones))"
                )
            )
    return start
