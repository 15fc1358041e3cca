"""``POST /v1/checkout/screenings``."""

from __future__ import annotations

import pytest

from clearstone_api.security.scopes import Role
from tests.api.conftest import Auth, Loader
from tests.support.harness import ASGIClient


@pytest.fixture
def retailer(client: ASGIClient, auth: Auth) -> ASGIClient:
    client.headers.update(auth(Role.retailer, tenant="shop-1"))
    return client


def test_cart_gets_a_decision_per_item_under_the_default_policy(
    load: Loader, retailer: ASGIClient
) -> None:
    load("DEMO-BW-2023", "DEMO-ZW-MARANGE-2008", "DEMO-POLISHED-UNLINKED")
    items = ["DEMO-BW-2023", "DEMO-ZW-MARANGE-2008", "DEMO-POLISHED-UNLINKED", "UNKNOWN-1"]
    body = retailer.post("/v1/checkout/screenings", json={"items": items}).json()
    assert [i["decision"] for i in body["items"]] == ["allow", "block", "review", "review"]
    assert body["decision"] == "block"
    assert all(item["reasons"] for item in body["items"])


def test_retailer_policy_decides(load: Loader, retailer: ASGIClient) -> None:
    load("DEMO-ZW-MARANGE-2008")
    policy = {"block_csc": [], "review_csc": [], "unknown": "block"}
    body = retailer.post(
        "/v1/checkout/screenings",
        json={"items": ["DEMO-ZW-MARANGE-2008", "NOPE"], "policy": policy},
    ).json()
    assert [i["decision"] for i in body["items"]] == ["allow", "block"]


def test_cart_over_100_items_is_422(retailer: ASGIClient) -> None:
    response = retailer.post("/v1/checkout/screenings", json={"items": ["X1"] * 101})
    assert response.status_code == 422
