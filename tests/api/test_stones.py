"""Supplier stones: registration, numbers, lineage and pagination."""

from __future__ import annotations

from collections.abc import Callable

import httpx
from fastapi import FastAPI
from sqlalchemy import event

from bench.api.synthetic import TENANT, generate_synthetic
from clearstone_api.container import container_of
from clearstone_api.db import Database
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


def test_garbage_cursor_is_400_naming_after(supplier: ASGIClient) -> None:
    response = supplier.get("/v1/stones", params={"after": "garbage"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["path"] == "query.after"


def _statements(database: Database, call: Callable[[], object]) -> int:
    """How many SQL statements the sync engine runs during ``call``."""
    count = 0

    def counted(*_args: object) -> None:
        nonlocal count
        count += 1

    event.listen(database.engine, "before_cursor_execute", counted)
    try:
        call()
    finally:
        event.remove(database.engine, "before_cursor_execute", counted)
    return count


def test_a_page_of_stones_takes_the_same_queries_for_10_or_100(
    app: FastAPI, client: ASGIClient, auth: Auth, database: Database
) -> None:
    """Numbers and assessments are read for the whole page at once, not per stone."""
    generate_synthetic(database, container_of(app).references, 101)
    headers = auth(Role.supplier, tenant=TENANT)
    pages: dict[int, httpx.Response] = {}

    def page(limit: int) -> None:
        pages[limit] = client.get(f"/v1/stones?limit={limit}", headers=headers)

    small = _statements(database, lambda: page(10))
    large = _statements(database, lambda: page(100))
    for limit, response in pages.items():
        assert response.status_code == 200
        body = response.json()
        assert len(body["data"]) == limit and body["has_more"] is True
        assert all(s["certificate_numbers"] and s["assessment"] for s in body["data"])
    assert large == small
    assert small <= 4  # the stones, their numbers, their assessments (and a ping, pooled)
