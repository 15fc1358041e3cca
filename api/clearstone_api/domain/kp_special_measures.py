"""K09: KP special measures at the origin (CAR compliant zones during its suspension, Marange
supervised sales and monitoring).

A special measure governs the export that takes the goods out of the origin country, on that
export's date. A later re-export from a trading hub is not judged again by the measures in
force on its own date: it inherits the result of the origin export.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from clearstone_api.domain.chain import Chain, OriginPlace
from clearstone_api.domain.geography import (
    area_label,
    compliant_zone_for,
    in_area,
    lineage_of,
    origins_of,
)
from clearstone_api.domain.kp_checks import CheckId
from clearstone_api.domain.kp_findings import EvidenceRow, Findings, fact, ref
from clearstone_api.domain.kp_participants import status_fact
from clearstone_api.domain.records import CustodyEvent, EventType
from clearstone_api.domain.reference import Reference
from clearstone_api.domain.reference_rows import SpecialMeasure, StatusPeriod
from clearstone_api.domain.verdicts import CheckStatus

__all__ = ["check_special_measures"]

_GRAVITY = {
    CheckStatus.pass_: 0,
    CheckStatus.warn: 1,
    CheckStatus.missing: 2,
    CheckStatus.fail: 3,
}


@dataclass(frozen=True)
class _Outcome:
    status: CheckStatus
    reason: str
    evidence: list[EvidenceRow]


def measure_fact(measure: SpecialMeasure) -> EvidenceRow:
    return fact(
        "special_measure",
        measure.id,
        measure.description,
        measure.source_ids,
        measure.valid_from,
        measure.valid_to,
    )


def _judge_export(
    chain: Chain,
    reference: Reference,
    export: CustodyEvent,
    country: str,
    origins: list[OriginPlace],
) -> list[_Outcome]:
    """The special measures of ``country`` on an export out of it (whose goods were mined at
    ``origins``), on the export's date."""
    day = export.date
    here = [o for o in origins if o.place.country == country]
    supervised = any(c.supervised_export for c in chain.certificates(export))
    outcomes: list[_Outcome] = []
    participant = reference.participant_for(country, day) or country
    suspensions = [
        s
        for s in reference.statuses_on(participant, day)
        if s.exception_measure == "compliant_zone"
    ]
    if suspensions:
        outcomes.append(_compliant_zones(reference, here, country, day, supervised, suspensions))
    for measure in reference.special_measures_on(country, day):
        if measure.kind == "compliant_zone" or not any(
            in_area(measure, o, reference) for o in here
        ):
            continue
        if supervised:
            status, what = CheckStatus.pass_, "the certificate records a supervised export"
        elif measure.kind == "restricted_exports":
            status, what = CheckStatus.fail, "only KP-supervised sales were allowed"
        else:
            status, what = CheckStatus.warn, "exports were allowed only under KP monitoring"
        period = f"from {measure.valid_from}" + (
            f" to {measure.valid_to}" if measure.valid_to else ""
        )
        outcomes.append(
            _Outcome(
                status,
                f"{measure.description} On {day}, within that measure ({period}), {what}.",
                [measure_fact(measure)],
            )
        )
    return outcomes


def _compliant_zones(
    reference: Reference,
    here: list[OriginPlace],
    country: str,
    day: dt.date,
    supervised: bool,
    suspensions: list[StatusPeriod],
) -> _Outcome:
    zones, outside = compliant_zone_for(reference, here, country, day)
    evidence = [status_fact(s) for s in suspensions]
    since = suspensions[0].valid_from
    if not here:
        return _Outcome(
            CheckStatus.fail,
            f"{country} was suspended from {since}; on {day} its exports were allowed only from "
            "compliant zones, and the record does not show these goods were mined in one.",
            evidence,
        )
    if outside:
        places = ", ".join(sorted({area_label(o) for o in outside}))
        return _Outcome(
            CheckStatus.fail,
            f"On {day} {country} (suspended from {since}) could export only from its KP "
            f"compliant zones; these goods come from {places}, outside them.",
            evidence,
        )
    inside = [z for z in zones if any(in_area(z, o, reference) for o in here)]
    evidence += [measure_fact(z) for z in inside]
    opened = ", ".join(f"{z.admin2 or z.id} from {z.valid_from}" for z in inside)
    return _Outcome(
        CheckStatus.pass_ if supervised else CheckStatus.warn,
        f"Mined in a KP compliant zone ({opened}) that was open for export on {day}"
        + (
            "."
            if supervised
            else "; the export is not recorded as approved under the Operational Framework."
        ),
        evidence,
    )


def _origin_export(chain: Chain, event: CustodyEvent, country: str) -> CustodyEvent | None:
    """The export that took the goods of ``event`` out of ``country``: the latest export from
    there, on or before the event, that moved any of their lots."""
    lots = lineage_of(chain, event.items)
    found = [
        e
        for e in chain.events
        if e.type is EventType.export
        and e.place.country == country
        and e.date <= event.date
        and lots & set(e.items)
    ]
    return found[-1] if found else None


def _ever_restricted(reference: Reference, country: str, start: dt.date, end: dt.date) -> bool:
    """Whether any special measure of ``country`` held at some point between two dates."""
    participant = reference.participant_for(country, end) or country
    periods = [(m.valid_from, m.valid_to) for m in reference.special_measures_for(country)]
    periods += [
        (s.valid_from, s.valid_to)
        for s in reference.status_periods_for(participant)
        if s.exception_measure == "compliant_zone"
    ]
    return any(begin <= end and (until is None or until > start) for begin, until in periods)


def check_special_measures(
    chain: Chain, reference: Reference, event: CustodyEvent, findings: Findings
) -> None:
    """K09 for one export: the measures of the exporting country on its date, and for goods
    mined elsewhere, the result of the export that took them out of their origin."""
    subject = f"event:{event.id}"
    here = event.place.country
    origins = origins_of(chain, event)
    added = False
    for outcome in _judge_export(chain, reference, event, here, origins):
        findings.add(CheckId.K09, outcome.status, outcome.reason, subject, outcome.evidence)
        added = True
    for country in sorted({o.place.country for o in origins} - {here}):
        first_mined = min(o.date for o in origins if o.place.country == country)
        origin_export = _origin_export(chain, event, country)
        if origin_export is None:
            if _ever_restricted(reference, country, first_mined, event.date):
                findings.add(
                    CheckId.K09,
                    CheckStatus.missing,
                    f"Goods mined in {country} from {first_mined} are re-exported from {here} on "
                    f"{event.date}, but the record shows no export out of {country}, where KP "
                    "special measures applied in that time; they cannot be judged.",
                    subject,
                    [ref("event", event.id, day=event.date)],
                )
                added = True
            continue
        outcomes = _judge_export(
            chain, reference, origin_export, country, origins_of(chain, origin_export)
        )
        if not outcomes:
            continue
        worst = max(outcomes, key=lambda o: _GRAVITY[o.status])
        findings.add(
            CheckId.K09,
            worst.status,
            f"Special measures on goods from {country} are judged at their export out of "
            f"{country} on {origin_export.date} (event {origin_export.id}); this re-export "
            f"inherits that result: {worst.reason}",
            subject,
            [ref("event", origin_export.id, day=origin_export.date), *worst.evidence],
        )
        added = True
    if not added:
        findings.add(
            CheckId.K09,
            CheckStatus.pass_,
            f"No KP special measure applied to these goods when they left their origin "
            f"(export on {event.date}).",
            subject,
            [ref("event", event.id, day=event.date)],
        )
