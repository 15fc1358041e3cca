"""What a shared cache may do with a public lookup: ``Cache-Control`` for the certificate and its
attestation.

Both answers are public and the same for every caller, so the deploy's nginx (or any CDN) may keep
them for ``public_cache_max_age_seconds`` and serve them ``public_cache_stale_seconds`` longer
while it revalidates with the strong ``ETag`` (a 304 costs the API one indexed read and no body).
Neither depends on a request header, so they carry no ``Vary``: the CORS headers of the public
reads are the same for every origin (``http_semantics.py``), and the consumer's HTML page, which
negotiates nothing with the API, is a route of its own.

A changed verdict (a re-assessment, a supersession) is therefore served everywhere within
``max-age + stale-while-revalidate`` of the API serving it, plus ``lookup_cache_ttl_seconds``
for the API's own per-process cache: 60 + 30 + 2 s by default.
"""

from __future__ import annotations

import functools

from clearstone_api.settings import Settings

__all__ = ["public_cache_control", "staleness_bound_seconds"]


@functools.cache
def _header(max_age: int, stale: int) -> str:
    if max_age == 0 and stale == 0:
        return "no-cache"
    return f"public, max-age={max_age}, stale-while-revalidate={stale}"


def public_cache_control(settings: Settings) -> str:
    """The ``Cache-Control`` of a public lookup under ``settings``."""
    return _header(settings.public_cache_max_age_seconds, settings.public_cache_stale_seconds)


def staleness_bound_seconds(settings: Settings) -> float:
    """The longest a reader may be served a verdict after the API stopped serving it."""
    return (
        settings.public_cache_max_age_seconds
        + settings.public_cache_stale_seconds
        + settings.lookup_cache_ttl_seconds
    )
