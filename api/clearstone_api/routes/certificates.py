"""``GET /v1/certificates/{number}``: the public consumer view, served as stored bytes."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Path, Request
from starlette.responses import Response

from clearstone_api.certificate_numbers import NUMBER_MAX_LENGTH, NUMBER_PATTERN
from clearstone_api.routes.cache_headers import public_cache_control
from clearstone_api.routes.dependencies import container
from clearstone_api.routes.etags import if_none_match
from clearstone_api.routes.lean import LeanRoute
from clearstone_api.routes.responses import problems
from clearstone_api.services.certificates import (
    CertificateLookup,
    lookup_attestation,
    lookup_certificate,
)

router = APIRouter(tags=["certificates"], route_class=LeanRoute)

JOSE_MEDIA_TYPE = "application/jose"
"""RFC 7515 §9.2.1: a JWS in compact serialization."""
ATTESTATION_PATH = "/v1/certificates/{number}/attestation"
CACHE_CONTROL_HEADER = {
    "schema": {"type": "string"},
    "description": "`public, max-age=60, stale-while-revalidate=30` by default: shared caches "
    "may keep the answer, and revalidate it with the ETag. A changed verdict is served "
    "everywhere within max-age + stale-while-revalidate (docs/operations.md).",
}

CertificateNumber = Annotated[
    str,
    Path(
        max_length=NUMBER_MAX_LENGTH,
        pattern=NUMBER_PATTERN,
        description="A grading-report number (`2141438167`), lab-qualified (`GIA-2141438167`), "
        "Clearstone's id (`CS-...`) or a registered alias.",
    ),
]


@router.get(
    "/v1/certificates/{number}",
    operation_id="certificates-get",
    summary="Look up a stone by its certificate number",
    response_model=CertificateLookup,
    responses={
        200: {
            "headers": {
                "ETag": {"schema": {"type": "string"}, "description": "Strong validator."},
                "Cache-Control": CACHE_CONTROL_HEADER,
            }
        },
        304: {"description": "Not modified (If-None-Match matched the ETag)."},
        **problems(404, 409, 422),
    },
)
async def get_certificate(request: Request, number: CertificateNumber) -> Response:
    """The stone, its origin with its evidence level, and both stored verdicts with reasons and
    sources. No prices, no counterparties. Public; no authentication.

    Returns pre-serialized bytes (the stored public view) rather than a model: this is the hot
    path, and the bytes were validated against ``CertificatePublic`` when stored.
    """
    app = container(request)
    found = await lookup_certificate(app.database, app.certificate_cache, number)
    headers = {
        "ETag": found.etag,
        "Cache-Control": public_cache_control(app.settings),
        "Link": f'<{ATTESTATION_PATH.format(number=quote(number, safe=""))}>; rel="alternate"; '
        f'type="{JOSE_MEDIA_TYPE}"',
    }
    if if_none_match(request.headers.get("if-none-match"), found.etag):
        return Response(status_code=304, headers=headers)
    return Response(found.body, media_type="application/json", headers=headers)


@router.get(
    ATTESTATION_PATH,
    operation_id="certificate-attestations-get",
    summary="Download the stone's signed attestation (compact JWS)",
    response_class=Response,
    responses={
        200: {
            "content": {
                JOSE_MEDIA_TYPE: {
                    "schema": {
                        "type": "string",
                        "pattern": r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$",
                    }
                }
            },
            "description": "The attestation: ES256 over the assessment's canonical JSON.",
            "headers": {
                "ETag": {"schema": {"type": "string"}, "description": "Strong validator."},
                "Cache-Control": CACHE_CONTROL_HEADER,
                "Content-Disposition": {"schema": {"type": "string"}},
            },
        },
        304: {"description": "Not modified (If-None-Match matched the ETag)."},
        **problems(404, 409, 422),
    },
)
async def get_certificate_attestation(request: Request, number: CertificateNumber) -> Response:
    """The stored assessment of the stone, signed by Clearstone as a compact JWS (RFC 7515,
    ES256, ``typ: clearstone-attestation+jws``). Keep it: with the key set from
    ``/.well-known/jwks.json`` it verifies offline, without Clearstone (docs/attestations.md).
    Public; no authentication."""
    app = container(request)
    found = await lookup_attestation(app.database, number)
    headers = {
        "ETag": found.etag,
        "Cache-Control": public_cache_control(app.settings),
        "Content-Disposition": f'attachment; filename="{found.stone_id}.jws"',
    }
    if if_none_match(request.headers.get("if-none-match"), found.etag):
        return Response(status_code=304, headers=headers)
    return Response(found.body, media_type=JOSE_MEDIA_TYPE, headers=headers)
