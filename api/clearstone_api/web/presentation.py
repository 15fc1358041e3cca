"""The certificate view in plain language, in the reader's language.

Pure: :func:`certificate_page` takes the stored :class:`CertificatePublic` and a
:class:`~clearstone_api.web.i18n.Reader` and returns everything the result page shows, so the
templates hold no rules and the wording is testable without HTTP. The wording itself is in
``web/wording.py`` (message ids) and ``web/answer.py`` (the answer shown first).

Sources shown to a consumer: primary ones first, and where a primary source exists the weak
ones (copies on mirror or upload sites) are left out; a weak source that is all there is gets
labelled as such. Facts the reference data marks UNVERIFIED read "not independently confirmed".

Example::

    page = certificate_page("DEMO-ZW-MARANGE-2008", view, {"ZW": "Zimbabwe"}, reader_for("en"))
    page.kp.headline   # "No KP conflict-diamond indicators found"
    page.csc.headline  # "Red flag"
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from clearstone_api.domain.reference_rows import SourceStrength
from clearstone_api.domain.report_checks import ReportCheckLink, report_check
from clearstone_api.domain.verdicts import CscResult, KpCheck, SourceRef
from clearstone_api.services.certificates import CertificatePublic
from clearstone_api.web.answer import Answer, answer
from clearstone_api.web.i18n import Reader
from clearstone_api.web.wording import (
    CHECK_STATUSES,
    CRITERION_LEVELS,
    CSC_VERDICTS,
    EVIDENCE_LEVELS,
    INCIDENT_STATUSES,
    KP_VERDICTS,
    LAB_GROWN_ORIGIN,
    MATCHES,
    N_,
    OVERLAPS,
    SHAPE_NAMES,
    UNKNOWN_ORIGIN,
    Verdict,
)

__all__ = [
    "CertificatePage",
    "CheckView",
    "CriterionView",
    "IdentityFact",
    "IncidentView",
    "ShownSource",
    "certificate_page",
    "consumer_text",
]

_UNVERIFIED = re.compile(r"\(?\bUNVERIFIED\b\)?")
NOT_CONFIRMED = N_("not independently confirmed")


def consumer_text(text: str, reader: Reader) -> str:
    """``text`` as a consumer reads it: "UNVERIFIED" becomes "(not independently confirmed)"."""
    return _UNVERIFIED.sub(f"({reader.gettext(NOT_CONFIRMED)})", text)


@dataclass(frozen=True)
class ShownSource:
    title: str
    url: str | None
    publisher: str | None
    weak: bool


@dataclass(frozen=True)
class EvidenceStep:
    """One rung of the evidence scale, and whether this stone's origin stands on it."""

    label: str
    current: bool


@dataclass(frozen=True)
class CheckView:
    """A KP check that did not pass."""

    title: str
    title_in_english: bool
    """The title could not be translated (a check this page's catalogs do not know)."""
    status: Verdict
    reason: str


@dataclass(frozen=True)
class IncidentView:
    """An incident that matched, once, with every criterion it bears on."""

    id: str
    title: str
    status_meaning: str
    matched_by: str
    when: str
    mitigated: bool
    remediated: bool
    sources: list[ShownSource]
    criteria: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CriterionView:
    code: str
    name: str
    level: Verdict
    indicators: list[str]
    """Official risk indicators (KP compliant zones, UN measures) in plain words."""
    mitigations: list[str]


@dataclass(frozen=True)
class IdentityFact:
    label: str
    value: str


@dataclass(frozen=True)
class CertificatePage:
    """Everything the result page shows, translated."""

    number: str
    view: CertificatePublic
    answer: Answer
    stone_kind: str
    carat: str
    identity: list[IdentityFact]
    report_check: ReportCheckLink | None
    origin_places: list[str]
    evidence_label: str
    evidence_meaning: str
    evidence_scale: list[EvidenceStep]
    kp: Verdict
    kp_checks: list[CheckView]
    csc: Verdict
    show_risk_score: bool
    criteria: list[CriterionView]
    incidents: list[IncidentView]
    context: list[str]
    as_of: str
    assessed_at: str


def shown_sources(sources: list[SourceRef]) -> list[ShownSource]:
    """Primary first; weak ones only where nothing stronger exists, and then labelled."""
    rank = {SourceStrength.primary: 0, SourceStrength.secondary: 1, None: 1}
    ordered = sorted(
        sources, key=lambda s: 2 if s.strength is SourceStrength.weak else rank[s.strength]
    )
    strong = [s for s in ordered if s.strength is not SourceStrength.weak]
    chosen = strong or ordered
    return [
        ShownSource(s.title, s.url, s.publisher, s.strength is SourceStrength.weak) for s in chosen
    ]


def _place(area: str, country_names: Mapping[str, str]) -> str:
    """``ZW/Manicaland/Marange`` → ``Marange, Manicaland, Zimbabwe``."""
    country, *parts = area.split("/")
    return ", ".join([*reversed(parts), country_names.get(country, country)])


def _origin_places(view: CertificatePublic, country_names: Mapping[str, str]) -> list[str]:
    origin = view.origin
    places = [_place(area, country_names) for area in origin.areas]
    covered = {area.split("/")[0] for area in origin.areas}
    places += [country_names.get(c, c) for c in origin.countries if c not in covered]
    return [*origin.sites, *places]


def _incidents(view: CertificatePublic, reader: Reader) -> list[IncidentView]:
    _ = reader.gettext
    found: dict[str, IncidentView] = {}
    for criterion in view.csc.criteria:
        for match in criterion.incidents:
            if match.incident_id not in found:
                status = INCIDENT_STATUSES.get(match.status)
                found[match.incident_id] = IncidentView(
                    id=match.incident_id,
                    title=match.title,
                    status_meaning=_(status) if status else match.status,
                    matched_by=_(MATCHES[match.match_level]),
                    when=_(OVERLAPS[match.overlap]) if match.overlap in OVERLAPS else "",
                    mitigated=match.mitigated,
                    remediated=match.remediated,
                    sources=shown_sources(list(match.sources)),
                )
            found[match.incident_id].criteria.append(criterion.name)
    return list(found.values())


def _criteria(view: CertificatePublic, reader: Reader) -> list[CriterionView]:
    return [
        CriterionView(
            code=c.code,
            name=c.name,
            level=_verdict(CRITERION_LEVELS[c.level], reader),
            indicators=[consumer_text(i.note or i.id, reader) for i in c.indicators],
            mitigations=[f"{m.scheme} ({m.level}): {m.effect}" for m in c.mitigations],
        )
        for c in view.csc.criteria
    ]


def _identity(view: CertificatePublic, reader: Reader) -> list[IdentityFact]:
    _ = reader.gettext
    facts = view.stone.identity
    if facts is None:
        return []
    shown: list[IdentityFact] = []
    if facts.shape:
        shown.append(IdentityFact(_("Shape"), _(SHAPE_NAMES[facts.shape])))
    if facts.carat is not None:
        shown.append(IdentityFact(_("Carat on the report"), f"{reader.number(facts.carat)} ct"))
    if facts.measurements:
        m = facts.measurements
        sizes = " × ".join(reader.number(v) for v in (m.length_mm, m.width_mm, m.depth_mm))
        shown.append(IdentityFact(_("Measurements"), f"{sizes} mm"))
    if facts.colour:
        shown.append(IdentityFact(_("Colour grade"), facts.colour))
    if facts.clarity:
        shown.append(IdentityFact(_("Clarity grade"), facts.clarity))
    if facts.laser_inscription:
        shown.append(IdentityFact(_("Laser inscription"), facts.laser_inscription))
    return shown


def _check(check: KpCheck, reader: Reader) -> CheckView:
    title = reader.gettext(check.title)
    in_english = title == check.title and reader.language.code != "en"
    status = _verdict(CHECK_STATUSES[check.status], reader)
    return CheckView(title, in_english, status, check.reason)


def _verdict(verdict: Verdict, reader: Reader) -> Verdict:
    _ = reader.gettext
    return Verdict(_(verdict.headline), verdict.tone, _(verdict.meaning) if verdict.meaning else "")


def certificate_page(
    number: str,
    view: CertificatePublic,
    country_names: Mapping[str, str],
    reader: Reader,
    number_status: str | None = None,
) -> CertificatePage:
    """The result page for ``view``, looked up as ``number``; ``country_names`` maps ISO codes."""
    _ = reader.gettext
    level = view.origin.evidence_level
    lab_grown = view.stone.origin == "lab_grown"
    if lab_grown:
        label, meaning = LAB_GROWN_ORIGIN
    else:
        label, meaning = EVIDENCE_LEVELS[level] if level is not None else UNKNOWN_ORIGIN
    return CertificatePage(
        number=number,
        view=view,
        answer=answer(view, number_status, _),
        stone_kind=_("Laboratory-grown diamond") if lab_grown else _("Natural diamond"),
        carat=f"{reader.number(view.stone.carat)} ct",
        identity=_identity(view, reader),
        report_check=report_check(view.stone.grading_lab, view.stone.grading_report_number),
        origin_places=_origin_places(view, country_names),
        evidence_label=_(label),
        evidence_meaning=_(meaning),
        evidence_scale=[]
        if lab_grown
        else [EvidenceStep(_(text), step is level) for step, (text, _m) in EVIDENCE_LEVELS.items()],
        kp=_verdict(KP_VERDICTS[view.kp.result], reader),
        kp_checks=[_check(check, reader) for check in view.kp.checks],
        csc=_verdict(CSC_VERDICTS[view.csc.result], reader),
        show_risk_score=view.csc.result
        not in (
            CscResult.not_applicable,
            CscResult.insufficient_provenance,
            CscResult.country_context_only,
        ),
        criteria=_criteria(view, reader),
        incidents=_incidents(view, reader),
        context=[consumer_text(note, reader) for note in view.csc.context],
        as_of=reader.date(view.as_of),
        assessed_at=reader.moment(view.assessed_at),
    )
