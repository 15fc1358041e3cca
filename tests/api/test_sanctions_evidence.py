"""``GET /v1/stones/{id}/sanctions-evidence``: the importer's pack, for the stone's supplier and
for retailers who screened it."""

from __future__ import annotations

import httpx
import pytest

from clearstone_api.security.scopes import Role
from tests.api.conftest import Auth, Loader
from tests.support.harness import ASGIClient

RU = "VEC-RU-2024"
BW = "DEMO-BW-2023"


def _screen(client: ASGIClient, auth: Auth, tenant: str, number: str) -> str:
    response = client.post(
        "/v1/checkout/screenings",
        json={"items": [number]},
        headers=auth(Role.retailer, tenant=tenant),
    )
    assert response.status_code == 200, response.text
    stone_id: str = response.json()["items"][0]["stone_id"]
    return stone_id


def _pack(
    client: ASGIClient, headers: dict[str, str], stone_id: str, jurisdiction: str
) -> httpx.Response:
    return client.get(
        f"/v1/stones/{stone_id}/sanctions-evidence",
        params={"jurisdiction": jurisdiction},
        headers=headers,
    )


def test_a_retailer_who_screened_the_stone_reads_its_pack(
    load: Loader, client: ASGIClient, auth: Auth
) -> None:
    load(RU)
    stone_id = _screen(client, auth, "shop-1", RU)
    response = _pack(client, auth(Role.retailer, tenant="shop-1"), stone_id, "EU")
    assert response.status_code == 200, response.text
    pack = response.json()
    assert pack["stone_id"] == stone_id and pack["jurisdiction"] == "EU"
    assert pack["verdict"]["result"] == "flagged"
    assert [line["country"] for line in pack["mining_countries"]] == ["RU"]
    assert pack["threshold_carat"] == "0.50" and pack["above_threshold"] is True
    statuses = {item["code"]: item["status"] for item in pack["items"]}
    assert statuses["prohibition"] == "prohibited"
    assert statuses["due_diligence_statement"] == "prohibited"
    assert "not a declaration" in pack["notice"]


def test_the_us_pack_asks_for_what_the_us_asks(
    load: Loader, client: ASGIClient, auth: Auth
) -> None:
    load(BW)
    stone_id = _screen(client, auth, "shop-1", BW)
    pack = _pack(client, auth(Role.retailer, tenant="shop-1"), stone_id, "US").json()
    assert pack["verdict"]["result"] == "clear"
    items = {item["code"]: item for item in pack["items"]}
    # Graded and sold in the US in 2023: before the self-certification and country-of-mining
    # rules, so nothing is asked on that date.
    assert pack["date_basis"] == "arrival"
    assert "country_of_mining_lines" not in items
    certificates = pack["kp_certificates"]
    assert certificates and all(c["names_every_mining_country"] for c in certificates)


def test_a_retailer_who_did_not_screen_it_gets_a_404(
    load: Loader, client: ASGIClient, auth: Auth
) -> None:
    load(RU)
    stone_id = _screen(client, auth, "shop-1", RU)
    response = _pack(client, auth(Role.retailer, tenant="shop-2"), stone_id, "EU")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def test_the_supplier_reads_its_own_stone_and_no_other(
    load: Loader, client: ASGIClient, auth: Auth
) -> None:
    load(RU)
    stone_id = _screen(client, auth, "shop-1", RU)
    own = _pack(client, auth(Role.supplier, tenant="demo-russia-2024"), stone_id, "UK")
    assert own.status_code == 200, own.text
    assert own.json()["verdict"]["jurisdiction"] == "UK"
    other = _pack(client, auth(Role.supplier, tenant="acme-mining"), stone_id, "UK")
    assert other.status_code == 404


def test_screening_twice_keeps_one_link(load: Loader, client: ASGIClient, auth: Auth) -> None:
    load(RU)
    first = _screen(client, auth, "shop-1", RU)
    assert _screen(client, auth, "shop-1", RU) == first
    assert _pack(client, auth(Role.retailer, tenant="shop-1"), first, "US").status_code == 200


@pytest.mark.parametrize("jurisdiction", ["CA", "eu", ""])
def test_an_unknown_jurisdiction_is_a_422_naming_the_field(
    load: Loader, client: ASGIClient, auth: Auth, jurisdiction: str
) -> None:
    load(RU)
    stone_id = _screen(client, auth, "shop-1", RU)
    response = _pack(client, auth(Role.retailer, tenant="shop-1"), stone_id, jurisdiction)
    assert response.status_code == 422
    assert "jurisdiction" in response.text


def test_without_a_token_it_is_a_401(client: ASGIClient) -> None:
    response = client.get(
        "/v1/stones/CS-000000000000/sanctions-evidence", params={"jurisdiction": "EU"}
    )
    assert response.status_code == 401


def test_the_printable_page_says_it_is_not_a_declaration(
    load: Loader, client: ASGIClient, auth: Auth
) -> None:
    load(RU)
    stone_id = _screen(client, auth, "shop-1", RU)
    response = client.get(
        f"/v1/stones/{stone_id}/sanctions-evidence/print",
        params={"jurisdiction": "EU"},
        headers=auth(Role.retailer, tenant="shop-1"),
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert "It is not a declaration" in page
    assert stone_id in page and "EU-RU-PROC-1CT" in page
    elsewhere = client.get(
        f"/v1/stones/{stone_id}/sanctions-evidence/print",
        params={"jurisdiction": "EU"},
        headers=auth(Role.retailer, tenant="shop-9"),
    )
    assert elsewhere.status_code == 404
