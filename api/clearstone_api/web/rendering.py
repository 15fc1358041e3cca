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
from urllib.parse import quote

import jinja2
from fastapi import Request
from starlette.responses import HTMLResponse, Response

from clearstone_api.certificate_numbers import NUMBER_MAX_LENGTH
from clearstone_api.routes.dependencies import container
from clearstone_api.services.demo import vectors_path
from clearstone_api.web.i18n import LANGUAGES, Reader, negotiate, reader_for

__all__ = [
    "EXAMPLE_NUMBER",
    "SECURITY_HEADERS",
    "TEMPLATES_DIR",
    "base_path",
    "reader_of",
    "render",
]

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
def _environment(code: str) -> jinja2.Environment:
    """One environment per language, its gettext installed (``{{ _("...") }}`` in templates,
    autoescaped, with ``%(name)s`` parameters)."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    environment.install_gettext_translations(  # type: ignore[attr-defined]
        reader_for(code).translations, newstyle=True
    )
    return environment


def reader_of(request: Request) -> Reader:
    """The reader's language: ``?lang=``, then ``Accept-Language``, then English."""
    return negotiate(request.query_params.get("lang"), request.headers.get("accept-language"))


def _chosen_lang(request: Request, reader: Reader) -> str | None:
    """The ``lang`` to carry in links: only when the reader chose it with the switcher."""
    return reader.language.code if request.query_params.get("lang") else None


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
    reader = reader_of(request)
    lang = _chosen_lang(request, reader)
    html = (
        _environment(reader.language.code)
        .get_template(template)
        .render(
            base=base_path(request),
            reader=reader,
            languages=LANGUAGES,
            here=quote(request.url.path, safe="/"),
            lang=lang,
            lang_query=f"?lang={quote(lang)}" if lang else "",
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
        html,
        status_code=status_code,
        headers={
            **SECURITY_HEADERS,
            "Content-Language": reader.language.code,
            "Vary": "Accept-Language",
            **(headers or {}),
        },
    )
