"""``GET /v1/certificates/{number}``: the public consumer view, served as stored bytes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from starlette.responses import Response

from clearstone_api.certificate_numbers import NUMBER_MAX_LENGTH, NUMBER_PATTERN
from clearstone_api.db import database_of
from clearstone_api.routes.dependencies import certificate_cache
from clearstone_api.routes.responses import problems
from clearstone_api.services.certificates import CertificatePublic, lookup_certificate

router = APIRouter(tags=["certificates"])


def _matches(if_none_match: str | None, etag: str) -> bool:
    """Weak comparison, as RFC 9110 prescribes for If-None-Match."""
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    return any(tag.strip().removeprefix("W/") == etag for tag in if_none_match.split(","))


@router.get(
    "/v1/certificates/{number}",
    operation_id="certificates-get",
    summary="Look up a stone by its certificate number",
    response_model=CertificatePublic,
    responses={
        200: {
            "headers": {"ETag": {"schema": {"type": "string"}, "description": "Strong validator."}}
        },
        304: {"description": "Not modified (If-None-Match matched the ETag)."},
        **problems(404, 422),
    },
)
async def get_certificate(
    request: Request,
    number: Annotated[
        str,
        Path(
            max_length=NUMBER_MAX_LENGTH,
            pattern=NUMBER_PATTERN,
            description="A grading-report number (`2141438167`), lab-qualified (`GIA-2141438167`), "
            "Clearstone's id (`CS-...`) or a registered alias.",
        ),
    ],
) -> Response:
    """The stone, its origin with its evidence level, and both stored verdicts with reasons and
    sources. No prices, no counterparties. Public; no authentication.

    Returns pre-serialized bytes (the stored public view) rather than a model: this is the hot
    path, and the bytes were validated against ``CertificatePublic`` when stored.
    """
    found = await lookup_certificate(database_of(request), certificate_cache(request), number)
    headers = {"ETag": found.etag, "Cache-Control": "no-cache"}
    if _matches(request.headers.get("if-none-match"), found.etag):
        return Response(status_code=304, headers=headers)
    return Response(found.body, media_type="application/json", headers=headers)
