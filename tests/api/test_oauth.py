"""``POST /v1/oauth/token``: the client-credentials grant (RFC 6749 §4.4) and its errors (§5.2)."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import urllib.parse
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI

from clearstone_api.app import create_app
from clearstone_api.container import container_of
from clearstone_api.db import Database
from clearstone_api.models.client import Client
from clearstone_api.security.client_secrets import SecretHasher
from clearstone_api.security.scopes import Role
from clearstone_api.services.clients import CreatedClient, create_client, disable_client
from clearstone_api.settings import Settings
from tests.api.forgery import unb64url
from tests.support.harness import ASGIClient

TOKEN = "/v1/oauth/token"
FORM = {"content-type": "application/x-www-form-urlencoded"}


@pytest.fixture
def registered(database: Database, hasher: SecretHasher) -> CreatedClient:
    with database.session() as session:
        return create_client(session, hasher, role=Role.supplier, tenant_id="ACME")


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
    assert body["scope"] == (
        "assessments events:read records:read records:write sanctions:evidence webhooks"
    )
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
    assert json.loads(unb64url(head))["kid"] == container_of(app).tokens.active_kid
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


def _stored_hash(database: Database, client_id: str) -> str:
    with database.session() as session:
        stored = session.get(Client, client_id)
        assert stored is not None
        return stored.secret_hash


def test_the_secret_is_stored_only_as_a_keyed_hash(
    database: Database, registered: CreatedClient, hasher: SecretHasher
) -> None:
    stored = _stored_hash(database, registered.client_id)
    assert stored.startswith("hmac-sha256$")
    assert registered.client_secret not in stored
    assert stored == hasher.hash(registered.client_secret)
    unpeppered = hashlib.sha256(registered.client_secret.encode()).hexdigest()
    assert unpeppered not in stored  # a table dump without the pepper proves nothing


def test_a_legacy_argon2id_hash_verifies_once_and_is_rewritten(
    client: ASGIClient, database: Database, registered: CreatedClient
) -> None:
    with database.session() as session:
        stored = session.get(Client, registered.client_id)
        assert stored is not None
        stored.secret_hash = PasswordHasher().hash(registered.client_secret)
    credentials = _basic(registered.client_id, registered.client_secret)
    wrong = _basic(registered.client_id, registered.client_secret + "x")
    _oauth_error(_token(client, {"grant_type": "client_credentials"}, wrong), 401, "invalid_client")
    assert _stored_hash(database, registered.client_id).startswith("$argon2id$")
    response = _token(client, {"grant_type": "client_credentials"}, credentials)
    assert response.status_code == 200, response.text
    assert _stored_hash(database, registered.client_id).startswith("hmac-sha256$")
    again = _token(client, {"grant_type": "client_credentials"}, credentials)
    assert again.status_code == 200, again.text


@pytest.fixture
def throttled(settings: Settings) -> FastAPI:
    return create_app(settings.model_copy(update={"token_failures_per_client": 3}))


def test_failed_secrets_are_throttled_per_client_id(
    throttled: FastAPI, registered: CreatedClient, hasher: SecretHasher
) -> None:
    with container_of(throttled).database.session() as session:
        other = create_client(session, hasher, role=Role.retailer, tenant_id="SHOP")
    client = ASGIClient(throttled)
    try:
        wrong = _basic(registered.client_id, "cs_wrong")
        for _ in range(3):
            response = _token(client, {"grant_type": "client_credentials"}, wrong)
            _oauth_error(response, 401, "invalid_client")
        right = _basic(registered.client_id, registered.client_secret)
        refused = _token(client, {"grant_type": "client_credentials"}, right)
        assert refused.status_code == 429, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
        assert 0 < int(refused.headers["retry-after"]) <= 60
        # Another client id from the same address is not affected.
        fine = _token(
            client,
            {"grant_type": "client_credentials"},
            _basic(other.client_id, other.client_secret),
        )
        assert fine.status_code == 200, fine.text
    finally:
        client.close()


def test_a_token_request_beyond_the_concurrency_cap_is_503_at_once(
    app: FastAPI, client: ASGIClient, registered: CreatedClient
) -> None:
    guard = container_of(app).grant_guard
    credentials = _basic(registered.client_id, registered.client_secret)
    with contextlib.ExitStack() as held:
        for _ in range(container_of(app).settings.token_max_concurrent_grants):
            held.enter_context(guard.slot())
        busy = _token(client, {"grant_type": "client_credentials"}, credentials)
        assert busy.status_code == 503, busy.text
        assert busy.headers["content-type"] == "application/problem+json"
        assert busy.headers["retry-after"] == "1"
    response = _token(client, {"grant_type": "client_credentials"}, credentials)
    assert response.status_code == 200, response.text
