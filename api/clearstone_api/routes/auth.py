"""Route dependencies that demand a principal, and the OpenAPI security they declare.

Routes declare what they need through the aliases below, which also put the OAuth2 and bearer
security requirements, with the scope, into the OpenAPI document; their router's
:class:`AuthorizedRoute` checks them before the body is even read::

    router = APIRouter(tags=["lots"], route_class=AuthorizedRoute)

    @router.post("/v1/lots", dependencies=[requires(Scope.records_write), ...])
    def create_lot(principal: RecordsWriter, ...) -> LotPublic: ...

The checks themselves (:func:`~clearstone_api.security.principals.authorize_scopes`) know
nothing of FastAPI.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import Depends, Request, Response, Security
from fastapi.dependencies.models import Dependant
from fastapi.openapi.models import OAuthFlowClientCredentials, OAuthFlows
from fastapi.routing import APIRoute
from fastapi.security import HTTPBearer, OAuth2, SecurityScopes

from clearstone_api.container import container_of
from clearstone_api.security.principals import (
    TOKEN_URL,
    Principal,
    authenticate_scope,
    authorize_scopes,
)
from clearstone_api.security.scopes import SCOPES, Scope

__all__ = [
    "Analyst",
    "AnalystReader",
    "Assessor",
    "Authenticated",
    "AuthorizedRoute",
    "EventsReader",
    "EvidenceReader",
    "Principal",
    "RecordsReader",
    "RecordsWriter",
    "RetailerReader",
    "Screener",
    "Watcher",
    "WebhookManager",
    "requires",
    "requires_credentials",
]


# The OpenAPI security schemes. Neither reads anything itself: `authorize` does the work, and
# these only declare, per operation, how a token is obtained and sent.
_client_credentials = OAuth2(
    flows=OAuthFlows(
        clientCredentials=OAuthFlowClientCredentials(tokenUrl=TOKEN_URL, scopes=SCOPES)
    ),
    scheme_name="OAuth2",
    description="Client-credentials grant (RFC 6749 §4.4): exchange your client id and secret "
    f"at `POST {TOKEN_URL}` for an ES256 access token of at most 15 minutes.",
    auto_error=False,
)
_bearer = HTTPBearer(
    bearerFormat="JWT",
    scheme_name="bearerAuth",
    description="The access token from the token endpoint, as `Authorization: Bearer <token>`.",
    auto_error=False,
)


async def authorize(
    request: Request,
    security_scopes: SecurityScopes,
    _oauth2: Annotated[str | None, Depends(_client_credentials)],
    _bearer_token: Annotated[object, Depends(_bearer)],
) -> Principal:
    """The calling client, if it holds every scope the operation declares; 401 or 403."""
    return authorize_scopes(request.scope, container_of(request.app).tokens, security_scopes.scopes)


def _declared_scopes(dependant: Dependant) -> set[str] | None:
    """The scopes a route demands through :func:`authorize`; None for a public route."""
    found: set[str] | None = None
    pending = list(dependant.dependencies)
    while pending:
        sub = pending.pop()
        if sub.call is authorize:
            found = (found or set()) | set(sub.own_oauth_scopes or ())
            found |= set(sub.parent_oauth_scopes or ())
        pending.extend(sub.dependencies)
    return found


def requires_credentials(route: APIRoute) -> bool:
    """Whether the route demands a token (it declares a scope through :func:`authorize`)."""
    return _declared_scopes(route.dependant) is not None


class AuthorizedRoute(APIRoute):
    """Checks credentials and scopes before FastAPI reads the body at all, so that a caller
    without them gets 401 or 403 whatever it sent (FastAPI parses a JSON body before any
    dependency runs: a malformed body would otherwise answer 422 first)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        scopes = _declared_scopes(self.dependant)
        if scopes is None:
            return handler
        required = sorted(scopes)

        async def authorized(request: Request) -> Response:
            authorize_scopes(request.scope, container_of(request.app).tokens, required)
            return await handler(request)

        return authorized


def requires(scope: Scope) -> Any:
    """A route dependency demanding ``scope``: put it first in ``dependencies=[...]`` so that
    credentials are checked before the body is."""
    return Security(authorize, scopes=[scope.value])


async def _authenticated(request: Request) -> Principal:
    # A coroutine, so that FastAPI does not hop to a worker thread for a CPU-light check.
    return authenticate_scope(request.scope, container_of(request.app).tokens)


Authenticated = Annotated[Principal, Depends(_authenticated)]
"""Any authenticated client, whatever its scopes (idempotency keys are scoped by it)."""
RecordsReader = Annotated[Principal, Security(authorize, scopes=[Scope.records_read.value])]
RecordsWriter = Annotated[Principal, Security(authorize, scopes=[Scope.records_write.value])]
Assessor = Annotated[Principal, Security(authorize, scopes=[Scope.assessments.value])]
Screener = Annotated[Principal, Security(authorize, scopes=[Scope.screenings.value])]
RetailerReader = Annotated[Principal, Security(authorize, scopes=[Scope.stones_summary.value])]
Analyst = Annotated[Principal, Security(authorize, scopes=[Scope.reference_write.value])]
AnalystReader = Annotated[Principal, Security(authorize, scopes=[Scope.reference_read.value])]
LabDecider = Annotated[Principal, Security(authorize, scopes=[Scope.numbers_decide.value])]
DisputesReader = Annotated[Principal, Security(authorize, scopes=[Scope.numbers_disputes.value])]
EvidenceReader = Annotated[Principal, Security(authorize, scopes=[Scope.sanctions_evidence.value])]
"""A supplier or a retailer; which stones it may read is the service's check."""
EventsReader = Annotated[Principal, Security(authorize, scopes=[Scope.events_read.value])]
"""Any role; which events it may read is the service's check (its audiences)."""
Watcher = Annotated[Principal, Security(authorize, scopes=[Scope.watches.value])]
WebhookManager = Annotated[Principal, Security(authorize, scopes=[Scope.webhooks.value])]
