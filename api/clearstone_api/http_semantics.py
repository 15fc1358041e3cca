"""HTTP semantics every route shares: HEAD, CORS and the request body's media type.

- **HEAD** is answered wherever GET is (RFC 9110 §9.3.2): the same status and headers, no body.
- **CORS**: the public read operations (every ``GET`` of the contract that declares no
  credentials: certificates and their attestations, an attestation's status, reference data,
  the key set, the transparency log, health) answer any origin, without credentials, so a
  retailer's page can show a verdict from the browser. Their answers carry
  ``Access-Control-Allow-Origin: *`` whether the request named an origin or not, and no
  ``Vary: Origin``: the same bytes serve every caller, so a shared cache keeps one copy, not
  one per origin. Everything else, an authenticated read or write on the same path included
  (``GET /v1/reference/changes``, ``POST /v1/reference/incidents``), answers only the origins in
  ``CLEARSTONE_CORS_ALLOW_ORIGINS`` (none by default): a token must not be usable from a page
  the deployment does not trust. Which operations are public is read from the routes
  (:func:`public_reads`), so an operation added later is classed by what it declares.
- **415**: a body sent as anything but JSON (``text/plain``, a form) to a JSON operation is
  refused with 415 before anything parses it; the token endpoint takes its form as RFC 6749
  says.
- **406**: an ``Accept`` header that admits none of what the service sends (JSON, errors as
  ``application/problem+json``, the signed attestation as ``application/jose``, printable
  pages as HTML) is refused with 406 naming them. No ``Accept``, ``*/*`` and
  ``application/*`` are fine.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from fastapi.routing import APIRoute
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from clearstone_api.http_errors import problem_response
from clearstone_api.routes.auth import requires_credentials
from clearstone_api.security.principals import TOKEN_URL

__all__ = ["CorsMiddleware", "HeadAndMediaTypeMiddleware", "public_reads"]

_READS = frozenset({"GET", "HEAD"})
_EXPOSED = ["ETag", "RateLimit", "RateLimit-Policy", "Retry-After", "X-Request-Id", "Location"]
_PUBLIC_CORS = [
    (b"access-control-allow-origin", b"*"),
    (b"access-control-expose-headers", ", ".join(_EXPOSED).encode("latin-1")),
]
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
_ANSWERABLE = frozenset(
    {
        "*/*",
        "application/*",
        "application/json",
        "application/problem+json",
        "application/jose",
        "text/*",
        "text/html",
    }
)


def public_reads(routes: Iterable[BaseRoute]) -> re.Pattern[str]:
    """One pattern for the paths of the contract's ``GET`` operations that declare no
    credentials (the routes' own path patterns, their named groups made anonymous)."""
    patterns = sorted(
        re.sub(r"\(\?P<\w+>", "(?:", route.path_regex.pattern)
        for route in routes
        if isinstance(route, APIRoute)
        and route.include_in_schema
        and "GET" in (route.methods or ())
        and not requires_credentials(route)
    )
    return re.compile("|".join(f"(?:{p})" for p in patterns) or r"(?!)")


class CorsMiddleware:
    """Starlette's CORS, with one policy for the public reads and another for the rest."""

    def __init__(
        self, app: ASGIApp, *, allow_origins: Sequence[str], public: re.Pattern[str]
    ) -> None:
        self.app = app
        self.public_paths = public
        self.public = CORSMiddleware(
            app,
            allow_origins=["*"],
            allow_methods=["GET", "HEAD"],
            allow_headers=["Accept", "Accept-Language", "If-None-Match"],
            expose_headers=_EXPOSED,
            max_age=600,
        )
        self.private: ASGIApp = (
            CORSMiddleware(
                app,
                allow_origins=list(allow_origins),
                allow_methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"],
                allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "If-Match"],
                expose_headers=_EXPOSED,
                max_age=600,
            )
            if allow_origins
            else app
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if not self._is_public_read(scope):
            await self.private(scope, receive, send)
        elif scope["method"] == "OPTIONS":
            await self.public(scope, receive, send)  # a preflight, answered by Starlette
        else:
            await self.app(scope, receive, _with_public_cors(send))

    def _is_public_read(self, scope: Scope) -> bool:
        """A ``GET``/``HEAD`` of a public read, or the preflight of one."""
        method = scope["method"]
        if method == "OPTIONS":
            requested = dict(scope["headers"]).get(b"access-control-request-method", b"")
            method = requested.decode("latin-1").strip().upper()
        return method in _READS and self.public_paths.fullmatch(scope["path"]) is not None


def _with_public_cors(send: Send) -> Send:
    """The public reads' CORS headers on every answer, the same for any origin or none."""

    async def send_with_cors(message: Message) -> None:
        if message["type"] == "http.response.start":
            message["headers"] = [*message.get("headers", ()), *_PUBLIC_CORS]
        await send(message)

    return send_with_cors


class HeadAndMediaTypeMiddleware:
    """HEAD as GET without a body; 415 for a JSON operation's body of another media type."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        if not _acceptable(scope):
            response = problem_response(
                Request(scope),
                status=406,
                slug="not-acceptable",
                title="Not acceptable",
                detail="This service answers application/json (errors application/problem+json), "
                "application/jose (signed attestations) and text/html (printable pages); the "
                "Accept header admits none of them.",
            )
            await response(scope, receive, send)
            return
        if method == "HEAD":
            await self.app({**scope, "method": "GET"}, receive, _without_body(send))
            return
        if method in _BODY_METHODS and scope["path"] != TOKEN_URL and _has_body(scope):
            media_type = _media_type(scope)
            if media_type != "application/json" and not media_type.endswith("+json"):
                response = problem_response(
                    Request(scope),
                    status=415,
                    slug="unsupported-media-type",
                    title="Unsupported media type",
                    detail=f"Send the body as application/json, not {media_type or 'untyped'}.",
                    headers={"Accept-Post": "application/json"},
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _media_type(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == b"content-type":
            media_type: str = value.decode("latin-1").split(";")[0].strip().lower()
            return media_type
    return ""


def _acceptable(scope: Scope) -> bool:
    if scope["path"].startswith("/static/"):
        return True
    for name, value in scope["headers"]:
        if name == b"accept":
            ranges = value.decode("latin-1").lower().split(",")
            return any(
                (media := r.split(";")[0].strip()) in _ANSWERABLE or media.endswith("+json")
                for r in ranges
            )
    return True


def _has_body(scope: Scope) -> bool:
    headers = dict(scope["headers"])
    length = headers.get(b"content-length")
    if length is not None:
        return length.strip() not in (b"", b"0")
    return b"transfer-encoding" in headers


def _without_body(send: Send) -> Send:
    async def send_headers_only(message: Message) -> None:
        if message["type"] == "http.response.body":
            if message.get("more_body", False):
                return
            message = {"type": "http.response.body", "body": b"", "more_body": False}
        await send(message)

    return send_headers_only
