"""The application factory. Nothing happens at import time.

Example::

    app = create_app(Settings(database_url="sqlite:///data/clearstone.db"))
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from clearstone_api.db import Database
from clearstone_api.errors import install_error_handlers
from clearstone_api.observability import install_observability
from clearstone_api.openapi import install_openapi
from clearstone_api.request_ids import RequestIdMiddleware
from clearstone_api.routes import (
    assessments,
    certificates,
    checkout,
    custody,
    health,
    jwks,
    lots,
    oauth,
    reference,
    reference_changes,
    stones,
    transparency,
)
from clearstone_api.security.body_limits import BodySizeLimitMiddleware
from clearstone_api.security.client_secrets import SecretHasher, load_pepper
from clearstone_api.security.keys import load_key_set
from clearstone_api.security.rate_limits import RateLimiter, RateLimitMiddleware
from clearstone_api.security.token_grants import GrantGuard
from clearstone_api.security.tokens import Tokens
from clearstone_api.services.attestations import Attester
from clearstone_api.services.certificates import CertificateCache
from clearstone_api.services.idempotency import IdempotentReplay, replay_response
from clearstone_api.services.reference_store import ReferenceStore
from clearstone_api.settings import Settings
from clearstone_api.web import routes as web

__all__ = ["create_app"]

API_VERSION = "0.1.0"

TAGS = [
    {"name": "certificates", "description": "The public consumer lookup."},
    {"name": "checkout", "description": "Retailer cart screening."},
    {"name": "assessments", "description": "Assess a record inline."},
    {"name": "stones", "description": "Supplier: stones and their custody verification."},
    {"name": "lots", "description": "Supplier: rough lots."},
    {"name": "custody", "description": "Supplier: the append-only custody log."},
    {"name": "reference", "description": "Reference data and analyst changes."},
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
    database = Database.from_settings(settings)
    tokens = Tokens(
        load_key_set(settings),
        issuer=settings.token_issuer,
        audience=settings.token_audience,
        ttl_seconds=settings.access_token_ttl_seconds,
    )
    limiter = RateLimiter(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        await limiter.aclose()
        await database.dispose()

    app = FastAPI(
        title="Clearstone",
        version=API_VERSION,
        summary="Diamond assurance: a stone's custody chain scored against the Kimberley Process "
        "definition and the KP Civil Society Coalition's broader criteria, side by side.",
        openapi_tags=TAGS,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.database = database
    app.state.references = ReferenceStore(settings.reference_dir)
    app.state.certificate_cache = CertificateCache(
        settings.lookup_cache_ttl_seconds, settings.lookup_cache_size
    )
    app.state.tokens = tokens
    app.state.attester = Attester(tokens, settings.token_issuer)
    app.state.rate_limiter = limiter
    app.state.secret_hasher = SecretHasher(load_pepper(settings))
    app.state.grant_guard = GrantGuard(settings, limiter)
    install_error_handlers(app)
    app.add_exception_handler(IdempotentReplay, replay_response)
    for module in (
        certificates,
        checkout,
        assessments,
        stones,
        lots,
        custody,
        reference,
        reference_changes,
        transparency,
        oauth,
        jwks,
        health,
    ):
        app.include_router(module.router)
    app.include_router(web.router)
    app.mount("/static", StaticFiles(directory=web.STATIC_DIR), name="static")
    # Outermost last: request id, then rate limits, then the body-size limit, then the app.
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_request_body_bytes)
    app.add_middleware(RateLimitMiddleware, limiter=limiter, tokens=tokens)
    app.add_middleware(RequestIdMiddleware, access_log=settings.access_log)
    install_openapi(app)
    install_observability(app)  # outermost: counts what every other layer answers
    return app
