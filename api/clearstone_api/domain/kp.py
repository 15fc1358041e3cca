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
from clearstone_api.domain.kp_findings import Findings, ref
from clearstone_api.domain.kp_integrity import (
    check_chronology,
    check_mass_balance,
    check_warranties,
)
from clearstone_api.domain.kp_standing import (
    check_counterparties,
    check_embargoes,
    check_special_measures,
    check_standing,
)
from clearstone_api.domain.records import CustodyEvent, EventType, RoughLot
from clearstone_api.domain.reference import Reference
from clearstone_api.domain.verdicts import CheckStatus, KpResult, KpVerdict

__all__ = ["assess_kp"]

_CROSS_BORDER = {EventType.export, EventType.import_}


def assess_kp(chain: Chain, reference: Reference, as_of: dt.date) -> KpVerdict:
    findings = Findings()
    if not _in_scope(chain, reference, findings):
        return KpVerdict(
            result=KpResult.not_applicable,
            summary=findings.last_reason
            + " The Kimberley Process certifies natural rough diamonds only.",
            checks=findings.checks,
        )
    _check_movements(chain, reference, findings)
    check_warranties(chain, reference, findings)
    check_mass_balance(chain, findings)
    check_chronology(chain, as_of, findings)
    return _verdict(findings)


def _in_scope(chain: Chain, reference: Reference, findings: Findings) -> bool:
    """K01: natural diamonds whose rough falls under the KP's HS subheadings."""
    if chain.is_lab_grown:
        findings.add(
            "K01",
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
                "K01",
                CheckStatus.not_applicable,
                f"HS {chain.subject.hs_code} is not one of the rough-diamond subheadings the KP "
                "covers.",
                f"lot:{chain.subject.id}",
            )
            return False
    findings.add(
        "K01",
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
                "K02",
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
            _check_transit(chain, event, findings)
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
            "K02",
            CheckStatus.missing,
            f"Lot {lot_id} moved from {before.place.country} ({before.date}) to "
            f"{after.place.country} ({after.date}) with no export or import recorded.",
            f"lot:{lot_id}",
            [ref("event", before.id), ref("event", after.id)],
        )


def _check_transit(chain: Chain, event: CustodyEvent, findings: Findings) -> None:
    subject = f"event:{event.id}"
    evidence = [ref("event", event.id)]
    if chain.certificates(event) or event.seals_intact:
        findings.add(
            "K02",
            CheckStatus.pass_,
            f"Transit through {event.place.country} on {event.date}"
            + (" with seals intact." if event.seals_intact else " under its KP certificate."),
            subject,
            evidence,
        )
    elif event.seals_intact is False:
        findings.add(
            "K02",
            CheckStatus.fail,
            f"The shipment was opened in transit through {event.place.country} on {event.date} "
            "and no new KP certificate was issued.",
            subject,
            evidence,
        )
    else:
        findings.add(
            "K02",
            CheckStatus.missing,
            f"Transit through {event.place.country} on {event.date}: the record does not say "
            "whether the shipment left unopened.",
            subject,
            evidence,
        )


def _check_shipment(
    chain: Chain, reference: Reference, event: CustodyEvent, findings: Findings, seen: set[str]
) -> None:
    """One export or import. A certificate already checked at the shipment's export is not
    checked again at its import, except for what depends on the import itself."""
    certs = chain.certificates(event)
    subject = f"event:{event.id}"
    if not certs:
        findings.add(
            "K02",
            CheckStatus.fail,
            f"The {event.type.value} of rough on {event.date} ({event.place.country}) carries no "
            "KP certificate.",
            subject,
            [ref("event", event.id)],
        )
        return
    findings.add(
        "K02",
        CheckStatus.pass_,
        f"The {event.type.value} on {event.date} carries KP certificate "
        f"{', '.join(c.number for c in certs)}.",
        subject,
        [ref("document", c.id) for c in certs],
    )
    if not all(cert.id in seen for cert in certs):
        check_counterparties(reference, event, certs, findings)
    if event.type is EventType.export:
        for cert in certs:
            check_standing(reference, event, cert, findings)
        check_special_measures(chain, reference, event, certs, findings)
        check_embargoes(chain, reference, event, certs, findings)
    for cert in certs:
        check_certificate(chain, reference, event, cert, findings, first_use=cert.id not in seen)
        seen.add(cert.id)


def _verdict(findings: Findings) -> KpVerdict:
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
    return KpVerdict(result=result, summary=summary, checks=findings.checks)
