"""Every operation in ``openapi/openapi.json`` has an SDK method on both clients, and that method
sends the operation's HTTP method to the operation's path."""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from clearstone import AsyncClearstone, Clearstone
from clearstone._constants import TOKEN_PATH

from .conftest import Harness
from .factories import problem

Connect = Callable[..., Harness]

CONTRACT = Path(__file__).resolve().parents[2] / "openapi" / "openapi.json"

EVENT = {
    "id": "E1",
    "type": "extraction",
    "date": "2023-03-01",
    "place": {"country": "BW"},
    "items": ["L1"],
}
INCIDENT = {
    "id": "INC-X-1",
    "title": "t",
    "summary": "s",
    "country": "ZW",
    "actors": [],
    "categories": ["C02"],
    "date_start": "2008-11-01",
    "reported_on": "2009-06-01",
    "retrieved_at": "2026-01-01",
    "sources": [],
    "status": "documented",
    "verification": "verified",
}
PERIOD = {
    "id": "P1",
    "participant_id": "CF",
    "status": "suspended",
    "valid_from": "2013-05-23",
    "basis": "b",
    "source_ids": [],
    "retrieved_at": "2026-01-01",
    "verification": "verified",
}

EP = ("ep_" + "0" * 24,)

# operationId -> (method on the client, sample positional args, sample keyword args)
OPERATIONS: dict[str, tuple[str, tuple[Any, ...], dict[str, Any]]] = {
    "certificates-get": ("certificates.get", ("2141438167",), {}),
    "certificate-attestations-get": ("certificates.attestations.get", ("2141438167",), {}),
    "screenings-create": ("checkout.screenings.create", (["2141438167"],), {}),
    "assessments-create": ("assessments.create", ({"subject_id": "S1"},), {}),
    "custody-events-create": ("custody.events.create", (EVENT,), {}),
    "custody-events-get": ("custody.events.get", ("CE-000000000001",), {}),
    "lots-create": ("lots.create", ("L1",), {"carat": "10.5"}),
    "lots-get": ("lots.get", ("CL-000000000001",), {}),
    "lots-list": ("lots.list", (), {}),
    "stones-create": ("stones.create", ("S1",), {"origin": "natural", "carat": "1.01"}),
    "stones-get": ("stones.get", ("CS-000000000001",), {}),
    "stones-list": ("stones.list", (), {}),
    "custody-verifications-get": ("stones.custody_verifications.get", ("CS-000000000001",), {}),
    "stone-summaries-get": ("stones.summaries.get", ("CS-000000000001",), {}),
    "sanctions-evidence-get": (
        "stones.sanctions_evidence.get",
        ("CS-000000000001",),
        {"jurisdiction": "EU"},
    ),
    "sanctions-evidence-print": (
        "stones.sanctions_evidence_pages.get",
        ("CS-000000000001",),
        {"jurisdiction": "EU"},
    ),
    "participants-list": ("reference.participants.list", (), {"on": "2019-01-01"}),
    "incidents-list": ("reference.incidents.list", (), {"country": "ZW"}),
    "incidents-get": ("reference.incidents.get", ("INC-X-1",), {}),
    "incidents-create": ("reference.incidents.create", (INCIDENT,), {"note": "n"}),
    "incidents-update": ("reference.incidents.update", ("INC-X-1", INCIDENT), {"note": "n"}),
    "status-periods-create": ("reference.status_periods.create", (PERIOD,), {"note": "n"}),
    "status-periods-get": ("reference.status_periods.get", ("P1",), {}),
    "status-periods-update": ("reference.status_periods.update", ("P1", PERIOD), {"note": "n"}),
    "taxonomy-list": ("reference.taxonomy.list", (), {}),
    "reference-changes-list": ("reference.changes.list", (), {}),
    "reference-changes-get": ("reference.changes.get", (1,), {}),
    "reassessment-runs-list": ("reference.reassessment_runs.list", (), {"change_id": 1}),
    "reassessment-runs-get": ("reference.reassessment_runs.get", (1,), {}),
    "health-get": ("health.get", (), {}),
    "readiness-get": ("health.readiness.get", (), {}),
    "jwks-get": ("attestations.fetch_jwks", (), {}),
    "attestation-statuses-get": ("attestations.statuses.get", ("AT-000000000001",), {}),
    "lab-claims-list": ("lab.claims.list", (), {}),
    "lab-claim-decisions-create": (
        "lab.claim_decisions.create",
        ("NC-000000000001",),
        {"decision": "confirm"},
    ),
    "number-disputes-list": ("certificate_numbers.disputes.list", (), {}),
    "tree-heads-latest-get": ("transparency.latest_tree_head.get", (), {}),
    "tree-heads-list": ("transparency.tree_heads.list", (), {}),
    "tree-heads-get": ("transparency.tree_heads.get", (3,), {}),
    "inclusion-proofs-get": ("transparency.inclusion_proofs.get", (0, 1), {}),
    "consistency-proofs-get": ("transparency.consistency_proofs.get", (1, 2), {}),
    "events-list": ("events.list", (), {"types": ["stone.assessment.changed"]}),
    "events-get": ("events.get", ("evt_" + "0" * 24,), {}),
    "watches-create": ("watches.create", ("CS-000000000001",), {}),
    "watches-list": ("watches.list", (), {}),
    "watches-get": ("watches.get", ("wat_" + "0" * 24,), {}),
    "watches-delete": ("watches.delete", ("wat_" + "0" * 24,), {}),
    "webhook-endpoints-create": ("webhook_endpoints.create", ("https://example.com/h",), {}),
    "webhook-endpoints-list": ("webhook_endpoints.list", (), {}),
    "webhook-endpoints-get": ("webhook_endpoints.get", EP, {}),
    "webhook-endpoints-update": ("webhook_endpoints.update", EP, {"enabled": True}),
    "webhook-endpoints-delete": ("webhook_endpoints.delete", EP, {}),
    "webhook-endpoint-secret-rotations-create": (
        "webhook_endpoints.secret_rotations.create",
        EP,
        {},
    ),
    "webhook-endpoint-test-deliveries-create": ("webhook_endpoints.test_deliveries.create", EP, {}),
    "webhook-endpoint-replays-create": (
        "webhook_endpoints.replays.create",
        EP,
        {"event_id": "evt_" + "0" * 24},
    ),
    "webhook-endpoint-attempts-list": ("webhook_endpoints.attempts.list", EP, {}),
}

TRANSPORT_OPERATIONS = {TOKEN_PATH}
"""Paths the transport itself calls, not a resource method: the OAuth token exchange
(``oauth-tokens-create``) happens inside every call made with a client id and secret."""


def _operations() -> dict[str, tuple[str, str]]:
    """operationId -> (HTTP method, path template), from the committed contract."""
    spec = json.loads(CONTRACT.read_text(encoding="utf-8"))
    found = {}
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                found[operation["operationId"]] = (method.upper(), path)
    return found


CONTRACT_OPERATIONS = _operations()
COVERED = sorted(
    op for op, (_, path) in CONTRACT_OPERATIONS.items() if path not in TRANSPORT_OPERATIONS
)


def _resolve(client: object, dotted: str) -> Any:
    target: Any = client
    for name in dotted.split("."):
        target = getattr(target, name)
    return target


def test_every_operation_in_the_contract_has_an_sdk_method() -> None:
    missing = [op for op in COVERED if op not in OPERATIONS]
    assert not missing, f"operations without an SDK method: {missing}"


def test_the_mapping_names_only_operations_of_the_contract() -> None:
    # An operation the contract dropped must not linger as a method that calls nothing.
    stale = sorted(set(OPERATIONS) - set(CONTRACT_OPERATIONS))
    assert not stale, f"SDK methods for operations not in the contract: {stale}"


@pytest.mark.parametrize("operation_id", sorted(OPERATIONS))
def test_both_clients_have_the_method(operation_id: str) -> None:
    dotted = OPERATIONS[operation_id][0]
    sync_method = _resolve(Clearstone(base_url="http://x"), dotted)
    async_method = _resolve(AsyncClearstone(base_url="http://x"), dotted)
    assert callable(sync_method)
    assert not inspect.iscoroutinefunction(sync_method)
    # Lists return an async pager at once; everything else is a coroutine function.
    assert inspect.iscoroutinefunction(async_method) or dotted.endswith(".list")
    verb = dotted.rsplit(".", 1)[1]
    assert verb in {"get", "list", "create", "update", "delete", "fetch_jwks"}


def _template_regex(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}]+\})", template)
    return re.compile(
        "^" + "".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts) + "$"
    )


@pytest.mark.parametrize("operation_id", COVERED)
def test_the_method_calls_its_operation(operation_id: str, connect: Connect) -> None:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return problem(400)

    dotted, args, kwargs = OPERATIONS[operation_id]
    harness = connect(handler)
    with pytest.raises(Exception, match="400"):
        harness.call(dotted, *args, **kwargs)
    method, template = CONTRACT_OPERATIONS[operation_id]
    assert [r.method for r in sent] == [method]
    assert _template_regex(template).match(sent[0].url.path), sent[0].url.path
