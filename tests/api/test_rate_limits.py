"""Rate limits (``security/rate_limits.py``): per address, per client, shared through Redis."""

from __future__ import annotations

import asyncio
import base64
import logging
import os
import re
import uuid
from collections.abc import Iterator

import pytest
import redis
from fastapi import FastAPI

from clearstone_api.app import create_app
from clearstone_api.container import container_of
from clearstone_api.security.client_secrets import SecretHasher
from clearstone_api.security.rate_limits import MemoryStore
from clearstone_api.security.scopes import Role
from clearstone_api.services.clients import create_client
from clearstone_api.settings import Settings
from tests.support.harness import TEST_REDIS_ENV, ASGIClient, bearer

POLICY = re.compile(r'^"(public|client|token)";q=\d+;w=\d+$')
REMAINING = re.compile(r'^"(public|client|token)";r=(\d+);t=(\d+)$')


def _limited(settings: Settings, **limits: object) -> Settings:
    return settings.model_copy(update={"rate_limit_window_seconds": 60, **limits})


@pytest.fixture
def limited(settings: Settings) -> Iterator[tuple[FastAPI, ASGIClient]]:
    app = create_app(
        _limited(settings, rate_limit_public=3, rate_limit_client=2, rate_limit_token=1)
    )
    client = ASGIClient(app)
    yield app, client
    client.close()


def _remaining(response_header: str) -> int:
    match = REMAINING.match(response_header)
    assert match, response_header
    return int(match.group(2))


def test_public_requests_count_per_address_and_429_past_the_quota(
    limited: tuple[FastAPI, ASGIClient],
) -> None:
    _, client = limited
    answers = [client.get("/v1/reference/taxonomy") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    for answer in answers:
        assert answer.headers["ratelimit-policy"] == '"public";q=3;w=60'
    assert [_remaining(a.headers["ratelimit"]) for a in answers] == [2, 1, 0, 0]
    refused = answers[-1]
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["status"] == 429
    assert refused.json()["request_id"] == refused.headers["x-request-id"]
    assert 1 <= int(refused.headers["retry-after"]) <= 60


def test_authenticated_requests_count_per_client_not_per_address(
    limited: tuple[FastAPI, ASGIClient],
) -> None:
    app, client = limited
    first = bearer(app, Role.supplier, tenant="one", client_id="cli_one")
    second = bearer(app, Role.supplier, tenant="two", client_id="cli_two")
    assert [client.get("/v1/stones", headers=first).status_code for _ in range(3)] == [
        200,
        200,
        429,
    ]
    # Same address, another client: its own budget. And the address's public budget is untouched.
    assert client.get("/v1/stones", headers=second).status_code == 200
    assert client.get("/v1/stones", headers=second).headers["ratelimit-policy"] == (
        '"client";q=2;w=60'
    )
    assert client.get("/v1/reference/taxonomy").status_code == 200


def test_an_invalid_token_spends_the_address_budget(limited: tuple[FastAPI, ASGIClient]) -> None:
    _, client = limited
    forged = {"Authorization": "Bearer a.b.c"}
    statuses = [client.get("/v1/stones", headers=forged).status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 429]


def test_the_token_endpoint_has_its_own_stricter_policy(
    limited: tuple[FastAPI, ASGIClient],
) -> None:
    _, client = limited
    form = {"content-type": "application/x-www-form-urlencoded"}
    first = client.post("/v1/oauth/token", content="grant_type=client_credentials", headers=form)
    second = client.post("/v1/oauth/token", content="grant_type=client_credentials", headers=form)
    assert (first.status_code, second.status_code) == (401, 429)
    assert second.headers["ratelimit-policy"] == '"token";q=1;w=60'


def test_probes_are_not_limited(limited: tuple[FastAPI, ASGIClient]) -> None:
    _, client = limited
    for _ in range(5):
        response = client.get("/healthz")
        assert response.status_code == 200
        assert "ratelimit" not in response.headers


def test_the_memory_store_opens_a_new_window_when_the_old_one_ends() -> None:
    now = [1000.0]
    store = MemoryStore(clock=lambda: now[0])

    async def hits() -> list[tuple[int, int]]:
        seen = []
        for advance in (0, 10, 49.5, 0.6):
            now[0] += advance
            usage = await store.hit("k", 60)
            seen.append((usage.count, usage.reset))
        return seen

    assert asyncio.run(hits()) == [(1, 60), (2, 50), (3, 1), (1, 60)]


def test_the_memory_store_stays_bounded() -> None:
    now = [0.0]
    store = MemoryStore(max_keys=10, clock=lambda: now[0])

    async def fill() -> None:
        for index in range(100):
            now[0] += 0.001
            await store.hit(f"k{index}", 60)

    asyncio.run(fill())
    assert len(store._windows) <= 10


# Shared through Redis: two app objects stand in for two server processes.


@pytest.fixture
def redis_url() -> Iterator[str]:
    url = os.environ.get(TEST_REDIS_ENV)
    if not url:
        pytest.skip(f"set {TEST_REDIS_ENV} to run the Redis tests")
    connection = redis.Redis.from_url(url, socket_connect_timeout=1)
    try:
        connection.ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis at {url} is unreachable: {exc}")
    finally:
        connection.close()
    yield url


def test_two_processes_share_one_budget_through_redis(settings: Settings, redis_url: str) -> None:
    prefix = f"clearstone-test-{uuid.uuid4().hex}:"
    shared = _limited(settings, redis_url=redis_url, redis_key_prefix=prefix, rate_limit_public=5)
    first, second = ASGIClient(create_app(shared)), ASGIClient(create_app(shared))
    try:
        answers = [
            (first if index % 2 == 0 else second).get("/v1/reference/taxonomy")
            for index in range(7)
        ]
        assert [a.status_code for a in answers] == [200, 200, 200, 200, 200, 429, 429]
        assert [_remaining(a.headers["ratelimit"]) for a in answers[:5]] == [4, 3, 2, 1, 0]
        connection = redis.Redis.from_url(redis_url)
        try:
            (key,) = connection.keys(f"{prefix}*")
            assert key == f"{prefix}rl:public:addr:127.0.0.1".encode()
            assert int(connection.get(key) or 0) == 7
            assert 0 < connection.pttl(key) <= 60_000  # the window's expiry is always set
            connection.delete(key)
        finally:
            connection.close()
    finally:
        first.close()
        second.close()


def test_failed_secrets_for_one_client_id_are_counted_across_processes(
    settings: Settings, redis_url: str, hasher: SecretHasher
) -> None:
    prefix = f"clearstone-test-{uuid.uuid4().hex}:"
    shared = _limited(
        settings, redis_url=redis_url, redis_key_prefix=prefix, token_failures_per_client=2
    )
    first, second = ASGIClient(create_app(shared)), ASGIClient(create_app(shared))
    try:
        with container_of(first.app).database.session() as session:
            created = create_client(session, hasher, role=Role.supplier, tenant_id="ACME")
        form = "grant_type=client_credentials"
        headers = {"content-type": "application/x-www-form-urlencoded"}

        def ask(client: ASGIClient, secret: str) -> int:
            pair = base64.b64encode(f"{created.client_id}:{secret}".encode()).decode()
            answer = client.post(
                "/v1/oauth/token",
                content=form,
                headers={**headers, "Authorization": f"Basic {pair}"},
            )
            return answer.status_code

        assert [ask(first, "cs_wrong"), ask(second, "cs_wrong")] == [401, 401]
        assert ask(first, created.client_secret) == 429
        assert ask(second, created.client_secret) == 429
    finally:
        connection = redis.Redis.from_url(redis_url)
        try:
            for key in connection.keys(f"{prefix}*"):
                connection.delete(key)
        finally:
            connection.close()
        first.close()
        second.close()


def test_an_unreachable_redis_falls_back_to_local_counting(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    broken = _limited(settings, redis_url="redis://127.0.0.1:1/0", rate_limit_public=2)
    client = ASGIClient(create_app(broken))
    try:
        with caplog.at_level(logging.WARNING, logger="clearstone.rate_limits"):
            statuses = [client.get("/v1/reference/taxonomy").status_code for _ in range(3)]
        assert statuses == [200, 200, 429]
        assert sum("counting in-process" in r.getMessage() for r in caplog.records) == 1
    finally:
        client.close()
