"""The scoring policy: weights and thresholds that turn findings into results.

These are Clearstone's methodology choices, not facts about the world, so they live in code
under a version that every assessment carries; ``docs/methodology.md`` explains each number.
Changing any value means a new ``version``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

__all__ = ["DEFAULT_POLICY", "Policy"]


def _frozen(values: dict[str, float]) -> Mapping[str, float]:
    return MappingProxyType(values)


@dataclass(frozen=True)
class Policy:
    version: str = "2026.12-1"

    match_weight: Mapping[str, float] = field(
        default_factory=lambda: _frozen(
            {
                "site": 1.0,
                "party": 0.9,
                "admin2": 0.7,
                "admin1": 0.5,
                "country": 0.25,
                "transit": 0.3,
            }
        )
    )
    """How directly an incident touches the goods, by where it matched."""

    status_weight: Mapping[str, float] = field(
        default_factory=lambda: _frozen(
            {
                "adjudicated": 1.0,
                "settled": 0.85,
                "documented": 0.75,
                "documented_official": 0.75,
                "documented_ngo_press": 0.65,
                "alleged": 0.4,
            }
        )
    )
    """How firmly an incident is established."""

    link_weight: Mapping[str, float] = field(
        default_factory=lambda: _frozen(
            {"at_site": 1.0, "trade": 1.0, "in_area": 0.6, "contested": 0.5}
        )
    )
    """How directly an incident is tied to diamonds (rows without a link count as at site)."""

    time_weight: Mapping[str, float] = field(
        default_factory=lambda: _frozen({"same_period": 1.0, "near_period": 0.5, "distant": 0.2})
    )
    near_period_days: int = 2 * 365
    """An incident that ended (or began) within this many days of the goods' window is near."""
    distant_period_days: int = 5 * 365
    """Beyond this gap an incident is not matched at all."""

    severity: Mapping[str, float] = field(
        default_factory=lambda: _frozen(
            {
                "C01": 1.0, "C02": 0.8, "C03": 1.0, "C04": 1.0, "C05": 0.9,
                "C06": 0.9, "C07": 0.9, "C08": 1.0, "C09": 0.7, "C10": 0.6,
                "C11": 0.5, "C12": 0.5, "C13": 0.5, "C14": 0.5, "C15": 0.9,
            }
        )
    )  # fmt: skip
    """How grave each abuse criterion is, 0-1."""

    mitigation_factor: float = 0.5
    """Applied once to a mitigable match when a valid attestation covers it."""
    remediation_factor: float = 0.5
    """Applied to a match whose incident was remediated before the goods' window began."""
    kp_restriction_score: float = 40.0
    """Score of the C01 indicator raised by an origin under KP restrictions or a UN ban."""
    elevated_threshold: float = 15.0
    """A criterion at or above this score is ``elevated``."""
    red_flag_floor: int = 70
    """The overall risk score is at least this when any criterion is a red flag."""

    listed_area_score: float = 30.0
    """Score of an unmitigated EU CAHRA listing or UN sanctions regime at the origin."""
    red_flag_location_score: float = 50.0
    """Score of artisanal production in a listed area (an OECD Annex II red-flag location)."""
    conflict_events_score: float = 25.0
    """Score of fatal organised violence (UCDP) recorded in the origin's area in the period."""


DEFAULT_POLICY = Policy()
