"""KP checks on who traded: the issuing participant's standing (K03) and trade only between
participants (K04), each on the date that decides it."""

from __future__ import annotations

import datetime as dt

from clearstone_api.domain.chain import Chain
from clearstone_api.domain.kp_checks import CheckId
from clearstone_api.domain.kp_findings import EvidenceRow, Findings, fact, ref
from clearstone_api.domain.records import CustodyEvent, EventType, KPCertificate
from clearstone_api.domain.reference import Reference
from clearstone_api.domain.reference_rows import Participant, StatusPeriod
from clearstone_api.domain.verdicts import CheckStatus

__all__ = ["check_counterparties", "check_standing", "participant_fact", "status_fact"]


def participant_fact(participant: Participant) -> EvidenceRow:
    return fact(
        "participant",
        participant.id,
        f"{participant.name}, a KP participant from {participant.admitted_on or 'the start'}",
        participant.source_ids,
        participant.admitted_on,
    )


def status_fact(status: StatusPeriod) -> EvidenceRow:
    return fact(
        "participant_status",
        status.id,
        status.basis,
        status.source_ids,
        status.valid_from,
        status.valid_to,
    )


def _standing(
    reference: Reference, code: str, day: dt.date
) -> tuple[Participant | None, list[StatusPeriod]]:
    """The participant ``code`` names on ``day`` (None if it was not one) and its adverse
    statuses then, UN embargoes aside (K10 judges those)."""
    participant = reference.participants.get(code)
    if participant is None or (participant.admitted_on and participant.admitted_on > day):
        return None, []
    adverse = [s for s in reference.statuses_on(participant.id, day) if s.status != "embargoed"]
    return participant, adverse


def check_standing(
    reference: Reference, event: CustodyEvent, cert: KPCertificate | None, findings: Findings
) -> None:
    """K03: the issuing participant existed and was in good standing on the date of issue.

    Without a certificate, the participant covering the exporting country is judged on the
    export's date: what would have issued one.
    """
    if cert is not None:
        day = cert.date_of_issue or event.date
        code, subject = cert.issuing_participant, f"document:{cert.id}"
        evidence = [ref("document", cert.id, day=day)]
        what = f"certificate {cert.number}"
    else:
        day = event.date
        code = reference.participant_for(event.place.country, day) or event.place.country
        subject, what = f"event:{event.id}", f"a KP certificate for the export on {day}"
        evidence = [ref("event", event.id, day=day)]
    participant, adverse = _standing(reference, code, day)
    if participant is None:
        findings.add(
            CheckId.K03,
            CheckStatus.fail,
            f"{code} was not a KP participant on {day}, so it could not issue {what}.",
            subject,
            evidence,
        )
        return
    evidence.append(participant_fact(participant))
    exporting = reference.participant_for(event.place.country, event.date)
    if cert is not None and event.type is EventType.export and exporting != participant.id:
        findings.add(
            CheckId.K03,
            CheckStatus.fail,
            f"Certificate {cert.number} was issued by {participant.name}, but the shipment "
            f"left {event.place.country} on {event.date}, where "
            + (
                f"participant {exporting} certified exports."
                if exporting
                else "no participant certified exports."
            ),
            subject,
            evidence,
        )
        return
    evidence += [status_fact(s) for s in adverse]
    blocking = [s for s in adverse if s.exception_measure is None]
    if blocking:
        first = blocking[0]
        findings.add(
            CheckId.K03,
            CheckStatus.fail,
            f"{participant.name} was {first.status.replace('_', '-')} from {first.valid_from}"
            f"{f' to {first.valid_to}' if first.valid_to else ''} ({first.basis}); on {day} "
            "its certificates were not valid KP certificates.",
            subject,
            evidence,
        )
    elif adverse:
        findings.add(
            CheckId.K03,
            CheckStatus.warn,
            f"{participant.name} was suspended on {day} (from {adverse[0].valid_from}: "
            f"{adverse[0].basis}); exports were allowed only under special measures (see K09).",
            subject,
            evidence,
        )
    elif cert is None:
        findings.add(
            CheckId.K03,
            CheckStatus.pass_,
            f"{participant.name} was a KP participant in good standing on {day}; it could have "
            "certified this export.",
            subject,
            evidence[:1],  # a pass cites the record; a failure, the rows too
        )
    else:
        findings.add(
            CheckId.K03,
            CheckStatus.pass_,
            f"{participant.name} was a KP participant in good standing on {day}.",
            subject,
            evidence[:1],
        )


def _other_end(chain: Chain, event: CustodyEvent, certs: list[KPCertificate]) -> str | None:
    """The country at the other end of an export or import."""
    if event.type is EventType.export:
        return event.destination_country or next(
            (c.importer.country for c in certs if c.importer and c.importer.country), None
        )
    named = next((c.exporter.country for c in certs if c.exporter and c.exporter.country), None)
    if named or certs:
        return named or certs[0].issuing_participant
    items = set(event.items)
    earlier = [
        e
        for e in chain.events
        if e.type is EventType.export and e.date <= event.date and items & set(e.items)
    ]
    return earlier[-1].place.country if earlier else None


def check_counterparties(
    chain: Chain,
    reference: Reference,
    event: CustodyEvent,
    certs: list[KPCertificate],
    findings: Findings,
) -> None:
    """K04: no rough shipment to or from a non-participant (Chinese Taipei meets the rules)."""
    here = event.place.country
    other = _other_end(chain, event, certs)
    subject = f"event:{event.id}"
    evidence = [ref("event", event.id, day=event.date)]
    if other is None:
        findings.add(
            CheckId.K04,
            CheckStatus.missing,
            f"The {event.type.value} on {event.date} does not say where the shipment "
            f"{'went' if event.type is EventType.export else 'came from'}.",
            subject,
            evidence,
        )
        return
    problems: list[str] = []
    notes: list[str] = []
    for country in (here, other):
        code = reference.participant_for(country, event.date) or country
        participant, adverse = _standing(reference, code, event.date)
        if participant is None:
            problems.append(f"{country} was not a KP participant on {event.date}")
            continue
        evidence.append(participant_fact(participant))
        blocked = [s for s in adverse if s.status in {"removed", "self_suspended"}]
        if blocked:
            evidence += [status_fact(s) for s in blocked]
            problems.append(
                f"{participant.name} was {blocked[0].status.replace('_', '-')} on {event.date} "
                f"(from {blocked[0].valid_from})"
            )
        if participant.kind == "trading_entity":
            notes.append(f"{participant.name} is treated as meeting the KP's minimum requirements")
    if problems:
        findings.add(CheckId.K04, CheckStatus.fail, "; ".join(problems) + ".", subject, evidence)
    else:
        reason = f"Both {here} and {other} were within the KP on {event.date}."
        if notes:
            reason += " " + "; ".join(notes) + "."
        findings.add(CheckId.K04, CheckStatus.pass_, reason, subject, evidence[:1])
