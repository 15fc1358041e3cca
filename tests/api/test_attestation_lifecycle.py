"""Attestations with a lifecycle: sequence, expiry, the tree head and custody they were checked
against, and a public status: current, superseded, revoked (finding 4 of the security review)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from fastapi import FastAPI

from clearstone_api.cli import main as cli
from clearstone_api.container import container_of
from clearstone_api.security.scopes import Role
from clearstone_api.services.attestation_lifecycle import LIFETIME
from clearstone_api.services.attestation_renewal import renew_expiring
from tests.api.conftest import Auth, Loader
from tests.api.factories import export_event, incident, register_chain
from tests.api.test_attestations import verify_offline
from tests.support.harness import ASGIClient


def _signed(client: ASGIClient, number: str) -> tuple[str, dict[str, Any]]:
    token = client.get(f"/v1/certificates/{number}/attestation").text
    jwks = client.get("/.well-known/jwks.json").json()
    return token, verify_offline(token, jwks)


def _status(client: ASGIClient, attestation_id: str) -> dict[str, Any]:
    response = client.get(f"/v1/attestations/{attestation_id}/status")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_an_attestation_carries_its_sequence_expiry_tree_head_and_custody(
    supplier: ASGIClient,
) -> None:
    register_chain(supplier)
    _, payload = _signed(supplier, "GIA-7770001")
    assert payload["jti"].startswith("AT-")
    assert payload["seq"] == 2  # registered (1), then its first custody event (2)
    assert payload["exp"] - payload["iat"] == LIFETIME.total_seconds()
    head = supplier.get("/v1/transparency/tree-heads/latest").json()
    assert payload["tree_head"] == {k: head[k] for k in ("tree_size", "root_hash", "timestamp")}
    assert payload["custody"]["chain_length"] == 1
    assert len(payload["custody"]["chain_head"]) == 64
    status = _status(supplier, payload["jti"])
    assert (status["status"], status["seq"], status["expired"]) == ("current", 2, False)
    assert status["current"] == payload["jti"]


def test_a_superseded_attestation_says_so_and_links_the_current_one(
    load: Loader, client: ASGIClient, auth: Auth
) -> None:
    load("DEMO-BW-2023")
    _, old = _signed(client, "DEMO-BW-2023")
    assert old["assessment"]["csc"]["result"] == "no_known_red_flags"
    analyst = auth(Role.analyst, tenant="clearstone")
    response = client.post(
        "/v1/reference/incidents",
        json={"incident": incident(), "note": "new report"},
        headers=analyst,
    )
    assert response.status_code == 201, response.text
    _, new = _signed(client, "DEMO-BW-2023")
    assert new["assessment"]["csc"]["result"] != "no_known_red_flags"
    assert new["seq"] == old["seq"] + 1
    status = _status(client, old["jti"])
    assert status["status"] == "superseded"
    assert status["superseded_by"] == status["current"] == new["jti"]
    assert _status(client, new["jti"])["status"] == "current"


def test_an_operator_revokes_an_attestation(
    supplier: ASGIClient, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    register_chain(supplier)
    _, payload = _signed(supplier, "GIA-7770001")
    for name, value in settings.model_dump(mode="json").items():
        if value is not None and not isinstance(value, dict | list):
            monkeypatch.setenv(f"CLEARSTONE_{name.upper()}", str(value))
    cli(["revoke-attestation", payload["jti"], "--reason", "issued in error"])
    status = _status(supplier, payload["jti"])
    assert (status["status"], status["revocation_reason"]) == ("revoked", "issued in error")
    assert status["current"] is None


def test_unknown_or_malformed_ids_are_404_and_422(client: ASGIClient) -> None:
    assert client.get("/v1/attestations/AT-000000000000/status").status_code == 404
    assert client.get("/v1/attestations/nope/status").status_code == 422


def test_attestations_near_expiry_are_renewed_as_of_today(
    app: FastAPI, supplier: ASGIClient
) -> None:
    register_chain(supplier)
    assert supplier.post("/v1/custody/events", json=export_event("E2")).status_code == 201
    _, before = _signed(supplier, "GIA-7770001")
    state = container_of(app)
    assert renew_expiring(state.database, state.references, state.attester) == 0
    renewed = renew_expiring(
        state.database, state.references, state.attester, window=LIFETIME + dt.timedelta(days=1)
    )
    assert renewed == 1
    _, after = _signed(supplier, "GIA-7770001")
    assert after["seq"] == before["seq"] + 1
    assert _status(supplier, before["jti"])["status"] == "superseded"
    assert after["as_of"] == dt.datetime.now(dt.UTC).date().isoformat()
