"""The contract's examples: what a client sends (written here) and what the service answered
(``captured.json``, recorded from the app over the demo data by ``make openapi-examples``).

Request bodies and parameters are realistic submissions of a supplier (Acme Mining, a lot from
Jwaneng and a stone cut from it), a retailer, an analyst and a laboratory; ids that only exist
once something was created (``CS-...``, ``AT-...``) are the ones the capture run was given.
``tests/contract/test_examples.py`` validates every example against its schema, so an example
that drifts from the models fails the suite.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

__all__ = [
    "OPERATION_PARAMETERS",
    "PARAMETERS",
    "REQUEST_BODIES",
    "captured",
    "demo_record",
    "request_body",
]


@cache
def demo_record(certificate: str) -> dict[str, Any]:
    """The provenance record of a published demo vector (``DEMO-BW-2023``)."""
    text = resources.files("clearstone_api.demo").joinpath("vectors.json").read_text("utf-8")
    record: dict[str, Any] = next(
        v["record"] for v in json.loads(text) if v["certificate"] == certificate
    )
    return record


@cache
def captured() -> dict[str, Any]:
    """``{"responses": {operation id: {status: body}}, "parameters": {operation id: {name:
    value}}, "requests": {operation id: body}}`` as the capture run recorded them."""
    text = resources.files(__name__).joinpath("captured.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


LOT = {
    "id": "ACME-LOT-2026-031",
    "carat": "48.20",
    "parcel_count": 12,
    "hs_code": "7102.31",
    "origin": "natural",
}
STONE = {
    "id": "ACME-S-2026-0117",
    "origin": "natural",
    "carat": "1.02",
    "form": "polished",
    "grading_report": {"lab": "GIA", "number": "6482019347", "carat": "1.02"},
    "parent_lot_ids": ["ACME-LOT-2026-031"],
}
EXTRACTION = {
    "event": {
        "id": "ACME-E-2026-0412",
        "type": "extraction",
        "date": "2026-03-14",
        "place": {"country": "BW", "admin1": "Southern", "admin2": "Jwaneng", "site_id": "jwaneng"},
        "items": ["ACME-LOT-2026-031"],
        "to_party_id": "debswana",
    },
    "parties": [
        {"id": "debswana", "name": "Debswana Diamond Company", "type": "lsm_miner", "country": "BW"}
    ],
    "sites": [
        {
            "id": "jwaneng",
            "name": "Jwaneng mine",
            "country": "BW",
            "admin1": "Southern",
            "admin2": "Jwaneng",
            "registry_id": "BW-JWANENG",
            "scale": "industrial",
            "operator_party_id": "debswana",
        }
    ],
}
INCIDENT = {
    "id": "INC-ZW-CHIADZWA-2026",
    "title": "Beatings of artisanal miners by a private security contractor at Chiadzwa",
    "summary": "Residents and a local rights group report beatings of artisanal diggers found "
    "on a concession at Chiadzwa (Marange) by guards of the concession's security contractor, "
    "in February and March 2026.",
    "date_start": "2026-02-01",
    "reported_on": "2026-04-02",
    "country": "ZW",
    "admin1": "Manicaland",
    "admin2": "Mutare",
    "actors": ["private_security"],
    "categories": ["C01"],
    "status": "alleged",
    "sources": [
        {
            "source_id": "S-CRD-2026-04",
            "title": "Centre for Research and Development: Marange field report, April 2026",
            "publisher": "Centre for Research and Development",
            "date": "2026-04-02",
            "url": "https://www.crdzim.org/reports/marange-2026-04",
        }
    ],
    "retrieved_at": "2026-11-20",
    "verification": "unverified",
}
STATUS_PERIOD = {
    "id": "SP-VE-2027",
    "participant_id": "VE",
    "status": "self_suspended",
    "valid_from": "2027-01-15",
    "basis": "Venezuela's notice of voluntary self-suspension from KP trade, pending a review "
    "mission (test of the analyst workflow: not a real decision).",
    "source_ids": ["S-KP-VE-2027"],
    "retrieved_at": "2026-11-20",
    "verification": "unverified",
}

REQUEST_BODIES: dict[str, Any] = {
    "assessments-create": {"record": demo_record("DEMO-BW-2023"), "as_of": "2026-11-20"},
    "screenings-create": {"items": ["DEMO-BW-2023", "GIA-6482019347"]},
    "lots-create": LOT,
    "stones-create": STONE,
    "custody-events-create": EXTRACTION,
    "incidents-create": {"incident": INCIDENT, "note": "New field report from Marange."},
    "incidents-update": {
        "incident": {**INCIDENT, "status": "documented_ngo_press"},
        "note": "A second, independent source corroborates the report.",
    },
    "status-periods-create": {"status_period": STATUS_PERIOD, "note": "KP Chair's notice."},
    "status-periods-update": {
        "status_period": {**STATUS_PERIOD, "valid_to": "2027-06-30"},
        "note": "The self-suspension was lifted at the intersessional.",
    },
    "lab-claim-decisions-create": {"decision": "confirm"},
    "webhook-endpoints-create": {
        "url": "https://bijou-retail.example.com/hooks/clearstone",
        "event_types": ["stone.assessment.changed", "attestation.superseded"],
        "description": "Checkout: re-screen carts holding a stone whose verdict changed",
    },
    "webhook-endpoints-update": {
        "event_types": [
            "stone.assessment.changed",
            "attestation.superseded",
            "certificate_number.dispute.opened",
        ],
        "enabled": True,
    },
    "oauth-tokens-create": {"grant_type": "client_credentials", "scope": "records:read"},
}
"""Request bodies by operation id; those that name an id only the capture run knows (the
stone to watch, the event to replay) are in ``captured.json`` (:func:`request_body`)."""


def request_body(op_id: str) -> Any:
    """The example request body of ``op_id``: written here, or recorded by the capture run."""
    if op_id in REQUEST_BODIES:
        return REQUEST_BODIES[op_id]
    return captured().get("requests", {}).get(op_id)


PARAMETERS: dict[str, Any] = {
    "limit": 20,
    "number": "DEMO-BW-2023",
    "incident_id": "INC-ZW-CHIADZWA-2026",
    "period_id": "SP-VE-2027",
    "jurisdiction": "EU",
    "on": "2013-06-01",
    "country": "ZW",
    "site": "marange",
    "category": "C01",
    "first": 1,
    "second": 2,
    "leaf_index": 0,
    "tree_size": 2,
    "Idempotency-Key": "acme-2026-0117-register",
    "If-None-Match": '"5d1f3a0c9b7e24f86a10c3d2e4f5a6b7c8d9e0f1"',
}
"""Parameter examples by name; ``captured.json`` adds those only a run can know (``stone_id``,
``lot_id``, ``attestation_id``, ``claim_id``, ``change_id``, ``after``), by operation."""

OPERATION_PARAMETERS: dict[tuple[str, str], Any] = {
    ("incidents-list", "status"): "adjudicated",
    ("lab-claims-list", "status"): "claimed",
    ("incidents-get", "incident_id"): "INC-SL-RUF",
    ("status-periods-get", "period_id"): "SP-CF-2013",
    ("custody-events-get", "event_id"): "ACME-E-2026-0412",
}
"""Where one operation's example differs from the name's (a shipped row to read)."""
