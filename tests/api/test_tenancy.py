"""Who may do what: every protected operation, as every caller that may not, is refused.

Supplier ``acme-mining`` registers a lot, a stone and a custody event, and an analyst records a
reference change. Then each protected operation runs with a request that would succeed for its
rightful caller (shown first, as the control), as:

- nobody (no token): 401;
- every role that cannot hold the operation's scope, and its own role with a token lacking that
  scope: 403;
- another supplier tenant, for supplier records: 404 for the other tenant's record, exactly as
  for a record that does not exist; an empty list; a 422 unknown reference when a write names
  the other tenant's lot, and nothing written.

No refusal carries anything of the owner's records.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from clearstone_api.openapi import build_openapi
from clearstone_api.security.scopes import ROLE_SCOPES, Role, Scope
from clearstone_api.services.demo import vectors_path
from tests.api.factories import export_event, incident, lot, register_chain, status_period, stone
from tests.support.harness import ASGIClient, bearer

OWNER = "acme-mining"
RIVAL = "rival-gems"
SHOP = "bright-jewels"
"""The retailer that watches the owner's stone."""


@dataclass
class World:
    """What the owner registered, and the markers that must never leak to anyone else."""

    stone_id: str
    lot_id: str
    change_id: int
    secrets: list[str] = field(default_factory=list)
    claim_id: str = ""
    watch_id: str = ""
    event_id: str = ""
    endpoint_id: str = ""
    owner_event_id: str = ""
    run_id: int = 0


@dataclass(frozen=True)
class Operation:
    op_id: str
    method: str
    path: str
    scope: Scope
    body: Any = None
    tenant_scoped: bool = False
    """Reads or writes one supplier's own records."""
    tenant: str | None = None
    """The rightful caller's tenant, when it must be a particular one (a lab's code)."""
    role: Role | None = None
    """The rightful caller's role, when several roles hold the scope and it must be one."""


def _vector_record(certificate: str) -> dict[str, Any]:
    vectors = json.loads(vectors_path().read_text(encoding="utf-8"))
    record: dict[str, Any] = next(v for v in vectors if v["certificate"] == certificate)["record"]
    return record


OPERATIONS = [
    Operation(
        "stones-create",
        "POST",
        "/v1/stones",
        Scope.records_write,
        stone("S9", number="7779999", parents=["L1"]),
        True,
    ),
    Operation("stones-list", "GET", "/v1/stones", Scope.records_read, tenant_scoped=True),
    Operation("stones-get", "GET", "/v1/stones/{stone}", Scope.records_read, tenant_scoped=True),
    Operation(
        "custody-verifications-get",
        "GET",
        "/v1/stones/{stone}/custody/verification",
        Scope.records_read,
        tenant_scoped=True,
    ),
    Operation("stone-summaries-get", "GET", "/v1/stones/{stone}/summary", Scope.stones_summary),
    Operation(
        "sanctions-evidence-get",
        "GET",
        "/v1/stones/{stone}/sanctions-evidence?jurisdiction=EU",
        Scope.sanctions_evidence,
        tenant_scoped=True,
    ),
    Operation(
        "sanctions-evidence-print",
        "GET",
        "/v1/stones/{stone}/sanctions-evidence/print?jurisdiction=UK",
        Scope.sanctions_evidence,
        tenant_scoped=True,
    ),
    Operation(
        "lots-create",
        "POST",
        "/v1/lots",
        Scope.records_write,
        lot("L9", parent_lot_ids=["L1"]),
        True,
    ),
    Operation("lots-list", "GET", "/v1/lots", Scope.records_read, tenant_scoped=True),
    Operation("lots-get", "GET", "/v1/lots/{lot}", Scope.records_read, tenant_scoped=True),
    Operation(
        "custody-events-create",
        "POST",
        "/v1/custody/events",
        Scope.records_write,
        export_event("E9", items=["L1"]),
        True,
    ),
    Operation(
        "screenings-create",
        "POST",
        "/v1/checkout/screenings",
        Scope.screenings,
        {"items": ["GIA-7770001"]},
    ),
    Operation(
        "assessments-create",
        "POST",
        "/v1/assessments",
        Scope.assessments,
        {"record": _vector_record("DEMO-BW-2023")},
    ),
    Operation(
        "incidents-create",
        "POST",
        "/v1/reference/incidents",
        Scope.reference_write,
        {"incident": incident(id="INC-TEST-OTHER"), "note": "n"},
    ),
    Operation(
        "incidents-update",
        "PUT",
        "/v1/reference/incidents/INC-TEST-JWANENG",
        Scope.reference_write,
        {"incident": incident(status="alleged"), "note": "n"},
    ),
    Operation(
        "status-periods-create",
        "POST",
        "/v1/reference/status-periods",
        Scope.reference_write,
        {"status_period": status_period(id="SP-TEST-OTHER"), "note": "n"},
    ),
    Operation(
        "status-periods-update",
        "PUT",
        "/v1/reference/status-periods/SP-TEST-BW",
        Scope.reference_write,
        {"status_period": status_period(basis="corrected"), "note": "n"},
    ),
    Operation("reference-changes-list", "GET", "/v1/reference/changes", Scope.reference_read),
    Operation(
        "custody-events-get",
        "GET",
        "/v1/custody/events/{event}",
        Scope.records_read,
        tenant_scoped=True,
    ),
    Operation("lab-claims-list", "GET", "/v1/lab/claims", Scope.numbers_decide, tenant="GIA"),
    Operation(
        "lab-claim-decisions-create",
        "POST",
        "/v1/lab/claims/{claim}/decisions",
        Scope.numbers_decide,
        {"decision": "confirm"},
        tenant="GIA",
    ),
    Operation(
        "number-disputes-list", "GET", "/v1/certificate-numbers/disputes", Scope.numbers_disputes
    ),
    Operation(
        "reference-changes-get", "GET", "/v1/reference/changes/{change}", Scope.reference_read
    ),
    Operation("events-list", "GET", "/v1/events", Scope.events_read),
    Operation("events-get", "GET", "/v1/events/{feed_event}", Scope.events_read, role=Role.analyst),
    Operation(
        "watches-create", "POST", "/v1/watches", Scope.watches, {"stone_id": "{stone}"}, tenant=SHOP
    ),
    Operation("watches-list", "GET", "/v1/watches", Scope.watches, tenant=SHOP),
    Operation("watches-get", "GET", "/v1/watches/{watch}", Scope.watches, tenant=SHOP),
    Operation("watches-delete", "DELETE", "/v1/watches/{watch}", Scope.watches, tenant=SHOP),
    Operation(
        "webhook-endpoints-create",
        "POST",
        "/v1/webhook-endpoints",
        Scope.webhooks,
        {"url": "http://127.0.0.1:9/other"},
        tenant=OWNER,
    ),
    Operation("webhook-endpoints-list", "GET", "/v1/webhook-endpoints", Scope.webhooks),
    Operation(
        "webhook-endpoints-get",
        "GET",
        "/v1/webhook-endpoints/{endpoint}",
        Scope.webhooks,
        tenant=OWNER,
    ),
    Operation(
        "webhook-endpoints-update",
        "PATCH",
        "/v1/webhook-endpoints/{endpoint}",
        Scope.webhooks,
        {"description": "renamed"},
        tenant=OWNER,
    ),
    Operation(
        "webhook-endpoints-delete",
        "DELETE",
        "/v1/webhook-endpoints/{endpoint}",
        Scope.webhooks,
        tenant=OWNER,
    ),
    Operation(
        "webhook-endpoint-secret-rotations-create",
        "POST",
        "/v1/webhook-endpoints/{endpoint}/secret-rotations",
        Scope.webhooks,
        tenant=OWNER,
    ),
    Operation(
        "webhook-endpoint-test-deliveries-create",
        "POST",
        "/v1/webhook-endpoints/{endpoint}/test-deliveries",
        Scope.webhooks,
        tenant=OWNER,
    ),
    Operation(
        "webhook-endpoint-replays-create",
        "POST",
        "/v1/webhook-endpoints/{endpoint}/replays",
        Scope.webhooks,
        {"event_id": "{owner_event}"},
        tenant=OWNER,
    ),
    Operation(
        "webhook-endpoint-attempts-list",
        "GET",
        "/v1/webhook-endpoints/{endpoint}/attempts",
        Scope.webhooks,
        tenant=OWNER,
    ),
    Operation("reassessment-runs-list", "GET", "/v1/reassessment-runs", Scope.reference_read),
    Operation("reassessment-runs-get", "GET", "/v1/reassessment-runs/{run}", Scope.reference_read),
]


def _rightful(operation: Operation) -> Role:
    return operation.role or next(role for role in Role if operation.scope in ROLE_SCOPES[role])


def _call(
    client: ASGIClient, operation: Operation, world: World, headers: dict[str, str]
) -> httpx.Response:
    names = {
        "stone": world.stone_id,
        "lot": world.lot_id,
        "change": world.change_id,
        "claim": world.claim_id,
        "watch": world.watch_id,
        "feed_event": world.event_id,
        "event": "E1",  # the owner's own id for its extraction event (register_chain)
        "endpoint": world.endpoint_id,
        "run": world.run_id,
    }
    path = operation.path.format(**names)
    body = operation.body
    if body is not None:
        text = json.dumps(body).replace('"{stone}"', json.dumps(world.stone_id))
        body = json.loads(text.replace('"{owner_event}"', json.dumps(world.owner_event_id)))
    return client.request(operation.method, path, json=body, headers=headers)


@pytest.fixture
def world(app: FastAPI, client: ASGIClient) -> World:
    owner = bearer(app, Role.supplier, tenant=OWNER, client_id="cli_owner")
    client.headers.update(owner)
    created = register_chain(client)
    client.headers.clear()
    lot_id = client.get("/v1/lots", headers=owner).json()["data"][0]["id"]
    analyst = bearer(app, Role.analyst, tenant="clearstone")
    change = client.post(
        "/v1/reference/incidents", json={"incident": incident(), "note": "n"}, headers=analyst
    )
    assert change.status_code == 201, change.text
    period = client.post(
        "/v1/reference/status-periods",
        json={"status_period": status_period(), "note": "n"},
        headers=analyst,
    )
    assert period.status_code == 201, period.text
    # The owner's private markers: its own record ids, the names in its custody log, its client.
    # (Clearstone ids are not among them: a caller who asks by one already knows it.)
    secrets = ["Debswana", "jwaneng", created["record_id"], "cli_owner", OWNER]
    lab = bearer(app, Role.lab, tenant="GIA")
    claim_id = client.get("/v1/lab/claims", headers=lab).json()["data"][0]["id"]
    shop = bearer(app, Role.retailer, tenant=SHOP)
    watch = client.post("/v1/watches", json={"stone_id": created["id"]}, headers=shop)
    assert watch.status_code == 201, watch.text
    event_id = client.get("/v1/events", headers=analyst).json()["data"][0]["id"]
    # A receiver that refuses connections: the owner's test deliveries fail fast.
    endpoint = client.post(
        "/v1/webhook-endpoints", json={"url": "http://127.0.0.1:9/hook"}, headers=owner
    )
    assert endpoint.status_code == 201, endpoint.text
    owner_event_id = client.get("/v1/events", headers=owner).json()["data"][0]["id"]
    change_id = change.json()["change_id"]
    runs = client.get("/v1/reassessment-runs", params={"change_id": change_id}, headers=analyst)
    run_id = runs.json()["data"][0]["id"]
    return World(
        created["id"],
        lot_id,
        change_id,
        secrets,
        claim_id,
        watch.json()["id"],
        event_id,
        endpoint.json()["id"],
        owner_event_id,
        run_id,
    )


def _callers(app: FastAPI, operation: Operation) -> list[tuple[str, dict[str, str]]]:
    """Every caller that may not run ``operation``, by name: nobody, every role that cannot hold
    its scope, and every role that can, with a token lacking it."""
    callers: list[tuple[str, dict[str, str]]] = [("anonymous", {})]
    for role in Role:
        if operation.scope not in ROLE_SCOPES[role]:
            callers.append((role.value, bearer(app, role, tenant=OWNER)))
        else:
            others = sorted(s.value for s in ROLE_SCOPES[role] if s != operation.scope)
            callers.append(
                (f"{role.value}-without-scope", bearer(app, role, tenant=OWNER, scopes=others))
            )
    return callers


def _assert_leaks_nothing(response: httpx.Response, world: World) -> None:
    for secret in world.secrets:
        # As a whole token: the stone's record id ``S1`` may occur inside a random public id.
        leaked = re.search(rf"(?<![A-Za-z0-9]){re.escape(secret)}(?![A-Za-z0-9])", response.text)
        assert leaked is None, (secret, response.text)


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.op_id)
def test_every_protected_operation_refuses_every_caller_that_may_not(
    app: FastAPI, client: ASGIClient, world: World, operation: Operation
) -> None:
    for name, headers in _callers(app, operation):
        response = _call(client, operation, world, headers)
        expected = 401 if name == "anonymous" else 403
        assert response.status_code == expected, (name, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        if expected == 401:
            assert response.headers["www-authenticate"].startswith("Bearer")
        _assert_leaks_nothing(response, world)
    # The control: the rightful caller is not refused (so the refusals above mean something).
    rightful = _rightful(operation)
    tenant = operation.tenant or (OWNER if operation.tenant_scoped else "any")
    allowed = _call(client, operation, world, bearer(app, rightful, tenant=tenant))
    assert allowed.status_code < 400, allowed.text


TENANT_SCOPED = [op for op in OPERATIONS if op.tenant_scoped]


@pytest.mark.parametrize("operation", TENANT_SCOPED, ids=lambda op: op.op_id)
def test_another_tenant_sees_nothing_and_touches_nothing(
    app: FastAPI, client: ASGIClient, world: World, operation: Operation
) -> None:
    rival = bearer(app, Role.supplier, tenant=RIVAL)
    owner = bearer(app, Role.supplier, tenant=OWNER)
    before = client.get(f"/v1/stones/{world.stone_id}/custody/verification", headers=owner).json()
    response = _call(client, operation, world, rival)
    _assert_leaks_nothing(response, world)
    if operation.method == "GET" and "{" in operation.path:
        assert response.status_code == 404
        # Indistinguishable from a record that does not exist.
        ghost = World("CS-000000000000", "CL-000000000000", world.change_id)
        missing = _call(client, operation, ghost, rival)
        assert missing.status_code == 404
        assert {k: response.json()[k] for k in ("type", "title", "status")} == {
            k: missing.json()[k] for k in ("type", "title", "status")
        }
        assert response.json()["detail"].replace(world.stone_id, "?").replace(
            world.lot_id, "?"
        ) == missing.json()["detail"].replace(ghost.stone_id, "?").replace(ghost.lot_id, "?")
    elif operation.method == "GET":
        assert response.status_code == 200
        assert response.json()["data"] == []
    else:
        # The write names the owner's lot L1: for the rival it does not exist.
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["type"] == "unknown_reference"
    after = client.get(f"/v1/stones/{world.stone_id}/custody/verification", headers=owner).json()
    assert after == before


def test_the_matrix_covers_every_protected_operation(app: FastAPI) -> None:
    protected = {
        operation["operationId"]
        for item in build_openapi(app)["paths"].values()
        for operation in item.values()
        if any("OAuth2" in requirement for requirement in operation.get("security", []))
    }
    assert protected == {op.op_id for op in OPERATIONS}
