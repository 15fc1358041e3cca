"""Credentials, the token request and its answer, and the access-token cache.

The sending half of the token flow (locks, the budget) is in ``_base_client``.

Two ways to authenticate, from arguments or else the environment:

- a static bearer token: ``api_key`` / ``CLEARSTONE_API_KEY``;
- OAuth2 client credentials (RFC 6749 §4.4): ``client_id`` and ``client_secret`` /
  ``CLEARSTONE_CLIENT_ID`` and ``CLEARSTONE_CLIENT_SECRET``. The client asks
  ``POST /v1/oauth/token`` for a token, keeps it, replaces it shortly before it expires, and
  once more if the API answers 401.

With neither, requests go out anonymous (the consumer lookup needs no login).
"""

from __future__ import annotations

import base64
import logging
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import httpx
import pydantic

from clearstone._constants import (
    ENV_API_KEY,
    ENV_CLIENT_ID,
    ENV_CLIENT_SECRET,
    LOGGER_NAME,
    TOKEN_FALLBACK_LIFETIME,
    TOKEN_REFRESH_MARGIN,
)
from clearstone._exceptions import APIError, ClearstoneError, status_error_from_response
from clearstone._models import AccessToken

__all__ = [
    "TOKEN_REQUEST_BODY",
    "ClientCredentials",
    "TokenCache",
    "parse_token_response",
    "resolve_credentials",
]

logger = logging.getLogger(LOGGER_NAME)

TOKEN_REQUEST_BODY = b"grant_type=client_credentials"
"""The form body of every token request; the credentials go in the ``Authorization`` header."""


@dataclass(frozen=True)
class ClientCredentials:
    """An OAuth2 client id and secret; the secret never appears in ``repr``."""

    client_id: str
    client_secret: str = field(repr=False)

    def basic_authorization(self) -> str:
        """The ``Authorization`` header for the token request (RFC 6749 §2.3.1: both parts
        form-encoded, then joined by a colon and base64-encoded)."""
        pair = f"{_form_encode(self.client_id)}:{_form_encode(self.client_secret)}"
        return "Basic " + base64.b64encode(pair.encode()).decode("ascii")

    def token_request_headers(self) -> dict[str, str]:
        """The headers of ``POST /v1/oauth/token`` (besides the client's defaults)."""
        return {
            "Authorization": self.basic_authorization(),
            "Content-Type": "application/x-www-form-urlencoded",
        }


def _form_encode(value: str) -> str:
    return urllib.parse.quote_plus(value, safe="")


def resolve_credentials(
    *,
    api_key: str | None,
    client_id: str | None,
    client_secret: str | None,
    environ: Mapping[str, str],
) -> str | ClientCredentials | None:
    """The static token, the client credentials, or None (anonymous).

    Arguments win over the environment; a missing half of a client id/secret pair is taken from
    the environment. Both kinds at once are refused rather than one silently preferred.
    """
    if api_key is not None and (client_id is not None or client_secret is not None):
        raise ClearstoneError("Pass either api_key or client_id and client_secret, not both.")
    if api_key is not None:
        if not api_key:
            raise ClearstoneError("api_key is empty.")
        return api_key
    if client_id is None and client_secret is None:
        env_key = environ.get(ENV_API_KEY) or None
        has_env_pair = bool(environ.get(ENV_CLIENT_ID) or environ.get(ENV_CLIENT_SECRET))
        if env_key is not None and has_env_pair:
            raise ClearstoneError(
                f"Both {ENV_API_KEY} and {ENV_CLIENT_ID}/{ENV_CLIENT_SECRET} are set; "
                "unset one, or pass credentials explicitly."
            )
        if env_key is not None:
            return env_key
    client_id = client_id or environ.get(ENV_CLIENT_ID) or None
    client_secret = client_secret or environ.get(ENV_CLIENT_SECRET) or None
    if client_id is None and client_secret is None:
        return None
    if client_id is None or client_secret is None:
        missing = "client_id" if client_id is None else "client_secret"
        raise ClearstoneError(
            f"{missing} is missing: pass it or set {ENV_CLIENT_ID} and {ENV_CLIENT_SECRET}."
        )
    return ClientCredentials(client_id, client_secret)


def parse_token_response(response: httpx.Response) -> AccessToken:
    """The access token in the token endpoint's answer; the mapped error if it refused."""
    if not response.is_success:
        raise status_error_from_response(response)
    try:
        token = AccessToken.model_validate_json(response.content)
    except pydantic.ValidationError:
        # Not chained: a validation error quotes its input, which may hold the token.
        raise APIError(
            "The token endpoint did not answer with an access token.", request=response.request
        ) from None
    if token.token_type.lower() != "bearer":
        raise APIError(f"Unsupported token type {token.token_type!r}.", request=response.request)
    logger.debug("access token obtained (expires_in=%s)", token.expires_in)
    return token


class TokenCache:
    """The current access token, and when to replace it (on a monotonic ``clock``)."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._authorization: str | None = None
        self._refresh_at = 0.0

    def __repr__(self) -> str:
        return f"TokenCache(valid={self.authorization() is not None})"

    def authorization(self) -> str | None:
        """``Bearer <token>`` while the token is fresh; None when one must be fetched."""
        if self._authorization is None or self._clock() >= self._refresh_at:
            return None
        return self._authorization

    def store(self, token: AccessToken, *, requested_at: float) -> str:
        """Keep ``token``, received for a request sent at ``requested_at``; its header."""
        lifetime = token.expires_in if token.expires_in is not None else TOKEN_FALLBACK_LIFETIME
        # Counted from when the request left, so the server's clock and the transit time
        # cannot make a token look fresher than it is.
        margin = min(TOKEN_REFRESH_MARGIN, lifetime / 10)
        self._refresh_at = requested_at + lifetime - margin
        self._authorization = f"Bearer {token.access_token}"
        return self._authorization

    def invalidate(self, authorization: str | None) -> None:
        """Drop the token the API refused, unless another caller has already replaced it."""
        if authorization == self._authorization:
            self._authorization = None
