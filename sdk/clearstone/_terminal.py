"""What the ``clearstone`` command prints for a person: plain text, one fact per line.

Each function returns the lines; ``_cli`` prints them. Nothing here calls the API.
"""

from __future__ import annotations

import textwrap

from clearstone._attestation import VerifiedAttestation
from clearstone._models import (
    Assessment,
    CertificateView,
    CscVerdict,
    IncidentMatch,
    KpVerdict,
    OriginSummary,
    ScreeningResult,
    SourceRef,
)
from clearstone._sanctions_models import SanctionsEvidence

__all__ = [
    "assessment_lines",
    "certificate_lines",
    "evidence_lines",
    "passes",
    "screening_lines",
    "verification_lines",
]

WIDTH = 88

_KP_PASSING = frozenset({"pass", "not_applicable"})


def passes(verdicts: Assessment | CertificateView) -> bool:
    """Whether the stone passes: KP ``pass`` (or out of the KP's scope, lab-grown), no CSC red
    flag and no sanctions flag. Insufficient evidence is not a pass: silence is never safe."""
    return (
        verdicts.kp.result in _KP_PASSING
        and verdicts.csc.result != "red_flag"
        and verdicts.sanctions.result != "flagged"
    )


def _label(value: str) -> str:
    return value.replace("_", " ").upper()


def _wrap(text: str, indent: int) -> list[str]:
    prefix = " " * indent
    return textwrap.wrap(text, WIDTH, initial_indent=prefix, subsequent_indent=prefix) or [prefix]


def _source(source: SourceRef) -> str:
    parts = [source.publisher, source.title, source.date.isoformat() if source.date else None]
    text = ", ".join(p for p in parts if p)
    return f"{text} <{source.url}>" if source.url else text


def _origin_lines(origin: OriginSummary | None) -> list[str]:
    if origin is None or not (origin.countries or origin.areas):
        return ["Origin: unknown"]
    where = ", ".join(origin.areas or origin.countries)
    if origin.sites:
        where += f" (sites: {', '.join(origin.sites)})"
    if origin.mixed:
        where += " (mixed origin)"
    evidence = origin.evidence_level.replace("_", " ") if origin.evidence_level else "none"
    return [f"Origin: {where}", f"  evidence level: {evidence}"]


def _kp_lines(kp: KpVerdict, passed_checks: int | None) -> list[str]:
    lines = [f"Kimberley Process (narrow definition): {_label(kp.result)}"]
    lines += _wrap(kp.summary, 2)
    shown = [check for check in kp.checks if check.status != "pass"]
    if passed_checks is not None:
        lines.append(f"  {passed_checks} check(s) passed")
    for check in shown:
        title = f" {check.title}" if check.title else ""
        lines.append(f"  - {check.id}{title}: {check.status}")
        lines += _wrap(check.reason, 6)
    return lines


def _csc_lines(csc: CscVerdict) -> list[str]:
    lines = [
        f"Human rights (KP Civil Society Coalition criteria): {_label(csc.result)}"
        f", risk {csc.risk_score}/100"
    ]
    lines += _wrap(csc.summary, 2)
    findings = [c for c in csc.criteria if c.level != "none"]
    reasons_shown: set[str] = set()
    incidents: dict[str, IncidentMatch] = {}
    for criterion in findings:
        ids = [i.incident_id for i in criterion.incidents]
        matched = f" ({', '.join(ids)})" if ids else ""
        lines.append(
            f"  - {criterion.code} {criterion.name}: {criterion.level.replace('_', ' ')}{matched}"
        )
        # Several criteria often rest on one incident: say each reason once.
        if criterion.reason and criterion.reason not in reasons_shown:
            reasons_shown.add(criterion.reason)
            lines += _wrap(criterion.reason, 6)
        incidents.update((i.incident_id, i) for i in criterion.incidents)
    for incident in incidents.values():
        lines += _wrap(f"{incident.incident_id} ({incident.status}): {incident.title}", 2)
        lines += [f"    source: {_source(source)}" for source in incident.sources]
    for context in csc.context:
        lines += _wrap(f"Context: {context}", 2)
    if csc.scope_note:
        lines += _wrap(csc.scope_note, 2)
    return lines


def _verdict_lines(verdicts: Assessment | CertificateView, passed_checks: int | None) -> list[str]:
    lines = _origin_lines(verdicts.origin)
    lines += ["", *_kp_lines(verdicts.kp, passed_checks)]
    lines += ["", *_csc_lines(verdicts.csc)]
    lines += ["", f"Sanctions (non-KP): {_label(verdicts.sanctions.result)}"]
    for hit in verdicts.sanctions.hits:
        lines += _wrap(f"- {hit.regime}: {hit.reason}", 2)
    lines += [
        "",
        f"As of {verdicts.as_of.isoformat()}; policy {verdicts.policy_version}"
        f"; reference data {verdicts.reference_data_version}",
    ]
    if verdicts.disclaimer:
        lines += _wrap(verdicts.disclaimer, 0)
    return lines


def certificate_lines(view: CertificateView) -> list[str]:
    """The consumer view, as a person reads it in a terminal."""
    stone = view.stone
    facts = [
        stone.origin.replace("_", "-"),
        stone.form,
        f"{stone.carat} ct" if stone.carat else None,
    ]
    if stone.grading_lab or stone.grading_report_number:
        facts.append(" ".join(p for p in (stone.grading_lab, stone.grading_report_number) if p))
    lines = [f"Stone {stone.id}: " + ", ".join(f for f in facts if f)]
    if view.assessed_at is not None:
        lines.append(f"Assessed {view.assessed_at.isoformat(timespec='minutes')}")
    return lines + _verdict_lines(view, view.kp.passed_checks)


def assessment_lines(assessment: Assessment) -> list[str]:
    """An inline assessment of a record."""
    lines = []
    if assessment.subject is not None:
        subject = assessment.subject
        lines.append(f"Subject {subject.id}: {subject.kind}, {subject.origin}, {subject.carat} ct")
    return lines + _verdict_lines(assessment, None)


def screening_lines(result: ScreeningResult) -> list[str]:
    """A decision per cart line and the cart's."""
    lines = [f"Cart: {_label(result.decision)} ({len(result.items)} item(s))"]
    if result.degraded:
        lines.append(
            f"DEGRADED: Clearstone did not answer ({result.degraded_reason}); "
            f"your {result.fallback} fallback was applied to every line."
        )
    width = max((len(item.number) for item in result.items), default=0)
    for item in result.items:
        if item.degraded:
            known = "not checked: Clearstone unreachable"
        elif item.kp_result is not None:
            known = f"KP {item.kp_result}, CSC {item.csc_result}, risk {item.risk_score}"
        else:
            known = "unknown to Clearstone"
        lines.append(f"  {item.number.ljust(width)}  {item.decision:<6}  {known}")
        lines += _wrap("; ".join(item.reasons), width + 12) if item.decision != "allow" else []
    return lines


def verification_lines(verified: VerifiedAttestation) -> list[str]:
    """A verified attestation: who signed, and what it says."""
    payload = verified.payload
    lines = [f"VALID attestation, signed with key {verified.header.kid} ({verified.header.alg})"]
    if verified.thumbprint:
        lines.append(f"Key thumbprint (RFC 7638): {verified.thumbprint}")
    if payload.iss:
        lines.append(f"Issuer: {payload.iss}")
    if payload.jti:
        lines.append(f"Attestation: {payload.jti} (number {payload.seq} for this stone)")
    if verified.currency is not None:
        lines.append(f"Status: {verified.currency.status.upper()}. {verified.currency.note}")
    if payload.certificate_numbers:
        lines.append(f"Certificate numbers: {', '.join(payload.certificate_numbers)}")
    return [*lines, "", *certificate_lines(verified.assessment)]


_ITEM_STATUS = {
    "prefilled": "prefilled",
    "importer_to_complete": "for the importer",
    "missing": "MISSING",
    "prohibited": "PROHIBITED",
}


def evidence_lines(pack: SanctionsEvidence) -> list[str]:
    """The importer's evidence pack, for a terminal."""
    verdict = pack.verdict
    lines = [
        f"Sanctions evidence pack: {pack.stone_id}, import into the {pack.jurisdiction}",
        f"Date of import: {pack.import_date} ({pack.date_basis})",
        f"Carat: {pack.carat} ({pack.weight_band}); threshold "
        f"{pack.threshold_carat or 'none in force'}",
        f"Result: {_label(str(verdict.result))}",
        *_wrap(verdict.summary, 2),
        "",
        "Countries of mining (one line each):",
    ]
    lines += [f"  {m.country}: {', '.join(m.bases)}" for m in pack.mining_countries] or ["  none"]
    lines += ["", "KP certificates:"]
    lines += [
        f"  {c.number}: origin {c.country_of_origin or 'not stated'}, "
        + ("names every mining country" if c.names_every_mining_country else
           "lacks " + ", ".join(c.missing_countries))
        for c in pack.kp_certificates
    ] or ["  none"]  # fmt: skip
    lines += ["", "What the importer must provide:"]
    for item in pack.items:
        status = _ITEM_STATUS.get(str(item.status), str(item.status))
        lines.append(f"  [{status}] {item.title} ({', '.join(item.rule_ids)})")
        lines += _wrap(item.detail, 4)
    if not pack.items:
        lines.append("  nothing is asked for these goods on this date")
    return [*lines, "", *_wrap(pack.notice, 0)]
