"""Bounds on the work ``POST /v1/oauth/token`` may make this process do.

Two limits on top of the per-address rate limit (``security/rate_limits.py``):

- **Concurrent grants**: at most ``token_max_concurrent_grants`` token requests are checked at
  once in a process. The next one is answered 503 with ``Retry-After`` at once, rather than
  queueing for the thread pool every other synchronous request shares.
- **Failed secrets per client id**: after ``token_failures_per_client`` wrong secrets for one
  client id in a rate-limit window, from any number of addresses, that client id's requests get
  429 without their secret being checked until the window ends. Counted in the rate limiter's
  store, so in Redis every process shares the count.

Example::

    guard = GrantGuard(settings, limiter)
    with guard.slot():          # ServiceUnavailable when every slot is taken
        await guard.refuse_if_throttled(client_id)
        ...                      # on a wrong secret: await guard.failed(client_id)
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from clearstone_api.errors import ServiceUnavailable, TooManyRequests
from clearstone_api.security.rate_limits import Policy, RateLimiter
from clearstone_api.settings import Settings

__all__ = ["BUSY_RETRY_AFTER_SECONDS", "GrantGuard"]

BUSY_RETRY_AFTER_SECONDS = 1


class GrantGuard:
    """The concurrency cap and the per-client failure throttle of one process."""

    def __init__(self, settings: Settings, limiter: RateLimiter) -> None:
        self._slots = threading.BoundedSemaphore(settings.token_max_concurrent_grants)
        self._limiter = limiter
        self.failures = Policy(
            "token-failures", settings.token_failures_per_client, settings.rate_limit_window_seconds
        )

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one of the grant slots for the block; 503 at once when none is free."""
        if not self._slots.acquire(blocking=False):
            raise ServiceUnavailable(
                "Too many token requests are being checked; retry in a second.",
                headers={"Retry-After": str(BUSY_RETRY_AFTER_SECONDS)},
            )
        try:
            yield
        finally:
            self._slots.release()

    async def refuse_if_throttled(self, client_id: str) -> None:
        """429 when ``client_id`` has used up its failed secrets for this window."""
        if not self._limiter.enabled:
            return
        usage = await self._limiter.peek(self.failures, client_id)
        if usage is not None and usage.count >= self.failures.quota:
            raise TooManyRequests(
                f"Too many failed secrets for this client id; retry in {usage.reset} s.",
                headers={"Retry-After": str(usage.reset)},
            )

    async def failed(self, client_id: str) -> None:
        """Count one wrong secret for ``client_id``."""
        if self._limiter.enabled:
            await self._limiter.hit(self.failures, client_id)
