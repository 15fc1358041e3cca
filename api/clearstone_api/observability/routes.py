"""The route template a request matched: what metrics and the access log name a request by.

Labels and log fields use ``/v1/certificates/{number}``, never the raw path, so that a million
certificate numbers make one time series, not a million.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["UNMATCHED", "route_template"]

UNMATCHED = "unmatched"
"""The route of a request no route matched (404s for unknown paths, redirects)."""


def route_template(scope: Mapping[str, Any]) -> str:
    """The path template of the route that handled ``scope``, once the router has run.

    The router records the route it picked in ``scope["route"]``; a mount (static files) gives
    its own template (``/static/{path}``).
    """
    route = scope.get("route")
    template = getattr(route, "path_format", None) or getattr(route, "path", None)
    return template if isinstance(template, str) and template else UNMATCHED
