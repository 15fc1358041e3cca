"""``POST /v1/oauth/token``: the OAuth 2.0 client-credentials grant (RFC 6749 §4.4).

The client authenticates with HTTP Basic (RFC 6749 §2.3.1, the id and secret each
form-urlencoded first) or with ``client_id`` and ``client_secret`` in the form body, never both.
Errors carry RFC 6749 §5.2's ``error`` and ``error_description`` as extension members of an
RFC 9457 problem, so OAuth clients and problem+json clients both read them. ``invalid_client``
is 401 with ``WWW-Authenticate: Basic`` (the scheme this endpoint takes, as §5.2 requires), not
``Bearer``.
"""

from __future__ import annotations

import base64
import binascii
import urllib.parse
from typing import Any, Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from clearstone_api.container import AppContainer
from clearstone_api.errors import ClearstoneError
from clearstone_api.http_errors import Problem
from clearstone_api.routes.dependencies import container
from clearstone_api.security.principals import TOKEN_URL
from clearstone_api.security.tokens import IssuedToken
from clearstone_api.services.clients import ClientRefused, ScopeRefused, grant_token

router = APIRouter(tags=["auth"])

FORM_MEDIA_TYPE = "application/x-www-form-urlencoded"
_BASIC_CHALLENGE = 'Basic realm="clearstone", charset="UTF-8"'
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}

OAuthErrorCode = Literal[
    "invalid_request", "invalid_client", "unsupported_grant_type", "invalid_scope"
]


class TokenResponse(BaseModel):
    """An access token (RFC 6749 §5.1)."""

    access_token: str
    """An ES256 JWT; send it as ``Authorization: Bearer <access_token>``."""
    token_type: Literal["Bearer"]
    expires_in: int
    """Seconds until it expires (at most 900)."""
    scope: str
    """The granted scopes, space-separated."""


class OAuthProblem(Problem):
    """A refused token request: a problem with RFC 6749 §5.2's members."""

    error: OAuthErrorCode
    error_description: str


class OAuthError(ClearstoneError):
    """An RFC 6749 §5.2 error, rendered as a problem."""

    def __init__(
        self,
        status: int,
        error: OAuthErrorCode,
        description: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(
            description,
            headers={**_NO_STORE, **(headers or {})},
            extensions={"error": error, "error_description": description},
        )
        self.status = status
        self.slug = "oauth-" + error.replace("_", "-")
        self.title = "Token request refused"


_FORM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["grant_type"],
    "properties": {
        "grant_type": {"type": "string", "enum": ["client_credentials"]},
        "scope": {
            "type": "string",
            "maxLength": 1000,
            "description": "Space-separated scopes; default: every scope the client holds.",
        },
        "client_id": {
            "type": "string",
            "maxLength": 256,
            "description": "Only when not sent with HTTP Basic.",
        },
        "client_secret": {
            "type": "string",
            "maxLength": 256,
            "description": "Only when not sent with HTTP Basic.",
        },
    },
}


def _form(body: bytes) -> dict[str, str]:
    try:
        pairs = urllib.parse.parse_qsl(body.decode("utf-8"), keep_blank_values=True)
    except (UnicodeDecodeError, ValueError):
        raise OAuthError(400, "invalid_request", "The body is not a UTF-8 form.") from None
    form: dict[str, str] = {}
    for name, value in pairs:
        if name in form:  # RFC 6749 §3.2
            raise OAuthError(400, "invalid_request", f"The parameter {name!r} is repeated.")
        form[name] = value
    return form


def _malformed_basic() -> OAuthError:
    return OAuthError(
        401,
        "invalid_client",
        "Malformed HTTP Basic credentials.",
        {"WWW-Authenticate": _BASIC_CHALLENGE},
    )


def _basic(header: str) -> tuple[str, str]:
    """``client_id`` and ``client_secret`` from an HTTP Basic header (RFC 6749 §2.3.1)."""
    try:
        decoded = base64.b64decode(header.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise _malformed_basic() from None
    client_id, colon, secret = decoded.partition(":")
    if not colon:
        raise _malformed_basic()
    return urllib.parse.unquote_plus(client_id), urllib.parse.unquote_plus(secret)


def _credentials(request: Request, form: dict[str, str]) -> tuple[str, str]:
    authorization = request.headers.get("authorization")
    in_body = "client_id" in form or "client_secret" in form
    if authorization is not None:
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() == "basic":
            if in_body:
                raise OAuthError(
                    400,
                    "invalid_request",
                    "Authenticate with HTTP Basic or with the form body, not both.",
                )
            return _basic(value)
    if "client_id" in form and "client_secret" in form:
        return form["client_id"], form["client_secret"]
    raise OAuthError(
        401,
        "invalid_client",
        "Authenticate the client: HTTP Basic, or client_id and client_secret in the form body.",
        {"WWW-Authenticate": _BASIC_CHALLENGE},
    )


def _invalid_client() -> OAuthError:
    return OAuthError(
        401,
        "invalid_client",
        "Unknown client, wrong secret, or a disabled client.",
        {"WWW-Authenticate": _BASIC_CHALLENGE},
    )


def _grant(app: AppContainer, client_id: str, secret: str, scope: str | None) -> IssuedToken:
    """Authenticate the client (a database read: run off the event loop) and issue its token."""
    try:
        return grant_token(app.database, app.secret_hasher, app.tokens, client_id, secret, scope)
    except ScopeRefused as refused:
        raise OAuthError(
            400, "invalid_scope", "This client may not request: " + " ".join(sorted(refused.scopes))
        ) from None


@router.post(
    TOKEN_URL,
    operation_id="oauth-tokens-create",
    summary="Get an access token (OAuth 2.0 client credentials)",
    responses={
        400: {
            "model": OAuthProblem,
            "description": "`invalid_request`, `unsupported_grant_type` or `invalid_scope` "
            "(RFC 6749 §5.2), as a problem with `error` and `error_description`.",
        },
        503: {
            "model": Problem,
            "description": "Every token-check slot of this process is busy; retry after "
            "`Retry-After` seconds.",
        },
        401: {
            "model": OAuthProblem,
            "description": "`invalid_client`. Carries `WWW-Authenticate: Basic` (the scheme "
            "this endpoint takes), not `Bearer`.",
        },
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {FORM_MEDIA_TYPE: {"schema": _FORM_SCHEMA}},
        },
        "security": [{"clientSecretBasic": []}, {}],
    },
)
async def create_token(request: Request, response: Response) -> TokenResponse:
    """Exchange a client id and secret for an ES256 access token of at most 15 minutes, with
    the client's scopes (or the subset asked for in ``scope``). Cache it until it expires."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != FORM_MEDIA_TYPE:
        raise OAuthError(400, "invalid_request", f"Send the parameters as {FORM_MEDIA_TYPE}.")
    form = _form(await request.body())
    grant_type = form.get("grant_type")
    if not grant_type:
        raise OAuthError(400, "invalid_request", "grant_type is missing.")
    if grant_type != "client_credentials":
        raise OAuthError(
            400, "unsupported_grant_type", "Only the client_credentials grant is supported."
        )
    client_id, secret = _credentials(request, form)
    app = container(request)
    guard = app.grant_guard
    with guard.slot():
        await guard.refuse_if_throttled(client_id)
        try:
            issued = await run_in_threadpool(_grant, app, client_id, secret, form.get("scope"))
        except ClientRefused:
            await guard.failed(client_id)
            raise _invalid_client() from None
    response.headers.update(_NO_STORE)
    return TokenResponse(
        access_token=issued.token,
        token_type="Bearer",
        expires_in=issued.expires_in,
        scope=issued.scope,
    )
