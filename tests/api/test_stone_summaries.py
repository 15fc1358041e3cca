"""``GET /v1/stones/{id}/summary``: the retailer tier, for any stone, without prices or names."""

from __future__ import annotations

from fastapi import FastAPI

from clearstone_api.security.scopes import Role
from tests.api.conftest import Loader
from tests.support.harness import ASGIClient, bearer


def _stone_id(client: ASGIClient, number: str) -> str:
    stone_id: str = client.get(f"/v1/certificates/{number}").json()["stone"]["id"]
    return stone_id


def test_a_retailer_reads_the_custody_summary_of_any_stone(
    app: FastAPI, load: Loader, client: ASGIClient
) -> None:
    load("DEMO-BW-2023")
    stone_id = _stone_id(client, "DEMO-BW-2023")
    response = client.get(
        f"/v1/stones/{stone_id}/summary", headers=bearer(app, Role.retailer, tenant="shop-1")
    )
    assert response.status_code == 200, response.text
    summary = response.json()
    assert summary["stone"]["id"] == stone_id
    assert (summary["kp_result"], summary["csc_result"]) == ("pass", "no_known_red_flags")
    steps = summary["custody"]
    assert steps and steps == sorted(steps, key=lambda step: step["date"])
    assert steps[0]["type"] == "extraction"
    assert steps[0]["country"] == "BW"
    assert any(doc["type"] == "kp_certificate" for step in steps for doc in step["documents"])
    assert all(
        set(party) == {"type", "country"}
        for step in steps
        for party in (step["from_party"], step["to_party"])
        if party is not None
    )


def test_the_summary_has_no_prices_counterparties_or_supplier_ids(
    app: FastAPI, load: Loader, client: ASGIClient
) -> None:
    load("DEMO-BW-2023")
    stone_id = _stone_id(client, "DEMO-BW-2023")
    response = client.get(
        f"/v1/stones/{stone_id}/summary", headers=bearer(app, Role.retailer, tenant="shop-1")
    )
    assert response.status_code == 200, response.text
    assert response.json()["custody"], response.text  # a real summary: absence below means hidden
    text = response.text
    for private in ("value_usd", "18900", "Antwerp rough trader", "Debswana", "demo-"):
        assert private not in text, private


def test_an_unknown_stone_is_404(app: FastAPI, client: ASGIClient) -> None:
    response = client.get(
        "/v1/stones/CS-000000000000/summary", headers=bearer(app, Role.retailer, tenant="shop-1")
    )
    assert response.status_code == 404
