"""Supplier stones: registration, numbers, lineage and pagination."""

from __future__ import annotations

from clearstone_api.security.scopes import Role
from tests.api.conftest import Auth
from tests.api.factories import lot, register_chain, stone
from tests.support.harness import ASGIClient


def test_registered_stone_is_assessed_and_served_by_its_numbers(supplier: ASGIClient) -> None:
    created = register_chain(supplier)
    assert created["id"].startswith("CS-")
    assert created["assessment"] is not None
    for number in ("GIA-7770001", "7770001", created["id"]):
        assert supplier.get(f"/v1/certificates/{number}").status_code == 200


def test_registering_a_stone_twice_is_409(supplier: ASGIClient) -> None:
    register_chain(supplier)
    again = supplier.post("/v1/stones", json=stone(number="7770002"))
    assert again.status_code == 409


def test_lab_qualified_number_of_another_stone_is_409(supplier: ASGIClient) -> None:
    register_chain(supplier)
    response = supplier.post("/v1/stones", json=stone("S2"))
    assert response.status_code == 409
    assert "GIA-7770001" in response.json()["detail"]


def test_stone_with_unregistered_parent_lot_is_422_naming_the_field(supplier: ASGIClient) -> None:
    response = supplier.post("/v1/stones", json=stone(parents=["nope"]))
    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == "body.parent_lot_ids.0"
    assert supplier.get("/v1/stones").json()["data"] == []


def test_other_tenants_cannot_read_a_stone(supplier: ASGIClient, auth: Auth) -> None:
    created = register_chain(supplier)
    other = supplier.get(
        f"/v1/stones/{created['id']}", headers=auth(Role.supplier, tenant="someone-else")
    )
    assert other.status_code == 404


def test_pagination_walks_every_stone_once_while_rows_arrive(supplier: ASGIClient) -> None:
    supplier.post("/v1/lots", json=lot())
    for index in range(7):
        assert (
            supplier.post("/v1/stones", json=stone(f"S{index}", number=f"88{index}")).status_code
            == 201
        )
    seen: list[str] = []
    cursor: str | None = None
    while True:
        params: dict[str, str | int] = {"limit": 3}
        if cursor:
            params["after"] = cursor
        page = supplier.get("/v1/stones", params=params).json()
        seen.extend(item["record_id"] for item in page["data"])
        if len(seen) == 3:  # a stone arrives mid-walk: it comes last, once
            supplier.post("/v1/stones", json=stone("S-late", number="999"))
        if not page["has_more"]:
            assert page["next_cursor"] is None
            break
        cursor = page["next_cursor"]
    assert seen == [f"S{i}" for i in range(7)] + ["S-late"]


def test_garbage_cursor_is_422(supplier: ASGIClient) -> None:
    response = supplier.get("/v1/stones", params={"after": "garbage"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == "query.after"
