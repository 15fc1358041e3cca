"""Verified access tokens, remembered until they expire, so that a client reusing one token for
its 15 minutes pays the ES256 verification once per process instead of once per request.

What is kept and how:

- **Only successes.** A refused token is checked in full every time it is sent; nothing an
  attacker sends without a valid signature can enter the cache.
- **Keyed by the token's SHA-256**, never by the token itself: a memory dump holds no usable
  bearer token, and a token differing in any byte (a tampered payload, another signature) is
  another key, so it is verified in full.
- **Bounded**: at most ``size`` entries; the least recently used goes first. ``size`` 0 turns
  the cache off.
- **Until expiry, checked on every hit.** A hit whose ``exp`` (plus the same leeway the full check
  allows) has passed is dropped and refused as expired, exactly as the full check would refuse it.
  Nothing else about a verified token changes with time: its signature, key, issuer, audience,
  ``iat`` and lifetime were checked once and stay as they were. The scopes an operation needs are
  checked per request on the principal, cached or not.

What the cache does not change: verification never reads the database, so a client disabled
with ``clearstone-api disable-client`` gets no new token but keeps the ones it holds until they
expire (at most 15 minutes), cached or not; the cache never keeps a token past its ``exp``.

Example::

    cache = VerifiedTokenCache(size=10_000, leeway=30)
    claims = cache.get(token)  # None: verify in full, then cache.put(token, claims)
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, Protocol, TypeVar

__all__ = ["Expiring", "TokenExpired", "VerifiedTokenCache"]


class Expiring(Protocol):
    """What the cache keeps: anything with an ``exp`` (seconds since the epoch)."""

    @property
    def exp(self) -> int: ...


ClaimsT = TypeVar("ClaimsT", bound=Expiring)


class TokenExpired(Exception):
    """A cached token whose ``exp`` has passed: refuse it as expired."""


class VerifiedTokenCache(Generic[ClaimsT]):
    """A bounded LRU of verified tokens' claims, by the token's SHA-256, until ``exp``."""

    def __init__(self, size: int, *, leeway: int, clock: Callable[[], float] = time.time) -> None:
        if size < 0:
            raise ValueError("size is 0 (off) or more")
        self.size = size
        self.leeway = leeway
        self.clock = clock
        self._items: OrderedDict[bytes, ClaimsT] = OrderedDict()
        self._lock = threading.Lock()  # routes verify on the event loop and in worker threads

    def __len__(self) -> int:
        return len(self._items)

    @staticmethod
    def _key(token: str) -> bytes:
        return hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()

    def get(self, token: str) -> ClaimsT | None:
        """The claims of ``token`` if it was verified and has not expired since; None if it is
        not here. :class:`TokenExpired` if it is here but expired (and it is dropped)."""
        if self.size == 0:
            return None
        key = self._key(token)
        with self._lock:
            claims = self._items.get(key)
            if claims is None:
                return None
            if self.clock() > claims.exp + self.leeway:
                del self._items[key]
                raise TokenExpired
            self._items.move_to_end(key)
        return claims

    def put(self, token: str, claims: ClaimsT) -> None:
        """Remember ``token`` as verified, with ``claims``, until its ``exp``."""
        if self.size == 0:
            return
        key = self._key(token)
        with self._lock:
            self._items[key] = claims
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
