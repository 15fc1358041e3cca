"""The KP-narrow verdict: the Kimberley Process rules as they stood on each event's date.

The checks are K01-K16 of ``docs/methodology.md`` (K15, sanctions, is a separate verdict). The
result is ``fail`` if any check fails, else ``insufficient_evidence`` if any check is missing
its evidence, else ``pass``; ``not_applicable`` for goods outside the KP (lab-grown, polished
HS codes). A polished stone is judged through every rough lot it descends from.
"""

from __future__ import annotations

import datetime as dt
import itertools

from clearstone_api.domain.chain import Chain
from clearstone_api.domain.kp_certificates import check_certificate
from clearstone_api.domain.kp_checks import KP_START, CheckId
from clearstone_api.domain.kp_findings import Findings, ref
from clearstone_api.domain.kp_integrity import (
    check_chronology,
    check_mass_balance,
    check_warranties,
)
from clearstone_api.domain.kp_participants import check_counterparties, check_standing
from clearstone_api.domain.kp_special_measures import check_special_measures
from clearstone_api.domain.kp_un_measures import check_embargoes
from clearstone_api.domain.records import CustodyEvent, EventType, KPCertificate, RoughLot
from clearstone_api.domain.reference import Reference
from clearstone_api.domain.verdicts import CheckStatus, KpResult, KpVerdict

__all__ = ["assess_kp"]

_CROSS_BORDER = {EventType.export, EventType.import_}


def assess_kp(chain: Chain, reference: Reference, as_of: dt.date) -> KpVerdict:
    findings = Findings(reference)
    if not _in_scope(chain, reference, findings):
        return findings.verdict(
            KpResult.not_applicable,
            findings.last_reason + " The Kimberley Process certifies natural rough diamonds only.",
        )
    _check_movements(chain, reference, findings)
    check_warranties(chain, reference, findings)
    check_mass_balance(chain, findings)
    check_chronology(chain, as_of, findings)
    return _verdict(findings, any(e.date < KP_START for e in chain.events))


def _in_scope(chain: Chain, reference: Reference, findings: Findings) -> bool:
    """K01: natural diamonds whose rough falls under the KP's HS subheadings."""
    if chain.is_lab_grown:
        findings.add(
            CheckId.K01,
            CheckStatus.not_applicable,
            "This is a laboratory-grown stone. The KP defines a diamond as a natural mineral, so "
            "lab-grown stones are outside its scope.",
            f"{chain.subject.kind}:{chain.subject.id}",
        )
        return False
    if isinstance(chain.subject, RoughLot):
        hs = reference.hs_codes.get(chain.subject.hs_code)
        if hs is None or not hs.kp_scope:
            findings.add(
                CheckId.K01,
                CheckStatus.not_applicable,
                f"HS {chain.subject.hs_code} is not one of the rough-diamond subheadings the KP "
                "covers.",
                f"lot:{chain.subject.id}",
            )
            return False
    findings.add(
        CheckId.K01,
        CheckStatus.pass_,
        "A natural diamond: its rough is within the Kimberley Process.",
        f"{chain.subject.kind}:{chain.subject.id}",
    )
    return True


def _check_movements(chain: Chain, reference: Reference, findings: Findings) -> None:
    """K02 and the per-shipment checks: every rough lot reached the cutter through a documented
    chain of KP-certified border crossings."""
    for lot in chain.root_lots:
        events = chain.events_for(lot.id)
        if not events or events[0].type not in (EventType.extraction, EventType.import_):
            findings.add(
                CheckId.K02,
                CheckStatus.missing,
                f"Lot {lot.id} has no recorded extraction or certified import where its chain "
                "begins.",
                f"lot:{lot.id}",
            )
    for lot_id in chain.lineage:
        _unrecorded_crossings(chain, reference, lot_id, findings)
    seen: set[str] = set()
    for event in chain.events:
        if not any(chain.is_rough(item) for item in event.items):
            continue
        if event.type is EventType.transit:
            _check_transit(chain, reference, event, findings)
        elif event.type in _CROSS_BORDER:
            _check_shipment(chain, reference, event, findings, seen)


def _unrecorded_crossings(
    chain: Chain, reference: Reference, lot_id: str, findings: Findings
) -> None:
    events = chain.events_for(lot_id)
    for before, after in itertools.pairwise(events):
        here = reference.participant_for(before.place.country, before.date) or before.place.country
        there = reference.participant_for(after.place.country, after.date) or after.place.country
        if here == there:
            continue
        if before.type is EventType.export or after.type in (EventType.import_, EventType.transit):
            continue
        findings.add(
            CheckId.K02,
            CheckStatus.missing,
            f"Lot {lot_id} moved from {before.place.country} ({before.date}) to "
            f"{after.place.country} ({after.date}) with no export or import recorded.",
            f"lot:{lot_id}",
            [ref("event", before.id), ref("event", after.id)],
        )


def _check_transit(
    chain: Chain, reference: Reference, event: CustodyEvent, findings: Findings
) -> None:
    """KPCS III(d): a transit is exempt only if the shipment leaves unopened; an opened (or not
    known to be unopened) shipment needs a new certificate from the participant covering the
    transit country, issued on or after the transit. The certificate the parcel already
    travels under does not count."""
    subject = f"event:{event.id}"
    evidence = [ref("event", event.id, day=event.date)]
    where, day = event.place.country, event.date
    if day < KP_START:
        findings.add(
            CheckId.K02,
            CheckStatus.not_applicable,
            f"Transit through {where} on {day}, before the KP Certification Scheme took effect "
            f"({KP_START}).",
            subject,
            evidence,
        )
        return
    covering = reference.participant_for(where, day) or where
    renewed = [
        c
        for c in chain.certificates(event)
        if c.issuing_participant == covering and c.date_of_issue and c.date_of_issue >= day
    ]
    if event.seals_intact:
        findings.add(
            CheckId.K02,
            CheckStatus.pass_,
            f"Transit through {where} on {day} with seals intact: the shipment left unopened.",
            subject,
            evidence,
        )
    elif renewed:
        cert = renewed[0]
        findings.add(
            CheckId.K02,
            CheckStatus.pass_,
            f"The shipment was {'opened' if event.seals_intact is False else 'not shown unopened'}"
            f" in transit through {where} on {day}, and {covering} certified it anew "
            f"(certificate {cert.number}, issued {cert.date_of_issue}).",
            subject,
            [*evidence, ref("document", cert.id, day=cert.date_of_issue)],
        )
    else:
        listed = [c for c in chain.certificates(event) if c not in renewed]
        note = (
            f" Certificate {', '.join(c.number for c in listed)} was issued before the transit "
            f"or by another participant than {covering}, so it does not cover the parcel after "
            "it was opened."
            if listed
            else ""
        )
        evidence += [ref("document", c.id, day=c.date_of_issue) for c in listed]
        if event.seals_intact is False:
            findings.add(
                CheckId.K02,
                CheckStatus.fail,
                f"The shipment was opened in transit through {where} on {day} and {covering} "
                f"issued no new KP certificate.{note}",
                subject,
                evidence,
            )
        else:
            findings.add(
                CheckId.K02,
                CheckStatus.missing,
                f"Transit through {where} on {day}: the record does not say whether the "
                f"shipment left unopened, and {covering} issued no new KP certificate.{note}",
                subject,
                evidence,
            )


def _check_before_kp(
    chain: Chain, reference: Reference, event: CustodyEvent, findings: Findings
) -> None:
    """An export or import before 1 January 2003: the KP-only checks do not apply; the UN
    measures then in force (and their certificate-of-origin regimes) do."""
    subject = f"event:{event.id}"
    origin_docs = chain.certificates_of_origin(event)
    evidence = [ref("event", event.id, day=event.date)] + [
        ref("document", d.id, day=d.date_of_issue) for d in origin_docs
    ]
    numbers = ", ".join(d.number for d in origin_docs)
    carried = f" It carries the government certificate of origin {numbers}." if origin_docs else ""
    before = f"before the KP Certification Scheme took effect on {KP_START}"
    findings.add(
        CheckId.K02,
        CheckStatus.not_applicable,
        f"The {event.type.value} of rough on {event.date} ({event.place.country}) was {before}: "
        f"no KP certificate existed.{carried}",
        subject,
        evidence,
    )
    findings.add(
        CheckId.K04,
        CheckStatus.not_applicable,
        f"On {event.date} there were no KP participants yet ({before}).",
        subject,
        evidence[:1],
    )
    if event.type is EventType.export:
        findings.add(
            CheckId.K03,
            CheckStatus.not_applicable,
            f"On {event.date} no KP participant issued certificates ({before}).",
            subject,
            evidence[:1],
        )
        findings.add(
            CheckId.K09,
            CheckStatus.not_applicable,
            f"KP special measures did not exist on {event.date} ({before}).",
            subject,
            evidence[:1],
        )
        check_embargoes(chain, reference, event, findings)


def _check_shipment(
    chain: Chain, reference: Reference, event: CustodyEvent, findings: Findings, seen: set[str]
) -> None:
    """One export or import. Every applicable rule runs, with or without a certificate. A
    certificate already checked at the shipment's export is not checked again at its import,
    except for what depends on the import itself."""
    if event.date < KP_START:
        _check_before_kp(chain, reference, event, findings)
        return
    certs = chain.certificates(event)
    subject = f"event:{event.id}"
    if not certs:
        findings.add(
            CheckId.K02,
            CheckStatus.fail,
            f"The {event.type.value} of rough on {event.date} ({event.place.country}) carries no "
            "KP certificate.",
            subject,
            [ref("event", event.id, day=event.date)],
        )
    else:
        findings.add(
            CheckId.K02,
            CheckStatus.pass_,
            f"The {event.type.value} on {event.date} carries KP certificate "
            f"{', '.join(c.number for c in certs)}.",
            subject,
            [ref("document", c.id, day=c.date_of_issue) for c in certs],
        )
    if not certs or not all(cert.id in seen for cert in certs):
        check_counterparties(chain, reference, event, certs, findings)
    if event.type is EventType.export:
        issued: list[KPCertificate | None] = [*certs] or [None]
        for cert_or_none in issued:
            check_standing(reference, event, cert_or_none, findings)
        check_special_measures(chain, reference, event, findings)
        check_embargoes(chain, reference, event, findings)
    for cert in certs:
        check_certificate(chain, reference, event, cert, findings, first_use=cert.id not in seen)
        seen.add(cert.id)


def _verdict(findings: Findings, before_kp: bool) -> KpVerdict:
    failed = findings.reasons(CheckStatus.fail)
    missing = findings.reasons(CheckStatus.missing)
    warnings = findings.reasons(CheckStatus.warn)
    if failed:
        result = KpResult.fail
        summary = "Fails the Kimberley Process rules: " + " ".join(failed[:3])
    elif missing:
        result = KpResult.insufficient_evidence
        summary = "Not enough evidence to apply the Kimberley Process rules: " + " ".join(
            missing[:3]
        )
    else:
        result = KpResult.pass_
        summary = (
            "No Kimberley Process conflict-diamond indicators in the documented chain"
            + (f" ({len(warnings)} warning{'s' if len(warnings) != 1 else ''})" if warnings else "")
            + ". The KP's definition is narrow: it covers rough diamonds that finance rebel "
            "movements, not abuses by state forces or companies. See the human-rights verdict."
        )
        if before_kp:
            summary += (
                f" Steps before the KP took effect ({KP_START}) are judged by the rules then in "
                "force: the UN Security Council measures and their certificate-of-origin regimes."
            )
    return findings.verdict(result, summary)
