"""Analyst changes: versioned, audited, re-assessing every affected stone."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from sqlmodel import select

from clearstone_api.container import container_of
from clearstone_api.models.assessment import Reassessment
from clearstone_api.security.scopes import Role
from tests.api.conftest import Auth, Loader
from tests.api.factories import incident, status_period
from tests.support.harness import ASGIClient


@pytest.fixture
def analyst(auth: Auth) -> dict[str, str]:
    return auth(Role.analyst, tenant="clearstone", client_id="analyst-ana")


def test_new_incident_reassesses_affected_stones_with_before_and_after(
    app: FastAPI, load: Loader, client: ASGIClient, analyst: dict[str, str]
) -> None:
    load("DEMO-BW-2023")
    before = client.get("/v1/certificates/DEMO-BW-2023").json()
    response = client.post(
        "/v1/reference/incidents",
        json={"incident": incident(), "note": "new report"},
        headers=analyst,
    )
    assert response.status_code == 201, response.text
    assert response.headers["location"] == "/v1/reference/incidents/" + response.json()["id"]
    change_url = f"/v1/reference/changes/{response.json()['change_id']}"
    change = client.get(change_url, headers=analyst).json()
    assert change["actor"] == "analyst-ana"
    assert change["reassessment_state"] == "done"
    assert change["stones_reassessed"] == 1
    after = client.get("/v1/certificates/DEMO-BW-2023").json()
    assert after["reference_data_version"] == change["version"] != before["reference_data_version"]
    assert after["csc"]["result"] != before["csc"]["result"]
    with container_of(app).database.session() as session:
        log = session.exec(select(Reassessment).where(Reassessment.change_id == change["id"])).one()
    assert (log.before_csc, log.after_csc) == (before["csc"]["result"], after["csc"]["result"])


def test_incident_update_records_before_and_after(
    client: ASGIClient, analyst: dict[str, str]
) -> None:
    client.post(
        "/v1/reference/incidents", json={"incident": incident(), "note": "n"}, headers=analyst
    )
    updated = client.put(
        "/v1/reference/incidents/INC-TEST-JWANENG",
        json={"incident": incident(status="alleged"), "note": "downgraded"},
        headers=analyst,
    ).json()
    assert (updated["before"]["status"], updated["after"]["status"]) == ("adjudicated", "alleged")
    assert client.get("/v1/reference/incidents/INC-TEST-JWANENG").json()["status"] == "alleged"


def test_creating_an_existing_incident_is_409(client: ASGIClient, analyst: dict[str, str]) -> None:
    body = {"incident": incident(), "note": "n"}
    assert client.post("/v1/reference/incidents", json=body, headers=analyst).status_code == 201
    assert client.post("/v1/reference/incidents", json=body, headers=analyst).status_code == 409


def test_status_period_change_moves_participant_standing(
    client: ASGIClient, analyst: dict[str, str]
) -> None:
    period = status_period()
    response = client.post(
        "/v1/reference/status-periods", json={"status_period": period, "note": "n"}, headers=analyst
    )
    assert response.status_code == 201, response.text
    page = client.get(
        "/v1/reference/participants", params={"on": "2030-02-01", "limit": 100}
    ).json()
    assert next(p for p in page["data"] if p["id"] == "BW")["in_good_standing"] is False
