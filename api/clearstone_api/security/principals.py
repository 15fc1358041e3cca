"""The calling principal: who a bearer token says is calling, and whether it holds a scope.

A request's ``Authorization: Bearer <token>`` is verified once (by the rate limiter, which needs
to know the client, or else by the first route dependency that asks) and the outcome is kept in
the request's ASGI scope. Services receive the :class:`Principal`; the route dependencies that
demand one live in :mod:`clearstone_api.routes.auth`.

Missing or invalid credentials are 401 (``WWW-Authenticate: Bearer``); a valid token without the
scope is 403. A scope counts only if the client's role may hold it (``scopes.ROLE_SCOPES``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, MutableMapping
from typing import Any

from pydantic import BaseModel

from clearstone_api.errors import Forbidden, Unauthorized
from clearstone_api.security.scopes import ROLE_SCOPES, Role
from clearstone_api.security.tokens import InvalidToken, Tokens

__all__ = ["TOKEN_URL", "Principal", "authenticate_scope", "authorize_scopes", "principal_of_scope"]

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

ASGIScope = MutableMapping[str, Any]
"""An ASGI connection scope, as the server passes it (Starlette's ``Scope``)."""


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


def authenticate_scope(scope: ASGIScope, tokens: Tokens) -> Principal:
    """The client a request authenticates as; 401 without a valid bearer token."""
    outcome = _outcome(scope, tokens)
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


def authorize_scopes(scope: ASGIScope, tokens: Tokens, scopes: Iterable[str]) -> Principal:
    """The client a request authenticates as, if it holds every one of ``scopes``; 401 or 403."""
    principal = authenticate_scope(scope, tokens)
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
