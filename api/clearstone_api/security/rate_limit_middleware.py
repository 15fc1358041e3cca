"""The rate limits of :mod:`clearstone_api.security.rate_limits`, applied to every HTTP request
before the app sees it: the policy by path and credentials, the ``RateLimit`` headers, and the
429 problem over the quota.
"""

from __future__ import annotations

import functools
import ipaddress

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from clearstone_api.errors import TooManyRequests
from clearstone_api.http_errors import problem_response
from clearstone_api.security.principals import TOKEN_URL, principal_of_scope
from clearstone_api.security.rate_limits import Policy, RateLimiter
from clearstone_api.security.tokens import Tokens

__all__ = ["EXEMPT_PATHS", "RateLimitMiddleware"]

EXEMPT_PATHS = frozenset({"/healthz", "/readyz"})


def _address(scope: Scope) -> str:
    client = scope.get("client")
    return _subject_address(client[0] if client else "unknown")


@functools.lru_cache(maxsize=4096)
def _subject_address(host: str) -> str:
    """The address a budget belongs to (an IPv6 client's /64), parsed once per address."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


class RateLimitMiddleware:
    """Counts every request against its policy before the app sees it."""

    def __init__(self, app: ASGIApp, *, limiter: RateLimiter, tokens: Tokens) -> None:
        self.app = app
        self.limiter = limiter
        self.tokens = tokens

    def _policy(self, scope: Scope) -> tuple[Policy, str]:
        if scope["path"] == TOKEN_URL:
            return self.limiter.token, "addr:" + _address(scope)
        principal = principal_of_scope(scope, self.tokens)
        if principal is not None:
            return self.limiter.client, "client:" + principal.id
        return self.limiter.public, "addr:" + _address(scope)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.limiter.enabled or scope["path"] in EXEMPT_PATHS:
            await self.app(scope, receive, send)
            return
        policy, subject = self._policy(scope)
        usage = await self.limiter.hit(policy, subject)
        remaining = max(0, policy.quota - usage.count)
        headers = {
            "RateLimit-Policy": policy.header,
            "RateLimit": f'"{policy.name}";r={remaining};t={usage.reset}',
        }
        if usage.count > policy.quota:
            refused = TooManyRequests(
                f"Over the {policy.name} rate limit of {policy.quota} requests per "
                f"{policy.window} s; retry in {usage.reset} s."
            )
            response = problem_response(
                Request(scope),
                status=refused.status,
                slug=refused.slug,
                title=refused.title,
                detail=refused.detail,
                headers={**headers, "Retry-After": str(usage.reset)},
            )
            await response(scope, receive, send)
            return
        encoded = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *encoded]
            await send(message)

        await self.app(scope, receive, send_with_headers)
