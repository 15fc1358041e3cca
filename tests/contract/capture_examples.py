"""Record the contract's response examples: ``python -m tests.contract.capture_examples``
(``make openapi-examples``), then ``make openapi``.

A fresh SQLite database gets the demo data; then every operation is called once, as its role
would, with the request examples of ``clearstone_api.contract_examples``, in an order where
each finds what it reads (the lot before the stone, the stone before its summary). What each
answered is written to ``contract_examples/captured.json``, with the parameter values only this
run could know (the new stone's ``CS-...`` id, a cursor). A call that does not succeed stops
the run and says which: fix its request example.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

import httpx

from clearstone_api.app import create_app
from clearstone_api.container import container_of
from clearstone_api.contract_examples import OPERATION_PARAMETERS, PARAMETERS, REQUEST_BODIES
from clearstone_api.schema import upgrade
from clearstone_api.security.scopes import Role
from clearstone_api.services import webhook_urls
from clearstone_api.services.clients import create_client
from clearstone_api.services.demo import load_demo
from clearstone_api.services.webhook_delivery import deliver
from clearstone_api.settings import Settings
from tests.contract.contract_data import TENANTS, resolve_example_host
from tests.support.harness import UNLIMITED, ASGIClient, bearer

OUTPUT = Path(__file__).parents[2] / "api/clearstone_api/contract_examples/captured.json"
FALLBACK_CURSOR = "eyJrIjoyfQ.p3Xb9wTq0cJ4mV1sL8eRkA"


@dataclass
class Call:
    op_id: str
    role: Role | None
    method: str
    path: str
    params: dict[str, Any] = field(default_factory=dict)
    """Path and query parameters; the path is formatted with them."""
    paged: bool = False
    """A list: also asks for one item, to capture a real cursor for ``after``."""
    body: Any = None
    """A request body only this run can write (it names a ``CS-...`` or ``evt_...`` id);
    recorded as the operation's request example. Else ``REQUEST_BODIES`` has it."""


@dataclass
class Capture:
    client: ASGIClient
    app: Any
    responses: dict[str, dict[str, Any]] = field(default_factory=dict)
    parameters: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: dict[str, Any] = field(default_factory=dict)

    def run(self, call: Call, **headers: str) -> Any:
        auth = bearer(self.app, call.role, tenant=TENANTS[call.role]) if call.role else {}
        path_names = {n for n in call.params if "{" + n + "}" in call.path}
        url = call.path.format(**call.params)
        query = {k: v for k, v in call.params.items() if k not in path_names}
        body = REQUEST_BODIES.get(call.op_id) if call.body is None else call.body
        if call.body is not None:
            self.requests[call.op_id] = call.body
        response = self.client.request(
            call.method,
            url,
            params=query,
            json=body if call.method != "GET" else None,
            headers={**auth, **headers},
        )
        if response.status_code >= 300:
            sys.exit(f"{call.op_id}: {response.status_code} {response.text}")
        answered: Any = None
        seen = self.responses.setdefault(call.op_id, {})
        if response.status_code != 204:  # No Content: nothing to show
            media = response.headers["content-type"].split(";")[0]
            answered = response.json() if media == "application/json" else response.text
            seen[str(response.status_code)] = answered
        known = {n for (op, n) in OPERATION_PARAMETERS if op == call.op_id} | set(PARAMETERS)
        learnt = {k: v for k, v in call.params.items() if k not in known}
        if call.paged:
            one = self.client.get(url, params={**query, "limit": 1}, headers=auth).json()
            learnt["after"] = one["next_cursor"] or FALLBACK_CURSOR
        if learnt:
            self.parameters.setdefault(call.op_id, {}).update(learnt)
        return answered


def _param(op_id: str, name: str) -> Any:
    return OPERATION_PARAMETERS.get((op_id, name), PARAMETERS.get(name))


def capture(data_dir: Path) -> dict[str, Any]:
    settings = Settings(
        database_url=f"sqlite:///{data_dir / 'examples.db'}",
        data_dir=data_dir,
        environment="test",
        lookup_cache_ttl_seconds=0,
        redis_url=None,
        signing_keys=None,
        signing_keys_file=None,
        jobs_periodic=False,
        webhook_delivery="off",  # delivered by the capture itself, to a stand-in receiver
        **UNLIMITED,
    )
    upgrade(settings)
    app = create_app(settings)
    held = container_of(app)
    load_demo(held.database, held.references, held.attester)
    with held.database.session() as session:
        client_id, secret = _client(session, held)
    client = ASGIClient(app)
    try:
        run = Capture(client, app)
        s, r, a, lab = Role.supplier, Role.retailer, Role.analyst, Role.lab

        def go(op_id: str, role: Role | None, method: str, path: str, **params: Any) -> Any:
            paged = bool(params.pop("paged", False))
            body = params.pop("body", None)
            for name in [n for n in _names(path) if n not in params]:
                params[name] = _param(op_id, name)
            return run.run(Call(op_id, role, method, path, params, paged, body))

        go("health-get", None, "GET", "/healthz")
        go("readiness-get", None, "GET", "/readyz")
        go("jwks-get", None, "GET", "/.well-known/jwks.json")
        token = client.post(
            "/v1/oauth/token", data=REQUEST_BODIES["oauth-tokens-create"], auth=(client_id, secret)
        )
        assert token.status_code == 200, token.text
        run.responses["oauth-tokens-create"] = {"200": token.json()}
        go("certificates-get", None, "GET", "/v1/certificates/{number}")
        jws = go(
            "certificate-attestations-get", None, "GET", "/v1/certificates/{number}/attestation"
        )
        claims = json.loads(base64.urlsafe_b64decode(jws.split(".")[1] + "=="))
        go(
            "attestation-statuses-get",
            None,
            "GET",
            "/v1/attestations/{attestation_id}/status",
            attestation_id=claims["jti"],
        )
        lot = go("lots-create", s, "POST", "/v1/lots")
        go("lots-get", s, "GET", "/v1/lots/{lot_id}", lot_id=lot["id"])
        extra = client.post(
            "/v1/lots",
            json={**REQUEST_BODIES["lots-create"], "id": "ACME-LOT-2026-032"},
            headers=bearer(app, s, tenant=TENANTS[s]),
        )
        assert extra.status_code == 201, extra.text
        go("lots-list", s, "GET", "/v1/lots", limit=20, paged=True)
        stone = go("stones-create", s, "POST", "/v1/stones")
        stone_id = stone["id"]
        go("stones-get", s, "GET", "/v1/stones/{stone_id}", stone_id=stone_id)
        go("stones-list", s, "GET", "/v1/stones", limit=20, paged=True)
        # Bijou watches the new stone before its custody is recorded, so that the re-assessment
        # the custody event causes reaches Bijou's change feed.
        watch = {"stone_id": stone_id}
        watched = go("watches-create", r, "POST", "/v1/watches", body=watch)
        go("watches-create", r, "POST", "/v1/watches", body=watch)  # again: 200, the same watch
        go("watches-get", r, "GET", "/v1/watches/{watch_id}", watch_id=watched["id"])
        go("watches-list", r, "GET", "/v1/watches", limit=20, paged=True)
        go("custody-events-create", s, "POST", "/v1/custody/events")
        go("custody-events-get", s, "GET", "/v1/custody/events/{event_id}")
        go(
            "custody-verifications-get",
            s,
            "GET",
            "/v1/stones/{stone_id}/custody/verification",
            stone_id=stone_id,
        )
        go("stone-summaries-get", r, "GET", "/v1/stones/{stone_id}/summary", stone_id=stone_id)
        go(
            "sanctions-evidence-get",
            s,
            "GET",
            "/v1/stones/{stone_id}/sanctions-evidence",
            stone_id=stone_id,
            jurisdiction="EU",
        )
        go(
            "sanctions-evidence-print",
            s,
            "GET",
            "/v1/stones/{stone_id}/sanctions-evidence/print",
            stone_id=stone_id,
            jurisdiction="EU",
        )
        go("screenings-create", r, "POST", "/v1/checkout/screenings")
        go("assessments-create", r, "POST", "/v1/assessments")
        created = go("incidents-create", a, "POST", "/v1/reference/incidents")
        go("incidents-get", None, "GET", "/v1/reference/incidents/{incident_id}")
        go(
            "incidents-list",
            None,
            "GET",
            "/v1/reference/incidents",
            country="ZW",
            status="adjudicated",
            limit=20,
            paged=True,
        )
        go(
            "incidents-update",
            a,
            "PUT",
            "/v1/reference/incidents/{incident_id}",
            incident_id=PARAMETERS["incident_id"],
        )
        go("status-periods-create", a, "POST", "/v1/reference/status-periods")
        go("status-periods-get", None, "GET", "/v1/reference/status-periods/{period_id}")
        go(
            "status-periods-update",
            a,
            "PUT",
            "/v1/reference/status-periods/{period_id}",
            period_id=PARAMETERS["period_id"],
        )
        go(
            "reference-changes-get",
            a,
            "GET",
            "/v1/reference/changes/{change_id}",
            change_id=created["change_id"],
        )
        go("reference-changes-list", a, "GET", "/v1/reference/changes", limit=20, paged=True)
        go(
            "participants-list",
            None,
            "GET",
            "/v1/reference/participants",
            on="2013-06-01",
            limit=20,
            paged=True,
        )
        go("taxonomy-list", None, "GET", "/v1/reference/taxonomy", limit=20, paged=True)
        claims_page = go(
            "lab-claims-list", lab, "GET", "/v1/lab/claims", status="claimed", limit=20, paged=True
        )
        claim = claims_page["data"][0]["id"]
        go(
            "number-disputes-list",
            a,
            "GET",
            "/v1/certificate-numbers/disputes",
            limit=20,
            paged=True,
        )
        go(
            "lab-claim-decisions-create",
            lab,
            "POST",
            "/v1/lab/claims/{claim_id}/decisions",
            claim_id=claim,
        )
        go("tree-heads-latest-get", None, "GET", "/v1/transparency/tree-heads/latest")
        go("tree-heads-list", None, "GET", "/v1/transparency/tree-heads", limit=20, paged=True)
        go("tree-heads-get", None, "GET", "/v1/transparency/tree-heads/{tree_size}")
        go(
            "inclusion-proofs-get",
            None,
            "GET",
            "/v1/transparency/proofs/inclusion",
            leaf_index=0,
            tree_size=2,
        )
        go(
            "consistency-proofs-get",
            None,
            "GET",
            "/v1/transparency/proofs/consistency",
            first=1,
            second=2,
        )
        _events_and_webhooks(go, held)
        change_id = created["change_id"]
        held.jobs.wait_idle(timeout=60)  # the incident's re-assessment run, to its end
        runs = go(
            "reassessment-runs-list",
            a,
            "GET",
            "/v1/reassessment-runs",
            change_id=change_id,
            limit=20,
            paged=True,
        )
        go(
            "reassessment-runs-get",
            a,
            "GET",
            "/v1/reassessment-runs/{run_id}",
            run_id=runs["data"][0]["id"],
        )
        go("watches-delete", r, "DELETE", "/v1/watches/{watch_id}", watch_id=watched["id"])
        missing = sorted(_operation_ids(app) - set(run.responses))
        if missing:
            sys.exit(
                f"no capture step for {missing}: add one to tests/contract/capture_examples.py"
            )
    finally:
        client.close()
        held.jobs.close()
    return {"responses": run.responses, "parameters": run.parameters, "requests": run.requests}


def _events_and_webhooks(go: Callable[..., Any], held: Any) -> None:
    """Bijou's change feed, and a webhook endpoint that it tests, replays an event to, rotates
    the secret of and deletes. The receiver is a stand-in that answers 204: deliveries are
    made here, through the service's own delivery code, rather than sent over the network."""
    r = Role.retailer
    since = dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0)
    window = {
        "since": since.isoformat().replace("+00:00", "Z"),
        "until": (since + dt.timedelta(days=1)).isoformat().replace("+00:00", "Z"),
    }
    feed = go(
        "events-list",
        r,
        "GET",
        "/v1/events",
        type=["stone.assessment.changed", "attestation.superseded"],
        **window,
        limit=20,
        paged=True,
    )
    event_id = feed["data"][0]["id"]
    go("events-get", r, "GET", "/v1/events/{event_id}", event_id=event_id)
    endpoint = go("webhook-endpoints-create", r, "POST", "/v1/webhook-endpoints")
    ep = {"endpoint_id": endpoint["id"]}
    go("webhook-endpoints-get", r, "GET", "/v1/webhook-endpoints/{endpoint_id}", **ep)
    go("webhook-endpoints-list", r, "GET", "/v1/webhook-endpoints", limit=20, paged=True)
    go("webhook-endpoints-update", r, "PATCH", "/v1/webhook-endpoints/{endpoint_id}", **ep)
    test = go(
        "webhook-endpoint-test-deliveries-create",
        r,
        "POST",
        "/v1/webhook-endpoints/{endpoint_id}/test-deliveries",
        **ep,
    )
    replay = go(
        "webhook-endpoint-replays-create",
        r,
        "POST",
        "/v1/webhook-endpoints/{endpoint_id}/replays",
        body={"event_id": event_id},
        **ep,
    )
    for delivery in (test, replay):
        deliver(held.database, held.settings, delivery["id"], send=_receiver)
    go(
        "webhook-endpoint-attempts-list",
        r,
        "GET",
        "/v1/webhook-endpoints/{endpoint_id}/attempts",
        limit=20,
        paged=True,
        **ep,
    )
    go(
        "webhook-endpoint-secret-rotations-create",
        r,
        "POST",
        "/v1/webhook-endpoints/{endpoint_id}/secret-rotations",
        **ep,
    )
    go("webhook-endpoints-delete", r, "DELETE", "/v1/webhook-endpoints/{endpoint_id}", **ep)


def _receiver(request: httpx.Request) -> httpx.Response:
    """Bijou's receiver, as the delivery code would reach it: it takes the delivery."""
    return httpx.Response(204, request=request)


def _names(path: str) -> list[str]:
    return [part[1:-1] for part in path.split("/") if part.startswith("{")]


def _operation_ids(app: Any) -> set[str]:
    return {
        op["operationId"]
        for item in app.openapi()["paths"].values()
        for op in item.values()
        if isinstance(op, dict) and "operationId" in op
    }


def _client(session: Any, held: Any) -> tuple[str, str]:
    created = create_client(
        session, held.secret_hasher, role=Role.supplier, tenant_id=TENANTS[Role.supplier]
    )
    return created.client_id, created.client_secret


if __name__ == "__main__":
    with (
        tempfile.TemporaryDirectory(prefix="clearstone-examples-") as tmp,
        mock.patch.object(webhook_urls.socket, "getaddrinfo", resolve_example_host),
    ):
        data = capture(Path(tmp))
    OUTPUT.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    sys.stdout.write(f"wrote {OUTPUT}: {len(data['responses'])} operations\n")
