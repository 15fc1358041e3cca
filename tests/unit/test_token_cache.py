"""The cache of verified access tokens (``security/token_cache.py``): bounded, keyed by the
token's hash, and never serving a token past its expiry."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from clearstone_api.security.token_cache import TokenExpired, VerifiedTokenCache

LEEWAY = 30


@dataclass(frozen=True)
class Claims:
    sub: str
    exp: int


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_a_verified_token_is_served_until_its_expiry_and_the_leeway_then_refused() -> None:
    clock = Clock(1_000)
    cache: VerifiedTokenCache[Claims] = VerifiedTokenCache(10, leeway=LEEWAY, clock=clock)
    claims = Claims("cli_a", exp=1_900)
    cache.put("token-a", claims)
    assert cache.get("token-a") is claims
    clock.now = 1_900 + LEEWAY  # the last second the full check also accepts
    assert cache.get("token-a") is claims
    clock.now = 1_900 + LEEWAY + 1
    with pytest.raises(TokenExpired):
        cache.get("token-a")
    assert cache.get("token-a") is None  # dropped: a later send is verified in full again
    assert len(cache) == 0


def test_only_the_identical_token_hits_and_no_token_is_kept_in_clear() -> None:
    cache: VerifiedTokenCache[Claims] = VerifiedTokenCache(10, leeway=LEEWAY, clock=Clock(0))
    token = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJjbGlfYSJ9.c2lnbmF0dXJl"
    cache.put(token, Claims("cli_a", exp=100))
    assert cache.get(token[:-1] + "x") is None  # another signature
    assert cache.get(token + " ") is None
    assert cache.get(token.upper()) is None
    assert cache.get(token) is not None
    assert all(token.encode() not in key for key in cache._items)


def test_the_cache_is_bounded_and_drops_the_least_recently_used() -> None:
    cache: VerifiedTokenCache[Claims] = VerifiedTokenCache(3, leeway=LEEWAY, clock=Clock(0))
    for name in "abc":
        cache.put(name, Claims(name, exp=100))
    assert cache.get("a") is not None  # a is now the most recently used
    cache.put("d", Claims("d", exp=100))
    assert len(cache) == 3
    assert cache.get("b") is None
    assert [cache.get(name) is not None for name in "acd"] == [True, True, True]
    for index in range(1_000):
        cache.put(f"t{index}", Claims("x", exp=100))
    assert len(cache) == 3


def test_size_zero_turns_the_cache_off() -> None:
    cache: VerifiedTokenCache[Claims] = VerifiedTokenCache(0, leeway=LEEWAY, clock=Clock(0))
    cache.put("a", Claims("a", exp=100))
    assert cache.get("a") is None
    assert len(cache) == 0
    with pytest.raises(ValueError):
        VerifiedTokenCache(-1, leeway=LEEWAY)
