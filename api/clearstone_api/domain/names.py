"""Folding names for matching places and parties across spellings."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

__all__ = ["normalize_name"]


@lru_cache(maxsize=65536)
def normalize_name(name: str) -> str:
    """Fold a place or company name for matching: ``Berbérati`` and ``BERBERATI`` are equal."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(ch for ch in decomposed.casefold() if ch.isalnum())
