"""Defaults, as named constants. Every number the transport uses is defined here, once."""

from __future__ import annotations

import httpx

from clearstone._version import __version__

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_BUDGET",
    "DEFAULT_ISSUER",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_SCREEN_BUDGET",
    "DEFAULT_TIMEOUT",
    "ENV_API_KEY",
    "ENV_BASE_URL",
    "ENV_CLIENT_ID",
    "ENV_CLIENT_SECRET",
    "ENV_ISSUER",
    "JWKS_MIN_REFRESH",
    "JWKS_PATH",
    "LOGGER_NAME",
    "LOOKUP_BUDGET",
    "MAX_CART_ITEMS",
    "MAX_RETRY_AFTER",
    "MIN_ATTEMPT_TIME",
    "RETRY_BACKOFF_BASE",
    "RETRY_BACKOFF_CAP",
    "RETRY_JITTER_RATIO",
    "TOKEN_FALLBACK_LIFETIME",
    "TOKEN_PATH",
    "TOKEN_REFRESH_MARGIN",
    "USER_AGENT",
]

DEFAULT_BASE_URL = "http://127.0.0.1:8000"
"""The local server that ``make serve`` starts; production callers set ``base_url``."""

DEFAULT_ISSUER = "https://clearstone.dev"
"""The ``iss`` of Clearstone's production attestations and tree heads; a client of another
deployment sets ``issuer=`` (or ``CLEARSTONE_ISSUER``) to that deployment's."""

DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
"""Per attempt. A checkout that must answer sooner passes ``budget`` per call instead."""

DEFAULT_BUDGET = 15.0
"""Seconds any call may take in all, retries and waits included, unless the call or the client
says otherwise (``budget=``): a hung server costs a caller this long at most, not three full
attempts and their backoff."""
LOOKUP_BUDGET = 5.0
"""The default budget of a public certificate lookup (``certificates.get``), which sits in front
of a person."""

DEFAULT_MAX_RETRIES = 2
"""Retries after the first attempt, so at most three attempts per call."""

DEFAULT_SCREEN_BUDGET = 2.0
"""Seconds a checkout screening may take, retries included, before the fallback applies."""
MAX_CART_ITEMS = 100
"""The most cart lines one screening takes (the server's limit)."""

RETRY_BACKOFF_BASE = 0.5
"""Seconds before the first retry; doubled for each further retry."""
RETRY_BACKOFF_CAP = 8.0
"""The backoff never exceeds this many seconds (before jitter)."""
RETRY_JITTER_RATIO = 0.25
"""Up to this fraction of the backoff is added at random, so clients do not retry in lockstep."""
MAX_RETRY_AFTER = 60.0
"""A ``Retry-After`` longer than this is not waited out: the error is raised at once."""
MIN_ATTEMPT_TIME = 0.1
"""Under a budget, an attempt is not started (nor waited for) with less time than this left."""

TOKEN_PATH = "/v1/oauth/token"
JWKS_PATH = "/.well-known/jwks.json"
JWKS_MIN_REFRESH = 300.0
"""A cached key set is fetched again for an unknown ``kid`` at most this often (key rotation)."""
TOKEN_REFRESH_MARGIN = 30.0
"""A token is replaced this many seconds (at most a tenth of its lifetime) before it expires."""
TOKEN_FALLBACK_LIFETIME = 60.0
"""How long a token is used when the server's answer leaves out ``expires_in``."""

ENV_BASE_URL = "CLEARSTONE_BASE_URL"
ENV_API_KEY = "CLEARSTONE_API_KEY"
ENV_CLIENT_ID = "CLEARSTONE_CLIENT_ID"
ENV_CLIENT_SECRET = "CLEARSTONE_CLIENT_SECRET"
ENV_ISSUER = "CLEARSTONE_ISSUER"

LOGGER_NAME = "clearstone"
USER_AGENT = f"clearstone-python/{__version__}"
