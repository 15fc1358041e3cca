"""The seam between listed-party screening and the name matcher that does it.

The domain says what a match is; the matcher (``clearstone_api.services.party_screen``, built on
``rapidfuzz`` and ``anyascii``) is attached to the reference data by the service layer, so the
domain imports nothing beyond the standard library and pydantic.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from clearstone_api.domain.reference_rows import SanctionedParty

__all__ = ["NameMatch", "NameScreen"]


@dataclass(frozen=True)
class NameMatch:
    """One listed row a screened name matched, and how."""

    listed: SanctionedParty
    matched_name: str
    """The listed name or alias that matched, as listed."""
    name_kind: str
    """``name``, ``alias`` or ``former_name``."""
    score: float
    """0-100."""
    threshold: float
    method: str


class NameScreen(Protocol):
    """Screens one name against the listed parties; returns every listed row it matches."""

    def screen(self, name: str) -> Sequence[NameMatch]: ...
