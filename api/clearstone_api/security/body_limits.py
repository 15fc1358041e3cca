"""Request bodies over ``max_request_body_bytes`` are refused with 413 before anything parses them.

The body must also arrive whole within ``read_timeout`` seconds: a client that trickles it gets
408 and the connection is closed, so a slow sender cannot hold a worker's request open.

A declared ``Content-Length`` over the limit is refused at once, unread. Otherwise the body is
read here, counting as it streams in (a chunked body declares no length, and a declared length
may lie), and refused the moment it passes the limit; a body within it is handed on whole. Every
route parses its body in full anyway, so buffering it here costs nothing extra.
"""

from __future__ import annotations

import asyncio
from typing import Literal

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from clearstone_api.errors import ClearstoneError, PayloadTooLarge
from clearstone_api.http_errors import problem_response

__all__ = ["BodySizeLimitMiddleware"]


class RequestTimeout(ClearstoneError):
    status, slug, title = 408, "request-timeout", "Request body too slow"


class BodySizeLimitMiddleware:
    def __init__(self, app: ASGIApp, *, max_bytes: int, read_timeout: float = 30.0) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.read_timeout = read_timeout

    async def _refuse(
        self, scope: Scope, receive: Receive, send: Send, refused: ClearstoneError | None = None
    ) -> None:
        if refused is None:
            refused = PayloadTooLarge(
                f"The request body is over the limit of {self.max_bytes} bytes."
            )
        response = problem_response(
            Request(scope),
            status=refused.status,
            slug=refused.slug,
            title=refused.title,
            detail=refused.detail,
            headers={"Connection": "close"},
        )
        await response(scope, receive, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        declared = headers.get(b"content-length")
        if declared is not None and declared.strip().isdigit():
            if int(declared) > self.max_bytes:
                await self._refuse(scope, receive, send)
                return
            if int(declared) == 0:
                await self.app(scope, receive, send)
                return
        elif declared is None and b"transfer-encoding" not in headers:
            await self.app(scope, receive, send)  # no body
            return
        chunks: list[bytes] = []
        try:
            async with asyncio.timeout(self.read_timeout):
                outcome = await self._read(receive, chunks)
        except TimeoutError:
            slow = RequestTimeout(f"The request body did not arrive within {self.read_timeout} s.")
            await self._refuse(scope, receive, send, slow)
            return
        if outcome == "too-large":
            await self._refuse(scope, receive, send)
            return
        if outcome == "gone":
            return  # the client went away
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _read(
        self, receive: Receive, chunks: list[bytes]
    ) -> Literal["whole", "too-large", "gone"]:
        """Read the body into ``chunks``, stopping as soon as it passes the limit."""
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return "gone"
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                return "too-large"
            chunks.append(chunk)
            more = message.get("more_body", False)
        return "whole"
