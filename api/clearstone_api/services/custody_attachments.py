"""What a custody event names beside its items: sites, documents and parties.

A client submits each with the first event that names it; later events may name it by id
alone. Attachments are stored once per tenant and never change: an identical resubmission is
fine, an edited one is a 409 (the log is append-only). Every id an event names, directly or
through a site's operator or an invoice's seller and buyer, must resolve: 422 naming each that
does not.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from sqlmodel import Session, col, select

from clearstone_api.canonical import canonical_json, sha256_hex
from clearstone_api.domain import records
from clearstone_api.errors import Conflict, FieldError, Unprocessable
from clearstone_api.models.custody import CustodyAttachment

__all__ = ["Attachments", "resolve_attachments"]

Rows = dict[str, dict[str, Any]]
"""Attachments by id, as canonical JSON-ready dicts."""


@dataclass(frozen=True)
class Attachments:
    """Every site, document and party an event names, resolved."""

    sites: Rows
    documents: Rows
    parties: Rows

    def payload(self, event: records.CustodyEvent) -> dict[str, Any]:
        """The event with what it names, in a canonical order: what its content hash covers."""
        return {
            "event": event.model_dump(mode="json"),
            "documents": [self.documents[k] for k in sorted(self.documents)],
            "parties": [self.parties[k] for k in sorted(self.parties)],
            "sites": [self.sites[k] for k in sorted(self.sites)],
        }


def _attach(
    session: Session, tenant: str, kind: str, items: list[dict[str, Any]], path: str
) -> dict[str, dict[str, Any]]:
    """Store newly submitted attachments; identical resubmissions are fine, edits are not."""
    if not items:
        return {}
    submitted = {item["id"]: item for item in items}
    existing = {
        row.record_id: row
        for row in session.exec(
            select(CustodyAttachment).where(
                CustodyAttachment.tenant_id == tenant,
                CustodyAttachment.kind == kind,
                col(CustodyAttachment.record_id).in_(list(submitted)),
            )
        ).all()
    }
    for index, (record_id, data) in enumerate(submitted.items()):
        digest = sha256_hex(canonical_json(data))
        if record_id in existing:
            if existing[record_id].content_hash != digest:
                raise Conflict(
                    f"{path}.{index}: {kind} {record_id!r} is on file with other content; "
                    "the custody log is append-only, submit it under a new id."
                )
            continue
        session.add(
            CustodyAttachment(
                tenant_id=tenant, kind=kind, record_id=record_id, data=data, content_hash=digest
            )
        )
    return submitted


def _on_file(session: Session, tenant: str, kind: str, ids: set[str]) -> dict[str, dict[str, Any]]:
    if not ids:
        return {}
    rows = session.exec(
        select(CustodyAttachment).where(
            CustodyAttachment.tenant_id == tenant,
            CustodyAttachment.kind == kind,
            col(CustodyAttachment.record_id).in_(sorted(ids)),
        )
    ).all()
    return {row.record_id: row.data for row in rows}


def _resolve(
    session: Session,
    tenant: str,
    kind: str,
    have: dict[str, dict[str, Any]],
    wanted: list[tuple[str, str]],
) -> dict[str, dict[str, Any]]:
    """``have`` plus every ``wanted`` id (with the path naming it) found on file; 422 for the
    rest."""
    found = dict(have)
    found.update(_on_file(session, tenant, kind, {i for i, _ in wanted} - set(have)))
    missing = [
        FieldError(
            path=path,
            message=f"unknown {kind} {i!r}: submit it with this event",
            type="unknown_reference",
        )
        for i, path in wanted
        if i not in found
    ]
    if missing:
        raise Unprocessable(f"The event names a {kind} that is not on file.", errors=missing)
    return found


def _submitted(
    session: Session, tenant: str, kind: str, items: Sequence[BaseModel], path: str
) -> Rows:
    return _attach(session, tenant, kind, [i.model_dump(mode="json") for i in items], path)


def _party_refs(event: records.CustodyEvent, sites: Rows, documents: Rows) -> list[tuple[str, str]]:
    """Every party id the event names, with the path naming it: its own parties, its site's
    operator, and its invoices' seller and buyer."""
    refs = [
        (party, f"body.event.{name}")
        for name, party in (
            ("from_party_id", event.from_party_id),
            ("to_party_id", event.to_party_id),
        )
        if party
    ]
    refs += [
        (site["operator_party_id"], f"sites.{site_id}.operator_party_id")
        for site_id, site in sites.items()
        if site.get("operator_party_id")
    ]
    for doc_id, doc in documents.items():
        for field in ("seller_party_id", "buyer_party_id"):
            if doc.get(field):
                refs.append((doc[field], f"documents.{doc_id}.{field}"))
    return refs


def resolve_attachments(
    session: Session,
    tenant: str,
    event: records.CustodyEvent,
    *,
    sites: list[records.Site],
    documents: list[records.Document],
    parties: list[records.Party],
) -> Attachments:
    """Store the newly submitted attachments and resolve every one ``event`` names."""
    site_ref = [(event.place.site_id, "body.event.place.site_id")] if event.place.site_id else []
    found_sites = _resolve(
        session,
        tenant,
        "site",
        _submitted(session, tenant, "site", sites, "body.sites"),
        site_ref,
    )
    found_documents = _resolve(
        session,
        tenant,
        "document",
        _submitted(session, tenant, "document", documents, "body.documents"),
        [(d, f"body.event.document_ids.{i}") for i, d in enumerate(event.document_ids)],
    )
    found_parties = _resolve(
        session,
        tenant,
        "party",
        _submitted(session, tenant, "party", parties, "body.parties"),
        _party_refs(event, found_sites, found_documents),
    )
    return Attachments(found_sites, found_documents, found_parties)
