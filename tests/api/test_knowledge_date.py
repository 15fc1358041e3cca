"""The knowledge date is the service's: a supplier cannot choose the date its public verdict
speaks for (finding 1 of the security review)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import text

from clearstone_api.db import Database
from clearstone_api.security.scopes import Role
from clearstone_api.services.demo import vectors_path
from tests.api.conftest import Auth
from tests.support.harness import ASGIClient

MARANGE_THEN = "VEC-ZW-MARANGE-2008-THEN"
"""The Marange 2008 chain that is ``no_known_red_flags`` as known in February 2009."""


def _vector(certificate: str) -> dict[str, Any]:
    vectors: list[dict[str, Any]] = json.loads(vectors_path().read_text("utf-8"))
    return next(v for v in vectors if v["certificate"] == certificate)


def submit_record(client: ASGIClient, certificate: str, **stone_extra: Any) -> Any:
    """Submit a published vector's record through the supplier API as a supplier would: lots,
    the stone (with ``stone_extra`` in its body), then each custody event in date order."""
    record = _vector(certificate)["record"]
    for lot in record["lots"]:
        assert client.post("/v1/lots", json=lot).status_code == 201
    (stone,) = record["stones"]
    created = client.post("/v1/stones", json={**stone, "aliases": [certificate], **stone_extra})
    if created.status_code != 201:
        return created
    named = {d for e in record["events"] for d in e.get("document_ids", [])}
    for index, event in enumerate(sorted(record["events"], key=lambda e: e["date"])):
        wanted = set(event.get("document_ids", []))
        body = {
            "event": event,
            "documents": [
                d
                for d in record["documents"]
                if d["id"] in wanted or (index == 0 and d["id"] not in named)
            ],
            "parties": record["parties"] if index == 0 else [],
            "sites": record["sites"] if index == 0 else [],
        }
        response = client.post("/v1/custody/events", json=body)
        assert response.status_code == 201, response.text
    return created


def test_a_supplier_cannot_pin_the_date_of_its_verdict(supplier: ASGIClient) -> None:
    response = submit_record(supplier, MARANGE_THEN, as_of="2009-02-01")
    assert response.status_code == 422
    problem = response.json()
    assert response.headers["content-type"] == "application/problem+json"
    assert [e["path"] for e in problem["errors"]] == ["body.as_of"]
    assert supplier.get("/v1/stones").json()["data"] == []  # nothing half-written


def test_a_stored_verdict_speaks_for_the_day_it_was_assessed(
    supplier: ASGIClient, client: ASGIClient, auth: Auth
) -> None:
    assert submit_record(supplier, MARANGE_THEN).status_code == 201
    view = client.get(f"/v1/certificates/{MARANGE_THEN}").json()
    assert view["as_of"] == view["assessed_at"][:10]
    assert view["as_of"] >= dt.datetime.now(dt.UTC).date().isoformat()
    assert view["csc"]["result"] == "red_flag"
    assert view["csc"]["risk_score"] == 100
    screen = client.post(
        "/v1/checkout/screenings",
        json={"items": [MARANGE_THEN]},
        headers=auth(Role.retailer, tenant="shop-1"),
    ).json()
    assert screen["decision"] == "block"


def test_the_loader_pins_demo_dates_and_reassessment_keeps_them(
    load: Any, client: ASGIClient
) -> None:
    load(MARANGE_THEN)
    view = client.get(f"/v1/certificates/{MARANGE_THEN}").json()
    assert view["as_of"] == "2009-02-01"
    assert view["csc"]["result"] == "no_known_red_flags"


def test_what_if_dates_are_labelled_and_bounded(client: ASGIClient, auth: Auth) -> None:
    headers = auth(Role.retailer, tenant="shop-1")
    record = _vector(MARANGE_THEN)["record"]
    then = client.post(
        "/v1/assessments", json={"record": record, "as_of": "2009-02-01"}, headers=headers
    )
    assert then.status_code == 200
    body = then.json()
    assert (body["what_if"], body["stored"], body["as_of"]) == (True, False, "2009-02-01")
    assert "What-if" in body["note"]
    today = client.post("/v1/assessments", json={"record": record}, headers=headers).json()
    assert today["what_if"] is False
    tomorrow = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=2)
    for bad in ("0001-01-01", "1899-12-31", tomorrow.isoformat(), "9999-12-31"):
        refused = client.post(
            "/v1/assessments", json={"record": record, "as_of": bad}, headers=headers
        )
        assert refused.status_code == 422, bad
        assert [e["path"] for e in refused.json()["errors"]] == ["body.as_of"]


def test_a_policy_can_require_a_recent_assessment(
    supplier: ASGIClient, client: ASGIClient, auth: Auth, database: Database
) -> None:
    assert submit_record(supplier, MARANGE_THEN).status_code == 201
    retailer = auth(Role.retailer, tenant="shop-1")
    policy = {"block_csc": [], "review_csc": [], "max_assessment_age_days": 30}
    fresh = client.post(
        "/v1/checkout/screenings",
        json={"items": [MARANGE_THEN], "policy": policy},
        headers=retailer,
    ).json()
    assert fresh["decision"] == "allow"
    old = dt.datetime.now(dt.UTC) - dt.timedelta(days=45)
    with database.engine.begin() as connection:
        connection.execute(text("UPDATE stone_assessments SET assessed_at = :t"), {"t": old})
    stale = client.post(
        "/v1/checkout/screenings",
        json={"items": [MARANGE_THEN], "policy": {**policy, "stale_assessment": "block"}},
        headers=retailer,
    ).json()
    assert stale["decision"] == "block"
    assert "45 days ago" in " ".join(stale["items"][0]["reasons"])
