"""The change feed: an event per change that matters, only to those entitled to it."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from fastapi import FastAPI

from clearstone_api.container import container_of
from clearstone_api.security.scopes import Role
from clearstone_api.services.demo import vectors_path
from tests.api.conftest import Auth, Loader
from tests.api.factories import incident
from tests.support.harness import ASGIClient

CERTIFICATE = "DEMO-BW-2023"


def _demo_tenant(certificate: str) -> str:
    vectors = json.loads(vectors_path().read_text(encoding="utf-8"))
    return "demo-" + next(v for v in vectors if v["certificate"] == certificate)["name"]


def _feed(client: ASGIClient, headers: dict[str, str], **params: Any) -> list[dict[str, Any]]:
    response = client.get("/v1/events", params={"limit": 100, **params}, headers=headers)
    assert response.status_code == 200, response.text
    data: list[dict[str, Any]] = response.json()["data"]
    return data


def _types(events: list[dict[str, Any]]) -> list[str]:
    return [e["type"] for e in events]


@pytest.fixture
def analyst(auth: Auth) -> dict[str, str]:
    return auth(Role.analyst, tenant="clearstone", client_id="analyst-ana")


def _watch_by_screening(client: ASGIClient, headers: dict[str, str]) -> str:
    screened = client.post(
        "/v1/checkout/screenings", json={"items": [CERTIFICATE], "watch": True}, headers=headers
    )
    assert screened.status_code == 200, screened.text
    stone_id: str = screened.json()["items"][0]["stone_id"]
    return stone_id


def test_an_incident_reaches_the_supplier_and_the_watching_retailer_only(
    load: Loader, client: ASGIClient, auth: Auth, analyst: dict[str, str]
) -> None:
    load(CERTIFICATE)
    supplier = auth(Role.supplier, tenant=_demo_tenant(CERTIFICATE))
    loaded = len(_feed(client, supplier))  # the loader's own custody events may move it
    watcher = auth(Role.retailer, tenant="bright-jewels")
    bystander = auth(Role.retailer, tenant="other-shop")
    stone_id = _watch_by_screening(client, watcher)
    before = client.get(f"/v1/certificates/{CERTIFICATE}").json()
    change = client.post(
        "/v1/reference/incidents", json={"incident": incident(), "note": "n"}, headers=analyst
    )
    assert change.status_code == 201, change.text
    after = client.get(f"/v1/certificates/{CERTIFICATE}").json()
    assert after["csc"]["result"] != before["csc"]["result"]

    # The watcher sees what happened since it watched, nothing from before.
    assert _types(_feed(client, watcher)) == ["stone.assessment.changed", "attestation.superseded"]
    for headers in (supplier, watcher):
        changed = [
            e
            for e in _feed(client, headers, type="stone.assessment.changed")
            if e["data"]["cause"]["reason"] == "reference_change"
        ]
        assert len(changed) == 1
        event = changed[0]
        assert event["id"].startswith("evt_")
        assert event["subject"] == stone_id
        data = event["data"]
        assert data["before"]["csc_result"] == before["csc"]["result"]
        assert data["after"]["csc_result"] == after["csc"]["result"]
        assert data["after"]["risk_score"] == after["csc"]["risk_score"]
        assert data["after"]["csc_summary"] == after["csc"]["summary"]
        assert data["before"]["csc_summary"] == before["csc"]["summary"]
        assert data["cause"]["reason"] == "reference_change"
        assert data["cause"]["reference_change_id"] == change.json()["change_id"]
        assert data["cause"]["reference_data_version"] == after["reference_data_version"]
        assert "attestation.superseded" in _types(_feed(client, headers))
        assert client.get(f"/v1/events/{event['id']}", headers=headers).json() == event
    assert _feed(client, bystander) == []
    analyst_types = _types(_feed(client, analyst))
    assert analyst_types == ["reference.change.applied", "reassessment.finished"]
    finished = _feed(client, analyst, type="reassessment.finished")[0]["data"]
    assert (finished["stones_reassessed"], finished["stones_changed"]) == (1, 1)
    changed_id = _feed(client, supplier, type="stone.assessment.changed")[-1]["id"]
    assert len(_feed(client, supplier)) > loaded
    for outsider in (bystander, analyst):
        missing = client.get(f"/v1/events/{changed_id}", headers=outsider)
        assert missing.status_code == 404
        ghost = client.get("/v1/events/evt_" + "0" * 24, headers=outsider)
        assert missing.json()["detail"].replace(changed_id, "?") == ghost.json()["detail"].replace(
            "evt_" + "0" * 24, "?"
        )


def test_a_change_that_moves_no_verdict_emits_no_stone_event(
    load: Loader, client: ASGIClient, auth: Auth, analyst: dict[str, str]
) -> None:
    load(CERTIFICATE)
    supplier = auth(Role.supplier, tenant=_demo_tenant(CERTIFICATE))
    loaded = _feed(client, supplier, type="stone.assessment.changed")
    far_away = incident(
        id="INC-TEST-FAR", country="CA", admin1="Ontario", admin2="Toronto", site_ids=[]
    )
    created = client.post(
        "/v1/reference/incidents", json={"incident": far_away, "note": "n"}, headers=analyst
    )
    assert created.status_code == 201, created.text
    assert _feed(client, supplier, type="stone.assessment.changed") == loaded
    assert "reference.change.applied" in _types(_feed(client, analyst))


def test_the_feed_pages_without_skips_and_filters_by_type_and_time(
    load: Loader, client: ASGIClient, analyst: dict[str, str]
) -> None:
    load(CERTIFICATE)
    for n in range(3):
        body = {"incident": incident(id=f"INC-TEST-{n}"), "note": "n"}
        assert client.post("/v1/reference/incidents", json=body, headers=analyst).status_code == 201
    everything = _feed(client, analyst)
    assert len(everything) == 6  # applied + finished per change
    walked: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 4}
        if cursor:
            params["after"] = cursor
        page = client.get("/v1/events", params=params, headers=analyst).json()
        walked += [e["id"] for e in page["data"]]
        cursor = page["next_cursor"]
        if not page["has_more"]:
            assert cursor is None
            break
    assert walked == [e["id"] for e in everything]
    applied = _feed(client, analyst, type="reference.change.applied")
    assert len(applied) == 3
    both = _feed(client, analyst, type=["reference.change.applied", "reassessment.finished"])
    assert len(both) == 6
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)
    assert _feed(client, analyst, since=later.isoformat()) == []
    assert len(_feed(client, analyst, until=later.isoformat())) == 6
    earlier = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    assert _feed(client, analyst, until=earlier.isoformat()) == []


def test_an_unknown_event_type_is_422_naming_the_parameter(
    client: ASGIClient, analyst: dict[str, str]
) -> None:
    response = client.get("/v1/events", params={"type": "stone.exploded"}, headers=analyst)
    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == "query.type"
    for name in ("since", "until"):
        for bad in ("0.5", "2026-12-01", "yesterday"):
            response = client.get("/v1/events", params={name: bad}, headers=analyst)
            assert response.status_code == 422, (name, bad)
            assert response.json()["errors"][0]["path"] == f"query.{name}"


def test_a_settled_dispute_reaches_both_claimants_the_lab_and_analysts(
    app: FastAPI, client: ASGIClient, auth: Auth, analyst: dict[str, str]
) -> None:
    from tests.api.factories import lot, stone

    first, second = auth(Role.supplier, tenant="first"), auth(Role.supplier, tenant="second")
    for headers in (first, second):
        assert client.post("/v1/lots", json=lot(), headers=headers).status_code == 201
        created = client.post("/v1/stones", json=stone(number="2141438167"), headers=headers)
        assert created.status_code == 201, created.text
    lab = auth(Role.lab, tenant="GIA")
    for headers in (first, second, lab, analyst):
        opened = _feed(client, headers, type="certificate_number.dispute.opened")
        assert len(opened) == 1, headers
        assert opened[0]["data"]["number"] == "GIA-2141438167"
        assert "first" not in json.dumps(opened[0]["data"])
    claims = client.get("/v1/lab/claims", headers=lab).json()["data"]
    decided = client.post(
        f"/v1/lab/claims/{claims[0]['id']}/decisions", json={"decision": "confirm"}, headers=lab
    )
    assert decided.status_code == 200, decided.text
    for headers in (first, second, lab, analyst):
        settled = _feed(client, headers, type="certificate_number.dispute.settled")
        assert [c["status"] for c in settled[0]["data"]["claims"]] == ["confirmed", "rejected"]
    assert container_of(app) is not None
