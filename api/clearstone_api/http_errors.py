"""RFC 9457 problem+json: how the HTTP layer renders every error.

:func:`install_error_handlers` routes the service's own errors (:mod:`clearstone_api.errors`),
the framework's (validation, unknown route, 405), a record that does not validate, a database
that cannot be reached (503) and any bug (500) to one renderer, :func:`problem_response`::

    app = FastAPI()
    install_error_handlers(app)
"""

from __future__ import annotations

import difflib
import json
import logging
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.routing import Match

from clearstone_api.domain.model_keys import known_keys
from clearstone_api.domain.record_validation import RecordInvalid
from clearstone_api.errors import ClearstoneError, DatabaseUnavailable, FieldError
from clearstone_api.request_ids import request_id_of
from clearstone_api.web.error_pages import html_problem, prefers_html

__all__ = ["PROBLEM_MEDIA_TYPE", "Problem", "install_error_handlers", "problem_response"]

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "https://clearstone.dev/problems/"

logger = logging.getLogger("clearstone.errors")


class Problem(BaseModel):
    """An RFC 9457 problem detail."""

    type: str
    """A URI naming the kind of problem; ``about:blank`` when the HTTP status says it all."""
    title: str
    status: int = Field(ge=100, le=599)
    """Equal to the HTTP status of the response."""
    detail: str
    request_id: str
    """The ``X-Request-Id`` of the response, for support."""
    errors: list[FieldError] | None = None
    """For 422: every invalid field, by its path."""


def problem_response(
    request: Request,
    *,
    status: int,
    detail: str,
    title: str | None = None,
    slug: str | None = None,
    errors: Sequence[FieldError] | None = None,
    headers: dict[str, str] | None = None,
    extensions: dict[str, object] | None = None,
) -> Response:
    """Render one problem; ``slug`` None gives ``about:blank`` (the status says it all). A
    browser that prefers HTML gets the same problem as a page (``web/error_pages.py``)."""
    request_id = request_id_of(request)
    if prefers_html(request):
        return html_problem(
            request,
            status=status,
            title=title or HTTPStatus(status).phrase,
            detail=detail,
            request_id=request_id,
            headers={"X-Request-Id": request_id, **(headers or {})},
        )
    problem = Problem(
        type=PROBLEM_TYPE_BASE + slug if slug else "about:blank",
        title=title or HTTPStatus(status).phrase,
        status=status,
        detail=detail,
        request_id=request_id,
        errors=list(errors) if errors is not None else None,
    )
    all_headers = {"X-Request-Id": request_id, **(headers or {})}
    if extensions:
        members = {k: v for k, v in extensions.items() if k not in Problem.model_fields}
        body = json.dumps({**problem.model_dump(mode="json", exclude_none=True), **members})
    else:
        body = problem.model_dump_json(exclude_none=True)
    return Response(
        body,
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=all_headers,
    )


def _path(loc: Sequence[Any]) -> str:
    return ".".join(str(part) for part in loc)


async def _clearstone_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ClearstoneError)
    return problem_response(
        request,
        status=exc.status,
        title=exc.title,
        slug=exc.slug,
        detail=exc.detail,
        errors=exc.errors,
        headers=exc.headers,
        extensions=exc.extensions,
    )


def _message(request: Request, err: Mapping[str, Any]) -> str:
    """Pydantic's message; for an unknown key, which key, and the nearest one the body takes."""
    message = str(err.get("msg", ""))
    loc = tuple(err.get("loc", ()))
    if err.get("type") != "extra_forbidden" or len(loc) < 2 or loc[0] != "body":
        return message
    route = request.scope.get("route")
    body_field = getattr(route, "body_field", None)
    field_info = getattr(body_field, "field_info", None)
    model = getattr(field_info, "annotation", None)
    known = known_keys(model, loc[1:-1]) if model is not None else []
    suggestion = difflib.get_close_matches(str(loc[-1]), known, n=1, cutoff=0.6)
    message = f"Unknown field {str(loc[-1])!r}"
    if suggestion:
        return f"{message}; did you mean {suggestion[0]!r}?"
    return f"{message}; this object takes: {', '.join(known)}" if known else message


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = [
        FieldError(path=_path(err.get("loc", ())), message=_message(request, err), type=err["type"])
        for err in exc.errors()
    ]
    if any(error.type == "json_invalid" for error in errors):
        # Not JSON at all: the request is malformed (400), not invalid (422), as the contract says.
        return problem_response(
            request,
            status=400,
            slug="malformed-json",
            title="Malformed JSON",
            detail="The body is not valid JSON: " + "; ".join(e.message for e in errors[:1]),
            errors=errors,
        )
    return problem_response(
        request,
        status=422,
        slug="invalid-input",
        title="Invalid input",
        detail=f"{len(errors)} invalid field(s): " + ", ".join(e.path for e in errors[:5]),
        errors=errors,
    )


async def _record_invalid(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RecordInvalid)
    errors = [
        FieldError(path=_path(("body", "record", *p.loc)), message=p.msg, type=p.type)
        for p in exc.problems
    ]
    return problem_response(
        request,
        status=422,
        slug="invalid-record",
        title="Invalid provenance record",
        detail=str(exc),
        errors=errors,
    )


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
    if exc.status_code == 404 and detail == "Not Found":
        detail = f"No route matches {request.url.path}"
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        detail = f"{request.method} is not allowed on {request.url.path}"
        headers["Allow"] = ", ".join(_allowed_methods(request))
    return problem_response(request, status=exc.status_code, detail=detail, headers=headers)


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def _allowed_methods(request: Request) -> list[str]:
    """Every method any route serves at this path (the router lists only the first route's)."""
    return [
        method
        for method in _METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] is Match.FULL
            for route in request.app.routes
        )
    ]


def _database_unreachable(exc: Exception) -> bool:
    """A lost or refused connection, or no connection free in time: the request may succeed
    if retried. Anything else from the database (a constraint, bad SQL) is a bug."""
    if isinstance(exc, OperationalError | InterfaceError | PoolTimeout):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


async def _database_error(request: Request, exc: Exception) -> Response:
    if not _database_unreachable(exc):
        raise exc  # to the 500 handler, as if this one did not exist
    cause = getattr(exc, "orig", None) or exc
    # The class and first line only: SQLAlchemy's own message carries the statement.
    first_line = (str(cause).strip().splitlines() or [""])[0][:200]
    logger.warning("database unavailable: %s: %s", type(cause).__name__, first_line)
    return await _clearstone_error(
        request,
        DatabaseUnavailable(
            "The database is unavailable; retry after the Retry-After delay. A write retried "
            "with the same Idempotency-Key is applied at most once."
        ),
    )


async def _unhandled(request: Request, exc: Exception) -> Response:
    # This handler runs outside the request-id middleware (in Starlette's outermost layer), so
    # the id is passed along explicitly for the JSON log line.
    request_id = request_id_of(request)
    logger.error(
        "unhandled error (request_id=%s)",
        request_id,
        exc_info=(type(exc), exc, exc.__traceback__),
        extra={"request_id": request_id},
    )
    return problem_response(
        request,
        status=500,
        slug="internal-error",
        title="Internal server error",
        detail="The server failed to handle the request; quote the request id to support.",
    )


def install_error_handlers(app: FastAPI) -> None:
    """Route every error the app can raise to one problem+json renderer."""
    app.add_exception_handler(ClearstoneError, _clearstone_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(RecordInvalid, _record_invalid)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(DBAPIError, _database_error)
    app.add_exception_handler(PoolTimeout, _database_error)
    app.add_exception_handler(Exception, _unhandled)
