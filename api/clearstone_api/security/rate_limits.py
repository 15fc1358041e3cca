"""Rate limits: per client address on public requests, per client on authenticated ones.

Three policies, each a **fixed window** that starts at a subject's first request and lasts
``rate_limit_window_seconds`` (default 60):

- ``token``: ``POST /v1/oauth/token``, per client address (default 30 a window);
- ``client``: any request with a valid access token, per client id (default 1200);
- ``public``: everything else, per client address (default 300). IPv6 addresses count per /64,
  the block one subscriber is usually given.

``/healthz`` and ``/readyz`` are not limited (probes). Every limited response carries
``RateLimit-Policy`` and ``RateLimit`` (draft-ietf-httpapi-ratelimit-headers: ``q`` quota, ``w``
window, ``r`` remaining, ``t`` seconds until the window resets); over the quota the answer is a
429 problem with ``Retry-After``. A fixed window is simple and cheap (one atomic increment), at
the price of letting a client spend up to twice the quota across a window boundary.

The counters live in this process by default. With ``CLEARSTONE_REDIS_URL`` they live in Redis,
where one Lua script increments and sets the expiry atomically, so every process behind a load
balancer spends one shared budget. If Redis fails, the process falls back to its own counters
(and logs it) rather than refusing traffic.

The counting lives here, free of the web stack; :mod:`.rate_limit_middleware` applies it to
every request. The client address is the ASGI peer: behind a proxy, run uvicorn with
``--proxy-headers`` and ``--forwarded-allow-ips`` set to the proxy, never ``*`` where clients
can reach the API directly.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError

from clearstone_api.settings import Settings

__all__ = ["MemoryStore", "Policy", "RateLimiter", "RedisStore", "Usage"]

logger = logging.getLogger("clearstone.rate_limits")

# INCR, and start the window on the first hit (or repair a key that somehow lost its expiry),
# in one atomic step: two processes can never both see "first" and both set the expiry.
_HIT = """
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
"""


@dataclass(frozen=True)
class Policy:
    """A quota of requests per window."""

    name: str
    quota: int
    window: int
    """Seconds."""

    @property
    def header(self) -> str:
        """Its ``RateLimit-Policy`` member."""
        return f'"{self.name}";q={self.quota};w={self.window}'


@dataclass(frozen=True)
class Usage:
    """A subject's count in its current window, and seconds until the window resets."""

    count: int
    reset: int


class MemoryStore:
    """Counters in this process, bounded in size."""

    def __init__(
        self, *, max_keys: int = 100_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._max_keys = max_keys
        self._clock = clock
        self._windows: dict[str, tuple[float, int]] = {}

    async def hit(self, key: str, window: int) -> Usage:
        now = self._clock()
        resets_at, count = self._windows.get(key, (0.0, 0))
        if resets_at <= now:
            if key not in self._windows and len(self._windows) >= self._max_keys:
                self._sweep(now)
            resets_at, count = now + window, 0
        count += 1
        self._windows[key] = (resets_at, count)
        return Usage(count, max(1, math.ceil(resets_at - now)))

    def _sweep(self, now: float) -> None:
        self._windows = {k: v for k, v in self._windows.items() if v[0] > now}
        if len(self._windows) >= self._max_keys:  # still full: forget the oldest half
            keep = list(self._windows.items())[self._max_keys // 2 :]
            self._windows = dict(keep)

    async def peek(self, key: str) -> Usage | None:
        resets_at, count = self._windows.get(key, (0.0, 0))
        now = self._clock()
        if resets_at <= now:
            return None
        return Usage(count, max(1, math.ceil(resets_at - now)))

    async def aclose(self) -> None:
        return None


class RedisStore:
    """Counters in Redis, shared by every process that uses the same Redis and prefix."""

    def __init__(self, url: str, *, timeout: float = 0.25) -> None:
        self._redis: Redis = Redis.from_url(
            url, socket_timeout=timeout, socket_connect_timeout=timeout
        )
        self._script: Any = self._redis.register_script(_HIT)

    async def hit(self, key: str, window: int) -> Usage:
        count, ttl_ms = await self._script(keys=[key], args=[window * 1000])
        return Usage(int(count), max(1, math.ceil(int(ttl_ms) / 1000)))

    async def peek(self, key: str) -> Usage | None:
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.get(key)
            pipe.pttl(key)
            count, ttl_ms = await pipe.execute()
        if count is None or int(ttl_ms) <= 0:
            return None
        return Usage(int(count), max(1, math.ceil(int(ttl_ms) / 1000)))

    async def aclose(self) -> None:
        await self._redis.aclose()


class RateLimiter:
    """The policies, and where their counters are kept."""

    def __init__(self, settings: Settings, store: MemoryStore | RedisStore | None = None) -> None:
        window = settings.rate_limit_window_seconds
        self.enabled = settings.rate_limit_enabled
        self.public = Policy("public", settings.rate_limit_public, window)
        self.client = Policy("client", settings.rate_limit_client, window)
        self.token = Policy("token", settings.rate_limit_token, window)
        self.prefix = settings.redis_key_prefix + "rl:"
        if store is None:
            store = RedisStore(settings.redis_url) if settings.redis_url else MemoryStore()
        self.store = store
        self._fallback = MemoryStore()
        self._warned_at = -math.inf

    async def hit(self, policy: Policy, subject: str) -> Usage:
        key = f"{self.prefix}{policy.name}:{subject}"
        try:
            return await self.store.hit(key, policy.window)
        except (RedisError, OSError) as exc:
            self._warn(exc)
            return await self._fallback.hit(key, policy.window)

    async def peek(self, policy: Policy, subject: str) -> Usage | None:
        """The subject's count in its current window without counting; None when none is open."""
        key = f"{self.prefix}{policy.name}:{subject}"
        try:
            return await self.store.peek(key)
        except (RedisError, OSError) as exc:
            self._warn(exc)
            return await self._fallback.peek(key)

    def _warn(self, exc: Exception) -> None:
        now = time.monotonic()
        if now - self._warned_at > 60:
            self._warned_at = now
            logger.warning("rate-limit store failed (%s); counting in-process", exc)

    async def aclose(self) -> None:
        await self.store.aclose()
