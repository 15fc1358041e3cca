"""A stored stone's provenance record, assembled from its lineage and custody log.

The record of a stone is: the stone, every rough lot it descends from, every custody event that
handled any of them, and the documents, parties and sites those events carried. Events and
documents may also name lots outside this lineage (a KP certificate covering several parcels):
those references are pruned from the assembled record, never from the stored log.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

from clearstone_api.domain.names import normalize_name
from clearstone_api.domain.record_validation import parse_record
from clearstone_api.domain.records import ProvenanceRecord
from clearstone_api.models.custody import CustodyEvent, CustodyLink
from clearstone_api.models.lot import RoughLot
from clearstone_api.models.stone import Stone, StoneLot

__all__ = ["assemble_record", "footprint"]

_ATTESTATION_POOLS = {
    "site": ("sites",),
    "company": ("parties",),
    "shipment": ("lots", "documents"),
    "transaction": ("documents",),
    "stone": ("stones", "lots"),
}


def _merge(into: dict[str, dict[str, Any]], items: Iterable[dict[str, Any]]) -> None:
    for item in items:
        into.setdefault(item["id"], item)


def _prune(record: dict[str, Any]) -> dict[str, Any]:
    items = {s["id"] for s in record["stones"]} | {lot["id"] for lot in record["lots"]}
    lots = {lot["id"] for lot in record["lots"]}
    pools = {
        "sites": {s["id"] for s in record["sites"]},
        "parties": {p["id"] for p in record["parties"]},
        "lots": lots,
        "stones": {s["id"] for s in record["stones"]},
        "documents": {d["id"] for d in record["documents"]},
    }
    documents = []
    for doc in record["documents"]:
        doc = dict(doc)
        if doc["type"] in ("kp_certificate", "certificate_of_origin"):
            doc["lot_ids"] = [i for i in doc.get("lot_ids", []) if i in lots]
        elif doc["type"] == "invoice":
            doc["lot_ids"] = [i for i in doc.get("lot_ids", []) if i in items]
        elif doc["type"] == "attestation":
            wanted = _ATTESTATION_POOLS.get(doc["level"])
            if wanted and not any(doc["subject_id"] in pools[p] for p in wanted):
                continue
        documents.append(doc)
    kept = {d["id"] for d in documents}
    events = []
    for event in record["events"]:
        event = dict(event)
        event["items"] = [i for i in event["items"] if i in items]
        event["document_ids"] = [d for d in event.get("document_ids", []) if d in kept]
        events.append(event)
    return {**record, "documents": documents, "events": events}


def assemble_record(session: Session, stone: Stone) -> ProvenanceRecord:
    """The record the stone is assessed on; raises ``RecordInvalid`` if it does not hold."""
    assert stone.id is not None
    lots = session.exec(
        select(RoughLot)
        .join(StoneLot, col(StoneLot.lot_id) == RoughLot.id)
        .where(StoneLot.stone_id == stone.id)
        .order_by(col(RoughLot.id))
    ).all()
    lot_ids = [lot.id for lot in lots]
    linked = or_(
        and_(col(CustodyLink.item_kind) == "stone", col(CustodyLink.item_id) == stone.id),
        and_(col(CustodyLink.item_kind) == "lot", col(CustodyLink.item_id).in_(lot_ids)),
    )
    events = session.exec(
        select(CustodyEvent)
        .where(col(CustodyEvent.id).in_(select(CustodyLink.event_id).where(linked)))
        .order_by(col(CustodyEvent.event_date), col(CustodyEvent.id))
    ).all()
    documents: dict[str, dict[str, Any]] = {}
    parties: dict[str, dict[str, Any]] = {}
    sites: dict[str, dict[str, Any]] = {}
    _merge(documents, stone.documents)
    for event in events:
        _merge(documents, event.payload.get("documents", []))
        _merge(parties, event.payload.get("parties", []))
        _merge(sites, event.payload.get("sites", []))
    record = {
        "subject_id": stone.record_id,
        "stones": [stone.data],
        "lots": [lot.data for lot in lots],
        "parties": list(parties.values()),
        "sites": list(sites.values()),
        "events": [event.payload["event"] for event in events],
        "documents": list(documents.values()),
    }
    return parse_record(_prune(record))


def footprint(record: ProvenanceRecord) -> set[tuple[str, str]]:
    """The ``(kind, value)`` keys a reference-data change can reach this record through.

    A superset on purpose: re-assessing a stone that turns out unchanged costs a little time;
    missing one that changed would leave a stale verdict in front of a consumer.
    """
    keys: set[tuple[str, str]] = set()
    for event in record.events:
        keys.add(("country", event.place.country))
        if event.destination_country:
            keys.add(("country", event.destination_country))
    for site in record.sites:
        keys.add(("country", site.country))
    for party in record.parties:
        keys.add(("country", party.country))
        keys.add(("party", normalize_name(party.name)))
        if party.registry_id:
            keys.add(("party", party.registry_id))
    for doc in record.documents:
        if doc.type == "kp_certificate":
            keys.add(("participant", doc.issuing_participant))
            if doc.country_of_origin and doc.country_of_origin != "MIXED":
                keys.add(("country", doc.country_of_origin))
        elif doc.type == "certificate_of_origin":
            keys.add(("country", doc.issuing_country))
            if doc.country_of_origin:
                keys.add(("country", doc.country_of_origin))
        elif doc.type == "invoice":
            keys.update(("country", c) for c in doc.source_countries)
    return keys
