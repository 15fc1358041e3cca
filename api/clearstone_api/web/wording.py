"""Every result, level and status in plain English message ids, translated when a page renders.

``N_`` marks a string for extraction (``make translations``) without translating it: the maps are
built once, and the page's gettext (``web/i18n.py``) renders each id in the reader's language.
The honest-wording rules are in ``docs/consumer-page.md``: a KP pass is "no KP conflict-diamond
indicators found", never "ethical" or "conflict-free"; missing evidence is never a pass; evidence
levels are named, never collapsed into "verified".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from clearstone_api.domain.records import EvidenceLevel
from clearstone_api.domain.verdicts import (
    CheckStatus,
    CriterionLevel,
    CscResult,
    KpResult,
    MatchLevel,
)

__all__ = [
    "CHECK_STATUSES",
    "CRITERION_LEVELS",
    "CSC_VERDICTS",
    "EVIDENCE_LEVELS",
    "INCIDENT_STATUSES",
    "KP_VERDICTS",
    "LAB_GROWN_ORIGIN",
    "MATCHES",
    "N_",
    "OVERLAPS",
    "SHAPE_NAMES",
    "UNKNOWN_ORIGIN",
    "Tone",
    "Verdict",
]

Tone = Literal["ok", "warn", "bad", "neutral"]


def N_(message: str) -> str:
    """Mark ``message`` for translation; it is translated where it is shown."""
    return message


@dataclass(frozen=True)
class Verdict:
    """A result in plain words, the tone it is shown in, and what it means for the reader."""

    headline: str
    tone: Tone
    meaning: str = ""


KP_VERDICTS: Mapping[KpResult, Verdict] = {
    KpResult.pass_: Verdict(
        N_("No KP conflict-diamond indicators found"),
        "ok",
        N_(
            "The Kimberley Process (KP) covers only rough diamonds that rebel movements use to "
            "finance war against a legitimate government. Abuses by armies, police, private "
            "security or mining companies are outside its definition. So a KP pass is not the "
            "whole story: read the human-rights verdict too."
        ),
    ),
    KpResult.fail: Verdict(
        N_("Fails the Kimberley Process rules"),
        "bad",
        N_(
            "The documented chain breaks a KP rule that applied on the date of trade; the "
            "reasons are listed above. The Kimberley Process (KP) covers only rough diamonds "
            "that rebel movements use to finance war against a legitimate government."
        ),
    ),
    KpResult.insufficient_evidence: Verdict(
        N_("Not enough evidence to apply the KP rules"),
        "warn",
        N_(
            "Links or documents the KP rules need are missing, so no KP verdict can be given. "
            "Missing evidence is never counted as a pass."
        ),
    ),
    KpResult.not_applicable: Verdict(
        N_("Outside the Kimberley Process"),
        "neutral",
        N_(
            "The KP covers natural rough diamonds only. A laboratory-grown stone is outside "
            "it, so there is no KP verdict to give."
        ),
    ),
}

CSC_VERDICTS: Mapping[CscResult, Verdict] = {
    CscResult.red_flag: Verdict(
        N_("Red flag"),
        "bad",
        N_(
            "A red flag means a documented abuse (such as killings, torture, forced or child "
            "labour) is tied to the mine site or a company in this stone's chain, at the time "
            "these goods were produced. These criteria cover abuses by anyone, state forces "
            "and companies included."
        ),
    ),
    CscResult.elevated_risk: Verdict(
        N_("Elevated risk"),
        "warn",
        N_(
            "Elevated risk means abuses or official warnings are on record near the origin or "
            "close in time, without a direct tie to this stone's mine or companies."
        ),
    ),
    CscResult.no_known_red_flags: Verdict(
        N_("No known red flags"),
        "ok",
        N_(
            "No incident in Clearstone's registry matches this origin, the companies in this "
            "chain or this period. Absence from the registry is not proof that no abuse "
            "occurred."
        ),
    ),
    CscResult.country_context_only: Verdict(
        N_("No site-level data: country context only"),
        "warn",
        N_(
            "Clearstone's registry holds no site-level data for this stone's mine or area. "
            "Only the country context was checked, and it raised nothing; that is not the "
            "same as a clean result."
        ),
    ),
    CscResult.insufficient_provenance: Verdict(
        N_("Origin not known well enough to judge"),
        "warn",
        N_(
            "Without a known mine or area of origin the risk cannot be judged, and missing "
            "provenance is never counted as a clean result."
        ),
    ),
    CscResult.not_applicable: Verdict(
        N_("Outside the scope of these criteria"),
        "neutral",
        N_(
            "These criteria concern diamond mining and the rough trade; a laboratory-grown "
            "stone has no mine of origin."
        ),
    ),
}

CHECK_STATUSES: Mapping[CheckStatus, Verdict] = {
    CheckStatus.fail: Verdict(N_("Failed"), "bad"),
    CheckStatus.warn: Verdict(N_("Warning"), "warn"),
    CheckStatus.missing: Verdict(N_("Evidence missing"), "warn"),
    CheckStatus.not_applicable: Verdict(N_("Does not apply"), "neutral"),
    CheckStatus.pass_: Verdict(N_("Passed"), "ok"),
}

CRITERION_LEVELS: Mapping[CriterionLevel, Verdict] = {
    CriterionLevel.red_flag: Verdict(N_("Red flag"), "bad"),
    CriterionLevel.elevated: Verdict(N_("Elevated risk"), "warn"),
    CriterionLevel.context: Verdict(N_("Context only"), "neutral"),
    CriterionLevel.none: Verdict(N_("Nothing found"), "ok"),
}

INCIDENT_STATUSES: Mapping[str, str] = {
    "alleged": N_("Alleged: reported, but not yet established."),
    "documented": N_(
        "Documented: established by credible investigations such as NGO or UN reports."
    ),
    "documented_official": N_(
        "Documented by an official body: a UN body, a government, a regulator or the "
        "Kimberley Process."
    ),
    "documented_ngo_press": N_("Documented by NGO reports or journalism."),
    "adjudicated": N_("Adjudicated: decided by a court or tribunal."),
    "settled": N_("Settled: claims settled out of court, usually without admission of liability."),
}

MATCHES: Mapping[MatchLevel, str] = {
    MatchLevel.site: N_("The mine site itself"),
    MatchLevel.party: N_("A company in this stone's chain"),
    MatchLevel.admin2: N_("The same district"),
    MatchLevel.admin1: N_("The same province or region"),
    MatchLevel.country: N_("The same country only"),
    MatchLevel.transit: N_("A country the goods passed through in trade"),
}

OVERLAPS: Mapping[str, str] = {
    "same_period": N_("at the time these goods were produced"),
    "near_period": N_("within two years of these goods"),
    "distant": N_("two to five years away from these goods"),
}

EVIDENCE_LEVELS: Mapping[EvidenceLevel, tuple[str, str]] = {
    EvidenceLevel.self_declared: (
        N_("Self-declared"),
        N_("Someone in the chain stated where it was mined; no document backs the claim."),
    ),
    EvidenceLevel.documented: (
        N_("Documented"),
        N_(
            "Trade papers such as Kimberley Process certificates state the country of origin. "
            "Nobody has tested the stone itself, and papers can be wrong."
        ),
    ),
    EvidenceLevel.issuer_confirmed: (
        N_("Confirmed by the issuer"),
        N_("The authority that issued the origin documents has confirmed them."),
    ),
    EvidenceLevel.lab_matched: (
        N_("Lab-matched"),
        N_("A laboratory has matched the stone to its origin."),
    ),
    EvidenceLevel.physical_tracer: (
        N_("Physical tracer"),
        N_("A physical tracer links the stone to its source: the strongest evidence there is."),
    ),
}

UNKNOWN_ORIGIN = (
    N_("Unknown"),
    N_("No origin is on record for this stone, so there is nothing to judge its origin by."),
)

LAB_GROWN_ORIGIN = (
    N_("Does not apply"),
    N_(
        "A laboratory-grown stone has no mine of origin, and Clearstone does not assess the "
        "factory where it was grown."
    ),
)

SHAPE_NAMES: Mapping[str, str] = {
    "round_brilliant": N_("Round brilliant"),
    "princess": N_("Princess"),
    "cushion": N_("Cushion"),
    "oval": N_("Oval"),
    "emerald": N_("Emerald"),
    "pear": N_("Pear"),
    "marquise": N_("Marquise"),
    "radiant": N_("Radiant"),
    "asscher": N_("Asscher"),
    "heart": N_("Heart"),
    "other": N_("Other shape"),
}
