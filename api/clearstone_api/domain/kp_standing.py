"""KP checks on who traded and where from, on the date: participant standing (K03), trade only
between participants (K04), special measures at the origin (K09) and UN bans (K10)."""

from __future__ import annotations

from clearstone_api.domain.chain import Chain
from clearstone_api.domain.geography import area_label, compliant_zone_for, in_area, origins_of
from clearstone_api.domain.kp_findings import Findings, ref
from clearstone_api.domain.records import CustodyEvent, EventType, KPCertificate
from clearstone_api.domain.reference import Reference
from clearstone_api.domain.verdicts import CheckStatus

__all__ = [
    "check_counterparties",
    "check_embargoes",
    "check_special_measures",
    "check_standing",
]


def check_standing(
    reference: Reference, event: CustodyEvent, cert: KPCertificate, findings: Findings
) -> None:
    """K03: the issuing participant existed and was in good standing on the date of issue."""
    day = cert.date_of_issue or event.date
    subject = f"document:{cert.id}"
    evidence = [ref("document", cert.id)]
    participant = reference.participants.get(cert.issuing_participant)
    if participant is None or (participant.admitted_on and participant.admitted_on > day):
        findings.add(
            "K03",
            CheckStatus.fail,
            f"{cert.issuing_participant} was not a KP participant on {day}, so it could not "
            f"issue certificate {cert.number}.",
            subject,
            evidence,
        )
        return
    exporting = reference.participant_for(event.place.country, event.date)
    if event.type is EventType.export and exporting and exporting != participant.id:
        findings.add(
            "K03",
            CheckStatus.fail,
            f"Certificate {cert.number} was issued by {participant.name}, but the shipment "
            f"left {event.place.country} (participant {exporting}).",
            subject,
            evidence,
        )
        return
    adverse = [s for s in reference.statuses_on(participant.id, day) if s.status != "embargoed"]
    for status in adverse:
        evidence.append(ref("participant_status", status.id, status.basis))
    blocking = [s for s in adverse if s.exception_measure is None]
    if blocking:
        findings.add(
            "K03",
            CheckStatus.fail,
            f"{participant.name} was {blocking[0].status.replace('_', '-')} on {day} "
            f"({blocking[0].basis}); its certificates were not valid KP certificates.",
            subject,
            evidence,
        )
    elif adverse:
        findings.add(
            "K03",
            CheckStatus.warn,
            f"{participant.name} was suspended on {day} ({adverse[0].basis}); exports were "
            "allowed only under special measures (see K09).",
            subject,
            evidence,
        )
    else:
        findings.add(
            "K03",
            CheckStatus.pass_,
            f"{participant.name} was a KP participant in good standing on {day}.",
            subject,
            evidence,
        )


def check_counterparties(
    reference: Reference,
    event: CustodyEvent,
    certs: list[KPCertificate],
    findings: Findings,
) -> None:
    """K04: no rough shipment to or from a non-participant (Chinese Taipei meets the rules)."""
    here = event.place.country
    if event.type is EventType.export:
        other = event.destination_country or next(
            (c.importer.country for c in certs if c.importer and c.importer.country), None
        )
    else:
        other = next(
            (c.exporter.country for c in certs if c.exporter and c.exporter.country), None
        ) or next((c.issuing_participant for c in certs), None)
    subject = f"event:{event.id}"
    evidence = [ref("event", event.id)]
    if other is None:
        findings.add(
            "K04",
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
        participant_id = reference.participant_for(country, event.date) or (
            country if country in reference.participants else None
        )
        participant = reference.participants.get(participant_id or "")
        if participant is None or (
            participant.admitted_on and participant.admitted_on > event.date
        ):
            problems.append(f"{country} was not a KP participant on {event.date}")
            continue
        blocked = [
            s
            for s in reference.statuses_on(participant.id, event.date)
            if s.status in {"removed", "self_suspended"}
        ]
        if blocked:
            problems.append(f"{participant.name} was {blocked[0].status.replace('_', '-')}")
        if participant.kind == "trading_entity":
            notes.append(f"{participant.name} is treated as meeting the KP's minimum requirements")
    if problems:
        findings.add(
            "K04", CheckStatus.fail, "; ".join(problems).capitalize() + ".", subject, evidence
        )
    else:
        reason = f"Both {here} and {other} were within the KP on {event.date}."
        if notes:
            reason += " " + "; ".join(notes) + "."
        findings.add("K04", CheckStatus.pass_, reason, subject, evidence)


def check_special_measures(
    chain: Chain,
    reference: Reference,
    event: CustodyEvent,
    certs: list[KPCertificate],
    findings: Findings,
) -> None:
    """K09: CAR compliant zones during CAR's suspension; Marange supervised and monitored
    exports."""
    origins = origins_of(chain, event)
    subject = f"event:{event.id}"
    supervised = any(c.supervised_export for c in certs)
    countries = sorted({o.place.country for o in origins} | {event.place.country})
    applied = False
    for country in countries:
        participant = reference.participant_for(country, event.date) or country
        suspensions = [
            s
            for s in reference.statuses_on(participant, event.date)
            if s.exception_measure == "compliant_zone"
        ]
        if suspensions:
            applied = True
            zones, outside = compliant_zone_for(reference, origins, country, event.date)
            evidence = [ref("participant_status", s.id) for s in suspensions]
            if not any(o.place.country == country for o in origins):
                findings.add(
                    "K09",
                    CheckStatus.fail,
                    f"{country} exports on {event.date} were allowed only from compliant zones, "
                    "and the record does not show where these goods were mined.",
                    subject,
                    evidence,
                )
            elif outside:
                places = ", ".join(sorted({area_label(o) for o in outside}))
                findings.add(
                    "K09",
                    CheckStatus.fail,
                    f"On {event.date} {country} could export only from its KP compliant zones; "
                    f"these goods come from {places}, outside them.",
                    subject,
                    evidence,
                )
            else:
                inside = [z for z in zones if any(in_area(z, o, reference) for o in origins)]
                evidence += [ref("special_measure", z.id) for z in inside]
                # The Operational Framework governs the export out of the suspended country;
                # a later re-export of compliant-zone goods needs only the origin to hold.
                approved = supervised or event.place.country != country
                findings.add(
                    "K09",
                    CheckStatus.pass_ if approved else CheckStatus.warn,
                    f"Mined in a KP compliant zone ({', '.join(z.admin2 or z.id for z in inside)})"
                    f" that was open for export on {event.date}"
                    + (
                        "."
                        if approved
                        else "; the export is not recorded as approved under "
                        "the Operational Framework."
                    ),
                    subject,
                    evidence,
                )
        for measure in reference.special_measures_on(country, event.date):
            if measure.kind == "compliant_zone":
                continue
            hit = [
                o for o in origins if o.place.country == country and in_area(measure, o, reference)
            ]
            if not hit:
                continue
            applied = True
            evidence = [ref("special_measure", measure.id, measure.description)]
            if supervised:
                status, reason = CheckStatus.pass_, "the certificate records a supervised export"
            elif measure.kind == "restricted_exports":
                status, reason = CheckStatus.fail, "only KP-supervised sales were allowed"
            else:
                status, reason = CheckStatus.warn, "exports were allowed only under KP monitoring"
            findings.add(
                "K09",
                status,
                f"{measure.description} On {event.date} {reason}.",
                subject,
                evidence,
            )
    if not applied:
        findings.add(
            "K09",
            CheckStatus.pass_,
            f"No KP special measure applied to these goods' origin on {event.date}.",
            subject,
            [ref("event", event.id)],
        )


def check_embargoes(
    chain: Chain,
    reference: Reference,
    event: CustodyEvent,
    certs: list[KPCertificate],
    findings: Findings,
) -> None:
    """K10: a UN Security Council ban on rough from the origin or the exporting country."""
    origins = origins_of(chain, event)
    countries = {o.place.country for o in origins} | {event.place.country}
    countries |= {c.country_of_origin for c in certs if c.country_of_origin not in (None, "MIXED")}
    subject = f"event:{event.id}"
    applied = False
    for country in sorted(c for c in countries if c):
        for embargo in reference.embargoes_on(country, event.date):
            applied = True
            evidence = [ref("embargo", embargo.id, embargo.resolution)]
            # The exemption follows the goods: they left the country under its government's
            # certificate, on this shipment or on an earlier one in the chain.
            government = any(c.issuing_participant == country for c in certs) or any(
                c.issuing_participant == country
                for e in chain.events
                if e.type is EventType.export and e.place.country == country
                for c in chain.certificates(e)
            )
            if embargo.exempt_government_certificate and government:
                findings.add(
                    "K10",
                    CheckStatus.pass_,
                    f"{embargo.measure} ({embargo.resolution}) exempted goods under the "
                    f"government's certificate-of-origin regime, which this shipment carries.",
                    subject,
                    evidence,
                )
            else:
                findings.add(
                    "K10",
                    CheckStatus.fail,
                    f"On {event.date} the UN Security Council banned rough diamonds from "
                    f"{country}: {embargo.measure} ({embargo.resolution}).",
                    subject,
                    evidence,
                )
    if applied:
        return
    findings.add(
        "K10",
        CheckStatus.pass_,
        f"No UN Security Council rough-diamond ban applied on {event.date}.",
        subject,
        [ref("event", event.id)],
    )
