"""The database the schemathesis run works on, and what it tells the fuzzer about it.

A fresh SQLite database gets the demo data (the consumer lookups' certificates, the labs'
claims), then, submitted through the API by each role as a client would, a small world of its
own: Acme Mining's lot, a stone cut from it and the lot's extraction at Jwaneng; Bijou watching
that stone (so the custody event's re-assessment reaches Bijou's change feed) and a demo stone;
two webhook endpoints of Bijou's. Ids that only exist once something was created (``CL-...``,
``CS-...``, ``AT-...``, ``NC-...``, ``evt_...``, ``ep_...``, ``wat_...``) are handed to the fuzzer
as dictionaries (:func:`fuzz_dictionaries`): generated requests use a real one half the time, so
reads of what was created succeed as well as fail.

The seeded records are the contract's examples with ids of their own (lot ``...-030`` rather
than ``...-031``), so that the examples phase still creates the examples' lot, stone and event.
"""

from __future__ import annotations

import base64
import json
import socket
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI

from clearstone_api.container import container_of
from clearstone_api.contract_examples import REQUEST_BODIES
from clearstone_api.security.scopes import Role
from clearstone_api.services.demo import load_demo
from tests.support.harness import ASGIClient, bearer

__all__ = [
    "TENANTS",
    "WEBHOOK_ADDRESS",
    "WEBHOOK_HOST",
    "Seeded",
    "fuzz_dictionaries",
    "resolve_example_host",
    "seed",
]

TENANTS = {
    Role.supplier: "acme-mining",
    Role.retailer: "bijou-retail",
    Role.analyst: "clearstone",
    Role.lab: "GIA",
}
"""Each role's organization, as in the contract's examples."""
WEBHOOK_HOST = "bijou-retail.example.com"
"""The host of the example webhook endpoint (``REQUEST_BODIES["webhook-endpoints-create"]``)."""
WEBHOOK_ADDRESS = "93.184.215.14"
"""A public address for it: the SSRF guard accepts nothing else."""
PROBABILITY = 0.5
"""How often a generated id is one of the seeded ones."""


def resolve_example_host(host: str, port: Any, *_args: Any, **_kwargs: Any) -> Any:
    """DNS as these runs see it (patched over ``socket.getaddrinfo`` in the SSRF guard): the
    example receiver's host has a public address, no other name resolves, nothing reaches the
    network. The guard itself stays on: it checks that address like any other."""
    if host == WEBHOOK_HOST:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (WEBHOOK_ADDRESS, port))]
    raise socket.gaierror(socket.EAI_NONAME, f"{host!r} does not resolve in this run")


@dataclass(frozen=True)
class Seeded:
    """The ids of what :func:`seed` created, by what they are."""

    lot: str
    stone: str
    demo_stone: str
    attestation: str
    claims: list[str]
    watch: str
    doomed_watch: str
    endpoint: str
    doomed_endpoint: str
    events: list[str]


def _own(body: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {**body, **changes}


def seed(app: FastAPI) -> Seeded:
    """Demo data, then the world described above; returns its ids."""
    held = container_of(app)
    load_demo(held.database, held.references, held.attester)
    client = ASGIClient(app)
    try:
        return _submit(client, app)
    finally:
        client.close()


def _submit(client: ASGIClient, app: FastAPI) -> Seeded:
    def call(role: Role, method: str, url: str, body: Any = None, **params: Any) -> Any:
        headers = bearer(app, role, tenant=TENANTS[role])
        response = client.request(method, url, json=body, params=params, headers=headers)
        assert response.status_code < 300, f"{method} {url}: {response.text}"
        return response.json()

    s, r, lab = Role.supplier, Role.retailer, Role.lab
    lot_id = "ACME-LOT-2026-030"
    lot = call(s, "POST", "/v1/lots", _own(REQUEST_BODIES["lots-create"], id=lot_id))
    stone_body = REQUEST_BODIES["stones-create"]
    stone = call(
        s,
        "POST",
        "/v1/stones",
        _own(
            stone_body,
            id="ACME-S-2026-0116",
            grading_report={**stone_body["grading_report"], "number": "6482019346"},
            parent_lot_ids=[lot_id],
        ),
    )
    certificate = call(r, "GET", "/v1/certificates/DEMO-BW-2023")
    watch = call(r, "POST", "/v1/watches", {"stone_id": stone["id"]})
    doomed_watch = call(r, "POST", "/v1/watches", {"stone_id": certificate["stone"]["id"]})
    extraction = REQUEST_BODIES["custody-events-create"]
    call(
        s,
        "POST",
        "/v1/custody/events",
        _own(
            extraction, event={**extraction["event"], "id": "ACME-E-2026-0411", "items": [lot_id]}
        ),
    )
    endpoints = [
        call(r, "POST", "/v1/webhook-endpoints", REQUEST_BODIES["webhook-endpoints-create"])
        for _ in range(2)
    ]
    feed = call(r, "GET", "/v1/events", limit=100)
    claims = call(lab, "GET", "/v1/lab/claims", status="claimed", limit=100)
    jws = client.get("/v1/certificates/DEMO-BW-2023/attestation").text
    jti = json.loads(base64.urlsafe_b64decode(jws.split(".")[1] + "=="))["jti"]
    seeded = Seeded(
        lot=lot["id"],
        stone=stone["id"],
        demo_stone=certificate["stone"]["id"],
        attestation=jti,
        claims=[c["id"] for c in claims["data"]],
        watch=watch["id"],
        doomed_watch=doomed_watch["id"],
        endpoint=endpoints[0]["id"],
        doomed_endpoint=endpoints[1]["id"],
        events=[e["id"] for e in feed["data"]],
    )
    assert seeded.claims and seeded.events, seeded
    return seeded


def fuzz_dictionaries(seeded: Seeded) -> dict[str, Any]:
    """schemathesis configuration: dictionaries of the seeded ids and where each is used.

    Deletes get resources of their own (``doomed_*``), so that a delete early in the run does
    not turn every later read of the seeded one into a 404."""
    values = {
        "lots": [seeded.lot],
        "stones": [seeded.stone, seeded.demo_stone],
        "attestations": [seeded.attestation],
        "claims": seeded.claims,
        "watches": [seeded.watch],
        "doomed-watches": [seeded.doomed_watch],
        "endpoints": [seeded.endpoint],
        "doomed-endpoints": [seeded.doomed_endpoint],
        "events": seeded.events,
    }

    def use(dictionary: str) -> dict[str, Any]:
        return {"dictionary": dictionary, "probability": PROBABILITY}

    def only(op_id: str, **bindings: str) -> dict[str, Any]:
        return {
            "include-operation-id": op_id,
            "parameters": {name.replace("__", "."): use(d) for name, d in bindings.items()},
        }

    return {
        "dictionaries": {name: {"values": ids} for name, ids in values.items()},
        "parameters": {
            "path.lot_id": use("lots"),
            "path.stone_id": use("stones"),
            "body.stone_id": use("stones"),
            "path.attestation_id": use("attestations"),
            "path.claim_id": use("claims"),
            "path.watch_id": use("watches"),
            "path.endpoint_id": use("endpoints"),
            "body.event_id": use("events"),
        },
        "operations": [
            # `event_id` also names custody events (`custody-events-get`): feed events only here.
            only("events-get", path__event_id="events"),
            only("watches-delete", path__watch_id="doomed-watches"),
            only("webhook-endpoints-delete", path__endpoint_id="doomed-endpoints"),
        ],
    }
