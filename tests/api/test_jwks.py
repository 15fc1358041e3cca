"""``GET /.well-known/jwks.json`` and key rotation: public keys only, several live at once."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from clearstone_api.app import create_app
from clearstone_api.container import container_of
from clearstone_api.security.keys import generate_jwk
from clearstone_api.security.scopes import Role
from clearstone_api.settings import Settings
from tests.api.forgery import unb64url
from tests.support.harness import ASGIClient, mint_token

JWKS = "/.well-known/jwks.json"
PRIVATE_MEMBERS = {"d", "p", "q", "dp", "dq", "qi", "k", "oth"}


def _members(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, member in value.items():
            yield key
            yield from _members(member)
    elif isinstance(value, list):
        for item in value:
            yield from _members(item)


def test_jwks_publishes_public_keys_only(app: FastAPI, client: ASGIClient) -> None:
    response = client.get(JWKS)
    assert response.status_code == 200
    document = response.json()
    assert not PRIVATE_MEMBERS & set(_members(document))
    assert '"d"' not in response.text
    (key,) = document["keys"]
    assert key == {
        "kty": "EC",
        "crv": "P-256",
        "x": key["x"],
        "y": key["y"],
        "kid": container_of(app).tokens.active_kid,
        "use": "sig",
        "alg": "ES256",
    }


def test_jwks_is_cacheable_with_an_etag(client: ASGIClient) -> None:
    first = client.get(JWKS)
    assert first.headers["cache-control"] == "public, max-age=300"
    again = client.get(JWKS, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304


def test_jwks_needs_no_credentials_and_ignores_bad_ones(client: ASGIClient) -> None:
    assert client.get(JWKS, headers={"Authorization": "Bearer nonsense"}).status_code == 200


@pytest.fixture
def keys() -> dict[str, dict[str, str]]:
    return {kid: generate_jwk(kid) for kid in ("2026-01-old", "2026-11-new")}


def _rotated(settings: Settings, keys: list[dict[str, str]], active: str | None) -> Settings:
    return settings.model_copy(
        update={"signing_keys": SecretStr(json.dumps({"keys": keys})), "signing_key_id": active}
    )


def _kid(token: str) -> str:
    kid: str = json.loads(unb64url(token.split(".")[0]))["kid"]
    return kid


def test_rotation_keeps_the_old_key_verifying_while_the_new_one_signs(
    settings: Settings, keys: dict[str, dict[str, str]]
) -> None:
    old, new = keys["2026-01-old"], keys["2026-11-new"]
    # Step 1: publish the new key beside the old one, which still signs.
    step1 = create_app(_rotated(settings, [old, new], None))
    # Step 2: switch signing to the new key; the old one only verifies.
    step2 = create_app(_rotated(settings, [old, new], "2026-11-new"))
    # Step 3: retire the old private key, keeping its public half for old signatures.
    public_old = {k: v for k, v in old.items() if k != "d"}
    step3 = create_app(_rotated(settings, [new, public_old], None))

    old_token = mint_token(step1, Role.supplier)
    new_token = mint_token(step2, Role.supplier)
    assert (_kid(old_token), _kid(new_token)) == ("2026-01-old", "2026-11-new")
    assert _kid(mint_token(step3, Role.supplier)) == "2026-11-new"
    for app in (step1, step2, step3):
        client = ASGIClient(app)
        try:
            published = {key["kid"] for key in client.get(JWKS).json()["keys"]}
            assert published == {"2026-01-old", "2026-11-new"}
            for token in (old_token, new_token):
                response = client.get("/v1/stones", headers={"Authorization": f"Bearer {token}"})
                assert response.status_code == 200, response.text
        finally:
            client.close()
    # A key removed from the set verifies nothing any more.
    step4 = create_app(_rotated(settings, [new], None))
    client = ASGIClient(step4)
    try:
        response = client.get("/v1/stones", headers={"Authorization": f"Bearer {old_token}"})
        assert response.status_code == 401
    finally:
        client.close()
