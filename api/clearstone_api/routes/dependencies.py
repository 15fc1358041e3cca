"""Per-request access to what ``create_app`` put on the application."""

from __future__ import annotations

from fastapi import Request
from sqlmodel import Session

from clearstone_api.domain.reference import Reference
from clearstone_api.services.attestations import Attester
from clearstone_api.services.certificates import CertificateCache
from clearstone_api.services.reference_store import ReferenceStore

__all__ = ["attester", "certificate_cache", "current_reference", "reference_store"]


def attester(request: Request) -> Attester:
    signer: Attester = request.app.state.attester
    return signer


def reference_store(request: Request) -> ReferenceStore:
    store: ReferenceStore = request.app.state.references
    return store


def current_reference(request: Request, session: Session) -> Reference:
    return reference_store(request).current(session)


def certificate_cache(request: Request) -> CertificateCache:
    cache: CertificateCache = request.app.state.certificate_cache
    return cache
