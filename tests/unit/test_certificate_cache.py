"""The per-process lookup cache (``services/certificates.py``): bounded by size, and holding no
expired entries once new ones arrive."""

from __future__ import annotations

import time

from clearstone_api.services.certificates import CertificateCache, StoredCertificate


def _stored(n: int) -> StoredCertificate:
    return StoredCertificate(b"{}", f'"{n}"')


def test_expired_entries_leave_as_new_ones_arrive() -> None:
    cache = CertificateCache(ttl_seconds=0.05, size=1000)
    for n in range(100):
        cache.put(f"k{n}", _stored(n))
    assert len(cache) == 100
    assert cache.get("k5") is not None
    time.sleep(0.06)
    cache.put("fresh", _stored(-1))
    assert len(cache) == 1
    assert cache.get("k5") is None
    assert cache.get("fresh") is not None


def test_the_size_bounds_it_and_a_refreshed_key_is_kept_longest() -> None:
    cache = CertificateCache(ttl_seconds=60, size=3)
    for key in ("a", "b", "c"):
        cache.put(key, _stored(0))
    cache.put("a", _stored(1))  # refreshed: now the newest
    cache.put("d", _stored(2))
    assert len(cache) == 3
    assert cache.get("b") is None
    hit = cache.get("a")
    assert hit is not None and hit.etag == '"1"'
    assert cache.get("c") is not None and cache.get("d") is not None


def test_a_zero_ttl_keeps_nothing() -> None:
    cache = CertificateCache(ttl_seconds=0, size=10)
    cache.put("a", _stored(0))
    assert cache.get("a") is None
    assert len(cache) == 0
