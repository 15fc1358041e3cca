"""Named test data: a small supplier chain (mine → export → cut) built through the API, and
reference-data rows an analyst submits."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.support.harness import ASGIClient

__all__ = ["export_event", "incident", "lot", "register_chain", "status_period", "stone"]

AS_OF = "2026-11-01"


def lot(lot_id: str = "L1", **changes: Any) -> dict[str, Any]:
    return {"id": lot_id, "carat": "10.50", **changes}


def stone(
    stone_id: str = "S1",
    *,
    number: str = "7770001",
    parents: list[str] | None = None,
    **changes: Any,
) -> dict[str, Any]:
    return {
        "id": stone_id,
        "origin": "natural",
        "carat": "1.01",
        "grading_report": {"lab": "GIA", "number": number},
        "parent_lot_ids": ["L1"] if parents is None else parents,
        **changes,
    }


def export_event(
    event_id: str = "E1", items: list[str] | None = None, *, date: dt.date = dt.date(2023, 3, 1)
) -> dict[str, Any]:
    return {
        "event": {
            "id": event_id,
            "type": "extraction",
            "date": date.isoformat(),
            "place": {"country": "BW", "admin1": "Southern", "site_id": "jwaneng"},
            "items": items or ["L1"],
            "to_party_id": "miner",
        },
        "parties": [
            {
                "id": "miner",
                "name": "Debswana Diamond Company",
                "type": "lsm_miner",
                "country": "BW",
            }
        ],
        "sites": [
            {
                "id": "jwaneng",
                "name": "Jwaneng mine",
                "country": "BW",
                "registry_id": "BW-JWANENG",
                "operator_party_id": "miner",
            }
        ],
    }


def register_chain(client: ASGIClient) -> dict[str, Any]:
    """A lot, a stone cut from it and one extraction event; returns the stone."""
    assert client.post("/v1/lots", json=lot()).status_code == 201
    created = client.post("/v1/stones", json=stone())
    assert created.status_code == 201, created.text
    assert client.post("/v1/custody/events", json=export_event()).status_code == 201
    body: dict[str, Any] = created.json()
    return body


def incident(**changes: Any) -> dict[str, Any]:
    """An adjudicated incident near Jwaneng (Botswana), where :func:`register_chain` mines."""
    return {
        "id": "INC-TEST-JWANENG",
        "title": "Forced evictions near Jwaneng (test)",
        "summary": "A test incident.",
        "date_start": "2022-01-01",
        "reported_on": "2022-06-01",
        "country": "BW",
        "admin1": "Southern",
        "admin2": "Jwaneng",
        "site_ids": ["BW-JWANENG"],
        "actors": ["private security"],
        "categories": ["C01"],
        "status": "adjudicated",
        "sources": [{"source_id": "S1", "title": "A report"}],
        "retrieved_at": "2026-11-01",
        "verification": "verified",
        **changes,
    }


def status_period(**changes: Any) -> dict[str, Any]:
    """Botswana suspended from 2030 (a test row)."""
    return {
        "id": "SP-TEST-BW",
        "participant_id": "BW",
        "status": "suspended",
        "valid_from": "2030-01-01",
        "basis": "test",
        "source_ids": ["S1"],
        "retrieved_at": "2026-11-01",
        "verification": "verified",
        **changes,
    }


def india_incident() -> dict[str, Any]:
    """An incident in India since 2000: every synthetic stone's chain passes through India."""
    return incident(
        id="INC-TEST-IN",
        country="IN",
        admin1=None,
        admin2=None,
        site_ids=[],
        date_start="2000-01-01",
    )
