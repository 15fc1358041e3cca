"""Text and dates that must never be stored (``domain/text.py``): control characters, NUL
(which PostgreSQL cannot store: a 500 before), bidirectional overrides, dates outside any
diamond chain, and links a browser would run. Each is a 422 naming the field, nothing written."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from clearstone_api.security.scopes import Role
from tests.api.conftest import Auth
from tests.api.factories import export_event, incident, lot, stone
from tests.support.harness import ASGIClient


def _refused(response: Any, path: str) -> None:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    paths = [error["path"] for error in response.json()["errors"]]
    assert path in paths, paths


@pytest.mark.parametrize("bad", ["GIA\x00", "G\u202eAIG", "GI\x07A", "GIA\u2066x"])
def test_a_refused_character_in_a_grading_lab_is_422(supplier: ASGIClient, bad: str) -> None:
    assert supplier.post("/v1/lots", json=lot()).status_code == 201
    sent = stone(grading_report={"lab": bad, "number": "7770001"})
    _refused(supplier.post("/v1/stones", json=sent), "body.grading_report.lab")
    assert supplier.get("/v1/stones").json()["data"] == []


def test_nul_in_a_report_number_is_422(supplier: ASGIClient) -> None:
    assert supplier.post("/v1/lots", json=lot()).status_code == 201
    sent = stone(grading_report={"lab": "GIA", "number": "777\x000001"})
    _refused(supplier.post("/v1/stones", json=sent), "body.grading_report.number")


@pytest.mark.parametrize("name", ["Acme\x00 Mining", "Ac\u202eemca", "Acme\nMining"])
def test_a_party_name_that_would_reach_the_page_refuses_controls(
    supplier: ASGIClient, name: str
) -> None:
    assert supplier.post("/v1/lots", json=lot()).status_code == 201
    event = export_event()
    event["parties"][0]["name"] = name
    _refused(supplier.post("/v1/custody/events", json=event), "body.parties.0.name")


def test_free_text_keeps_its_line_breaks(supplier: ASGIClient) -> None:
    assert supplier.post("/v1/lots", json=lot()).status_code == 201
    sent = stone(description="Round brilliant.\nLaser inscription on the girdle.\tSee report.")
    created = supplier.post("/v1/stones", json=sent)
    assert created.status_code == 201, created.text
    bidi = stone("S2", number="7770002", description="Round \u202ebrilliant")
    _refused(supplier.post("/v1/stones", json=bidi), "body.description")


@pytest.mark.parametrize("date", [dt.date(9999, 12, 31), dt.date(1, 1, 1), dt.date(2100, 1, 1)])
def test_an_event_date_outside_any_diamond_chain_is_422(
    supplier: ASGIClient, date: dt.date
) -> None:
    assert supplier.post("/v1/lots", json=lot()).status_code == 201
    _refused(supplier.post("/v1/custody/events", json=export_event(date=date)), "body.event.date")


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(document.domain)",
        "JAVASCRIPT:alert(1)",
        "data:text/html,x",
        "http://x.org",
    ],
)
def test_an_analysts_source_link_must_be_https(client: ASGIClient, auth: Auth, url: str) -> None:
    analyst = auth(Role.analyst, tenant="clearstone", client_id="analyst-ana")
    change = {
        "incident": incident(sources=[{"source_id": "S1", "title": "A report", "url": url}]),
        "note": "new report",
    }
    response = client.post("/v1/reference/incidents", json=change, headers=analyst)
    assert response.status_code == 422, response.text
    assert "https" in response.text
    assert client.get("/v1/reference/incidents/INC-TEST-JWANENG").status_code == 404
    good = {
        **change,
        "incident": incident(sources=[{"source_id": "S1", "title": "A", "url": "https://x.org"}]),
    }
    assert client.post("/v1/reference/incidents", json=good, headers=analyst).status_code == 201
