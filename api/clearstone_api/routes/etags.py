"""Conditional GETs: strong ETags and ``If-None-Match``."""

from __future__ import annotations

__all__ = ["if_none_match"]


def if_none_match(header: str | None, etag: str) -> bool:
    """Whether ``If-None-Match: header`` matches ``etag`` (weak comparison, as RFC 9110 §13.1.2
    prescribes for this header)."""
    if not header:
        return False
    if header.strip() == "*":
        return True
    return any(tag.strip().removeprefix("W/") == etag for tag in header.split(","))
