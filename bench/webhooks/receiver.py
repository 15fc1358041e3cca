"""The benchmark's webhook receiver: ``python -m bench.webhooks.receiver --port P``.

A bare ASGI app under uvicorn (uvloop, httptools), in a process of its own so that it never
shares an interpreter with what it measures. ``POST /hook`` notes the time a delivery arrived
(``time.time()``, before anything else), verifies it with the SDK's
``client.webhooks.unwrap`` under the secret in ``BENCH_WEBHOOK_SECRET`` and answers 204 (400
when the signature does not verify). ``GET /results`` answers every verified delivery as
``[webhook-id, received at, sent at]`` (``sent at`` from the baseline's ``x-bench-sent``
header, else null) and the count refused; ``POST /reset`` forgets them.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import uvicorn

from clearstone import Clearstone, WebhookVerificationError

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

SECRET_ENV = "BENCH_WEBHOOK_SECRET"


class Receiver:
    """The ASGI app and what it received."""

    def __init__(self, secret: str) -> None:
        # No request is ever made: the client is here for its ``webhooks.unwrap``.
        self.api = Clearstone(api_key="unused", base_url="http://127.0.0.1:9")
        self.secret = secret
        self.received: list[tuple[str, float, float | None]] = []
        self.refused = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        arrived = time.time()
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        if scope["method"] == "POST" and scope["path"] == "/hook":
            await self._hook(scope, body, arrived, send)
        elif scope["method"] == "GET" and scope["path"] == "/results":
            answer = {"received": self.received, "refused": self.refused}
            await _respond(send, 200, json.dumps(answer).encode())
        elif scope["method"] == "POST" and scope["path"] == "/reset":
            self.received, self.refused = [], 0
            await _respond(send, 204, b"")
        else:
            await _respond(send, 404, b"")

    async def _hook(self, scope: Scope, body: bytes, arrived: float, send: Send) -> None:
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        try:
            event = self.api.webhooks.unwrap(body, headers, self.secret)
        except WebhookVerificationError:
            self.refused += 1
            await _respond(send, 400, b"")
            return
        sent = headers.get("x-bench-sent")
        self.received.append((event.id, arrived, float(sent) if sent else None))
        await _respond(send, 204, b"")


async def _respond(send: Send, status: int, body: bytes) -> None:
    headers = [(b"content-length", str(len(body)).encode())]
    if body:
        headers.append((b"content-type", b"application/json"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    app = Receiver(os.environ[SECRET_ENV])
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=args.port,
        loop="uvloop",
        http="httptools",
        log_level="warning",
        access_log=False,
        lifespan="off",
    )


if __name__ == "__main__":
    main()
