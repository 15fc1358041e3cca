"""Synthetic inputs for the engine benchmark: custody chains of a given length and incident
registries of a given size."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from clearstone_api.demo.chains import SOW_2021
from clearstone_api.domain.reference import Reference
from clearstone_api.domain.reference_rows import Incident, IncidentParty, IncidentStatus

# ISO 3166-1 reserves these alpha-2 codes for user assignment: no real country has them, so the
# synthetic registry never touches the benchmark chain's own places, and what grows with the
# registry is the cost of the index lookups alone.
SYNTHETIC_COUNTRIES = (
    ["AA", "ZZ"]
    + [f"Q{c}" for c in "MNOPQRSTUVWXYZ"]
    + [f"X{c}" for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"]
)
HUBS = [("BE", "EU"), ("IN", "IN"), ("AE", "AE")]


def chain(events: int) -> dict[str, Any]:
    """A Botswana stone whose rough changes hands through the hubs until ``events`` events.

    Events: extraction, then cycles of export, import, sale between hubs, then cutting and a
    sale of the stone; every shipment certified and every sale invoiced, so every check runs.
    """
    assert events >= 5
    start = dt.date(2020, 1, 1)
    day = 0
    records_events: list[dict[str, Any]] = []
    documents: list[dict[str, Any]] = []

    def add(kind: str, country: str, **extra: Any) -> None:
        nonlocal day
        day += 1
        records_events.append(
            {
                "id": f"e{len(records_events) + 1}",
                "type": kind,
                "date": (start + dt.timedelta(days=day)).isoformat(),
                "place": {"country": country, **extra.pop("place", {})},
                **extra,
            }
        )

    add("extraction", "BW", place={"admin1": "Southern", "admin2": "Jwaneng", "site_id": "site"},
        items=["L1"], to_party_id="miner")  # fmt: skip
    here, participant = "BW", "BW"
    hop = 0
    while len(records_events) < events - 2:
        there, there_participant = HUBS[hop % len(HUBS)]
        if there == here:
            hop += 1
            continue
        cert = f"kpc{hop}"
        issued = (start + dt.timedelta(days=day)).isoformat()
        documents.append(_certificate(cert, f"{participant}-2020-{hop:06d}", participant, here,
                                      there, issued))  # fmt: skip
        add("export", here, items=["L1"], destination_country=there, document_ids=[cert])
        if len(records_events) < events - 2:
            add("import", there, items=["L1"], document_ids=[cert])
        if len(records_events) < events - 2:
            invoice = f"inv{hop}"
            documents.append(
                {"type": "invoice", "id": invoice, "number": f"INV-{hop}",
                 "date": (start + dt.timedelta(days=day + 1)).isoformat(),
                 "seller_party_id": "trader", "buyer_party_id": "trader", "lot_ids": ["L1"],
                 "sow_statement": SOW_2021}
            )  # fmt: skip
            add("sale", there, items=["L1"], from_party_id="trader", to_party_id="trader",
                document_ids=[invoice])  # fmt: skip
        here, participant = there, there_participant
        hop += 1
    add("cutting", here, items=["L1", "S1"], carat_in="10.50", carat_out="1.02")
    add("retail_sale", "US", items=["S1"], from_party_id="trader")
    return {
        "subject_id": "S1",
        "stones": [{"id": "S1", "origin": "natural", "carat": "1.02", "parent_lot_ids": ["L1"],
                    "grading_report": {"lab": "GIA", "number": "1000001"}}],
        "lots": [{"id": "L1", "carat": "10.50"}],
        "parties": [
            {"id": "miner", "name": "Synthetic miner", "type": "lsm_miner", "country": "BW"},
            {"id": "trader", "name": "Synthetic trader", "type": "rough_trader", "country": "BE"},
        ],
        "sites": [{"id": "site", "name": "Jwaneng mine", "country": "BW",
                   "registry_id": "BW-JWANENG", "operator_party_id": "miner"}],
        "events": records_events,
        "documents": documents,
    }  # fmt: skip


def _certificate(
    doc_id: str, number: str, participant: str, here: str, there: str, issued: str
) -> dict[str, Any]:
    return {
        "type": "kp_certificate", "id": doc_id, "number": number,
        "issuing_participant": participant, "issuing_authority": "Authority",
        "country_of_origin": "BW", "date_of_issue": issued,
        "date_of_expiry": (dt.date.fromisoformat(issued) + dt.timedelta(days=30)).isoformat(),
        "exporter": {"name": "Exporter", "country": here},
        "importer": {"name": "Importer", "country": there},
        "carat_weight": "10.50", "value_usd": "18900", "parcel_count": 1,
        "hs_codes": ["7102.31"], "validated_by_exporting_authority": True,
        "statement_present": True, "container_seal_id": "SEAL",
        "import_confirmation": {"confirmed": True}, "lot_ids": ["L1"],
    }  # fmt: skip


def registry(base: Reference, size: int, seed: int = 7) -> Reference:
    """``base`` with ``size`` synthetic incidents: 60 % at one of 100,000 sites, 25 % in one of
    the areas, 14 % in a first-level area, 1 % countrywide, some naming one of 10,000 parties."""
    rng = random.Random(seed)
    incidents = []
    for n in range(size):
        country = rng.choice(SYNTHETIC_COUNTRIES)
        roll = rng.random()
        start = dt.date(2000, 1, 1) + dt.timedelta(days=rng.randrange(9000))
        incidents.append(
            Incident.model_construct(
                id=f"INC-SYN-{n}",
                title="Synthetic incident",
                summary="Synthetic.",
                date_start=start,
                date_end=start + dt.timedelta(days=rng.randrange(2000)),
                reported_on=start,
                country=country,
                admin1=f"R{rng.randrange(50)}" if roll < 0.99 else None,
                admin2=f"D{rng.randrange(1000)}" if roll < 0.85 else None,
                site_ids=[f"SITE-{rng.randrange(100_000)}"] if roll < 0.60 else [],
                parties=[
                    IncidentParty.model_construct(
                        id=f"party-{k}", name=f"Synthetic party {k}", role="operator"
                    )
                    for k in ([rng.randrange(10_000)] if rng.random() < 0.1 else [])
                ],
                actors=["company"],
                categories=[f"C{rng.randrange(1, 16):02d}"],
                status=rng.choice(list(IncidentStatus)),
                sources=[],
                remediations=[],
                retrieved_at=dt.date(2025, 12, 15),
                verification="unverified",
            )
        )
    return base.with_changes(revision=f"synthetic-{size}", incidents=incidents)
