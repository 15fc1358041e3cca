"""Request ids: every response carries ``X-Request-Id``; a sane client-supplied one is echoed.

A pure ASGI middleware (no per-request task or body buffering, which the hot paths would pay
for). The id lives in ``scope["state"]`` so that error handlers and the access log see it.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["REQUEST_ID_HEADER", "RequestIdMiddleware", "request_id_of"]

REQUEST_ID_HEADER = "X-Request-Id"
_SANE = re.compile(rb"^[A-Za-z0-9._:\-]{1,128}$")

access_logger = logging.getLogger("clearstone.access")


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

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            if self.access_log:
                access_logger.info(
                    "%s %s %d %.1fms request_id=%s",
                    scope["method"],
                    scope["path"],
                    status or 500,
                    (time.perf_counter() - started) * 1000,
                    request_id,
                )
