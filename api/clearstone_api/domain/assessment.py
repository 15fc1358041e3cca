"""``assess(record, reference, as_of)``: both verdicts and the sanctions flag for one record.

Pure and deterministic: the same record, reference data, policy and date always give the same
assessment, byte for byte once serialized.

Example::

    assessment = assess(parse_record(data), load_reference(), date(2026, 11, 1))
    assessment.kp.result, assessment.csc.result
"""

from __future__ import annotations

import datetime as dt
import hashlib

from clearstone_api.domain.chain import Chain
from clearstone_api.domain.csc import assess_csc
from clearstone_api.domain.kp import assess_kp
from clearstone_api.domain.policy import DEFAULT_POLICY, Policy
from clearstone_api.domain.records import (
    Attestation,
    AttestationScheme,
    EvidenceLevel,
    ProvenanceRecord,
    Stone,
)
from clearstone_api.domain.reference import Reference
from clearstone_api.domain.sanctions import assess_sanctions
from clearstone_api.domain.verdicts import Assessment

__all__ = ["DISCLAIMER", "assess", "record_digest"]

DISCLAIMER = (
    "A Kimberley Process pass means only that no KP-defined conflict-diamond indicators were "
    "found in the documented chain; it is not a statement that a stone is ethical or "
    "conflict-free in the broad sense. The human-rights verdict reflects Clearstone's incident "
    "registry on the date given, and absence from the registry is not proof of absence."
)

_EVIDENCE_ORDER = list(EvidenceLevel)
_ORIGIN_SCHEMES = {AttestationScheme.lab_origin_report, AttestationScheme.traceability}


def record_digest(record: ProvenanceRecord) -> str:
    """SHA-256 of the record's canonical JSON: the validated model serialized compactly, fields
    in model order, so that equal records digest equally whatever their input formatting."""
    return hashlib.sha256(record.model_dump_json().encode()).hexdigest()


def assess(
    record: ProvenanceRecord,
    reference: Reference,
    as_of: dt.date,
    policy: Policy = DEFAULT_POLICY,
) -> Assessment:
    """Score ``record`` against both standards as they stood, and as known, on ``as_of``."""
    chain = Chain(record)
    subject = chain.subject
    grading = subject.grading_report if isinstance(subject, Stone) else None
    # Plain data validated in one call: the summaries are fields of the assessment.
    return Assessment.model_validate(
        {
            "subject": {
                "id": subject.id,
                "kind": subject.kind,
                "origin": subject.origin.value,
                "carat": str(subject.carat),
                "grading_lab": grading.lab if grading else None,
                "grading_report_number": grading.number if grading else None,
                "identity": grading.identity() if grading else None,
            },
            "as_of": as_of,
            "policy_version": policy.version,
            "reference_data_version": reference.version,
            "record_digest": record_digest(record),
            "origin": _origin(chain),
            "kp": assess_kp(chain, reference, as_of),
            "csc": assess_csc(chain, reference, as_of, policy),
            "sanctions": assess_sanctions(chain, reference, as_of),
            "disclaimer": DISCLAIMER,
        }
    )


def _origin(chain: Chain) -> dict[str, object]:
    """The :class:`OriginSummary`, as plain data."""
    origins = chain.origins()
    countries = {o.place.country for o in origins}
    areas = set()
    sites = set()
    for o in origins:
        admin1 = o.place.admin1 or (o.site.admin1 if o.site else None)
        admin2 = o.place.admin2 or (o.site.admin2 if o.site else None)
        areas.add("/".join(p for p in (o.place.country, admin1, admin2) if p))
        if o.site:
            sites.add(o.site.name)
    levels: list[EvidenceLevel] = [EvidenceLevel.self_declared] if origins else []
    certified = {
        cert.country_of_origin
        for event in chain.events
        for cert in chain.certificates(event)
        if cert.country_of_origin not in (None, "MIXED")
    }
    if countries and countries <= certified:
        levels.append(EvidenceLevel.documented)
    for doc in chain.attestations():
        if _attests_origin(doc, chain) and (not countries or doc.origin_country in countries):
            levels.append(doc.evidence_level)
    mixed = any(chain.lots[i].mixed_origin for i in chain.lineage)
    return {
        "countries": sorted(countries),
        "areas": sorted(areas),
        "sites": sorted(sites),
        "mixed": mixed,
        "evidence_level": max(levels, key=_EVIDENCE_ORDER.index) if levels else None,
    }


def _attests_origin(doc: Attestation, chain: Chain) -> bool:
    return (
        doc.scheme in _ORIGIN_SCHEMES
        and doc.origin_country is not None
        and doc.subject_id in chain.items
    )
