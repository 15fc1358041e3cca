"""``GET /.well-known/jwks.json``: the public keys that verify tokens and attestations."""

from __future__ import annotations

import hashlib
import json
from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel
from starlette.responses import Response

from clearstone_api.routes.dependencies import container
from clearstone_api.routes.etags import if_none_match

router = APIRouter(tags=["auth"])

JWKS_PATH = "/.well-known/jwks.json"


class PublicJWK(BaseModel):
    """One public EC P-256 key (RFC 7517, RFC 7518 §6.2.1). Never a private member."""

    kty: Literal["EC"]
    crv: Literal["P-256"]
    x: str
    y: str
    kid: str
    """Matches the ``kid`` header of the tokens and attestations it verifies."""
    use: Literal["sig"]
    alg: Literal["ES256"]


class JWKSet(BaseModel):
    """Every key in service: the one signing now, and those kept to verify older signatures."""

    keys: list[PublicJWK]


@router.get(
    JWKS_PATH,
    operation_id="jwks-get",
    summary="The public signing keys (JWK Set)",
    response_model=JWKSet,
    responses={
        200: {
            "headers": {
                "ETag": {"schema": {"type": "string"}, "description": "Strong validator."},
                "Cache-Control": {"schema": {"type": "string"}},
            }
        },
        304: {"description": "Not modified (If-None-Match matched the ETag)."},
    },
)
async def get_jwks(request: Request) -> Response:
    """Verify access tokens and attestations offline with these keys, choosing by ``kid``.
    Cacheable for ``max-age`` seconds: a new key is published at least that long before it
    signs anything."""
    app = container(request)
    body = json.dumps(app.tokens.jwks(), separators=(",", ":"), sort_keys=True).encode()
    etag = '"' + hashlib.sha256(body).hexdigest()[:40] + '"'
    max_age = app.settings.jwks_max_age_seconds
    headers = {"ETag": etag, "Cache-Control": f"public, max-age={max_age}"}
    if if_none_match(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)
