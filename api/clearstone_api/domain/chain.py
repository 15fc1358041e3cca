"""The custody chain behind a subject: its lineage of rough lots and the events that touched it.

Both verdicts read the record through this view, built once per assessment in time linear in
the size of the record.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import NamedTuple

from clearstone_api.domain.records import (
    Attestation,
    CertificateOfOrigin,
    CustodyEvent,
    Document,
    EventType,
    Invoice,
    KPCertificate,
    Party,
    Place,
    ProvenanceRecord,
    RoughLot,
    Site,
    Stone,
)

__all__ = ["Chain", "OriginPlace"]


@dataclass(frozen=True)
class OriginPlace:
    """Where a root lot was extracted, as finely as the record says."""

    lot_id: str
    event_id: str
    date: dt.date
    place: Place
    site: Site | None

    @property
    def is_specific(self) -> bool:
        """Known below country level: a site or an administrative area."""
        return bool(self.site or self.place.admin1 or self.place.admin2)


class _EventDocs(NamedTuple):
    """The documents one event carries, by kind."""

    event: CustodyEvent
    certificates: list[KPCertificate]
    certificates_of_origin: list[CertificateOfOrigin]
    invoices: list[Invoice]


class Chain:
    """Read-only lookups over one record, centred on its subject."""

    def __init__(self, record: ProvenanceRecord) -> None:
        self.record = record
        self.subject: Stone | RoughLot = record.subject
        self.lots: dict[str, RoughLot] = {lot.id: lot for lot in record.lots}
        self.stones: dict[str, Stone] = {stone.id: stone for stone in record.stones}
        self.parties: dict[str, Party] = {party.id: party for party in record.parties}
        self.sites: dict[str, Site] = {site.id: site for site in record.sites}
        self.documents: dict[str, Document] = {doc.id: doc for doc in record.documents}
        self.lineage: list[str] = self._ancestors(self.subject)
        """Every lot the subject descends from (the subject itself when it is a lot), parents
        after children."""
        self.items: set[str] = {self.subject.id, *self.lineage}
        self.events: list[CustodyEvent] = [
            event for event in record.events if any(item in self.items for item in event.items)
        ]
        """The events that touched the subject or its lots, in the order of the custody log."""
        self._events_by_item: dict[str, list[CustodyEvent]] = defaultdict(list)
        for event in self.events:
            for item in event.items:
                self._events_by_item[item].append(event)
        self._origins = self._find_origins()
        self._docs_of: dict[int, _EventDocs] = {}
        self._attestations: list[Attestation] | None = None
        self._chain_parties: list[Party] | None = None

    def _ancestors(self, subject: Stone | RoughLot) -> list[str]:
        order: list[str] = []
        seen: set[str] = set()
        queue = [subject.id] if isinstance(subject, RoughLot) else list(subject.parent_lot_ids)
        while queue:
            lot_id = queue.pop(0)
            if lot_id in seen or lot_id not in self.lots:
                continue
            seen.add(lot_id)
            order.append(lot_id)
            queue.extend(self.lots[lot_id].parent_lot_ids)
        return order

    @property
    def is_lab_grown(self) -> bool:
        return self.subject.origin.value == "lab_grown"

    @property
    def root_lots(self) -> list[RoughLot]:
        return [self.lots[i] for i in self.lineage if not self.lots[i].parent_lot_ids]

    def events_for(self, item_id: str) -> list[CustodyEvent]:
        return self._events_by_item.get(item_id, [])

    def is_rough(self, item_id: str) -> bool:
        return item_id in self.lots

    def origins(self) -> list[OriginPlace]:
        """Extraction places of every root lot (a lot extracted in parts has several)."""
        return self._origins

    def _find_origins(self) -> list[OriginPlace]:
        found: list[OriginPlace] = []
        for lot in self.root_lots:
            for event in self.events_for(lot.id):
                if event.type is EventType.extraction:
                    site = self.sites.get(event.place.site_id) if event.place.site_id else None
                    found.append(OriginPlace(lot.id, event.id, event.date, event.place, site))
        return found

    def lots_without_extraction(self) -> list[RoughLot]:
        extracted = {origin.lot_id for origin in self.origins()}
        return [lot for lot in self.root_lots if lot.id not in extracted]

    def window(self) -> tuple[dt.date, dt.date] | None:
        """The period the goods were produced and traded: first to last event of the chain."""
        if not self.events:
            return None
        dates = [event.date for event in self.events]
        return min(dates), max(dates)

    # The lookups below are asked for many times per assessment (a certificate's by every check
    # of its shipment); each is worked out once per chain. The lists are shared: read them only.

    def certificates(self, event: CustodyEvent) -> list[KPCertificate]:
        return self._docs(event).certificates

    def certificates_of_origin(self, event: CustodyEvent) -> list[CertificateOfOrigin]:
        """Pre-KP government certificates of origin the event carries."""
        return self._docs(event).certificates_of_origin

    def invoices(self, event: CustodyEvent) -> list[Invoice]:
        return self._docs(event).invoices

    def _docs(self, event: CustodyEvent) -> _EventDocs:
        found = self._docs_of.get(id(event))
        if found is None or found.event is not event:
            certificates: list[KPCertificate] = []
            of_origin: list[CertificateOfOrigin] = []
            invoices: list[Invoice] = []
            for doc_id in event.document_ids:
                doc = self.documents.get(doc_id)
                if isinstance(doc, KPCertificate):
                    certificates.append(doc)
                elif isinstance(doc, CertificateOfOrigin):
                    of_origin.append(doc)
                elif isinstance(doc, Invoice):
                    invoices.append(doc)
            found = _EventDocs(event, certificates, of_origin, invoices)
            self._docs_of[id(event)] = found
        return found

    def attestations(self) -> list[Attestation]:
        if self._attestations is None:
            self._attestations = [d for d in self.record.documents if isinstance(d, Attestation)]
        return self._attestations

    def chain_parties(self) -> list[Party]:
        """Parties that held or handled the goods, or operate their sites, in first-seen order."""
        if self._chain_parties is None:
            self._chain_parties = self._find_chain_parties()
        return self._chain_parties

    def _find_chain_parties(self) -> list[Party]:
        ids: list[str] = []
        for event in self.events:
            ids.extend(p for p in (event.from_party_id, event.to_party_id) if p)
            site = self.sites.get(event.place.site_id) if event.place.site_id else None
            if site and site.operator_party_id:
                ids.append(site.operator_party_id)
        return [self.parties[i] for i in dict.fromkeys(ids) if i in self.parties]
