"""What HTTP owes a generic client, operation by operation: ``Location`` on 201 with the
resource's own id, strong ETags and 304, validated cursors, 406, and stones read by your id.

The cursor test walks every list the app serves (from its own OpenAPI document), so a list
added later is covered without being named here.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from fastapi import FastAPI

from clearstone_api.security.scopes import ROLE_SCOPES, Role
from tests.api.conftest import Auth
from tests.api.factories import export_event, incident, lot, register_chain, status_period, stone
from tests.support.harness import ASGIClient


def _lists(app: FastAPI) -> list[tuple[str, str | None]]:
    """``(path, scope)`` of every GET operation that takes a cursor."""
    found = []
    for path, item in app.openapi()["paths"].items():
        operation = item.get("get")
        if operation and any(p["name"] == "after" for p in operation.get("parameters", [])):
            scopes = [s for r in operation.get("security", []) for s in r.get("OAuth2", [])]
            found.append((path, scopes[0] if scopes else None))
    return found


def _headers_for(auth: Auth, scope: str | None) -> dict[str, str]:
    if scope is None:
        return {}
    role = next(r for r, scopes in ROLE_SCOPES.items() if scope in scopes)
    return auth(role, tenant="GIA" if role is Role.lab else "acme-mining")


def test_every_list_refuses_a_cursor_it_did_not_issue(
    app: FastAPI, client: ASGIClient, auth: Auth
) -> None:
    lists = _lists(app)
    assert len(lists) >= 8, lists
    forged = base64.urlsafe_b64encode(json.dumps({"k": 1}).encode()).decode().rstrip("=")
    for path, scope in lists:
        headers = _headers_for(auth, scope)
        for cursor in ("garbage", forged, forged + ".AAAAAAAAAAAAAAAAAAAAAA", "é", "x" * 400):
            response = client.get(path, params={"after": cursor}, headers=headers)
            assert response.status_code == 400, f"{path} after={cursor!r}: {response.text}"
            problem = response.json()
            assert response.headers["content-type"] == "application/problem+json"
            assert [e["path"] for e in problem["errors"]] == ["query.after"], path


def test_a_cursor_works_on_its_own_list_only(supplier: ASGIClient) -> None:
    for number in range(3):
        assert supplier.post("/v1/lots", json=lot(f"L{number}")).status_code == 201
    page = supplier.get("/v1/lots", params={"limit": 1}).json()
    cursor = page["next_cursor"]
    following = supplier.get("/v1/lots", params={"limit": 1, "after": cursor})
    assert following.status_code == 200
    assert following.json()["data"][0]["id"] != page["data"][0]["id"]
    # The same cursor, edited by one character or sent to another list, is refused.
    payload, _, mac = cursor.partition(".")
    tampered = payload[:-1] + ("A" if payload[-1] != "A" else "B") + "." + mac
    assert supplier.get("/v1/lots", params={"after": tampered}).status_code == 400
    assert supplier.get("/v1/stones", params={"after": cursor}).status_code == 400


CREATES: list[tuple[str, str, Any, str | None]] = [
    ("/v1/lots", "supplier", lot("L9"), None),
    ("/v1/stones", "supplier", stone("S9", number="7770009", parents=[]), None),
    ("/v1/custody/events", "supplier", export_event("E9", ["L9"]), None),
    (
        "/v1/reference/incidents",
        "analyst",
        {"incident": incident(), "note": "n"},
        "INC-TEST-JWANENG",
    ),
    (
        "/v1/reference/status-periods",
        "analyst",
        {"status_period": status_period(), "note": "n"},
        "SP-TEST-BW",
    ),
]


@pytest.mark.parametrize(("collection", "role", "body", "own_id"), CREATES)
def test_a_201_carries_location_of_the_resource_with_its_own_id(
    client: ASGIClient, auth: Auth, collection: str, role: str, body: Any, own_id: str | None
) -> None:
    headers = auth(Role(role), tenant="clearstone" if role == "analyst" else "acme-mining")
    if collection == "/v1/custody/events":
        assert client.post("/v1/lots", json=lot("L9"), headers=headers).status_code == 201
    headers = {**headers, "Idempotency-Key": f"key-{collection}"}
    created = client.post(collection, json=body, headers=headers)
    assert created.status_code == 201, created.text
    resource_id = created.json()["id"]
    if own_id is not None:
        assert resource_id == own_id
        assert isinstance(created.json()["change_id"], int)
    location = created.headers["location"]
    assert location == f"{collection}/{resource_id}"
    read = client.get(location, headers=headers)
    assert read.status_code == 200, read.text
    assert read.json()["id"] == resource_id
    replayed = client.post(collection, json=body, headers=headers)
    assert replayed.status_code == 201
    assert replayed.headers["location"] == location


@pytest.mark.parametrize(
    "path",
    [
        "/v1/stones/{stone}",
        "/v1/stones/{record}",
        "/v1/stones/{stone}/custody/verification",
        "/v1/lots/{lot}",
        "/v1/custody/events/E1",
        "/v1/reference/incidents/INC-TEST-JWANENG",
        "/v1/reference/status-periods/SP-TEST-BW",
        "/v1/reference/changes/1",
        "/v1/transparency/tree-heads/latest",
        "/v1/transparency/tree-heads/1",
        "/v1/reference/taxonomy",
    ],
)
def test_a_get_sends_a_strong_etag_and_answers_304_to_it(
    client: ASGIClient, auth: Auth, path: str
) -> None:
    supplier = auth(Role.supplier)
    analyst = auth(Role.analyst, tenant="clearstone")
    client.headers.update(supplier)
    created = register_chain(client)
    lot_id = client.get("/v1/lots").json()["data"][0]["id"]
    for collection, body in (
        ("/v1/reference/incidents", {"incident": incident(), "note": "n"}),
        ("/v1/reference/status-periods", {"status_period": status_period(), "note": "n"}),
    ):
        assert client.post(collection, json=body, headers=analyst).status_code == 201
    headers = analyst if "/reference/changes" in path else supplier
    url = path.format(stone=created["id"], record=created["record_id"], lot=lot_id)
    first = client.get(url, headers=headers)
    assert first.status_code == 200, first.text
    etag = first.headers["etag"]
    assert etag.startswith('"') and not etag.startswith("W/"), etag
    assert client.get(url, headers=headers).headers["etag"] == etag, "stable while unchanged"
    again = client.get(url, headers={**headers, "If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    other = client.get(url, headers={**headers, "If-None-Match": '"something-else"'})
    assert other.status_code == 200
    assert other.content == first.content


def test_stones_get_takes_your_own_id_within_your_tenant(supplier: ASGIClient, auth: Auth) -> None:
    created = register_chain(supplier)
    by_own = supplier.get("/v1/stones/S1")
    assert by_own.status_code == 200, by_own.text
    assert by_own.json()["id"] == created["id"]
    other = auth(Role.supplier, tenant="another-miner")
    assert supplier.get("/v1/stones/S1", headers=other).status_code == 404


def test_an_accept_that_admits_nothing_we_send_is_406(client: ASGIClient) -> None:
    response = client.get("/v1/reference/taxonomy", headers={"Accept": "text/csv"})
    assert response.status_code == 406
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 406
    fine = client.get("/v1/reference/taxonomy", headers={"Accept": "text/csv, */*;q=0.1"})
    assert fine.status_code == 200


def test_a_document_without_its_type_is_422_naming_it(supplier: ASGIClient) -> None:
    assert supplier.post("/v1/lots", json=lot()).status_code == 201
    documents = [{"id": "KP1", "number": "BW0001", "issuing_participant": "BW"}]
    response = supplier.post("/v1/stones", json=stone(documents=documents))
    assert response.status_code == 422
    assert any(e["path"].startswith("body.documents.0") for e in response.json()["errors"])
