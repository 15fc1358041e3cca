"""Access tokens (``security/tokens.py``): every attack in api-conventions.md's list, refused.

Each forged token is sent to a protected operation and must get 401 problem+json with
``WWW-Authenticate: Bearer``; the same token handed to ``Tokens.verify`` must fail for the reason
the attack targets (so that no forgery "passes" by failing some unrelated check). A token forged
correctly by the same helper is accepted: the positive control.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from fastapi import FastAPI

from clearstone_api.container import container_of
from clearstone_api.security.scopes import Role
from clearstone_api.security.tokens import LEEWAY_SECONDS, InvalidToken, Tokens
from tests.api.forgery import (
    b64url,
    claims,
    forge,
    header,
    public_key_der,
    public_key_pem,
    service_private_key,
    unb64url,
)
from tests.support.harness import ASGIClient, mint_token

PROTECTED = "/v1/stones"  # supplier read: records:read


def _assert_refused(client: ASGIClient, token: str) -> None:
    response = client.get(PROTECTED, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"].startswith("Bearer")
    body = response.json()
    assert body["status"] == 401
    assert {"type", "title", "detail", "request_id"} <= set(body)


def _reason(app: FastAPI, token: str) -> str:
    tokens: Tokens = container_of(app).tokens
    with pytest.raises(InvalidToken) as refused:
        tokens.verify(token)
    return refused.value.reason


def _attack(app: FastAPI, client: ASGIClient, token: str, reason: str) -> None:
    _assert_refused(client, token)
    assert _reason(app, token) == reason


def test_a_correctly_forged_token_is_accepted(app: FastAPI, client: ASGIClient) -> None:
    token = forge(header(app), claims(app), service_private_key(app))
    response = client.get(PROTECTED, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("alg", ["none", "None", "NONE"])
def test_alg_none_is_refused(app: FastAPI, client: ASGIClient, alg: str) -> None:
    unsigned = forge(header(app, alg=alg), claims(app))
    assert unsigned.endswith(".")
    _attack(app, client, unsigned, "algorithm")
    # Also with a signature segment that is not empty.
    head, payload, _ = unsigned.split(".")
    _attack(app, client, f"{head}.{payload}.{b64url(b'x' * 64)}", "algorithm")


@pytest.mark.parametrize("encoding", ["pem", "der"])
def test_hs256_keyed_with_the_public_key_is_refused(
    app: FastAPI, client: ASGIClient, encoding: str
) -> None:
    """The algorithm-confusion attack: HMAC "signed" with the service's public key, which a
    verifier that takes ``alg`` from the token would use as the HMAC secret."""
    secret = public_key_pem(app) if encoding == "pem" else public_key_der(app)
    token = forge(header(app, alg="HS256"), claims(app), secret)
    _attack(app, client, token, "algorithm")


def _other_alg_key(alg: str) -> Any:
    if alg == "ES384":
        return ec.generate_private_key(ec.SECP384R1())
    if alg == "RS256":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return b"a shared secret nobody should accept"


@pytest.mark.parametrize("alg", ["ES384", "RS256", "HS256", "HS512"])
def test_a_wrong_algorithm_is_refused(app: FastAPI, client: ASGIClient, alg: str) -> None:
    token = forge(header(app, alg=alg), claims(app), _other_alg_key(alg))
    _attack(app, client, token, "algorithm")


@pytest.mark.parametrize("missing", ["exp", "iat", "iss", "aud", "sub", "scope", "tenant", "role"])
def test_a_missing_claim_is_refused(app: FastAPI, client: ASGIClient, missing: str) -> None:
    token = forge(header(app), claims(app, **{missing: None}), service_private_key(app))
    _attack(app, client, token, "claims")


@pytest.mark.parametrize(
    "changes",
    [
        {"iss": "https://evil.example"},
        {"aud": "https://another-api.example"},
        {"aud": ["https://another-api.example"]},
        {"exp": "9999999999"},
        {"iat": "now"},
        {"role": "admin"},
        {"iat": int(time.time()) + 3600, "exp": int(time.time()) + 4000},
    ],
    ids=["wrong-iss", "wrong-aud", "wrong-aud-list", "exp-string", "iat-string", "role", "future"],
)
def test_wrong_claims_are_refused(
    app: FastAPI, client: ASGIClient, changes: dict[str, Any]
) -> None:
    token = forge(header(app), claims(app, **changes), service_private_key(app))
    _attack(app, client, token, "claims")


def test_an_expired_token_is_refused_beyond_the_leeway(app: FastAPI, client: ASGIClient) -> None:
    now = int(time.time())
    expired = forge(
        header(app), claims(app, iat=now - 1000, exp=now - 61), service_private_key(app)
    )
    _attack(app, client, expired, "expired")
    response = client.get(PROTECTED, headers={"Authorization": f"Bearer {expired}"})
    assert "expired" in response.json()["detail"]
    just_expired = forge(
        header(app), claims(app, iat=now - 900, exp=now - 10), service_private_key(app)
    )
    assert (
        client.get(PROTECTED, headers={"Authorization": f"Bearer {just_expired}"}).status_code
        == 200
    )


@pytest.mark.parametrize(
    "kid", ["no-such-key", None, 7, ["k"]], ids=["unknown", "missing", "int", "list"]
)
def test_an_unknown_or_missing_kid_is_refused(app: FastAPI, client: ASGIClient, kid: Any) -> None:
    head = header(app, kid=kid) if kid is not None else header(app, kid=None)
    token = forge(head, claims(app), service_private_key(app))
    _attack(app, client, token, "kid")


def test_a_tampered_payload_is_refused(app: FastAPI, client: ASGIClient) -> None:
    genuine = mint_token(app, Role.retailer, tenant="shop-1")
    head, payload, signature = genuine.split(".")
    altered = json.loads(unb64url(payload))
    altered.update(role="supplier", scope="records:read records:write", tenant="acme-mining")
    token = f"{head}.{b64url(json.dumps(altered).encode())}.{signature}"
    _attack(app, client, token, "signature")


def test_a_token_signed_by_another_key_under_our_kid_is_refused(
    app: FastAPI, client: ASGIClient
) -> None:
    token = forge(header(app), claims(app), ec.generate_private_key(ec.SECP256R1()))
    _attack(app, client, token, "signature")


@pytest.mark.parametrize("member", ["jwk", "jku", "x5u", "x5c", "crit"])
def test_headers_pointing_at_other_keys_are_refused(
    app: FastAPI, client: ASGIClient, member: str
) -> None:
    attacker = ec.generate_private_key(ec.SECP256R1()).public_key().public_numbers()
    values: dict[str, Any] = {
        "jwk": {"kty": "EC", "crv": "P-256", "x": b64url(attacker.x.to_bytes(32, "big")), "y": "y"},
        "jku": "https://evil.example/jwks.json",
        "x5u": "https://evil.example/cert.pem",
        "x5c": ["MIIB"],
        "crit": ["exp"],
    }
    token = forge(header(app, **{member: values[member]}), claims(app), service_private_key(app))
    _attack(app, client, token, "header")


def test_an_attestation_is_not_an_access_token(app: FastAPI, client: ASGIClient) -> None:
    tokens: Tokens = container_of(app).tokens
    attestation = tokens.sign_attestation(json.dumps(claims(app)).encode())
    _attack(app, client, attestation, "type")


def test_a_long_attestation_reads_back_but_a_long_bearer_token_is_refused_unparsed(
    app: FastAPI, client: ASGIClient
) -> None:
    """An attestation signs a stone's whole consumer view, far beyond a bearer token's 4 KiB."""
    tokens: Tokens = container_of(app).tokens
    payload = json.dumps({"view": {"checks": ["a reason with its sources"] * 400}}).encode()
    attestation = tokens.sign_attestation(payload)

    assert len(attestation) > 8192
    assert tokens.verify_attestation(attestation) == payload
    _attack(app, client, "x" * 5000 + ".y.z", "malformed")


@pytest.mark.parametrize(
    "credentials",
    ["", "Bearer", "Bearer ", "Bearer not.a.jwt", "Bearer a.b", "Basic dXNlcjpwYXNz", "Token x"],
)
def test_missing_or_malformed_credentials_are_401(client: ASGIClient, credentials: str) -> None:
    headers = {"Authorization": credentials} if credentials else {}
    response = client.get(PROTECTED, headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.headers["content-type"] == "application/problem+json"


def test_a_valid_token_without_the_scope_is_403(app: FastAPI, client: ASGIClient) -> None:
    token = mint_token(app, Role.supplier, scopes=["records:write"])
    response = client.get(PROTECTED, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    assert 'error="insufficient_scope"' in response.headers["www-authenticate"]
    assert 'scope="records:read"' in response.headers["www-authenticate"]


def test_a_scope_outside_the_role_does_not_count(app: FastAPI, client: ASGIClient) -> None:
    """Defence in depth: even a validly signed token cannot give a retailer supplier scopes."""
    token = forge(
        header(app),
        claims(app, role="retailer", scope="records:read records:write"),
        service_private_key(app),
    )
    response = client.get(PROTECTED, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403


def test_issued_tokens_carry_kid_and_every_required_claim(app: FastAPI) -> None:
    token = mint_token(app, Role.analyst, tenant="clearstone")
    head = json.loads(unb64url(token.split(".")[0]))
    body = json.loads(unb64url(token.split(".")[1]))
    assert head == {"alg": "ES256", "kid": container_of(app).tokens.active_kid, "typ": "at+jwt"}
    assert {"iss", "aud", "sub", "iat", "exp", "scope", "tenant", "role", "jti"} <= set(body)
    assert 0 < body["exp"] - body["iat"] <= 900
    assert body["role"] == "analyst"
    assert body["tenant"] == "clearstone"


def _raw_claims(app: FastAPI, **raw: str) -> bytes:
    """Valid claims as JSON text with some members replaced by raw JSON tokens (``Infinity`` and
    ``1e400`` cannot be written by ``json.dumps`` from an int)."""
    body = claims(app, **dict.fromkeys(raw, 0))
    text = json.dumps(body)
    for name, token in raw.items():
        text = text.replace(f'"{name}": 0', f'"{name}": {token}')
    return text.encode()


@pytest.mark.parametrize(
    "raw",
    [
        {"exp": "Infinity"},
        {"exp": "-Infinity"},
        {"exp": "1e400"},
        {"exp": "NaN"},
        {"iat": "Infinity"},
        {"iat": "-1e400"},
    ],
    ids=["exp-inf", "exp-minus-inf", "exp-1e400", "exp-nan", "iat-inf", "iat-minus-1e400"],
)
def test_non_finite_or_huge_time_claims_are_401_not_500(
    app: FastAPI, client: ASGIClient, raw: dict[str, str]
) -> None:
    raw.setdefault("iat", str(int(time.time())))
    token = forge(header(app), _raw_claims(app, **raw), service_private_key(app))
    _attack(app, client, token, "claims")


def test_a_lifetime_beyond_the_issuing_one_is_refused(app: FastAPI, client: ASGIClient) -> None:
    now = int(time.time())
    ten_years = forge(
        header(app), claims(app, iat=now, exp=now + 10 * 365 * 86400), service_private_key(app)
    )
    _attack(app, client, ten_years, "lifetime")
    huge = _raw_claims(app, iat=str(now), exp="99999999999999999999999999999")
    _attack(app, client, forge(header(app), huge, service_private_key(app)), "lifetime")
    settings = container_of(app).settings
    longest = settings.access_token_ttl_seconds + LEEWAY_SECONDS
    at_the_bound = forge(
        header(app), claims(app, iat=now, exp=now + longest), service_private_key(app)
    )
    response = client.get(PROTECTED, headers={"Authorization": f"Bearer {at_the_bound}"})
    assert response.status_code == 200, response.text
    just_beyond = forge(
        header(app), claims(app, iat=now, exp=now + longest + 1), service_private_key(app)
    )
    _attack(app, client, just_beyond, "lifetime")
