"""``201 Created`` with ``Location``: where the created resource is read (RFC 9110 §15.3.2).

Every creating operation sets it (:func:`created_at`), and a replayed response (same
``Idempotency-Key``) carries the same one (:func:`location_of`), so a client that retried
finds the resource either way.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import Response

__all__ = ["LOCATION_HEADER", "created_at", "location_of"]

LOCATION_HEADER = {
    "Location": {
        "description": "Where the created resource is read (its own id in the last segment).",
        "schema": {"type": "string", "format": "uri-reference"},
    }
}
"""The OpenAPI declaration of the header, for a route's ``responses={201: ...}``."""


def location_of(collection: str, resource_id: str | int) -> str:
    """``collection`` (the path the POST went to) followed by the resource's id."""
    return f"{collection.rstrip('/')}/{quote(str(resource_id), safe='')}"


def created_at(response: Response, collection: str, resource_id: str | int) -> None:
    response.headers["Location"] = location_of(collection, resource_id)
