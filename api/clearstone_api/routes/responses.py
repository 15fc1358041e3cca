"""The error statuses an operation declares; the OpenAPI shaping renders them as problem+json."""

from __future__ import annotations

from typing import Any

from clearstone_api.http_errors import Problem

__all__ = ["AUTH", "problems"]

_DESCRIPTIONS = {
    401: "Missing, invalid or expired access token (`WWW-Authenticate: Bearer`).",
    403: "The access token lacks the scope this operation needs.",
    404: "Not found.",
    409: "Conflict with the current state (or a concurrent request with the same Idempotency-Key).",
    422: "Invalid input; `errors` names each invalid field by its path.",
}

AUTH = (401, 403)
"""What every operation behind an access token can answer."""


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for the given error statuses, each a :class:`Problem`."""
    return {status: {"model": Problem, "description": _DESCRIPTIONS[status]} for status in statuses}
