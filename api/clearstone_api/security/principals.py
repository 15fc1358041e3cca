"""The calling principal: who a bearer token says is calling, and what the operation demands.

A request's ``Authorization: Bearer <token>`` is verified once (by the rate limiter, which needs
to know the client, or else by the first dependency that asks) and the outcome is kept on the
request. Routes declare what they need through the aliases below, which also put the OAuth2 and
bearer security requirements, with the scope, into the OpenAPI document; their router's
:class:`AuthorizedRoute` checks them before the body is even read::

    router = APIRouter(tags=["lots"], route_class=AuthorizedRoute)

    @router.post("/v1/lots", dependencies=[requires(Scope.records_write), ...])
    def create_lot(principal: RecordsWriter, ...) -> LotPublic: ...

Missing or invalid credentials are 401 (``WWW-Authenticate: Bearer``); a valid token without the
scope is 403. A scope counts only if the client's role may hold it (``scopes.ROLE_SCOPES``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine, Iterable
from typing import Annotated, Any

from fastapi import Depends, Request, Response, Security
from fastapi.dependencies.models import Dependant
from fastapi.openapi.models import OAuthFlowClientCredentials, OAuthFlows
from fastapi.routing import APIRoute
from fastapi.security import HTTPBearer, OAuth2, SecurityScopes
from pydantic import BaseModel
from starlette.types import Scope as ASGIScope

from clearstone_api.errors import Forbidden, Unauthorized
from clearstone_api.security.scopes import ROLE_SCOPES, SCOPES, Role, Scope
from clearstone_api.security.tokens import InvalidToken, Tokens

__all__ = [
    "TOKEN_URL",
    "Analyst",
    "AnalystReader",
    "Assessor",
    "Authenticated",
    "AuthorizedRoute",
    "Principal",
    "RecordsReader",
    "RecordsWriter",
    "RetailerReader",
    "Screener",
    "authenticate",
    "principal_of_scope",
    "requires",
]

TOKEN_URL = "/v1/oauth/token"
_STATE_KEY = "clearstone_principal"

logger = logging.getLogger("clearstone.auth")


class Principal(BaseModel):
    """An authenticated client."""

    id: str
    """The client id; recorded as ``created_by`` and ``actor``."""
    tenant_id: str
    """The organization it acts for: a supplier reads and writes only this tenant's records."""
    role: Role
    scopes: frozenset[str]
    """Granted scopes that its role may hold."""


class _Missing:
    """No bearer token was sent."""


class _NotBearer:
    """An ``Authorization`` header of another scheme, or a malformed one."""


_MISSING = _Missing()
_NOT_BEARER = _NotBearer()
Outcome = Principal | InvalidToken | _Missing | _NotBearer


def _authorization(scope: ASGIScope) -> bytes | None:
    return next((value for name, value in scope["headers"] if name == b"authorization"), None)


def _verify(scope: ASGIScope, tokens: Tokens) -> Outcome:
    header = _authorization(scope)
    if header is None:
        return _MISSING
    scheme, _, credentials = header.decode("latin-1").partition(" ")
    credentials = credentials.strip()
    if scheme.lower() != "bearer" or not credentials:
        return _NOT_BEARER
    try:
        claims = tokens.verify(credentials)
    except InvalidToken as refused:
        logger.info("bearer token refused: %s", refused.reason)
        return refused
    return Principal(
        id=claims.sub,
        tenant_id=claims.tenant,
        role=claims.role,
        scopes=frozenset(s for s in claims.scopes if s in ROLE_SCOPES[claims.role]),
    )


def _outcome(scope: ASGIScope, tokens: Tokens) -> Outcome:
    """Verified at most once per request; the outcome is kept in the request's state."""
    state: dict[str, Any] = scope.setdefault("state", {})
    outcome = state.get(_STATE_KEY)
    if outcome is None:
        outcome = _verify(scope, tokens)
        state[_STATE_KEY] = outcome
    assert isinstance(outcome, Principal | InvalidToken | _Missing | _NotBearer)
    return outcome


def principal_of_scope(scope: ASGIScope, tokens: Tokens) -> Principal | None:
    """The client a request authenticates as, or None (what the rate limiter keys on)."""
    outcome = _outcome(scope, tokens)
    return outcome if isinstance(outcome, Principal) else None


def authenticate(request: Request) -> Principal:
    """The calling client; 401 without a valid bearer token."""
    tokens: Tokens = request.app.state.tokens
    outcome = _outcome(request.scope, tokens)
    if isinstance(outcome, Principal):
        return outcome
    if isinstance(outcome, _Missing):
        raise Unauthorized(
            f"This operation needs an access token: get one from POST {TOKEN_URL} and send "
            "it as `Authorization: Bearer <token>`."
        )
    if isinstance(outcome, _NotBearer):
        raise Unauthorized("Send the access token as `Authorization: Bearer <token>`.")
    assert isinstance(outcome, InvalidToken)
    if outcome.expired:
        raise Unauthorized("The access token has expired; get a new one.", error="invalid_token")
    raise Unauthorized("The access token is invalid.", error="invalid_token")


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


def _authorized(request: Request, scopes: Iterable[str]) -> Principal:
    principal = authenticate(request)
    missing = [scope for scope in scopes if scope not in principal.scopes]
    if missing:
        raise Forbidden(
            f"This operation needs the scope {missing[0]!r}, which your access token does not "
            "carry.",
            headers={
                "WWW-Authenticate": (
                    f'Bearer error="insufficient_scope", scope="{" ".join(missing)}"'
                )
            },
        )
    return principal


async def authorize(
    request: Request,
    security_scopes: SecurityScopes,
    _oauth2: Annotated[str | None, Depends(_client_credentials)],
    _bearer_token: Annotated[object, Depends(_bearer)],
) -> Principal:
    """The calling client, if it holds every scope the operation declares; 401 or 403."""
    return _authorized(request, security_scopes.scopes)


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
            _authorized(request, required)
            return await handler(request)

        return authorized


def requires(scope: Scope) -> Any:
    """A route dependency demanding ``scope``: put it first in ``dependencies=[...]`` so that
    credentials are checked before the body is."""
    return Security(authorize, scopes=[scope.value])


async def _authenticated(request: Request) -> Principal:
    # A coroutine, so that FastAPI does not hop to a worker thread for a CPU-light check.
    return authenticate(request)


Authenticated = Annotated[Principal, Depends(_authenticated)]
"""Any authenticated client, whatever its scopes (idempotency keys are scoped by it)."""
RecordsReader = Annotated[Principal, Security(authorize, scopes=[Scope.records_read.value])]
RecordsWriter = Annotated[Principal, Security(authorize, scopes=[Scope.records_write.value])]
Assessor = Annotated[Principal, Security(authorize, scopes=[Scope.assessments.value])]
Screener = Annotated[Principal, Security(authorize, scopes=[Scope.screenings.value])]
RetailerReader = Annotated[Principal, Security(authorize, scopes=[Scope.stones_summary.value])]
Analyst = Annotated[Principal, Security(authorize, scopes=[Scope.reference_write.value])]
AnalystReader = Annotated[Principal, Security(authorize, scopes=[Scope.reference_read.value])]
