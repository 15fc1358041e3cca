"""The checkout decision: what a retailer's policy says about one stone's stored verdicts.

A pure rule over a typed policy. Each policy field is one rule; every rule that fires adds a
plain-language reason, and the decision is the strictest outcome among them (block over review
over allow). A number Clearstone does not know gets what the policy says for unknowns: silence
never allows by default::

    decide(Verdicts(KpResult.fail, CscResult.no_known_red_flags, 12, False, assessed), policy, now)
    # CheckoutDecision(decision=Decision.block, reasons=("KP result fail is blocked ...",))
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from clearstone_api.domain.records import Integral
from clearstone_api.domain.verdicts import CscResult, KpResult

__all__ = [
    "NEVER",
    "UNKNOWN_REASON",
    "CheckoutDecision",
    "Decision",
    "ScreeningPolicy",
    "Verdicts",
    "decide",
    "strictest",
]

NEVER = 101
"""A risk-score threshold no score reaches (scores run 0-100)."""
UNKNOWN_REASON = "Clearstone has no assessed stone with this certificate number."
NO_RULE_REASON = "No rule in your policy applies to this stone's assessment."


class Decision(StrEnum):
    allow = "allow"
    review = "review"
    block = "block"


_SEVERITY = {Decision.allow: 0, Decision.review: 1, Decision.block: 2}


class ScreeningPolicy(BaseModel):
    """The retailer's rules. Anything not listed allows.

    Every field has a default (shown in the contract and the README); a policy sent with some
    fields keeps the defaults of the others, and the response echoes the whole policy applied.
    An unknown or misspelt field is a 422 naming it, never ignored: a typo must not loosen a
    policy. A result listed both to block and to review is a 422 too, so that a partial policy
    cannot be read two ways."""

    model_config = ConfigDict(extra="forbid")

    block_kp: list[KpResult] = [KpResult.fail]
    review_kp: list[KpResult] = [KpResult.insufficient_evidence]
    block_csc: list[CscResult] = [CscResult.red_flag]
    review_csc: list[CscResult] = [
        CscResult.elevated_risk,
        CscResult.insufficient_provenance,
        CscResult.country_context_only,
    ]
    """``country_context_only`` is reviewed by default: the registry holds no site-level data
    for the origin, so nothing found there is not a clean result."""
    review_risk_score_from: Annotated[int, Field(ge=0, le=101), Integral] = NEVER
    """Send to review any stone whose CSC risk score is at least this (101: never)."""
    block_sanctions: bool = True
    """Block stones flagged under non-KP trade sanctions."""
    unknown: Decision = Decision.review
    """What a number Clearstone does not know gets."""
    max_assessment_age_days: Annotated[int, Field(ge=0, le=3650), Integral] | None = None
    """Require a stored assessment made at most this many days ago (null: any age). Older
    ones get ``stale_assessment``."""
    stale_assessment: Decision = Decision.review
    """What a stone whose assessment is older than ``max_assessment_age_days`` gets."""

    @model_validator(mode="after")
    def _unambiguous(self) -> ScreeningPolicy:
        for block, review in (("block_kp", "review_kp"), ("block_csc", "review_csc")):
            both = set(getattr(self, block)) & set(getattr(self, review))
            if both:
                raise ValueError(
                    f"{', '.join(sorted(both))} is listed in both {block} and {review} "
                    f"(defaults included): send both lists to say which"
                )
        return self


@dataclass(frozen=True)
class Verdicts:
    """What the decision reads of a stone's stored assessment."""

    kp: KpResult
    csc: CscResult
    risk_score: int
    sanctions_flagged: bool
    assessed_at: dt.datetime
    """When the stored assessment was made (timezone-aware)."""


@dataclass(frozen=True)
class CheckoutDecision:
    decision: Decision
    reasons: tuple[str, ...]
    """One per rule that fired, in the policy's order; never empty."""


def strictest(decisions: Iterable[Decision]) -> Decision:
    """The strictest of ``decisions`` (block over review over allow); allow for none."""
    return max(decisions, key=_SEVERITY.__getitem__, default=Decision.allow)


def _fired(
    verdicts: Verdicts, policy: ScreeningPolicy, now: dt.datetime
) -> Iterable[tuple[Decision, str]]:
    kp, csc = verdicts.kp, verdicts.csc
    if kp in policy.block_kp:
        yield Decision.block, f"KP result {kp.value} is blocked by your policy."
    elif kp in policy.review_kp:
        yield Decision.review, f"KP result {kp.value} goes to review under your policy."
    if csc in policy.block_csc:
        yield Decision.block, f"CSC result {csc.value} is blocked by your policy."
    elif csc in policy.review_csc:
        yield Decision.review, f"CSC result {csc.value} goes to review under your policy."
    if verdicts.risk_score >= policy.review_risk_score_from:
        yield (
            Decision.review,
            f"CSC risk score {verdicts.risk_score} is at or above your review threshold.",
        )
    if policy.block_sanctions and verdicts.sanctions_flagged:
        yield Decision.block, "The stone is flagged under non-KP trade sanctions."
    if policy.max_assessment_age_days is not None:
        age = now - verdicts.assessed_at
        if age > dt.timedelta(days=policy.max_assessment_age_days):
            yield (
                policy.stale_assessment,
                f"The assessment was made {age.days} days ago, more than your policy's "
                f"{policy.max_assessment_age_days}.",
            )


def decide(
    verdicts: Verdicts | None, policy: ScreeningPolicy, now: dt.datetime
) -> CheckoutDecision:
    """The decision for one cart item at ``now``: ``verdicts`` None when Clearstone does not
    know it."""
    if verdicts is None:
        return CheckoutDecision(policy.unknown, (UNKNOWN_REASON,))
    fired = list(_fired(verdicts, policy, now))
    if not fired:
        return CheckoutDecision(Decision.allow, (NO_RULE_REASON,))
    return CheckoutDecision(
        strictest(outcome for outcome, _ in fired), tuple(reason for _, reason in fired)
    )
