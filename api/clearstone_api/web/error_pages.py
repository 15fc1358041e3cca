"""Error pages for people: the same problem a JSON client gets, as an HTML page for a browser.

:func:`prefers_html` reads the request's ``Accept`` header (RFC 9110 §12.5.1): a browser asks for
``text/html`` before anything else, a JSON client for ``application/json``,
``application/problem+json`` or ``*/*``. Only when ``text/html`` is preferred to every JSON type
does :func:`html_problem` answer, with the status, the title, what to do next (for a 429: when to
try again, from ``Retry-After``), the request id for support, and the form to check a number.
Responses that could be either carry ``Vary: Accept`` so a shared cache keeps them apart.
"""

from __future__ import annotations

from fastapi import Request
from starlette.responses import Response

from clearstone_api.web.rendering import render

__all__ = ["html_problem", "prefers_html"]

_JSON_TYPES = ("application/json", "application/problem+json")


def _weights(accept: str) -> dict[str, float]:
    weights: dict[str, float] = {}
    for item in accept.split(","):
        media, *params = (part.strip() for part in item.split(";"))
        if not media:
            continue
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        weights[media.lower()] = max(quality, weights.get(media.lower(), 0.0))
    return weights


def _quality(weights: dict[str, float], media: str) -> float:
    if media in weights:
        return weights[media]
    kind = media.split("/")[0] + "/*"
    return weights.get(kind, weights.get("*/*", 0.0))


def prefers_html(request: Request) -> bool:
    """True when the client asked for ``text/html`` above every JSON media type."""
    weights = _weights(request.headers.get("accept", ""))
    html = weights.get("text/html", 0.0)
    return html > 0 and html > max(_quality(weights, media) for media in _JSON_TYPES)


def html_problem(
    request: Request,
    *,
    status: int,
    title: str,
    detail: str,
    request_id: str,
    headers: dict[str, str],
) -> Response:
    """The problem as a page, with the response headers the problem would have had."""
    return render(
        request,
        "error.html",
        status,
        headers={**headers, "Vary": "Accept, Accept-Language"},
        status=status,
        title=title,
        detail=detail,
        request_id=request_id,
        retry_after=headers.get("Retry-After"),
    )
