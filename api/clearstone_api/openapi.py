"""Shaping the generated OpenAPI document into the contract.

FastAPI declares error responses as ``application/json`` and adds its own ``HTTPValidationError``;
the service answers every error as ``application/problem+json`` with :class:`~errors.Problem`.
This rewrites the document to say what the server does, and documents ``X-Request-Id``.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from clearstone_api.errors import PROBLEM_MEDIA_TYPE

__all__ = ["build_openapi", "install_openapi"]

_REQUEST_ID = {
    "description": "The request's id; also in error bodies and the access log.",
    "schema": {"type": "string"},
}
_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}


def _shape_operation(operation: dict[str, Any]) -> None:
    if "requestBody" in operation:
        # A body that is not JSON at all (bad bytes, wrong encoding) is a 400 from the framework.
        operation["responses"].setdefault(
            "400", {"description": "The body could not be parsed as JSON."}
        )
    for status, response in operation.get("responses", {}).items():
        code = int(status) if status.isdigit() else 0
        if code >= 400:
            response["content"] = {PROBLEM_MEDIA_TYPE: {"schema": _PROBLEM_REF}}
        response.setdefault("headers", {})["X-Request-Id"] = _REQUEST_ID
        if code == 401:
            response["headers"]["WWW-Authenticate"] = {"schema": {"type": "string"}}


def build_openapi(app: FastAPI) -> dict[str, Any]:
    document = get_openapi(
        title=app.title,
        version=app.version,
        openapi_version=app.openapi_version,
        summary=app.summary,
        description=app.description,
        routes=app.routes,
        tags=app.openapi_tags,
        servers=app.servers,
    )
    for path_item in document.get("paths", {}).values():
        for operation in path_item.values():
            _shape_operation(operation)
    schemas = document.get("components", {}).get("schemas", {})
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    return document


def install_openapi(app: FastAPI) -> None:
    """Serve the shaped document at ``/openapi.json`` (built once, on first request)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build_openapi(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
