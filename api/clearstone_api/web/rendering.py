"""How the consumer's pages are rendered: one Jinja2 environment, the security headers, and the
context every page gets (the base path, the example number, the demo numbers).

Shared by the page routes (``web/routes.py``) and the HTML error pages (``web/error_pages.py``),
so an error page looks like every other page and sends the same headers.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any, NamedTuple

import jinja2
from fastapi import Request
from starlette.responses import HTMLResponse, Response

from clearstone_api.certificate_numbers import NUMBER_MAX_LENGTH
from clearstone_api.routes.dependencies import container
from clearstone_api.services.demo import vectors_path

__all__ = ["EXAMPLE_NUMBER", "SECURITY_HEADERS", "TEMPLATES_DIR", "base_path", "render"]

TEMPLATES_DIR = Path(__file__).parent / "templates"

EXAMPLE_NUMBER = "GIA-1234567890"
"""The number the form and the help show as an example: a made-up one, no stone's."""

SECURITY_HEADERS = {
    # Everything from this origin, nothing inline, no frames, forms only back to us.
    "Content-Security-Policy": "default-src 'self'; base-uri 'none'; object-src 'none'; "
    "form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    # The certificate number is in the URL; a click on a source must not carry it off-site.
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    # A reassessment changes the page; let the browser revalidate instead of guessing.
    "Cache-Control": "no-cache",
}


class DemoNumber(NamedTuple):
    certificate: str
    description: str


@functools.cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


@functools.cache
def _demo_numbers() -> tuple[DemoNumber, ...]:
    """The demo certificates ``clearstone-api load-demo`` loads, offered on the form outside
    production."""
    vectors: list[dict[str, Any]] = json.loads(vectors_path().read_text(encoding="utf-8"))
    return tuple(DemoNumber(v["certificate"], v["description"]) for v in vectors if v.get("demo"))


def base_path(request: Request) -> str:
    root: str = request.scope.get("root_path", "")
    return root.rstrip("/")


def render(
    request: Request,
    template: str,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> Response:
    """``template`` rendered with the common context, as an HTML response with the security
    headers (and ``headers``)."""
    settings = container(request).settings
    html = (
        _environment()
        .get_template(template)
        .render(
            base=base_path(request),
            example=EXAMPLE_NUMBER,
            max_length=NUMBER_MAX_LENGTH,
            demos=_demo_numbers() if settings.environment != "production" else (),
            **{
                "number": "",
                "error": None,
                "disputed": False,
                "choices": None,
                "suggestions": (),
                **context,
            },
        )
    )
    return HTMLResponse(
        html, status_code=status_code, headers={**SECURITY_HEADERS, **(headers or {})}
    )
