"""Limits and headers that hold for every HTTP response, whatever route answers.

- **Header size**: a request whose header lines add up to more than ``max_header_bytes``
  (default 16 KiB) is refused with 431 (RFC 6585 §5) before any route sees it. The server in front
  (nginx in ``deploy/``, ``large_client_header_buffers``) refuses larger ones at the socket.
- **Body read time**: a body must arrive whole within ``body_read_timeout_seconds``; a client that
  trickles it gets 408 and the connection is closed (``security/body_limits.py`` does the reading).
- **nosniff**: ``X-Content-Type-Options: nosniff`` on every response, API, page and static file
  alike, so no browser guesses a type the server did not send.

uvicorn has no header-read timeout and no idle timeout for a connection that never sends a
request; those are the proxy's job (``client_header_timeout``, ``keepalive_timeout``), and the
deployment lets only the proxy reach the API (docs/operations.md, "Timeouts and limits").
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from clearstone_api.http_errors import problem_response

__all__ = ["NOSNIFF", "TransportGuardMiddleware"]

NOSNIFF = (b"x-content-type-options", b"nosniff")


class TransportGuardMiddleware:
    """431 for oversized headers; ``nosniff`` on every response."""

    def __init__(self, app: ASGIApp, *, max_header_bytes: int) -> None:
        self.app = app
        self.max_header_bytes = max_header_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_nosniff(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if not any(name.lower() == NOSNIFF[0] for name, _ in headers):
                    headers.append(NOSNIFF)
                message["headers"] = headers
            await send(message)

        size = sum(len(name) + len(value) + 4 for name, value in scope["headers"])
        if size > self.max_header_bytes:
            response = problem_response(
                Request(scope),
                status=431,
                slug="headers-too-large",
                title="Request header fields too large",
                detail=f"The request's headers add up to more than {self.max_header_bytes} bytes.",
                headers={"Connection": "close"},
            )
            await response(scope, receive, send_nosniff)
            return
        await self.app(scope, receive, send_nosniff)
