"""The registry of KP-narrow checks: their ids, wording, severity and possible outcomes.

One module per rule family runs them: :mod:`kp_participants` (K03, K04),
:mod:`kp_special_measures` (K09), :mod:`kp_un_measures` (K10), :mod:`kp_certificates`
(K05-K08, K11, K12, K17), :mod:`kp_integrity` (K13, K14, K16) and :mod:`kp` (K01, K02 and the
order of play). The rule each check applies, with its sources, is reference data
(``kp_rules.csv``); the loader refuses a reference whose rules do not cover every id here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from clearstone_api.domain.messages import N_
from clearstone_api.domain.verdicts import CheckStatus

__all__ = ["CHECKS", "KP_START", "CheckId", "CheckSpec", "Severity"]

KP_START = dt.date(2003, 1, 1)
"""The KP Certification Scheme took effect on 1 January 2003. Before it only the UN Security
Council measures and their certificate-of-origin regimes governed the rough trade."""


class CheckId(StrEnum):
    """K15 (sanctions) is its own verdict, outside the KP."""

    K01 = "K01"
    K02 = "K02"
    K03 = "K03"
    K04 = "K04"
    K05 = "K05"
    K06 = "K06"
    K07 = "K07"
    K08 = "K08"
    K09 = "K09"
    K10 = "K10"
    K11 = "K11"
    K12 = "K12"
    K13 = "K13"
    K14 = "K14"
    K16 = "K16"
    K17 = "K17"


class Severity(StrEnum):
    blocking = "blocking"
    """A ``fail`` fails the KP verdict; ``missing`` makes it insufficient evidence."""
    advisory = "advisory"
    """Recommended practice: the check warns, it never fails."""


_PASS, _WARN, _FAIL = CheckStatus.pass_, CheckStatus.warn, CheckStatus.fail
_MISSING, _NA = CheckStatus.missing, CheckStatus.not_applicable


@dataclass(frozen=True)
class CheckSpec:
    title: str
    severity: Severity
    outcomes: frozenset[CheckStatus]
    """Every status the check can give; the tests cover each."""


def _spec(title: str, severity: Severity, *outcomes: CheckStatus) -> CheckSpec:
    return CheckSpec(title, severity, frozenset(outcomes))


_B, _A = Severity.blocking, Severity.advisory

CHECKS: Mapping[CheckId, CheckSpec] = MappingProxyType(
    {
        CheckId.K01: _spec(
            N_("In KP scope: natural rough diamonds (HS 7102.10, 7102.21, 7102.31)"), _B, _PASS, _NA
        ),
        CheckId.K02: _spec(
            N_("Every cross-border movement of rough carries a KP certificate"),
            _B, _PASS, _FAIL, _MISSING, _NA,
        ),
        CheckId.K03: _spec(
            N_("Issuing participant in good standing on the date of issue"),
            _B, _PASS, _WARN, _FAIL, _NA,
        ),
        CheckId.K04: _spec(
            N_("Both ends of the trade are KP participants on the date"),
            _B, _PASS, _FAIL, _MISSING, _NA,
        ),
        CheckId.K05: _spec(
            N_("Certificate carries the Annex I elements"), _B, _PASS, _WARN, _FAIL, _MISSING
        ),
        CheckId.K06: _spec(
            N_("Certificate number carries the issuing participant's code"), _A, _PASS, _WARN
        ),
        CheckId.K07: _spec(
            N_("Certificate dates: issued before export, used before expiry"),
            _B, _PASS, _WARN, _FAIL,
        ),
        CheckId.K08: _spec(N_("Certificate consistent with the lots it covers"), _A, _PASS, _WARN),
        CheckId.K09: _spec(
            N_("KP special measures at the origin on the date (CAR compliant zones, Marange)"),
            _B, _PASS, _WARN, _FAIL, _MISSING, _NA,
        ),
        CheckId.K10: _spec(
            N_("No UN Security Council rough-diamond ban on the date"), _B, _PASS, _FAIL
        ),
        CheckId.K11: _spec(N_("Import confirmation recorded"), _A, _PASS, _WARN),
        CheckId.K12: _spec(N_("Tamper-resistant container recorded"), _A, _PASS, _WARN),
        CheckId.K13: _spec(
            N_("System of Warranties statement on every business-to-business invoice"),
            _B, _PASS, _WARN, _FAIL, _MISSING, _NA,
        ),
        CheckId.K14: _spec(
            N_("Mass balance: no stone or lot heavier than what it came from; no orphan stones"),
            _B, _PASS, _FAIL, _MISSING,
        ),
        CheckId.K16: _spec(
            N_("Chronology: the custody log is in date order and causally possible"),
            _B, _PASS, _FAIL,
        ),
        CheckId.K17: _spec(
            N_("Certificate's country of origin matches where the chain says the goods were mined"),
            _B, _PASS, _WARN, _FAIL, _NA,
        ),
    }
)  # fmt: skip
"""Every check, in id order."""


def _problems() -> list[str]:
    """What is wrong with the registry: a check without wording, severity or outcomes."""
    found = [f"{check} is not registered" for check in CheckId if check not in CHECKS]
    for check, spec in CHECKS.items():
        if not spec.title.strip():
            found.append(f"{check} has no wording")
        if not spec.outcomes:
            found.append(f"{check} has no outcomes")
        if spec.severity is Severity.advisory and CheckStatus.fail in spec.outcomes:
            found.append(f"{check} is advisory but can fail")
    return found


if _problems():  # pragma: no cover - a broken registry stops the import
    raise RuntimeError("; ".join(_problems()))
