"""The application factory. Nothing happens at import time.

Example::

    app = create_app(Settings(database_url="sqlite:///data/clearstone.db"))
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from clearstone_api.conditional_gets import ConditionalGetMiddleware
from clearstone_api.container import AppContainer, install_container
from clearstone_api.http_errors import install_error_handlers
from clearstone_api.http_semantics import (
    CorsMiddleware,
    HeadAndMediaTypeMiddleware,
    public_reads,
)
from clearstone_api.observability.http import install_observability
from clearstone_api.openapi import install_openapi
from clearstone_api.request_ids import RequestIdMiddleware
from clearstone_api.routes import (
    assessments,
    attestations,
    certificates,
    checkout,
    custody,
    events,
    health,
    jwks,
    lots,
    number_claims,
    oauth,
    reassessment_runs,
    reference,
    reference_changes,
    stones,
    transparency,
    watches,
    webhook_endpoints,
)
from clearstone_api.routes.dependencies import replay_response
from clearstone_api.security.body_limits import BodySizeLimitMiddleware
from clearstone_api.security.rate_limit_middleware import RateLimitMiddleware
from clearstone_api.security.transport import TransportGuardMiddleware
from clearstone_api.services.idempotency import IdempotentReplay
from clearstone_api.settings import Settings
from clearstone_api.web import evidence_page
from clearstone_api.web import routes as web

__all__ = ["create_app"]

API_VERSION = "0.1.0"

TAGS = [
    {"name": "certificates", "description": "The public consumer lookup."},
    {"name": "checkout", "description": "Retailer cart screening."},
    {"name": "events", "description": "The change feed: what changed that you are entitled to."},
    {"name": "watches", "description": "Retailer: the stones whose events reach you."},
    {"name": "webhooks", "description": "Signed webhook endpoints: your events, pushed."},
    {"name": "assessments", "description": "Assess a record inline."},
    {"name": "stones", "description": "Supplier: stones and their custody verification."},
    {"name": "lots", "description": "Supplier: rough lots."},
    {"name": "custody", "description": "Supplier: the append-only custody log."},
    {"name": "reference", "description": "Reference data and analyst changes."},
    {
        "name": "attestations",
        "description": "The lifecycle of signed attestations: current, superseded, revoked.",
    },
    {
        "name": "certificate-numbers",
        "description": "Who owns a grading-report number: labs confirm, operators see disputes.",
    },
    {
        "name": "transparency",
        "description": "The custody transparency log: signed tree heads, inclusion and "
        "consistency proofs.",
    },
    {"name": "auth", "description": "OAuth2 access tokens, and the keys that verify signatures."},
    {"name": "health", "description": "Liveness and readiness."},
]


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the service for ``settings`` (read from the environment when omitted)."""
    settings = settings or Settings()
    held = AppContainer.from_settings(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if held.jobs.in_process:
            held.jobs.start()  # the embedded worker: periodic jobs run without a first write
        yield
        await held.aclose()

    app = FastAPI(
        title="Clearstone",
        version=API_VERSION,
        summary="Diamond assurance: a stone's custody chain scored against the Kimberley Process "
        "definition and the KP Civil Society Coalition's broader criteria, side by side.",
        openapi_tags=TAGS,
        lifespan=lifespan,
        docs_url="/docs" if settings.serves_api_docs else None,
        redoc_url="/redoc" if settings.serves_api_docs else None,
        # A trailing-slash redirect builds its Location from the request's Host header: an
        # attacker-chosen host in our redirect. No route has a slash-twin, so none is offered.
        redirect_slashes=False,
        # FastAPI's native OpenTelemetry looks its providers up on every request, even with
        # none configured; the service reports through its own metrics and logs.
        telemetry=(
            None
            if settings.opentelemetry
            else {"tracing": False, "metrics": False, "logs": False, "operation_spans": False}
        ),
    )
    install_container(app, held)
    install_error_handlers(app)
    app.add_exception_handler(IdempotentReplay, replay_response)
    api_routers = [
        module.router
        for module in (
            certificates,
            checkout,
            assessments,
            stones,
            lots,
            custody,
            reference,
            reference_changes,
            reassessment_runs,
            transparency,
            attestations,
            number_claims,
            events,
            watches,
            webhook_endpoints,
            oauth,
            jwks,
            health,
        )
    ]
    for router in api_routers:
        app.include_router(router)
    app.include_router(web.router)
    app.include_router(evidence_page.router)
    app.mount("/static", StaticFiles(directory=web.STATIC_DIR), name="static")
    # Outermost last: request id, then rate limits, then the body-size limit, then the app.
    app.add_middleware(
        BodySizeLimitMiddleware,
        max_bytes=settings.max_request_body_bytes,
        read_timeout=settings.body_read_timeout_seconds,
    )
    app.add_middleware(ConditionalGetMiddleware)
    app.add_middleware(RateLimitMiddleware, limiter=held.rate_limiter, tokens=held.tokens)
    app.add_middleware(HeadAndMediaTypeMiddleware)
    app.add_middleware(RequestIdMiddleware, access_log=settings.access_log)
    app.add_middleware(
        CorsMiddleware,
        allow_origins=settings.cors_allow_origins,
        public=public_reads(r for router in api_routers for r in router.routes),
    )
    app.add_middleware(TransportGuardMiddleware, max_header_bytes=settings.max_header_bytes)
    install_openapi(app)
    # Outermost: counts what every other layer answers.
    install_observability(app, settings, held.database, held.jobs.depth)
    return app
