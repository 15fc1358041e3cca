"""KP checks on the certificates themselves: Annex I elements, numbering, dates, consistency,
import confirmation and sealing (K05-K08, K11, K12), and the declared origin against the chain
(K17)."""

from __future__ import annotations

from decimal import Decimal

from clearstone_api.domain.chain import Chain
from clearstone_api.domain.geography import origins_of_items
from clearstone_api.domain.kp_checks import CheckId
from clearstone_api.domain.kp_findings import EvidenceRow, Findings, fact, ref
from clearstone_api.domain.records import CustodyEvent, EventType, KPCertificate
from clearstone_api.domain.reference import Reference
from clearstone_api.domain.reference_rows import CertificateProfile
from clearstone_api.domain.verdicts import CheckStatus

__all__ = ["check_certificate"]

CARAT_TOLERANCE = Decimal("0.005")
"""Relative difference between certificate and lot weights tolerated before a warning."""

_REQUIRED = {
    "date_of_issue": "date of issue",
    "date_of_expiry": "date of expiry",
    "issuing_authority": "issuing authority",
    "exporter": "exporter",
    "importer": "importer",
    "carat_weight": "carat weight",
    "value_usd": "value in US$",
    "parcel_count": "number of parcels",
}


def check_certificate(
    chain: Chain,
    reference: Reference,
    event: CustodyEvent,
    cert: KPCertificate,
    findings: Findings,
    *,
    first_use: bool = True,
) -> None:
    """Run the document checks for one certificate as used by one export or import event.

    What concerns the document alone (K05, K06, K08) is checked at its first use; what depends
    on the event (dates, confirmation, sealing) at every use.
    """
    subject = f"document:{cert.id}"
    evidence = [
        ref("document", cert.id, day=cert.date_of_issue),
        ref("event", event.id, day=event.date),
    ]
    if first_use:
        _annex_i(chain, reference, cert, subject, evidence, findings)
        _numbering(reference, cert, subject, evidence, findings)
        _consistency(chain, event, cert, subject, evidence, findings)
        _declared_origin(chain, event, cert, subject, evidence, findings)
    _dates(reference, event, cert, subject, evidence, findings)
    if event.type is EventType.import_:
        confirmed = cert.import_confirmation is not None and cert.import_confirmation.confirmed
        findings.add(
            CheckId.K11,
            CheckStatus.pass_ if confirmed else CheckStatus.warn,
            "The importing authority's confirmation of receipt is recorded."
            if confirmed
            else f"No import confirmation is recorded for the import on {event.date} (an "
            "optional element of the certificate; the KP recommends it).",
            subject,
            evidence,
        )
    if event.type is EventType.export:
        sealed = bool(cert.container_seal_id)
        findings.add(
            CheckId.K12,
            CheckStatus.pass_ if sealed else CheckStatus.warn,
            f"Tamper-resistant container seal {cert.container_seal_id} is recorded."
            if sealed
            else "No tamper-resistant container or seal id is recorded for the export on "
            f"{event.date}.",
            subject,
            evidence,
        )


def _annex_i(
    chain: Chain,
    reference: Reference,
    cert: KPCertificate,
    subject: str,
    evidence: list[EvidenceRow],
    findings: Findings,
) -> None:
    missing = [label for name, label in _REQUIRED.items() if getattr(cert, name) is None]
    if not cert.hs_codes:
        missing.append("HS code")
    mixed = cert.country_of_origin == "MIXED" or any(
        chain.lots[lot].mixed_origin for lot in cert.lot_ids if lot in chain.lots
    )
    if cert.country_of_origin is None and not mixed:
        missing.append("country of origin (required unless the parcel is of mixed origin)")
    refused = []
    if cert.validated_by_exporting_authority is False:
        refused.append("it is not validated by the exporting authority")
    elif cert.validated_by_exporting_authority is None:
        missing.append("validation by the exporting authority")
    if cert.statement_present is False:
        refused.append("it lacks the KP statement")
    in_scope = reference.derived("kp.hs_in_scope", _hs_in_scope)
    out_of_scope = [code for code in cert.hs_codes if code not in in_scope]
    if refused:
        findings.add(
            CheckId.K05,
            CheckStatus.fail,
            f"Certificate {cert.number} (issued {cert.date_of_issue or 'on an unknown date'}) is "
            f"defective: {', '.join(refused)}.",
            subject,
            evidence,
        )
    elif missing:
        findings.add(
            CheckId.K05,
            CheckStatus.missing,
            f"Certificate {cert.number} (issued {cert.date_of_issue or 'on an unknown date'}) is "
            f"recorded without these Annex I elements: {', '.join(missing)}.",
            subject,
            evidence,
        )
    elif out_of_scope:
        findings.add(
            CheckId.K05,
            CheckStatus.warn,
            f"Certificate {cert.number} (issued {cert.date_of_issue}) lists HS codes outside KP "
            f"scope: {', '.join(out_of_scope)}.",
            subject,
            evidence
            + [
                fact("hs_code", code, row.description, row.source_ids)
                for code in out_of_scope
                if (row := reference.hs_codes.get(code)) is not None
            ],
        )
    else:
        findings.add(
            CheckId.K05,
            CheckStatus.pass_,
            f"Certificate {cert.number} carries every Annex I element.",
            subject,
            evidence,
        )


def _hs_in_scope(reference: Reference) -> frozenset[str]:
    return frozenset(code for code, row in reference.hs_codes.items() if row.kp_scope)


def _numbering(
    reference: Reference,
    cert: KPCertificate,
    subject: str,
    evidence: list[EvidenceRow],
    findings: Findings,
) -> None:
    profile = reference.certificate_profiles.get(cert.issuing_participant)
    prefixes = profile.number_prefixes if profile else [cert.issuing_participant]
    if profile is not None:
        evidence = [*evidence, _profile_fact(reference, profile)]
    number = cert.number.upper()
    if any(prefix.upper() in number for prefix in prefixes):
        findings.add(
            CheckId.K06,
            CheckStatus.pass_,
            f"The number {cert.number} carries the issuing participant's code.",
            subject,
            evidence,
        )
    else:
        findings.add(
            CheckId.K06,
            CheckStatus.warn,
            f"The number {cert.number} does not contain {' or '.join(prefixes)}, the issuing "
            "participant's code (formats vary by participant).",
            subject,
            evidence,
        )


def _dates(
    reference: Reference,
    event: CustodyEvent,
    cert: KPCertificate,
    subject: str,
    evidence: list[EvidenceRow],
    findings: Findings,
) -> None:
    issued, expires = cert.date_of_issue, cert.date_of_expiry
    if issued is None or expires is None:
        return  # K05 already names the missing dates
    problems: list[str] = []
    if expires <= issued:
        problems.append(f"it expires ({expires}) on or before its issue ({issued})")
    if event.type is EventType.export and event.date < issued:
        problems.append(f"the shipment left on {event.date}, before the certificate was issued")
    if event.date > expires:
        what = "left" if event.type is EventType.export else "arrived"
        problems.append(f"the shipment {what} on {event.date}, after the certificate expired")
    if problems:
        findings.add(
            CheckId.K07,
            CheckStatus.fail,
            f"Certificate {cert.number}: {'; '.join(problems)}.",
            subject,
            evidence,
        )
        return
    profile = reference.certificate_profiles.get(cert.issuing_participant)
    days = (expires - issued).days
    if profile and profile.max_validity_days is not None and days > profile.max_validity_days:
        findings.add(
            CheckId.K07,
            CheckStatus.warn,
            f"Certificate {cert.number} is valid for {days} days (issued {issued}, expires "
            f"{expires}); {cert.issuing_participant} certificates are valid for at most "
            f"{profile.max_validity_days}.",
            subject,
            [*evidence, _profile_fact(reference, profile)],
        )
        return
    findings.add(
        CheckId.K07,
        CheckStatus.pass_,
        f"Issued {issued}, expires {expires}; the shipment moved on {event.date}, in between.",
        subject,
        evidence,
    )


def _consistency(
    chain: Chain,
    event: CustodyEvent,
    cert: KPCertificate,
    subject: str,
    evidence: list[EvidenceRow],
    findings: Findings,
) -> None:
    lot_ids = [lot for lot in (cert.lot_ids or event.items) if lot in chain.lots]
    if not lot_ids:
        return
    lots = [chain.lots[lot] for lot in lot_ids]
    carats = sum((lot.carat for lot in lots), Decimal(0))
    parcels = sum(lot.parcel_count for lot in lots)
    notes: list[str] = []
    if cert.carat_weight is not None and abs(cert.carat_weight - carats) > carats * CARAT_TOLERANCE:
        notes.append(f"it states {cert.carat_weight} ct but the lots weigh {carats} ct")
    if cert.parcel_count is not None and cert.parcel_count != parcels:
        notes.append(f"it states {cert.parcel_count} parcels but the lots hold {parcels}")
    if cert.value_usd is not None and cert.value_usd <= 0:
        notes.append("it states no value")
    findings.add(
        CheckId.K08,
        CheckStatus.warn if notes else CheckStatus.pass_,
        f"Certificate {cert.number} (issued {cert.date_of_issue}): {'; '.join(notes)}."
        if notes
        else f"Certificate {cert.number} matches the lots it covers "
        f"({carats} ct, {parcels} parcels).",
        subject,
        evidence,
    )


def _profile_fact(reference: Reference, profile: CertificateProfile) -> EvidenceRow:
    """The evidence row citing ``profile``: built once per reference, shared, only ever read."""
    return reference.derived("kp.profile_rows", _profile_rows)[profile.participant_id]


def _profile_rows(reference: Reference) -> dict[str, EvidenceRow]:
    return {key: _profile_row(profile) for key, profile in reference.certificate_profiles.items()}


def _profile_row(profile: CertificateProfile) -> EvidenceRow:
    return fact(
        "certificate_profile",
        profile.participant_id,
        f"numbers carry {' or '.join(profile.number_prefixes)}"
        + (
            f"; valid for at most {profile.max_validity_days} days"
            if profile.max_validity_days is not None
            else ""
        ),
        profile.source_ids,
    )


def _declared_origin(
    chain: Chain,
    event: CustodyEvent,
    cert: KPCertificate,
    subject: str,
    evidence: list[EvidenceRow],
    findings: Findings,
) -> None:
    """K17: the certificate's country of origin against the countries the chain says the goods
    were mined in; "mixed" only for goods that really were mixed."""
    lot_ids = [lot for lot in (cert.lot_ids or event.items) if lot in chain.lots]
    mined: set[str] = set()
    flagged_mixed = False
    for lot_id in lot_ids:
        mined |= {o.place.country for o in origins_of_items(chain, [lot_id])}
        flagged_mixed |= chain.lots[lot_id].mixed_origin
    declared = cert.country_of_origin
    countries = ", ".join(sorted(mined))
    if not mined:
        findings.add(
            CheckId.K17,
            CheckStatus.not_applicable,
            f"Certificate {cert.number} declares {declared or 'no'} origin; the record has no "
            "extraction to compare it with.",
            subject,
            evidence,
        )
    elif declared is None:
        return  # K05 names a missing country of origin
    elif declared == "MIXED":
        really = flagged_mixed or len(mined) > 1
        findings.add(
            CheckId.K17,
            CheckStatus.pass_ if really else CheckStatus.warn,
            f"Certificate {cert.number} declares mixed origin"
            + (
                f" for goods mined in {countries} or mixed in trade."
                if really
                else f", but the chain records these goods as mined in {countries} only and "
                "no lot as mixed: the certificate hides a known origin."
            ),
            subject,
            evidence,
        )
    elif mined == {declared}:
        findings.add(
            CheckId.K17,
            CheckStatus.pass_,
            f"Certificate {cert.number} declares origin {declared}, where the chain records the "
            "goods were mined.",
            subject,
            evidence,
        )
    else:
        findings.add(
            CheckId.K17,
            CheckStatus.fail,
            f"Certificate {cert.number} (issued {cert.date_of_issue}) declares origin {declared}, "
            f"but the chain records the goods as mined in {countries}.",
            subject,
            evidence,
        )
