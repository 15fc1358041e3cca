"""The HTTP side of observability: the request metrics middleware, ``GET /metrics`` and the
one call that installs them and the JSON logs on an app (:func:`install_observability`).

Example::

    app = FastAPI(...)
    install_observability(app, settings, database)  # after the other middleware
"""

from __future__ import annotations

import os
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from prometheus_client.multiprocess import mark_process_dead
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from clearstone_api.db import Database
from clearstone_api.observability.logs import configure_logging
from clearstone_api.observability.metrics import (
    SampledGauges,
    multiprocess_dir,
    process_metrics,
    registry,
)
from clearstone_api.observability.routes import route_template
from clearstone_api.settings import Settings

__all__ = ["MetricsMiddleware", "install_metrics", "install_observability"]

_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class MetricsMiddleware:
    """Counts and times every HTTP request by route template, method and status.

    Pure ASGI: no task or body buffering per request. Label children are cached, so the cost
    per request is a dictionary lookup, a counter increment and a histogram observation.
    """

    def __init__(self, app: ASGIApp, *, gauges: SampledGauges) -> None:
        self.app = app
        self.gauges = gauges
        self.metrics = process_metrics()
        self._children: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}

    def _children_for(self, method: str, route: str, status: int) -> tuple[Counter, Histogram]:
        key = (method, route, status)
        found = self._children.get(key)
        if found is None:
            found = (
                self.metrics.requests.labels(method, route, str(status)),
                self.metrics.duration.labels(method, route),
            )
            self._children[key] = found
        return found

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # an exception escaping the app becomes a 500 outside this middleware

        async def send_with_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        self.gauges.active += 1
        try:
            await self.app(scope, receive, send_with_status)
        finally:
            now = time.perf_counter()
            method = scope["method"] if scope["method"] in _METHODS else "other"
            counter, histogram = self._children_for(method, route_template(scope), status)
            counter.inc()
            histogram.observe(now - started)
            self.gauges.request_done(now)


def _forget_process_on_shutdown(app: FastAPI) -> None:
    """In multiprocess mode, a worker that shuts down takes its gauges with it (one that is
    killed leaves them until the next worker starts: see ``_drop_stale_live_gauges``). Not an
    ``atexit`` hook: uvicorn ends a worker by re-raising SIGTERM, which skips those."""
    path = multiprocess_dir()
    if path is None:
        return
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[Any]:
        async with inner(app) as state:
            yield state
        mark_process_dead(os.getpid(), path)  # type: ignore[no-untyped-call]  # unannotated upstream

    app.router.lifespan_context = lifespan


QueueDepthReader = Callable[[], dict[str, int]]
"""Jobs due per queue, read at each scrape (``clearstone_job_queue_depth``)."""


def install_metrics(
    app: FastAPI, database: Database, queue_depth: QueueDepthReader | None = None
) -> None:
    """The request middleware and ``GET /metrics`` (not in the OpenAPI contract)."""
    gauges = SampledGauges(database)
    app.add_middleware(MetricsMiddleware, gauges=gauges)
    _forget_process_on_shutdown(app)

    def metrics(_request: Request) -> Response:
        gauges.sample()
        return Response(generate_latest(registry(queue_depth)), media_type=CONTENT_TYPE_LATEST)

    app.add_api_route(
        "/metrics", metrics, methods=["GET"], include_in_schema=False, response_class=Response
    )


def install_observability(
    app: FastAPI,
    settings: Settings,
    database: Database,
    queue_depth: QueueDepthReader | None = None,
) -> None:
    """JSON logging for the process, and metrics for ``app``: install it after the other
    middleware, so that it counts what they answer too."""
    configure_logging(settings)
    install_metrics(app, database, queue_depth)
