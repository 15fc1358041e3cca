"""``POST /v1/checkout/screenings``."""

from __future__ import annotations

import json

from fastapi import FastAPI

from clearstone_api.services.demo import load_vector, vectors_path
from clearstone_api.testing import ASGIClient


def _load(app: FastAPI, *certificates: str) -> None:
    for vector in json.loads(vectors_path().read_text(encoding="utf-8")):
        if vector["certificate"] in certificates:
            load_vector(app.state.database, app.state.references, vector)


def test_cart_gets_a_decision_per_item_under_the_default_policy(
    app: FastAPI, client: ASGIClient
) -> None:
    _load(app, "DEMO-BW-2023", "DEMO-ZW-MARANGE-2008", "DEMO-POLISHED-UNLINKED")
    items = ["DEMO-BW-2023", "DEMO-ZW-MARANGE-2008", "DEMO-POLISHED-UNLINKED", "UNKNOWN-1"]
    body = client.post("/v1/checkout/screenings", json={"items": items}).json()
    assert [i["decision"] for i in body["items"]] == ["allow", "block", "review", "review"]
    assert body["decision"] == "block"
    assert all(item["reasons"] for item in body["items"])


def test_retailer_policy_decides(app: FastAPI, client: ASGIClient) -> None:
    _load(app, "DEMO-ZW-MARANGE-2008")
    policy = {"block_csc": [], "review_csc": [], "unknown": "block"}
    body = client.post(
        "/v1/checkout/screenings",
        json={"items": ["DEMO-ZW-MARANGE-2008", "NOPE"], "policy": policy},
    ).json()
    assert [i["decision"] for i in body["items"]] == ["allow", "block"]


def test_cart_over_100_items_is_422(client: ASGIClient) -> None:
    response = client.post("/v1/checkout/screenings", json={"items": ["X1"] * 101})
    assert response.status_code == 422
