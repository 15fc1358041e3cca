"""``POST /v1/oauth/token``: the client-credentials grant (RFC 6749 §4.4) and its errors (§5.2)."""

from __future__ import annotations

import base64
import json
import urllib.parse
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from clearstone_api.db import Database
from clearstone_api.security.scopes import Role
from clearstone_api.services.clients import CreatedClient, create_client, disable_client
from clearstone_api.testing import ASGIClient
from tests.api.forgery import unb64url

TOKEN = "/v1/oauth/token"
FORM = {"content-type": "application/x-www-form-urlencoded"}


@pytest.fixture
def registered(database: Database) -> CreatedClient:
    with database.session() as session:
        return create_client(session, role=Role.supplier, tenant_id="ACME")


def _basic(client_id: str, secret: str) -> dict[str, str]:
    pair = f"{urllib.parse.quote_plus(client_id)}:{urllib.parse.quote_plus(secret)}"
    return {"Authorization": "Basic " + base64.b64encode(pair.encode()).decode()}


def _token(client: ASGIClient, form: dict[str, str], headers: dict[str, str]) -> httpx.Response:
    return client.post(TOKEN, content=urllib.parse.urlencode(form), headers={**FORM, **headers})


def _oauth_error(response: httpx.Response, status: int, error: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["cache-control"] == "no-store"
    body: dict[str, Any] = response.json()
    assert body["error"] == error
    assert body["error_description"] == body["detail"]
    assert body["status"] == status
    return body


def test_http_basic_gets_a_bearer_token_that_works(
    client: ASGIClient, registered: CreatedClient
) -> None:
    response = _token(
        client,
        {"grant_type": "client_credentials"},
        _basic(registered.client_id, registered.client_secret),
    )
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["pragma"] == "no-cache"
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert 0 < body["expires_in"] <= 900
    assert body["scope"] == "assessments records:read records:write"
    stones = client.get("/v1/stones", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert stones.status_code == 200


def test_the_token_names_the_client_its_tenant_role_and_kid(
    app: FastAPI, client: ASGIClient, registered: CreatedClient
) -> None:
    form = {
        "grant_type": "client_credentials",
        "client_id": registered.client_id,
        "client_secret": registered.client_secret,
    }
    token = _token(client, form, {}).json()["access_token"]
    head, payload, _ = token.split(".")
    assert json.loads(unb64url(head))["kid"] == app.state.tokens.active_kid
    claims = json.loads(unb64url(payload))
    assert (claims["sub"], claims["tenant"], claims["role"]) == (
        registered.client_id,
        "ACME",
        "supplier",
    )
    assert claims["exp"] - claims["iat"] <= 900


def test_a_narrower_scope_can_be_asked_for(client: ASGIClient, registered: CreatedClient) -> None:
    response = _token(
        client,
        {"grant_type": "client_credentials", "scope": "records:read"},
        _basic(registered.client_id, registered.client_secret),
    )
    token = response.json()["access_token"]
    assert response.json()["scope"] == "records:read"
    lot = client.post(
        "/v1/lots", json={"id": "L1", "carat": "1"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert lot.status_code == 403


def test_a_scope_the_client_does_not_hold_is_invalid_scope(
    client: ASGIClient, registered: CreatedClient
) -> None:
    response = _token(
        client,
        {"grant_type": "client_credentials", "scope": "records:read reference:write"},
        _basic(registered.client_id, registered.client_secret),
    )
    _oauth_error(response, 400, "invalid_scope")


@pytest.mark.parametrize("wrong", ["secret", "client"])
def test_wrong_credentials_are_invalid_client_401_with_a_basic_challenge(
    client: ASGIClient, registered: CreatedClient, wrong: str
) -> None:
    client_id = registered.client_id if wrong == "secret" else "cli_" + "0" * 20
    secret = "cs_wrong" if wrong == "secret" else registered.client_secret
    response = _token(client, {"grant_type": "client_credentials"}, _basic(client_id, secret))
    body = _oauth_error(response, 401, "invalid_client")
    assert response.headers["www-authenticate"].startswith("Basic")
    assert registered.client_secret not in json.dumps(body)


def test_a_disabled_client_gets_no_token(
    client: ASGIClient, registered: CreatedClient, database: Database
) -> None:
    with database.session() as session:
        assert disable_client(session, registered.client_id)
    response = _token(
        client,
        {"grant_type": "client_credentials"},
        _basic(registered.client_id, registered.client_secret),
    )
    _oauth_error(response, 401, "invalid_client")


def test_no_client_authentication_is_invalid_client(client: ASGIClient) -> None:
    _oauth_error(_token(client, {"grant_type": "client_credentials"}, {}), 401, "invalid_client")


def test_both_authentication_methods_at_once_is_invalid_request(
    client: ASGIClient, registered: CreatedClient
) -> None:
    form = {
        "grant_type": "client_credentials",
        "client_id": registered.client_id,
        "client_secret": registered.client_secret,
    }
    response = _token(client, form, _basic(registered.client_id, registered.client_secret))
    _oauth_error(response, 400, "invalid_request")


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("", "invalid_request"),
        ("grant_type=password&username=a&password=b", "unsupported_grant_type"),
        ("grant_type=client_credentials&grant_type=client_credentials", "invalid_request"),
        ("grant_type=authorization_code&code=x", "unsupported_grant_type"),
    ],
)
def test_grant_errors_follow_rfc_6749(client: ASGIClient, body: str, error: str) -> None:
    response = client.post(TOKEN, content=body, headers=FORM)
    _oauth_error(response, 400, error)


def test_a_json_body_is_invalid_request(client: ASGIClient, registered: CreatedClient) -> None:
    response = client.post(
        TOKEN,
        json={
            "grant_type": "client_credentials",
            "client_id": registered.client_id,
            "client_secret": registered.client_secret,
        },
    )
    _oauth_error(response, 400, "invalid_request")


def test_the_secret_is_stored_only_as_an_argon2id_hash(
    database: Database, registered: CreatedClient
) -> None:
    from clearstone_api.models.client import Client

    with database.session() as session:
        stored = session.get(Client, registered.client_id)
    assert stored is not None
    assert stored.secret_hash.startswith("$argon2id$")
    assert registered.client_secret not in stored.secret_hash
