"""What a shared cache may do with the public lookups: ``Cache-Control`` with a freshness bound,
a strong ETag to revalidate with, and no ``Vary`` (the same bytes for every caller and origin)."""

from __future__ import annotations

import pytest
from fastapi import FastAPI

from clearstone_api.app import create_app
from clearstone_api.routes.cache_headers import staleness_bound_seconds
from clearstone_api.settings import Settings
from tests.api.conftest import Loader
from tests.support.harness import ASGIClient

NUMBER = "DEMO-BW-2023"
PATHS = [f"/v1/certificates/{NUMBER}", f"/v1/certificates/{NUMBER}/attestation"]
DEFAULT = "public, max-age=60, stale-while-revalidate=30"


@pytest.mark.parametrize("path", PATHS, ids=["certificate", "attestation"])
def test_public_lookups_may_be_cached_and_revalidated(
    load: Loader, client: ASGIClient, path: str
) -> None:
    load(NUMBER)
    plain = client.get(path)
    assert plain.status_code == 200, plain.text
    assert plain.headers["cache-control"] == DEFAULT
    etag = plain.headers["etag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert "vary" not in plain.headers
    assert plain.headers["access-control-allow-origin"] == "*"
    from_a_page = client.get(path, headers={"Origin": "https://shop.example"})
    assert from_a_page.content == plain.content
    assert from_a_page.headers["access-control-allow-origin"] == "*"
    assert "vary" not in from_a_page.headers
    revalidated = client.get(path, headers={"If-None-Match": etag})
    assert revalidated.status_code == 304
    assert revalidated.headers["cache-control"] == DEFAULT
    assert revalidated.headers["etag"] == etag
    assert revalidated.content == b""


@pytest.mark.parametrize("path", PATHS, ids=["certificate", "attestation"])
def test_errors_are_not_offered_to_shared_caches(client: ASGIClient, path: str) -> None:
    response = client.get(path.replace(NUMBER, "GIA-0000000001"))
    assert response.status_code == 404
    assert "public" not in response.headers.get("cache-control", "")


def test_the_bound_is_configurable_and_zero_means_revalidate_every_time(
    settings: Settings, load: Loader
) -> None:
    tight = settings.model_copy(
        update={"public_cache_max_age_seconds": 5, "public_cache_stale_seconds": 7}
    )
    assert staleness_bound_seconds(tight) == 5 + 7 + tight.lookup_cache_ttl_seconds
    off = settings.model_copy(
        update={"public_cache_max_age_seconds": 0, "public_cache_stale_seconds": 0}
    )
    load(NUMBER)
    for changed, expected in (
        (tight, "public, max-age=5, stale-while-revalidate=7"),
        (off, "no-cache"),
    ):
        app: FastAPI = create_app(changed)
        client = ASGIClient(app)
        try:
            for path in PATHS:
                assert client.get(path).headers["cache-control"] == expected
        finally:
            client.close()
