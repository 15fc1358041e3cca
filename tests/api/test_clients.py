"""API clients (``services/clients.py``) and the CLI that creates them."""

from __future__ import annotations

import json

import pytest

from clearstone_api.cli import main
from clearstone_api.db import Database
from clearstone_api.models.client import Client
from clearstone_api.security.client_secrets import SecretHasher
from clearstone_api.security.scopes import Role
from clearstone_api.services.clients import (
    ClientRefused,
    authenticate_client,
    create_client,
)
from clearstone_api.settings import Settings


@pytest.fixture(autouse=True)
def cli_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The CLI reads its settings from the environment: point it at this test's database."""
    monkeypatch.setenv("CLEARSTONE_DATABASE_URL", settings.url)
    monkeypatch.setenv("CLEARSTONE_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("CLEARSTONE_ENVIRONMENT", "test")
    return settings


def test_create_client_prints_the_id_and_the_secret_once(
    database: Database, hasher: SecretHasher, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["create-client", "--role", "supplier", "--tenant", "ACME", "--json"])
    printed = json.loads(capsys.readouterr().out)
    assert printed["role"] == "supplier"
    assert printed["tenant"] == "ACME"
    assert printed["scopes"] == [
        "assessments",
        "events:read",
        "records:read",
        "records:write",
        "sanctions:evidence",
        "webhooks",
    ]
    with database.session() as session:
        found = authenticate_client(session, hasher, printed["client_id"], printed["client_secret"])
        assert found.tenant_id == "ACME"
        stored = session.get(Client, printed["client_id"])
        assert stored is not None and printed["client_secret"] not in stored.secret_hash


def test_create_client_with_chosen_scopes_in_plain_text(capsys: pytest.CaptureFixture[str]) -> None:
    main(["create-client", "--role", "retailer", "--tenant", "SHOP", "--scopes", "screenings"])
    out = capsys.readouterr().out
    assert "client_id:     cli_" in out
    assert "client_secret: cs_" in out
    assert "scopes:        screenings" in out


def test_create_client_refuses_a_scope_beyond_the_role(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as refused:
        main(
            ["create-client", "--role", "retailer", "--tenant", "SHOP", "--scopes", "records:write"]
        )
    assert "may not hold: records:write" in str(refused.value)
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("tenant", ["", "-bad", "x" * 65, "white space"])
def test_a_malformed_tenant_is_refused(
    database: Database, hasher: SecretHasher, tenant: str
) -> None:
    with database.session() as session, pytest.raises(ValueError, match="tenant"):
        create_client(session, hasher, role=Role.supplier, tenant_id=tenant)


def test_authentication_refuses_what_cannot_be_a_client(
    database: Database, hasher: SecretHasher
) -> None:
    with database.session() as session:
        created = create_client(session, hasher, role=Role.analyst, tenant_id="clearstone")
    with database.session() as session:
        for client_id, secret in [
            ("not-an-id", created.client_secret),
            (created.client_id, "x" * 10_000),
            (created.client_id, created.client_secret + "x"),
        ]:
            with pytest.raises(ClientRefused):
                authenticate_client(session, hasher, client_id, secret)


def test_generate_signing_key_prints_a_private_jwk_set(capsys: pytest.CaptureFixture[str]) -> None:
    main(["generate-signing-key", "--kid", "2026-11-a"])
    (key,) = json.loads(capsys.readouterr().out)["keys"]
    assert (key["kid"], key["kty"], key["crv"], key["alg"]) == ("2026-11-a", "EC", "P-256", "ES256")
    assert len(key["d"]) == 43
