"""Conditional GETs: a strong ``ETag`` on every successful GET, and 304 for ``If-None-Match``.

A route may set its own validator (the certificate lookup derives one from the stored view and
answers 304 before it renders anything); every other GET gets one here, the SHA-256 of the body
it sends, which is a strong validator because the body is byte-for-byte what it names. A client
that sends it back in ``If-None-Match`` gets 304 with the same headers and no body. Streams
(``text/event-stream``) and errors pass through untouched.
"""

from __future__ import annotations

import hashlib

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from clearstone_api.routes.etags import if_none_match

__all__ = ["ConditionalGetMiddleware", "body_etag"]

_NOT_MODIFIED_DROPS = ("content-length", "content-type", "content-encoding")


def body_etag(body: bytes) -> str:
    """The strong validator of ``body``."""
    return '"' + hashlib.sha256(body).hexdigest()[:40] + '"'


class ConditionalGetMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        condition = Headers(scope=scope).get("if-none-match")
        start: Message | None = None
        chunks: list[bytes] = []
        passing = False

        async def buffered(message: Message) -> None:
            nonlocal start, passing
            if passing:
                await send(message)
                return
            if message["type"] == "http.response.start":
                headers = Headers(raw=message["headers"])
                streamed = headers.get("content-type", "").startswith("text/event-stream")
                if message["status"] != 200 or "etag" in headers or streamed:
                    passing = True
                    await send(message)
                    return
                start = message
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            assert start is not None
            body = b"".join(chunks)
            etag = body_etag(body)
            headers = MutableHeaders(raw=list(start["headers"]))
            headers["ETag"] = etag
            if if_none_match(condition, etag):
                for name in _NOT_MODIFIED_DROPS:
                    del headers[name]
                await send({**start, "status": 304, "headers": headers.raw})
                await send({"type": "http.response.body", "body": b"", "more_body": False})
                return
            await send({**start, "headers": headers.raw})
            await send({"type": "http.response.body", "body": body, "more_body": False})

        await self.app(scope, receive, buffered)
