"""The benchmark's ASGI app: the REAL app for the benchmark database, plus a bare endpoint.

``GET /v1/bench/bare`` returns a fixed ~1 KB JSON body through a pydantic ``response_model``
(the reference of ``performance-notes.md``). It is inserted into the route table right after
the certificate lookup, so that route matching costs both the same, and the bare endpoint runs
behind the same middleware. Nothing here is part of the product; serve it with

    CLEARSTONE_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/clearstone_bench \
    uvicorn --factory bench.api.app:create_bench_app --loop uvloop --http httptools --no-access-log
"""

from __future__ import annotations

import os

from fastapi import APIRouter, FastAPI
from pydantic import BaseModel

from bench.api.config import SERVER_URL_ENV, server_settings
from clearstone_api.app import create_app

__all__ = ["BARE_BODY", "BarePublic", "create_bench_app"]


class BareItem(BaseModel):
    code: str
    label: str
    score: int
    passed: bool


class BarePublic(BaseModel):
    id: str
    kind: str
    summary: str
    version: str
    items: list[BareItem]


BARE_BODY: dict[str, object] = {
    "id": "CS-BENCH00000001",
    "kind": "bare",
    "summary": "A fixed body of about one kilobyte, validated and serialized through a "
    "pydantic response model, so that the benchmark compares the hot paths with what FastAPI "
    "costs by itself.",
    "version": "2026-11-01",
    "items": [
        {"code": f"CHECK-{i:02d}", "label": f"Fixed check number {i} of the bare body", "score": i}
        | {"passed": i % 3 != 0}
        for i in range(8)
    ],
}

router = APIRouter(tags=["bench"])


@router.get("/v1/bench/bare", response_model=BarePublic, include_in_schema=False)
async def bare() -> dict[str, object]:
    return BARE_BODY


CERTIFICATE_PATH = "/v1/certificates/{number}"


def _serves(route: object, path: str) -> bool:
    """Whether ``route`` is ``path``, or an included router holding it (FastAPI keeps included
    routers as nested entries of the route table and matches them in order)."""
    if getattr(route, "path", None) == path:
        return True
    inner = getattr(route, "original_router", None)
    return inner is not None and any(_serves(r, path) for r in inner.routes)


def create_bench_app(url: str | None = None) -> FastAPI:
    """The product app for ``url`` (default: ``$CLEARSTONE_BENCH_DATABASE_URL``) + the bare
    endpoint, placed next to the certificate lookup in the route table."""
    app = create_app(server_settings(url or os.environ[SERVER_URL_ENV]))
    routes = app.router.routes
    before = len(routes)
    app.include_router(router)
    added = routes[before:]
    del routes[before:]
    position = next(i for i, r in enumerate(routes) if _serves(r, CERTIFICATE_PATH))
    routes[position + 1 : position + 1] = added
    try:  # as `clearstone-api serve` does once the app is built (absent from older checkouts)
        from clearstone_api.serving import freeze_long_lived
    except ImportError:
        pass
    else:
        freeze_long_lived()
    return app
