"""The retailer tier of a stone: its verdicts and a custody summary, for any stone.

Between the consumer tier (verdicts and reasons) and the supplier's own records: where and when
the goods moved, through what kind of party, with what kind of document. Built field by field
from an allow-list, so a price, a counterparty's name, a supplier's own record ids or its
tenant can never appear, whatever the record holds.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel
from sqlmodel import Session, select

from clearstone_api.domain import records
from clearstone_api.domain.verdicts import CscResult, KpResult, OriginSummary, SanctionsResult
from clearstone_api.errors import NotFound
from clearstone_api.models.assessment import StoneAssessment
from clearstone_api.models.stone import Stone
from clearstone_api.services.certificates import CertificatePublic, CertificateStone
from clearstone_api.services.chains import assemble_record

__all__ = [
    "CustodyStep",
    "DocumentSummary",
    "PartySummary",
    "StoneSummary",
    "get_stone_summary",
]


class PartySummary(BaseModel):
    """What kind of party held the goods, and where: never who."""

    type: records.PartyType
    country: str


class DocumentSummary(BaseModel):
    """What kind of document an event carried: never its amounts, numbers or parties."""

    type: str
    """``kp_certificate``, ``certificate_of_origin``, ``invoice`` or ``attestation``."""
    issuing_participant: str | None = None
    """KP certificates: the KP participant whose authority issued it; pre-KP certificates of
    origin: the issuing government's country."""
    warranty_statement: bool | None = None
    """Invoices: whether a System of Warranties statement is printed on it."""
    scheme: records.AttestationScheme | None = None
    """Attestations: the standard or report it comes from."""
    evidence_level: records.EvidenceLevel | None = None


class CustodyStep(BaseModel):
    """One custody event, summarized."""

    date: dt.date
    type: records.EventType
    country: str
    region: str | None
    """The first-level administrative area, when known."""
    destination_country: str | None
    from_party: PartySummary | None
    to_party: PartySummary | None
    documents: list[DocumentSummary]


class StoneSummary(BaseModel):
    """The retailer tier: the stone, its current verdicts and its custody, without prices or
    counterparty names."""

    stone: CertificateStone
    kp_result: KpResult
    csc_result: CscResult
    risk_score: int
    sanctions_result: SanctionsResult
    as_of: dt.date
    policy_version: str
    reference_data_version: str
    assessed_at: dt.datetime
    origin: OriginSummary
    custody: list[CustodyStep]
    """In date order."""


def _document(
    doc: records.KPCertificate
    | records.CertificateOfOrigin
    | records.Invoice
    | records.Attestation,
) -> DocumentSummary:
    if isinstance(doc, records.KPCertificate):
        return DocumentSummary(type=doc.type, issuing_participant=doc.issuing_participant)
    if isinstance(doc, records.CertificateOfOrigin):
        return DocumentSummary(type=doc.type, issuing_participant=doc.issuing_country)
    if isinstance(doc, records.Invoice):
        return DocumentSummary(type=doc.type, warranty_statement=bool(doc.sow_statement))
    return DocumentSummary(type=doc.type, scheme=doc.scheme, evidence_level=doc.evidence_level)


def _custody(record: records.ProvenanceRecord) -> list[CustodyStep]:
    parties = {party.id: party for party in record.parties}
    documents = {doc.id: doc for doc in record.documents}

    def party(party_id: str | None) -> PartySummary | None:
        found = parties.get(party_id) if party_id else None
        return PartySummary(type=found.type, country=found.country) if found else None

    return [
        CustodyStep(
            date=event.date,
            type=event.type,
            country=event.place.country,
            region=event.place.admin1,
            destination_country=event.destination_country,
            from_party=party(event.from_party_id),
            to_party=party(event.to_party_id),
            documents=[_document(documents[d]) for d in event.document_ids if d in documents],
        )
        for event in sorted(record.events, key=lambda e: e.date)
    ]


def get_stone_summary(session: Session, stone_id: str) -> StoneSummary:
    """The retailer tier of any assessed stone; 404 when there is none."""
    row = session.exec(
        select(Stone, StoneAssessment)
        .join(StoneAssessment, StoneAssessment.stone_id == Stone.id)  # type: ignore[arg-type]
        .where(Stone.public_id == stone_id)
    ).first()
    if row is None:
        raise NotFound(f"No assessed stone {stone_id!r}.")
    stone, stored = row
    view = CertificatePublic.model_validate_json(stored.public_json)
    return StoneSummary(
        stone=view.stone,
        kp_result=KpResult(stored.kp_result),
        csc_result=CscResult(stored.csc_result),
        risk_score=stored.risk_score,
        sanctions_result=SanctionsResult(stored.sanctions_result),
        as_of=stored.as_of,
        policy_version=stored.policy_version,
        reference_data_version=stored.reference_data_version,
        assessed_at=stored.assessed_at,
        origin=view.origin,
        custody=_custody(assemble_record(session, stone)),
    )
