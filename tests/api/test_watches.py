"""Retailers' watches: explicit, or every stone screened with ``watch: true``."""

from __future__ import annotations

from typing import Any

from clearstone_api.security.scopes import Role
from tests.api.conftest import Auth, Loader
from tests.support.harness import ASGIClient

CERTIFICATE = "DEMO-BW-2023"


def _stone_id(client: ASGIClient, headers: dict[str, str]) -> str:
    screened = client.post(
        "/v1/checkout/screenings", json={"items": [CERTIFICATE]}, headers=headers
    )
    assert screened.status_code == 200, screened.text
    stone_id: str = screened.json()["items"][0]["stone_id"]
    return stone_id


def _watches(client: ASGIClient, headers: dict[str, str]) -> list[dict[str, Any]]:
    response = client.get("/v1/watches", headers=headers)
    assert response.status_code == 200, response.text
    data: list[dict[str, Any]] = response.json()["data"]
    return data


def test_a_retailer_watches_gets_lists_and_stops_watching_a_stone(
    load: Loader, client: ASGIClient, auth: Auth
) -> None:
    load(CERTIFICATE)
    shop = auth(Role.retailer, tenant="bright-jewels")
    stone_id = _stone_id(client, shop)
    assert _watches(client, shop) == []  # screening alone does not watch
    created = client.post("/v1/watches", json={"stone_id": stone_id}, headers=shop)
    assert created.status_code == 201, created.text
    watch = created.json()
    assert (watch["stone_id"], watch["source"]) == (stone_id, "explicit")
    again = client.post("/v1/watches", json={"stone_id": stone_id}, headers=shop)
    assert (again.status_code, again.json()) == (200, watch)
    assert client.get(f"/v1/watches/{watch['id']}", headers=shop).json() == watch
    assert _watches(client, shop) == [watch]
    assert client.delete(f"/v1/watches/{watch['id']}", headers=shop).status_code == 204
    assert client.get(f"/v1/watches/{watch['id']}", headers=shop).status_code == 404
    assert _watches(client, shop) == []


def test_screening_with_watch_true_watches_every_known_stone_once(
    load: Loader, client: ASGIClient, auth: Auth
) -> None:
    load(CERTIFICATE)
    shop = auth(Role.retailer, tenant="bright-jewels")
    for _ in range(2):
        screened = client.post(
            "/v1/checkout/screenings",
            json={"items": [CERTIFICATE, "GIA-0000000001"], "watch": True},
            headers=shop,
        )
        assert screened.status_code == 200, screened.text
    watches = _watches(client, shop)
    assert [(w["stone_id"], w["source"]) for w in watches] == [
        (screened.json()["items"][0]["stone_id"], "checkout")
    ]


def test_another_retailer_sees_and_deletes_none_of_its_watches(
    load: Loader, client: ASGIClient, auth: Auth
) -> None:
    load(CERTIFICATE)
    shop, rival = auth(Role.retailer, tenant="bright-jewels"), auth(Role.retailer, tenant="rival")
    watch = client.post("/v1/watches", json={"stone_id": _stone_id(client, shop)}, headers=shop)
    watch_id = watch.json()["id"]
    assert _watches(client, rival) == []
    ghost = "wat_" + "0" * 24
    for method in ("GET", "DELETE"):
        theirs = client.request(method, f"/v1/watches/{watch_id}", headers=rival)
        missing = client.request(method, f"/v1/watches/{ghost}", headers=rival)
        assert theirs.status_code == missing.status_code == 404
        assert theirs.json()["detail"].replace(watch_id, "?") == missing.json()["detail"].replace(
            ghost, "?"
        )
    assert client.get(f"/v1/watches/{watch_id}", headers=shop).status_code == 200


def test_watching_an_unknown_stone_or_with_unknown_keys_is_422(
    client: ASGIClient, auth: Auth
) -> None:
    shop = auth(Role.retailer, tenant="bright-jewels")
    unknown = client.post("/v1/watches", json={"stone_id": "CS-000000000000"}, headers=shop)
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["path"] == "body.stone_id"
    extra = client.post(
        "/v1/watches", json={"stone_id": "CS-000000000000", "note": "x"}, headers=shop
    )
    assert extra.status_code == 422
    assert extra.json()["errors"][0]["path"] == "body.note"
