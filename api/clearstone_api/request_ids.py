"""Request ids: every response carries ``X-Request-Id``; a sane client-supplied one is echoed.

A pure ASGI middleware (no per-request task or body buffering, which the hot paths would pay
for). The id lives in ``scope["state"]`` so that error handlers see it, and in
:data:`~clearstone_api.observability.logs.request_id_var` for the whole request so that every log
line written meanwhile carries it (the access log line included).
"""

from __future__ import annotations

import re
import time
import uuid

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from clearstone_api.observability.logs import log_access, request_id_var

__all__ = ["REQUEST_ID_HEADER", "RequestIdMiddleware", "request_id_of"]

REQUEST_ID_HEADER = "X-Request-Id"
_SANE = re.compile(rb"^[A-Za-z0-9._:\-]{1,128}$")


def request_id_of(request: Request) -> str:
    """The id of ``request``; a fresh one when the middleware did not run (unit tests)."""
    state = request.scope.setdefault("state", {})
    request_id = state.get("request_id")
    if not isinstance(request_id, str):
        request_id = uuid.uuid4().hex
        state["request_id"] = request_id
    return request_id


class RequestIdMiddleware:
    """Assigns the request id and adds it to the response headers."""

    def __init__(self, app: ASGIApp, *, access_log: bool = False) -> None:
        self.app = app
        self.access_log = access_log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        supplied = next((v for k, v in scope["headers"] if k == b"x-request-id"), None)
        if supplied is not None and _SANE.match(supplied):
            request_id = supplied.decode("ascii")
        else:
            request_id = uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        encoded = request_id.encode("ascii")
        started = time.perf_counter()
        status = 0

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [(k, v) for k, v in message.get("headers", []) if k != b"x-request-id"]
                headers.append((b"x-request-id", encoded))
                message["headers"] = headers
            await send(message)

        token = request_id_var.set(request_id)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            if self.access_log:
                log_access(scope, status or 500, time.perf_counter() - started)
            request_id_var.reset(token)
