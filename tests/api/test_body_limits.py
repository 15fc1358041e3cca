"""Size limits: request bodies (413, before parsing), custody chains, carts and strings (422)."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Iterator

import pytest
from fastapi import FastAPI

from clearstone_api.app import create_app
from clearstone_api.security.scopes import Role
from clearstone_api.settings import Settings
from tests.api.factories import export_event, lot, register_chain
from tests.support.harness import ASGIClient, bearer

LIMIT = 2048


@pytest.fixture
def small(settings: Settings) -> Iterator[tuple[FastAPI, ASGIClient]]:
    app = create_app(
        settings.model_copy(update={"max_request_body_bytes": LIMIT, "max_custody_chain_length": 2})
    )
    client = ASGIClient(app)
    client.headers.update(bearer(app, Role.supplier))
    yield app, client
    client.close()


def _assert_413(response_status: int, content_type: str, status: int) -> None:
    assert (response_status, content_type, status) == (413, "application/problem+json", 413)


def test_a_declared_length_over_the_limit_is_413_unread(
    small: tuple[FastAPI, ASGIClient],
) -> None:
    _, client = small
    # Not even JSON: a 413 rather than a 422 shows nothing tried to parse it.
    response = client.post(
        "/v1/lots", content=b"x" * (LIMIT + 1), headers={"content-type": "application/json"}
    )
    _assert_413(response.status_code, response.headers["content-type"], response.json()["status"])


def test_a_streamed_body_over_the_limit_is_413(small: tuple[FastAPI, ASGIClient]) -> None:
    _, client = small

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: sent chunked
        for _ in range(10):
            yield b" " * 512

    response = client.post(
        "/v1/lots", content=chunks(), headers={"content-type": "application/json"}
    )
    _assert_413(response.status_code, response.headers["content-type"], response.json()["status"])


def test_a_body_within_the_limit_is_served(small: tuple[FastAPI, ASGIClient]) -> None:
    _, client = small
    assert client.post("/v1/lots", json=lot()).status_code == 201


def test_the_413_comes_before_authentication(small: tuple[FastAPI, ASGIClient]) -> None:
    _, client = small
    response = client.post(
        "/v1/lots",
        content=b"{}" + b" " * LIMIT,
        headers={"content-type": "application/json", "Authorization": ""},
    )
    assert response.status_code == 413


def test_a_custody_chain_at_its_limit_takes_no_more_events(
    small: tuple[FastAPI, ASGIClient],
) -> None:
    _, client = small
    register_chain(client)  # event E1 on lot L1
    second = client.post("/v1/custody/events", json=export_event("E2", date=dt.date(2023, 4, 1)))
    assert second.status_code == 201
    third = client.post("/v1/custody/events", json=export_event("E3", date=dt.date(2023, 5, 1)))
    assert third.status_code == 422
    (error,) = third.json()["errors"]
    assert (error["path"], error["type"]) == ("body.event.items.0", "chain_too_long")
    stone_id = client.get("/v1/stones").json()["data"][0]["id"]
    report = client.get(f"/v1/stones/{stone_id}/custody/verification").json()
    assert report["events_checked"] == 2  # nothing half-written


def test_a_cart_over_100_items_is_422(app: FastAPI, client: ASGIClient) -> None:
    response = client.post(
        "/v1/checkout/screenings",
        json={"items": ["GIA-1"] * 101},
        headers=bearer(app, Role.retailer),
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["type"] == "too_long"


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/v1/lots", lot("L" * 129), "body.id"),
        ("/v1/lots", {**lot(), "parent_lot_ids": ["L" * 129]}, "body.parent_lot_ids.0"),
        ("/v1/checkout/screenings", {"items": ["GIA-" + "1" * 80]}, "body.items.0"),
    ],
)
def test_over_long_strings_are_422_naming_the_field(
    app: FastAPI, client: ASGIClient, path: str, body: dict[str, object], field: str
) -> None:
    role = Role.retailer if "screenings" in path else Role.supplier
    response = client.post(path, json=body, headers=bearer(app, role))
    assert response.status_code == 422
    assert field in {error["path"] for error in response.json()["errors"]}


def test_an_over_long_analyst_note_is_422(app: FastAPI, client: ASGIClient) -> None:
    from tests.api.factories import incident

    response = client.post(
        "/v1/reference/incidents",
        json={"incident": incident(), "note": "n" * 2001},
        headers=bearer(app, Role.analyst),
    )
    assert response.status_code == 422
    assert "body.note" in {error["path"] for error in response.json()["errors"]}
