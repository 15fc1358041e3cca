"""A JSON-body route whose valid requests are authorized, parsed and validated once.

A FastAPI route with a strict body (:func:`~clearstone_api.routes.strict_bodies.strict_body`)
and scoped principals parses its JSON body twice (FastAPI's lax validation, then the strict
check) and solves a dependency graph of a dozen nodes on every request: a quarter of a checkout
screen's server time. A :class:`LeanBodyRoute` keeps everything FastAPI declares (the operation,
its security, its body schema, its errors) and, on each request, after the scope check of
:class:`~clearstone_api.routes.auth.AuthorizedRoute`:

1. takes a JSON body and validates it ONCE, strictly (what ``strict_body`` accepts, FastAPI's
   lax validation accepts too, with the same values);
2. resolves the principal parameters with the same check as ``Security(authorize, ...)``;
3. calls the endpoint and serializes its answer with FastAPI's own ``serialize_response``,
   against the route's response model, exactly as FastAPI would.

Any request it cannot take that way (another media type, an empty or invalid body) goes to
FastAPI's own handler, which answers exactly as before (415, 400 or the 422 problem naming every
field). The route refuses, when it is built, an endpoint that needs anything else.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, cast

from fastapi import Request
from fastapi.routing import serialize_response
from pydantic import BaseModel, ValidationError
from starlette.responses import Response

from clearstone_api.container import container_of
from clearstone_api.routes.auth import AuthorizedRoute, authorize
from clearstone_api.routes.lean import is_coroutine
from clearstone_api.routes.strict_bodies import strict_model_of
from clearstone_api.security.principals import authorize_scopes

__all__ = ["LeanBodyRoute"]


class LeanBodyRoute(AuthorizedRoute):
    """An :class:`AuthorizedRoute` whose valid JSON requests skip FastAPI's dependency solving."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        full = super().get_route_handler()
        dependant = self.dependant
        [body_field] = dependant.body_params or [None]  # type: ignore[list-item]
        model = body_field.field_info.annotation if body_field is not None else None
        principals: dict[str, list[str]] = {}
        required: set[str] = set()
        checked: type[BaseModel] | None = None
        for sub in dependant.dependencies:
            if sub.call is authorize:
                scopes = [*(sub.own_oauth_scopes or ()), *(sub.parent_oauth_scopes or ())]
                if sub.name:
                    principals[sub.name] = scopes
                else:
                    required.update(scopes)
            elif strict_model_of(sub.call) is not None:
                checked = strict_model_of(sub.call)
            else:
                checked = None
                break
        if (
            body_field is None
            or checked is None
            or checked is not model
            or dependant.path_params
            or dependant.query_params
            or dependant.header_params
            or dependant.cookie_params
            or dependant.request_param_name != "request"
            or not is_coroutine(dependant.call)
            or self.response_field is None
        ):
            raise TypeError(
                f"{self.path}: a LeanBodyRoute endpoint is a coroutine taking `request`, one "
                "strict_body model and principals only, with a response model"
            )
        assert model is not None and self.response_field is not None
        body_name = body_field.name
        endpoint = cast(Callable[..., Awaitable[Any]], dependant.call)
        response_field = self.response_field
        status_code = self.status_code

        every_scope = sorted(required.union(*principals.values()))

        async def lean(request: Request) -> Response:
            tokens = container_of(request.app).tokens
            authorize_scopes(request.scope, tokens, every_scope)  # 401/403 before the body
            if not _is_json(request):
                return await full(request)
            try:
                body = model.model_validate_json(await request.body(), strict=True)
            except ValidationError:
                return await full(request)  # FastAPI's own 400 or 422, as always
            values: dict[str, Any] = {body_name: body, "request": request}
            for name, scopes in principals.items():
                values[name] = authorize_scopes(request.scope, tokens, scopes)
            answer = await endpoint(**values)
            if isinstance(answer, Response):
                return answer
            content = await serialize_response(
                field=response_field,
                response_content=answer,
                include=self.response_model_include,
                exclude=self.response_model_exclude,
                by_alias=self.response_model_by_alias,
                exclude_unset=self.response_model_exclude_unset,
                exclude_defaults=self.response_model_exclude_defaults,
                exclude_none=self.response_model_exclude_none,
                dump_json=True,
            )
            if status_code is None:
                return Response(content=content, media_type="application/json")
            return Response(content=content, media_type="application/json", status_code=status_code)

        return lean


def _is_json(request: Request) -> bool:
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return media_type == "application/json" or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )
