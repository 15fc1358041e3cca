"""The append-only custody log and its hash-chain verification."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import text

from clearstone_api.db import Database
from tests.api.factories import export_event, register_chain
from tests.support.harness import ASGIClient


def _verify(client: ASGIClient, stone_id: str) -> dict[str, object]:
    response = client.get(f"/v1/stones/{stone_id}/custody/verification")
    assert response.status_code == 200
    body: dict[str, object] = response.json()
    return body


def test_appended_events_chain_and_verify(supplier: ASGIClient) -> None:
    stone = register_chain(supplier)
    second = supplier.post("/v1/custody/events", json=export_event("E2", date=dt.date(2023, 4, 1)))
    assert second.status_code == 201
    link = second.json()["links"][0]
    assert link == {**link, "item": "lot:L1", "seq": 2}
    report = _verify(supplier, stone["id"])
    assert report["valid"] is True
    assert report["events_checked"] == 2


def test_event_reassesses_the_stones_it_touches(supplier: ASGIClient) -> None:
    stone = register_chain(supplier)
    response = supplier.post("/v1/custody/events", json=export_event("E2"))
    assert response.json()["reassessed_stones"] == [stone["id"]]


def test_tampered_event_payload_is_detected(supplier: ASGIClient, database: Database) -> None:
    stone = register_chain(supplier)
    supplier.post("/v1/custody/events", json=export_event("E2", date=dt.date(2023, 4, 1)))
    with database.engine.begin() as connection:
        row = connection.execute(
            text("SELECT id, payload FROM custody_events WHERE record_id = 'E1'")
        ).one()
        tampered = str(
            row.payload if isinstance(row.payload, str) else __import__("json").dumps(row.payload)
        )
        tampered = tampered.replace("BW", "ZW")
        connection.execute(
            text("UPDATE custody_events SET payload = :p WHERE id = :i"),
            {"p": tampered, "i": row.id},
        )
    report = _verify(supplier, stone["id"])
    assert report["valid"] is False
    problems = report["problems"]
    assert isinstance(problems, list)
    assert {"item": "lot:L1", "seq": 1, "problem": "content_hash_mismatch"}.items() <= problems[
        0
    ].items()


def test_rewritten_hash_breaks_the_next_link(supplier: ASGIClient, database: Database) -> None:
    stone = register_chain(supplier)
    supplier.post("/v1/custody/events", json=export_event("E2", date=dt.date(2023, 4, 1)))
    with database.engine.begin() as connection:
        connection.execute(
            text("UPDATE custody_links SET hash = :h WHERE seq = 1"), {"h": "f" * 64}
        )
    report = _verify(supplier, stone["id"])
    kinds = {p["problem"] for p in report["problems"]}  # type: ignore[attr-defined]
    assert {"stored_hash_mismatch", "broken_link"} <= kinds


def test_deleted_link_is_a_sequence_gap(supplier: ASGIClient, database: Database) -> None:
    stone = register_chain(supplier)
    supplier.post("/v1/custody/events", json=export_event("E2", date=dt.date(2023, 4, 1)))
    with database.engine.begin() as connection:
        connection.execute(text("DELETE FROM custody_links WHERE seq = 1"))
    kinds = {p["problem"] for p in _verify(supplier, stone["id"])["problems"]}  # type: ignore[attr-defined]
    assert "sequence_gap" in kinds


def test_event_naming_unknown_items_is_422_and_writes_nothing(supplier: ASGIClient) -> None:
    stone = register_chain(supplier)
    response = supplier.post("/v1/custody/events", json=export_event("E9", items=["L1", "ghost"]))
    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == "body.event.items.1"
    assert _verify(supplier, stone["id"])["events_checked"] == 1


def test_resubmitting_a_party_with_other_content_is_409(supplier: ASGIClient) -> None:
    register_chain(supplier)
    event = export_event("E2")
    event["parties"][0]["name"] = "Someone else"
    assert supplier.post("/v1/custody/events", json=event).status_code == 409


def test_event_id_is_append_only(supplier: ASGIClient) -> None:
    register_chain(supplier)
    assert supplier.post("/v1/custody/events", json=export_event("E1")).status_code == 409
