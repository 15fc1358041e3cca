"""The sanctions evidence pack of a stored stone, for its supplier and for retailers who
screened it.

The caller holds ``sanctions:evidence``; a supplier reads the packs of its own stones, a retailer
the pack of a stone it has screened at checkout. Anyone else gets a 404, as if the stone did not
exist. The pack is computed from the stored record on the date the stored assessment
speaks for, with the reference data in force.
"""

from __future__ import annotations

import json
from typing import Literal

from sqlmodel import Session, col, select

from clearstone_api.domain.records import ProvenanceRecord
from clearstone_api.domain.reference import Reference
from clearstone_api.domain.sanctions.evidence import EvidencePack, evidence_pack
from clearstone_api.errors import NotFound
from clearstone_api.models.assessment import AssessedRecord, StoneAssessment
from clearstone_api.models.screening import StoneScreening
from clearstone_api.models.stone import Stone
from clearstone_api.security.principals import Principal
from clearstone_api.security.scopes import Role

__all__ = ["Jurisdiction", "SanctionsEvidence", "get_sanctions_evidence"]

Jurisdiction = Literal["EU", "US", "UK"]


class SanctionsEvidence(EvidencePack):
    """The evidence pack of one registered stone."""

    stone_id: str
    """Clearstone's id of the stone."""


def _may_read(session: Session, principal: Principal, stone: Stone) -> bool:
    if principal.role is Role.supplier:
        return stone.tenant_id == principal.tenant_id
    if principal.role is Role.retailer:
        return session.get(StoneScreening, (stone.id, principal.tenant_id)) is not None
    return False


def get_sanctions_evidence(
    session: Session,
    principal: Principal,
    reference: Reference,
    stone_id: str,
    jurisdiction: Jurisdiction,
) -> SanctionsEvidence:
    missing = NotFound(f"No stone {stone_id!r} that you supplied or screened.")
    stone = session.exec(select(Stone).where(col(Stone.public_id) == stone_id)).first()
    if stone is None or not _may_read(session, principal, stone):
        raise missing
    found = session.exec(
        select(col(AssessedRecord.record_json), col(StoneAssessment.as_of))
        .join(StoneAssessment, col(StoneAssessment.record_digest) == AssessedRecord.digest)
        .where(col(StoneAssessment.stone_id) == stone.id)
    ).first()
    if found is None:
        raise missing
    record_json, as_of = found
    record = ProvenanceRecord.model_validate(json.loads(record_json))
    pack = evidence_pack(record, reference, jurisdiction, as_of)
    return SanctionsEvidence(stone_id=stone.public_id, **dict(pack))
