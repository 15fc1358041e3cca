"""One answer first: what both verdicts together mean for the buyer, in one headline.

Pure: :func:`answer` takes the stored :class:`CertificatePublic` and returns the headline, a
short lead, the two verdict badges (the worse one first, so it is never below the better one),
what to ask the seller, and the registry's coverage sentence. The wording follows the table in
``docs/consumer-page.md``: a documented abuse is named before a KP pass, missing evidence is
never a pass, and nothing reads as a sustainability label.

Every string is an English message id, translated when the page is rendered (``_`` is the
reader's gettext); the ``N_`` marks let Babel extract them.

Example::

    found = answer(view, "Chiadzwa diamond fields, Zimbabwe", gettext)
    found.headline  # "Documented human-rights abuses where and when this diamond was produced"
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from clearstone_api.domain.messages import TEMPLATES, render
from clearstone_api.domain.verdicts import CscResult, KpResult, SanctionsResult
from clearstone_api.services.certificates import CertificatePublic
from clearstone_api.web.wording import CSC_VERDICTS, KP_VERDICTS, N_, Verdict

__all__ = ["Answer", "Badge", "answer"]

Gettext = Callable[[str], str]

_SEVERITY = {"bad": 3, "warn": 2, "neutral": 1, "ok": 0}


@dataclass(frozen=True)
class Badge:
    """A verdict as a compact badge: which standard, and its result in words."""

    standard: str
    headline: str
    tone: str
    anchor: str


@dataclass(frozen=True)
class Answer:
    headline: str
    tone: str
    lead: str
    badges: list[Badge]
    ask: list[str]
    coverage: str | None
    coverage_in_english: bool
    """True when the coverage sentence could not be rendered in the reader's language (an
    assessment stored before it carried message ids): shown as written, marked English."""
    sanctions: bool


_HEADLINES = {
    "red_flag": (
        N_("Documented human-rights abuses where and when this diamond was produced"),
        N_(
            "Abuses such as killings, torture or forced labour are on record at this "
            "diamond's source, in the period it was mined. The Kimberley Process result "
            "does not cover them."
        ),
    ),
    "kp_fail": (
        N_("This diamond's trade broke the Kimberley Process rules"),
        N_(
            "On the date it was traded, the documented chain broke a rule of the Kimberley "
            "Process, the diamond trade's official certification scheme."
        ),
    ),
    "elevated": (
        N_("Risk of human-rights abuses near where this diamond was produced"),
        N_(
            "Abuses or official warnings are on record near its origin or close in time, "
            "without a direct tie to its mine or companies."
        ),
    ),
    "unknown": (
        N_("Not enough information to say where this diamond comes from"),
        N_(
            "The records needed to trace it to a mine are missing, so neither check can "
            "clear it. Missing evidence is never counted as a pass."
        ),
    ),
    "country_only": (
        N_("No red flags found, but only the country was checked"),
        N_(
            "Clearstone holds no site-level records for its mine or area; the country "
            "context raised nothing. That is weaker than a result at site level."
        ),
    ),
    "clear": (
        N_("No known red flags in the records checked"),
        N_(
            "Nothing in Clearstone's records ties this diamond's mine, companies or period "
            "to abuses, and its trade met the Kimberley Process rules. This is as good as "
            "the evidence below, no more."
        ),
    ),
    "lab_grown": (
        N_("A laboratory-grown diamond: outside these mining checks"),
        N_(
            "It was made in a factory, not mined, so the Kimberley Process and the "
            "human-rights criteria for mining do not apply to it."
        ),
    ),
}

_ASK = {
    "red_flag": (
        N_("Where exactly was this diamond mined, and when? Ask for the documents."),
        N_("Can the seller offer a diamond whose origin has no abuses on record?"),
    ),
    "kp_fail": (
        N_("Ask for the Kimberley Process certificate of every export of its rough."),
        N_("Ask why its trade did not meet the rules on that date."),
    ),
    "elevated": (
        N_("Which mine and which companies handled this diamond?"),
        N_("Has an independent audit of that mine or those companies been done?"),
    ),
    "unknown": (
        N_(
            "Ask for the chain of custody: the mine, the Kimberley Process certificates and "
            "the invoices."
        ),
        N_("Until you see them, treat the origin as unknown."),
    ),
    "country_only": (
        N_("Which mine did this diamond come from?"),
        N_("Ask for the Kimberley Process certificate and the invoices."),
    ),
    "clear": (
        N_(
            "Ask for the invoice with the System of Warranties statement, and keep it with "
            "the grading report."
        ),
    ),
    "lab_grown": (
        N_("Ask for the grading report that names it laboratory-grown."),
        N_("Where and by whom was it grown?"),
    ),
}

_CONFIRM_NUMBER = N_(
    "Ask the seller to show you the report number inscribed on the stone, and check it "
    "against the report."
)
_SANCTIONS_ASK = N_("Ask whether trade sanctions allow it to be sold where you live.")


def _case(view: CertificatePublic) -> str:
    kp, csc = view.kp.result, view.csc.result
    if view.stone.origin == "lab_grown" or kp is KpResult.not_applicable:
        return "lab_grown"
    if csc is CscResult.red_flag:
        return "red_flag"
    if kp is KpResult.fail:
        return "kp_fail"
    if csc is CscResult.elevated_risk:
        return "elevated"
    if kp is KpResult.insufficient_evidence or csc is CscResult.insufficient_provenance:
        return "unknown"
    if csc is CscResult.country_context_only:
        return "country_only"
    return "clear"


def _badge(standard: str, verdict: Verdict, anchor: str, _: Gettext) -> Badge:
    return Badge(_(standard), _(verdict.headline), verdict.tone, anchor)


def answer(view: CertificatePublic, number_status: str | None, _: Gettext) -> Answer:
    """The answer to show first for ``view`` (looked up with ``number_status``), in the
    language of ``_``."""
    case = _case(view)
    headline, lead = _HEADLINES[case]
    kp = KP_VERDICTS[view.kp.result]
    csc = CSC_VERDICTS[view.csc.result]
    badges = [
        _badge(N_("Kimberley Process"), kp, "kp", _),
        _badge(N_("Human rights"), csc, "csc", _),
    ]
    # The worse badge first: a red flag is never shown below a pass.
    badges.sort(key=lambda badge: -_SEVERITY[badge.tone])
    ask = [_(question) for question in _ASK[case]]
    flagged = view.sanctions.result is SanctionsResult.flagged
    if flagged:
        ask.append(_(_SANCTIONS_ASK))
    if number_status == "claimed":
        ask.append(_(_CONFIRM_NUMBER))
    tone = max((b.tone for b in badges), key=lambda t: _SEVERITY[t])
    coverage, in_english = _coverage(view, _)
    return Answer(_(headline), tone, _(lead), badges, ask, coverage, in_english, flagged)


def _coverage(view: CertificatePublic, _: Gettext) -> tuple[str | None, bool]:
    """The registry's coverage sentence in the reader's language, from its message ids."""
    coverage = view.csc.coverage
    if coverage is None:
        return None, False
    messages = coverage.statement_messages
    if not messages or any(m.id not in TEMPLATES for m in messages):
        return coverage.statement, True
    return "; ".join(render(m, _(TEMPLATES[m.id])) for m in messages) + ".", False
