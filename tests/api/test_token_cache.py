"""Verified access tokens are cached until they expire (``security/token_cache.py``), and a cached
verification still refuses what the full one refuses: an expired token, a token that differs in
any byte, a scope the token lacks. A disabled client gets no new token, and the tokens it holds
stop working when they expire, cached or not."""

from __future__ import annotations

import json
import time

from fastapi import FastAPI

from clearstone_api.container import container_of
from clearstone_api.db import Database
from clearstone_api.security.client_secrets import SecretHasher
from clearstone_api.security.scopes import ROLE_SCOPES, Role
from clearstone_api.security.tokens import LEEWAY_SECONDS
from clearstone_api.services.clients import create_client, disable_client
from tests.api.forgery import unb64url
from tests.support.harness import ASGIClient

PROTECTED = "/v1/stones"  # records:read
SUPPLIER_ONLY = "/v1/reference/changes"  # reference:read, which no supplier holds


def _get(client: ASGIClient, token: str, path: str = PROTECTED) -> int:
    return client.get(path, headers={"Authorization": f"Bearer {token}"}).status_code


def _supplier_token(app: FastAPI, *, expires_in: int) -> tuple[str, int]:
    """A supplier token issued so that it expires ``expires_in`` seconds from now (negative:
    already past ``exp``, still within the leeway)."""
    tokens = container_of(app).tokens
    exp = int(time.time()) + expires_in
    issued = tokens.issue(
        client_id="cli_cache_test",
        role=Role.supplier,
        tenant="acme-mining",
        scopes=ROLE_SCOPES[Role.supplier],
        now=exp - tokens.ttl_seconds,
    )
    return issued.token, exp


def test_a_cached_token_is_refused_once_it_expires(app: FastAPI, client: ASGIClient) -> None:
    token, exp = _supplier_token(app, expires_in=-LEEWAY_SECONDS + 3)
    assert _get(client, token) == 200  # verified in full, then cached
    assert _get(client, token) == 200  # from the cache
    assert len(container_of(app).tokens.verified) == 1
    time.sleep(max(0.0, exp + LEEWAY_SECONDS + 1.1 - time.time()))
    response = client.get(PROTECTED, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert "expired" in response.json()["detail"]
    assert _get(client, token) == 401  # and again, now verified in full


def test_a_cached_token_changed_in_any_byte_is_refused(app: FastAPI, client: ASGIClient) -> None:
    token, _ = _supplier_token(app, expires_in=600)
    assert _get(client, token) == 200
    head, payload, signature = token.split(".")
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
    assert _get(client, f"{head}.{payload}.{flipped}") == 401
    assert _get(client, f"{head}.{payload}x.{signature}") == 401
    assert _get(client, token) == 200


def test_scopes_are_checked_per_request_on_a_cached_token(app: FastAPI, client: ASGIClient) -> None:
    token, _ = _supplier_token(app, expires_in=600)
    assert _get(client, token) == 200
    assert _get(client, token, SUPPLIER_ONLY) == 403
    assert _get(client, token) == 200


def test_with_the_cache_off_every_request_is_verified(app: FastAPI, client: ASGIClient) -> None:
    tokens = container_of(app).tokens
    tokens.verified.size = 0
    token, _ = _supplier_token(app, expires_in=600)
    assert _get(client, token) == 200
    assert _get(client, token) == 200
    assert len(tokens.verified) == 0


def test_a_disabled_client_keeps_its_token_only_until_it_expires(
    app: FastAPI, client: ASGIClient, database: Database, hasher: SecretHasher
) -> None:
    with database.session() as session:
        created = create_client(session, hasher, role=Role.supplier, tenant_id="ACME")
    form = {
        "grant_type": "client_credentials",
        "client_id": created.client_id,
        "client_secret": created.client_secret,
    }
    granted = client.post("/v1/oauth/token", data=form)
    assert granted.status_code == 200, granted.text
    token = granted.json()["access_token"]
    assert _get(client, token) == 200  # cached from here on
    with database.session() as session:
        assert disable_client(session, created.client_id)
    assert client.post("/v1/oauth/token", data=form).status_code == 401
    # What it already holds works to its expiry, as without the cache (docs/security.md), and
    # not a second longer: the cached entry carries the token's own exp.
    assert _get(client, token) == 200
    claimed = json.loads(unb64url(token.split(".")[1]))
    assert container_of(app).tokens.verify(token).exp == claimed["exp"]
    assert claimed["exp"] - time.time() <= container_of(app).settings.access_token_ttl_seconds
