"""A GET route whose valid requests skip FastAPI's per-request machinery.

FastAPI's handler reads the body, builds an exit stack, extracts the endpoint's context for error
messages and solves the dependency graph on every request: about a fifth of a certificate
lookup's server time, for an endpoint that takes the request and one path parameter. A
:class:`LeanRoute` keeps everything FastAPI declares (the OpenAPI operation, the parameter's
constraints, the error answers) and on each request validates the path parameters with the same
pydantic fields FastAPI would; when they are valid it calls the endpoint with them directly,
otherwise it hands the request to FastAPI's own handler, which answers exactly as before (422
problem naming the parameter).

Only for endpoints that are coroutines taking ``request`` and path parameters, and returning a
``Response``; the route refuses anything else when it is built::

    router = APIRouter(tags=["certificates"], route_class=LeanRoute)
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, cast

from fastapi import Request
from fastapi.routing import APIRoute
from starlette.responses import Response

__all__ = ["LeanRoute", "is_coroutine"]


class LeanRoute(APIRoute):
    """An :class:`APIRoute` whose valid requests go straight to the endpoint."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        full = super().get_route_handler()
        dependant = self.dependant
        if (
            dependant.dependencies
            or dependant.query_params
            or dependant.header_params
            or dependant.cookie_params
            or dependant.body_params
            or dependant.request_param_name != "request"
            or not is_coroutine(dependant.call)
        ):
            raise TypeError(
                f"{self.path}: a LeanRoute endpoint is a coroutine taking `request` and path "
                "parameters only"
            )
        fields = [(field.name, field) for field in dependant.path_params]
        endpoint = cast(Callable[..., Awaitable[Response]], dependant.call)

        async def lean(request: Request) -> Response:
            raw = request.path_params
            values: dict[str, Any] = {}
            for name, field in fields:
                value, errors = field.validate(raw.get(name), values, loc=("path", name))
                if errors:
                    return await full(request)  # FastAPI's own 422, as always
                values[name] = value
            return await endpoint(request=request, **values)

        return lean


def is_coroutine(call: object) -> bool:
    """Whether ``call`` is an ``async def`` (FastAPI would run anything else in a thread)."""
    return inspect.iscoroutinefunction(call)
