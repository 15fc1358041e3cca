"""The checkout decision, rule by rule: every branch of every policy field."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from clearstone_api.domain.checkout import (
    NEVER,
    CheckoutDecision,
    Decision,
    ScreeningPolicy,
    Verdicts,
    decide,
    strictest,
)
from clearstone_api.domain.verdicts import CscResult, KpResult

ALLOW, REVIEW, BLOCK = Decision.allow, Decision.review, Decision.block
NOW = dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC)
CLEAN = Verdicts(
    KpResult.pass_,
    CscResult.no_known_red_flags,
    10,
    sanctions_flagged=False,
    assessed_at=NOW - dt.timedelta(days=30),
)
NO_RULE = "No rule in your policy applies to this stone's assessment."
DEFAULT = ScreeningPolicy()


CASES: list[tuple[str, Verdicts | None, ScreeningPolicy, Decision, tuple[str, ...]]] = [
    ("nothing fires", CLEAN, DEFAULT, ALLOW, (NO_RULE,)),
    # block_kp
    (
        "block_kp: listed",
        replace(CLEAN, kp=KpResult.fail),
        DEFAULT,
        BLOCK,
        ("KP result fail is blocked by your policy.",),
    ),
    (
        "block_kp: emptied",
        replace(CLEAN, kp=KpResult.fail),
        DEFAULT.model_copy(update={"block_kp": []}),
        ALLOW,
        (NO_RULE,),
    ),
    (
        "block_kp: wins over review_kp for the same result",
        replace(CLEAN, kp=KpResult.fail),
        DEFAULT.model_copy(update={"review_kp": [KpResult.fail]}),
        BLOCK,
        ("KP result fail is blocked by your policy.",),
    ),
    # review_kp
    (
        "review_kp: listed",
        replace(CLEAN, kp=KpResult.insufficient_evidence),
        DEFAULT,
        REVIEW,
        ("KP result insufficient_evidence goes to review under your policy.",),
    ),
    (
        "review_kp: emptied",
        replace(CLEAN, kp=KpResult.insufficient_evidence),
        DEFAULT.model_copy(update={"review_kp": []}),
        ALLOW,
        (NO_RULE,),
    ),
    # block_csc
    (
        "block_csc: listed",
        replace(CLEAN, csc=CscResult.red_flag),
        DEFAULT,
        BLOCK,
        ("CSC result red_flag is blocked by your policy.",),
    ),
    (
        "block_csc: emptied",
        replace(CLEAN, csc=CscResult.red_flag),
        DEFAULT.model_copy(update={"block_csc": []}),
        ALLOW,
        (NO_RULE,),
    ),
    (
        "block_csc: wins over review_csc for the same result",
        replace(CLEAN, csc=CscResult.elevated_risk),
        DEFAULT.model_copy(update={"block_csc": [CscResult.elevated_risk]}),
        BLOCK,
        ("CSC result elevated_risk is blocked by your policy.",),
    ),
    # review_csc
    (
        "review_csc: elevated risk",
        replace(CLEAN, csc=CscResult.elevated_risk),
        DEFAULT,
        REVIEW,
        ("CSC result elevated_risk goes to review under your policy.",),
    ),
    (
        "review_csc: insufficient provenance",
        replace(CLEAN, csc=CscResult.insufficient_provenance),
        DEFAULT,
        REVIEW,
        ("CSC result insufficient_provenance goes to review under your policy.",),
    ),
    (
        "review_csc: emptied",
        replace(CLEAN, csc=CscResult.elevated_risk),
        DEFAULT.model_copy(update={"review_csc": []}),
        ALLOW,
        (NO_RULE,),
    ),
    # review_risk_score_from
    (
        "risk threshold: score at it",
        replace(CLEAN, risk_score=40),
        DEFAULT.model_copy(update={"review_risk_score_from": 40}),
        REVIEW,
        ("CSC risk score 40 is at or above your review threshold.",),
    ),
    (
        "risk threshold: score above it",
        replace(CLEAN, risk_score=100),
        DEFAULT.model_copy(update={"review_risk_score_from": 40}),
        REVIEW,
        ("CSC risk score 100 is at or above your review threshold.",),
    ),
    (
        "risk threshold: score below it",
        replace(CLEAN, risk_score=39),
        DEFAULT.model_copy(update={"review_risk_score_from": 40}),
        ALLOW,
        (NO_RULE,),
    ),
    (
        "risk threshold: 0 reviews every stone",
        replace(CLEAN, risk_score=0),
        DEFAULT.model_copy(update={"review_risk_score_from": 0}),
        REVIEW,
        ("CSC risk score 0 is at or above your review threshold.",),
    ),
    (
        "risk threshold: the default (101) never fires",
        replace(CLEAN, risk_score=100),
        DEFAULT,
        ALLOW,
        (NO_RULE,),
    ),
    # block_sanctions
    (
        "block_sanctions: on, flagged",
        replace(CLEAN, sanctions_flagged=True),
        DEFAULT,
        BLOCK,
        ("The stone is flagged under non-KP trade sanctions.",),
    ),
    (
        "block_sanctions: off, flagged",
        replace(CLEAN, sanctions_flagged=True),
        DEFAULT.model_copy(update={"block_sanctions": False}),
        ALLOW,
        (NO_RULE,),
    ),
    ("block_sanctions: on, not flagged", CLEAN, DEFAULT, ALLOW, (NO_RULE,)),
    # unknown
    (
        "unknown: default review",
        None,
        DEFAULT,
        REVIEW,
        ("Clearstone has no assessed stone with this certificate number.",),
    ),
    (
        "unknown: block",
        None,
        DEFAULT.model_copy(update={"unknown": BLOCK}),
        BLOCK,
        ("Clearstone has no assessed stone with this certificate number.",),
    ),
    (
        "unknown: allow",
        None,
        DEFAULT.model_copy(update={"unknown": ALLOW}),
        ALLOW,
        ("Clearstone has no assessed stone with this certificate number.",),
    ),
    # max_assessment_age_days, with stale_assessment
    (
        "max_assessment_age_days: the default (null) accepts any age",
        replace(CLEAN, assessed_at=NOW - dt.timedelta(days=3000)),
        DEFAULT,
        ALLOW,
        (NO_RULE,),
    ),
    (
        "max_assessment_age_days: exactly that old passes",
        replace(CLEAN, assessed_at=NOW - dt.timedelta(days=30)),
        DEFAULT.model_copy(update={"max_assessment_age_days": 30}),
        ALLOW,
        (NO_RULE,),
    ),
    (
        "max_assessment_age_days: older goes to review by default",
        replace(CLEAN, assessed_at=NOW - dt.timedelta(days=31)),
        DEFAULT.model_copy(update={"max_assessment_age_days": 30}),
        REVIEW,
        ("The assessment was made 31 days ago, more than your policy's 30.",),
    ),
    (
        "stale_assessment: block",
        replace(CLEAN, assessed_at=NOW - dt.timedelta(days=31)),
        DEFAULT.model_copy(update={"max_assessment_age_days": 30, "stale_assessment": BLOCK}),
        BLOCK,
        ("The assessment was made 31 days ago, more than your policy's 30.",),
    ),
    (
        "stale_assessment: allow still gives the reason",
        replace(CLEAN, assessed_at=NOW - dt.timedelta(days=31)),
        DEFAULT.model_copy(update={"max_assessment_age_days": 30, "stale_assessment": ALLOW}),
        ALLOW,
        ("The assessment was made 31 days ago, more than your policy's 30.",),
    ),
    (
        "stale_assessment: ignored for a fresh assessment",
        CLEAN,
        DEFAULT.model_copy(update={"max_assessment_age_days": 30, "stale_assessment": BLOCK}),
        ALLOW,
        (NO_RULE,),
    ),
    # Several rules: every reason, in the policy's order; the strictest outcome.
    (
        "review and block together block",
        replace(CLEAN, kp=KpResult.insufficient_evidence, risk_score=90, sanctions_flagged=True),
        DEFAULT.model_copy(update={"review_risk_score_from": 50}),
        BLOCK,
        (
            "KP result insufficient_evidence goes to review under your policy.",
            "CSC risk score 90 is at or above your review threshold.",
            "The stone is flagged under non-KP trade sanctions.",
        ),
    ),
    (
        "two reviews review",
        replace(CLEAN, kp=KpResult.insufficient_evidence, csc=CscResult.elevated_risk),
        DEFAULT,
        REVIEW,
        (
            "KP result insufficient_evidence goes to review under your policy.",
            "CSC result elevated_risk goes to review under your policy.",
        ),
    ),
]


@pytest.mark.parametrize(
    ("verdicts", "policy", "decision", "reasons"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_decide(
    verdicts: Verdicts | None,
    policy: ScreeningPolicy,
    decision: Decision,
    reasons: tuple[str, ...],
) -> None:
    assert decide(verdicts, policy, NOW) == CheckoutDecision(decision, reasons)


def test_every_policy_field_has_cases() -> None:
    """A new policy field must come with its rows in ``CASES``."""
    named = {case[0].split(":", 1)[0] for case in CASES}
    aliases = {"review_risk_score_from": "risk threshold"}
    for field in ScreeningPolicy.model_fields:
        assert aliases.get(field, field) in named, field


@pytest.mark.parametrize(
    ("decisions", "expected"),
    [
        ([], ALLOW),
        ([ALLOW, ALLOW], ALLOW),
        ([ALLOW, REVIEW], REVIEW),
        ([REVIEW, BLOCK, ALLOW], BLOCK),
    ],
)
def test_the_cart_takes_its_strictest_item(decisions: list[Decision], expected: Decision) -> None:
    assert strictest(decisions) == expected


def test_never_is_above_every_score() -> None:
    assert NEVER > 100
    assert ScreeningPolicy().review_risk_score_from == NEVER
