"""The consumer's pages: ``/`` (the form), ``/check?number=`` (redirects) and ``/check/{number}``.

The form is a plain GET form, so the page works without JavaScript and every result has a URL
to bookmark or share. The result reads the same stored public view as
``GET /v1/certificates/{number}`` through :func:`lookup_certificate` (its cache included): there
is no second data path, and nothing the API does not show can reach the page.

Every page is HTML, also when something is wrong: an unknown number is a helpful 404 page, a
malformed one a 400 page that says what a number looks like; neither is a 500. The routes stay
out of the OpenAPI document (the API contract stays the API) and send a strict
Content-Security-Policy: every asset is served from ``/static``, and there is no script at all.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import NamedTuple
from urllib.parse import quote

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from clearstone_api.certificate_numbers import NUMBER_MAX_LENGTH, NUMBER_PATTERN
from clearstone_api.errors import NotFound, NumberAmbiguous, NumberDisputed
from clearstone_api.routes.certificates import ATTESTATION_PATH
from clearstone_api.routes.dependencies import container, reference_store
from clearstone_api.routes.jwks import JWKS_PATH
from clearstone_api.services.certificates import (
    CertificatePublic,
    lookup_attestation,
    lookup_certificate,
)
from clearstone_api.services.number_suggestions import suggest_numbers
from clearstone_api.web.i18n import Reader
from clearstone_api.web.presentation import certificate_page, shown_sources
from clearstone_api.web.qr import CertificateQr, certificate_qr
from clearstone_api.web.rendering import (
    EXAMPLE_NUMBER,
    SECURITY_HEADERS,
    base_path,
    reader_of,
    render,
)

__all__ = ["EXAMPLE_NUMBER", "SECURITY_HEADERS", "STATIC_DIR", "router"]

STATIC_DIR = Path(__file__).parent / "static"
"""Mounted by ``create_app`` at ``/static`` under the name ``static``."""

# Rate limits: ``RateLimitMiddleware`` (security/rate_limit_middleware.py) wraps the whole app,
# so these pages and their assets spend the same per-address ``public`` budget as the public API,
# through the same limiter. Nothing to add here; tests/web/test_pages.py checks that it holds.
router = APIRouter(include_in_schema=False)

_NUMBER = re.compile(NUMBER_PATTERN)


class AttestationLink(NamedTuple):
    href: str
    jwks_href: str


def number_problem(number: str, reader: Reader) -> str | None:
    """Why ``number`` cannot be a certificate number, in words for the form; None when it can."""
    _ = reader.gettext
    if not number:
        return _("Enter the certificate number from the stone's grading report.")
    if len(number) > NUMBER_MAX_LENGTH:
        return _("That is longer than a certificate number can be (%(max)s characters).") % {
            "max": NUMBER_MAX_LENGTH
        }
    if not _NUMBER.match(number):
        return _(
            "A certificate number has only letters, digits, spaces, dots, dashes and "
            "underscores, for example %(example)s."
        ) % {"example": EXAMPLE_NUMBER}
    return None


async def _attestation(request: Request, number: str) -> AttestationLink | None:
    """Where to download the stone's signed attestation; None while it is not signed (rows
    stored before attestations existed). The same lookup as the API's attestation endpoint."""
    try:
        await lookup_attestation(container(request).database, number)
    except NotFound:
        return None
    base = base_path(request)
    return AttestationLink(
        href=base + ATTESTATION_PATH.format(number=quote(number, safe="")),
        jwks_href=base + JWKS_PATH,
    )


def _qr(request: Request, stone_id: str, reader: Reader) -> CertificateQr:
    """The QR code of the stone's own page, by its Clearstone id (never ambiguous)."""
    url = str(request.base_url).rstrip("/") + f"/check/{quote(stone_id, safe='')}"
    label = reader.gettext("QR code that opens this page: %(url)s") % {"url": url}
    return certificate_qr(url, label)


def _suggestions(request: Request, number: str) -> list[str]:
    with container(request).database.session() as session:
        return suggest_numbers(session, number)


def _country_names(request: Request) -> dict[str, str]:
    """ISO code → name, from the shipped KP participants (the producing countries)."""
    participants = reference_store(request).base.participants
    return {code: participant.name for code, participant in participants.items()}


@router.get("/")
async def home(request: Request) -> Response:
    """The form."""
    return render(request, "home.html")


@router.get("/check")
async def check(request: Request, number: str = "") -> Response:
    """The form's target: a redirect to the number's own page, or the form again with an error."""
    typed = number.strip()
    problem = number_problem(typed, reader_of(request))
    if problem is not None:
        return render(request, "home.html", 400, number=typed, error=problem)
    location = f"{base_path(request)}/check/{quote(typed, safe='')}"
    lang = request.query_params.get("lang")
    if lang:
        location += "?lang=" + quote(reader_of(request).language.code)
    return RedirectResponse(location, status_code=303, headers=SECURITY_HEADERS)


@router.get("/check/{number:path}")
async def certificate(request: Request, number: str) -> Response:
    """The stone, its origin and both verdicts; a helpful 404 page for an unknown number."""
    reader = reader_of(request)
    problem = number_problem(number, reader)
    if problem is not None:
        return render(request, "not_found.html", 400, number=number, error=problem)
    try:
        app = container(request)
        found = await lookup_certificate(app.database, app.certificate_cache, number)
    except NotFound:
        suggestions = await asyncio.to_thread(_suggestions, request, number)
        return render(request, "not_found.html", 404, number=number, suggestions=suggestions)
    except NumberDisputed:
        return render(request, "not_found.html", 409, number=number, disputed=True)
    except NumberAmbiguous as ambiguous:
        choices = ambiguous.extensions.get("choices")
        return render(request, "not_found.html", 409, number=number, choices=choices)
    view = CertificatePublic.model_validate_json(found.body)
    return render(
        request,
        "result.html",
        page=certificate_page(number, view, _country_names(request), reader, found.number_status),
        number_status=found.number_status,
        attestation=await _attestation(request, number),
        shown_sources=shown_sources,
        qr=_qr(request, view.stone.id, reader),
    )
