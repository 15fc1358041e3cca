"""Analyst changes: versioned, audited, re-assessing every affected stone."""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI
from sqlmodel import select

from clearstone_api.models.assessment import Reassessment
from clearstone_api.services.demo import load_vector, vectors_path
from clearstone_api.testing import ASGIClient

ANALYST = {"X-Clearstone-Client": "analyst-ana"}


def _load(app: FastAPI, certificate: str) -> None:
    for vector in json.loads(vectors_path().read_text(encoding="utf-8")):
        if vector["certificate"] == certificate:
            load_vector(app.state.database, app.state.references, vector)


def _incident(**changes: Any) -> dict[str, Any]:
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


def test_new_incident_reassesses_affected_stones_with_before_and_after(
    app: FastAPI, client: ASGIClient
) -> None:
    _load(app, "DEMO-BW-2023")
    before = client.get("/v1/certificates/DEMO-BW-2023").json()
    response = client.post(
        "/v1/reference/incidents",
        json={"incident": _incident(), "note": "new report"},
        headers=ANALYST,
    )
    assert response.status_code == 201, response.text
    change = client.get(f"/v1/reference/changes/{response.json()['id']}").json()
    assert change["actor"] == "analyst-ana"
    assert change["reassessment_state"] == "done"
    assert change["stones_reassessed"] == 1
    after = client.get("/v1/certificates/DEMO-BW-2023").json()
    assert after["reference_data_version"] == change["version"] != before["reference_data_version"]
    assert after["csc"]["result"] != before["csc"]["result"]
    with app.state.database.session() as session:
        log = session.exec(select(Reassessment).where(Reassessment.change_id == change["id"])).one()
    assert (log.before_csc, log.after_csc) == (before["csc"]["result"], after["csc"]["result"])


def test_incident_update_records_before_and_after(client: ASGIClient) -> None:
    client.post(
        "/v1/reference/incidents", json={"incident": _incident(), "note": "n"}, headers=ANALYST
    )
    updated = client.put(
        "/v1/reference/incidents/INC-TEST-JWANENG",
        json={"incident": _incident(status="alleged"), "note": "downgraded"},
        headers=ANALYST,
    ).json()
    assert (updated["before"]["status"], updated["after"]["status"]) == ("adjudicated", "alleged")
    assert client.get("/v1/reference/incidents/INC-TEST-JWANENG").json()["status"] == "alleged"


def test_creating_an_existing_incident_is_409(client: ASGIClient) -> None:
    body = {"incident": _incident(), "note": "n"}
    assert client.post("/v1/reference/incidents", json=body, headers=ANALYST).status_code == 201
    assert client.post("/v1/reference/incidents", json=body, headers=ANALYST).status_code == 409


def test_status_period_change_moves_participant_standing(client: ASGIClient) -> None:
    period = {
        "id": "SP-TEST-BW",
        "participant_id": "BW",
        "status": "suspended",
        "valid_from": "2030-01-01",
        "basis": "test",
        "source_ids": ["S1"],
        "retrieved_at": "2026-11-01",
        "verification": "verified",
    }
    response = client.post(
        "/v1/reference/status-periods", json={"status_period": period, "note": "n"}, headers=ANALYST
    )
    assert response.status_code == 201, response.text
    page = client.get(
        "/v1/reference/participants", params={"on": "2030-02-01", "limit": 100}
    ).json()
    assert next(p for p in page["data"] if p["id"] == "BW")["in_good_standing"] is False
