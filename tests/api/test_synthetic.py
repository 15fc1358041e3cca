"""``generate_synthetic``: the benchmark's bulk stones, on SQLite (executemany) and PostgreSQL
(COPY from several connections), with shared or distinct records."""

from __future__ import annotations

import datetime as dt
import json

from fastapi import FastAPI
from sqlalchemy import text

from bench.api.synthetic import (
    SYNTHETIC_LAB,
    count_synthetic,
    generate_synthetic,
    synthetic_number,
)
from clearstone_api.canonical import sha256_hex
from clearstone_api.container import container_of
from clearstone_api.db import Database
from clearstone_api.demo.scenarios import load_vectors
from clearstone_api.domain.assessment import assess, record_digest
from clearstone_api.domain.records import ProvenanceRecord
from clearstone_api.services.certificates import certificate_view
from tests.support.harness import ASGIClient

VECTORS = sum(1 for vector in load_vectors() if vector["record"]["stones"])
"""The published vectors whose subject is a stone: the synthetic generator's templates."""


def _stored(database: Database) -> list[tuple[int, str, str, bytes, str, str, dt.date]]:
    with database.engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT s.id, s.public_id, a.record_digest, a.public_json, a.etag, "
                "r.record_json, a.as_of FROM stones s "
                "JOIN stone_assessments a ON a.stone_id = s.id "
                "JOIN assessed_records r ON r.digest = a.record_digest "
                "WHERE s.tenant_id = 'synthetic' ORDER BY s.id"
            )
        ).all()
    return [
        (r[0], r[1], r[2], bytes(r[3]), r[4], r[5], dt.date.fromisoformat(str(r[6]))) for r in rows
    ]


def test_synthetic_stones_are_looked_up_like_real_ones(
    app: FastAPI, client: ASGIClient, database: Database
) -> None:
    first = generate_synthetic(database, container_of(app).references, 45, batch_size=10)
    assert count_synthetic(database) == 45
    assert generate_synthetic(database, container_of(app).references, 5) == first + 45  # appends

    stored = _stored(database)
    assert len(stored) == 50
    # One record per template, shared by the stones made from it.
    assert len({digest for _, _, digest, *_ in stored}) == min(VECTORS, 50)
    for stone_id, public_id, _, body, etag, _, _ in stored[:25]:
        assert etag == '"' + sha256_hex(body)[:40] + '"'
        response = client.get(f"/v1/certificates/{synthetic_number(stone_id)}")
        assert response.status_code == 200
        assert response.content == body
        assert response.json()["stone"]["id"] == public_id
        assert client.get(f"/v1/certificates/{public_id}").content == body
    with database.engine.connect() as connection:
        footprints = connection.execute(
            text("SELECT count(DISTINCT stone_id) FROM stone_footprints")
        ).scalar_one()
    assert footprints == 50


def test_distinct_records_each_carry_their_own_assessment(app: FastAPI, database: Database) -> None:
    generate_synthetic(
        database, container_of(app).references, 30, batch_size=7, distinct_records=True
    )
    stored = _stored(database)
    assert len({digest for _, _, digest, *_ in stored}) == 30
    reference = container_of(app).references.base
    for stone_id, public_id, digest, body, etag, record_json, as_of in stored[:VECTORS]:
        record = ProvenanceRecord.model_validate(json.loads(record_json))
        assert record_digest(record) == digest
        grading = record.subject.grading_report  # type: ignore[union-attr]
        assert grading is not None and grading.lab == SYNTHETIC_LAB
        assert grading.number == f"{stone_id:09d}"
        # What the generator stored is what the engine computes for that record.
        view = json.loads(body)
        fresh = certificate_view(
            public_id,
            view["stone"]["form"],
            assess(record, reference, as_of),
            dt.datetime.fromisoformat(view["assessed_at"]),
        )
        assert view == json.loads(fresh.model_dump_json())
        assert etag == '"' + sha256_hex(body)[:40] + '"'
