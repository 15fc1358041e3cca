"""Unknown keys are errors: every request body and every object in it refuses a key it does not
define, with a 422 naming the key and the nearest valid one. A misspelt policy key used to be
ignored, and the defaults applied: a typo could let a red-flag stone through checkout."""

from __future__ import annotations

from typing import Any

import pytest

from clearstone_api.security.scopes import Role
from tests.api.conftest import Auth, Loader
from tests.api.factories import export_event, incident, lot
from tests.support.harness import ASGIClient

SCREEN = "/v1/checkout/screenings"


@pytest.fixture
def retailer(client: ASGIClient, auth: Auth) -> ASGIClient:
    client.headers.update(auth(Role.retailer, tenant="shop-1"))
    return client


def _unknown(response: Any, path: str, suggestion: str | None) -> str:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    (error,) = [e for e in response.json()["errors"] if e["path"] == path]
    assert error["type"] == "extra_forbidden"
    message: str = error["message"]
    assert repr(path.rsplit(".", 1)[1]) in message
    if suggestion is not None:
        assert f"did you mean {suggestion!r}" in message
    return message


def test_a_misspelt_policy_key_is_422_with_the_nearest_key(
    load: Loader, retailer: ASGIClient
) -> None:
    load("DEMO-ZW-MARANGE-2008")
    sent = {"items": ["DEMO-ZW-MARANGE-2008"], "policy": {"review_risk_score_form": 50}}
    response = retailer.post(SCREEN, json=sent)
    _unknown(response, "body.policy.review_risk_score_form", "review_risk_score_from")


def test_an_unknown_top_level_screening_key_is_422(retailer: ASGIClient) -> None:
    response = retailer.post(SCREEN, json={"items": ["X1"], "polcy": {}})
    _unknown(response, "body.polcy", "policy")


def test_a_key_unlike_any_lists_what_the_object_takes(retailer: ASGIClient) -> None:
    response = retailer.post(SCREEN, json={"items": ["X1"], "zzz": 1})
    message = _unknown(response, "body.zzz", None)
    assert "items" in message and "policy" in message


def test_the_response_echoes_the_effective_policy(load: Loader, retailer: ASGIClient) -> None:
    load("DEMO-ZW-MARANGE-2008")
    sent = {"items": ["DEMO-ZW-MARANGE-2008"], "policy": {"review_risk_score_from": 50}}
    response = retailer.post(SCREEN, json=sent)
    assert response.status_code == 200, response.text
    policy = response.json()["policy"]
    assert policy["review_risk_score_from"] == 50
    assert policy["block_csc"] == ["red_flag"]  # a default it left out, shown as applied
    assert policy["unknown"] == "review"


def test_a_result_both_blocked_and_reviewed_is_422(retailer: ASGIClient) -> None:
    sent = {"items": ["X1"], "policy": {"review_kp": ["fail"]}}  # block_kp defaults to [fail]
    response = retailer.post(SCREEN, json=sent)
    assert response.status_code == 422, response.text
    assert "block_kp" in response.text and "review_kp" in response.text


def test_an_unknown_key_in_an_inline_assessment_is_422(client: ASGIClient, auth: Auth) -> None:
    headers = auth(Role.retailer, tenant="shop-1")
    response = client.post(
        "/v1/assessments", json={"record": {}, "as_off": "2020-01-01"}, headers=headers
    )
    _unknown(response, "body.as_off", "as_of")


def test_an_unknown_key_in_a_custody_event_is_422(supplier: ASGIClient) -> None:
    assert supplier.post("/v1/lots", json=lot()).status_code == 201
    event = export_event()
    event["event"]["seal_intact"] = False
    response = supplier.post("/v1/custody/events", json=event)
    _unknown(response, "body.event.seal_intact", "seals_intact")
    extra = {**export_event(), "document": []}
    _unknown(supplier.post("/v1/custody/events", json=extra), "body.document", "documents")


def test_an_unknown_key_in_an_incident_change_is_422(client: ASGIClient, auth: Auth) -> None:
    analyst = auth(Role.analyst, tenant="clearstone", client_id="analyst-ana")
    change = {"incident": incident(sumary="typo"), "note": "new report"}
    response = client.post("/v1/reference/incidents", json=change, headers=analyst)
    _unknown(response, "body.incident.sumary", "summary")
    notes = {"incident": incident(), "notes": "typo"}
    _unknown(
        client.post("/v1/reference/incidents", json=notes, headers=analyst), "body.notes", "note"
    )
