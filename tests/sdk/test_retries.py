"""Retries, backoff, Retry-After, budgets and idempotency keys: the policy and the loop."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable

import httpx
import pytest

from clearstone import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    InternalServerError,
    RateLimitError,
)
from clearstone._retries import Deadline, backoff_delay, parse_retry_after

from .conftest import FakeClock, Harness
from .factories import MockServer, http_date, ok, problem

Connect = Callable[..., Harness]


# The policy, as pure functions.


@pytest.mark.parametrize(
    ("retries_taken", "expected"), [(0, 0.5), (1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (9, 8.0)]
)
def test_backoff_doubles_from_half_a_second_up_to_eight(
    retries_taken: int, expected: float
) -> None:
    assert backoff_delay(retries_taken, jitter=0.0) == expected
    assert expected < backoff_delay(retries_taken, jitter=0.999) < expected * 1.25


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("3", 3.0),
        (" 1.5 ", 1.5),
        ("-4", 0.0),
        ("soon", None),
        ("nan", None),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),
    ],
)
def test_retry_after_is_read_as_seconds_or_a_date(
    header: str | None, expected: float | None
) -> None:
    assert parse_retry_after(header, now=1_700_000_000.0) == expected


def test_retry_after_date_counts_from_now() -> None:
    assert parse_retry_after("Tue, 14 Nov 2023 22:13:30 GMT", now=1_700_000_000.0) == 10.0


def test_deadline_clips_every_timeout_phase_to_the_time_left() -> None:
    clock = FakeClock()
    deadline = Deadline(2.0, clock)
    clock.advance(0.5)
    clipped = deadline.clip(httpx.Timeout(10.0, connect=1.0))
    assert (clipped.connect, clipped.read, clipped.write, clipped.pool) == (1.0, 1.5, 1.5, 1.5)
    assert deadline.clip(httpx.Timeout(None)).read == 1.5
    assert deadline.allows_wait(1.4)
    assert not deadline.allows_wait(1.45)


# The loop, through the sync and the async client.


def test_a_5xx_is_retried_until_it_succeeds(connect: Connect, clock: FakeClock) -> None:
    server = MockServer(problem(503), problem(502), ok({"n": 1}))
    assert connect(server).get() == {"n": 1}
    assert len(server.requests) == 3
    assert len(clock.sleeps) == 2
    assert 0.5 <= clock.sleeps[0] <= 0.625
    assert 1.0 <= clock.sleeps[1] <= 1.25


def test_retries_stop_after_max_retries(connect: Connect, clock: FakeClock) -> None:
    server = MockServer(*(problem(500, request_id=f"req-{i}") for i in range(4)))
    with pytest.raises(InternalServerError) as caught:
        connect(server, max_retries=3).get()
    assert len(server.requests) == 4
    assert len(clock.sleeps) == 3
    assert caught.value.request_id == "req-3"


def test_max_retries_per_call_overrides_the_client(connect: Connect, clock: FakeClock) -> None:
    server = MockServer(problem(503))
    with pytest.raises(InternalServerError):
        connect(server, max_retries=5).get(max_retries=0)
    assert len(server.requests) == 1
    assert clock.sleeps == []


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
def test_retryable_statuses_are_retried(connect: Connect, status: int) -> None:
    server = MockServer(problem(status), ok())
    connect(server).get()
    assert len(server.requests) == 2


@pytest.mark.parametrize("status", [400, 401, 403, 404, 405, 409, 410, 413, 422])
def test_other_4xx_are_raised_at_once(connect: Connect, clock: FakeClock, status: int) -> None:
    server = MockServer(problem(status))
    with pytest.raises(APIStatusError) as caught:
        connect(server).get()
    assert caught.value.status_code == status
    assert len(server.requests) == 1
    assert clock.sleeps == []


def test_retry_after_seconds_is_honoured(connect: Connect, clock: FakeClock) -> None:
    server = MockServer(problem(429, headers={"Retry-After": "3"}), ok())
    connect(server).get()
    assert clock.sleeps == [3.0]


def test_retry_after_date_is_honoured(connect: Connect, clock: FakeClock) -> None:
    server = MockServer(problem(503, headers={"Retry-After": http_date(5)}), ok())
    connect(server).get()
    assert len(clock.sleeps) == 1
    assert 3.0 <= clock.sleeps[0] <= 5.0


def test_a_retry_after_over_a_minute_is_not_waited_out(connect: Connect, clock: FakeClock) -> None:
    server = MockServer(problem(429, headers={"Retry-After": "3600"}))
    with pytest.raises(RateLimitError):
        connect(server).get()
    assert clock.sleeps == []


def test_connection_errors_are_retried_then_raised(connect: Connect, clock: FakeClock) -> None:
    server = MockServer(*(httpx.ConnectError("connection refused") for _ in range(3)))
    with pytest.raises(APIConnectionError) as caught:
        connect(server).get()
    assert type(caught.value) is APIConnectionError
    assert "ConnectError" in str(caught.value)
    assert isinstance(caught.value.__cause__, httpx.ConnectError)
    assert len(server.requests) == 3
    assert len(clock.sleeps) == 2


@pytest.mark.parametrize(
    "exc",
    [httpx.ConnectTimeout("slow"), httpx.ReadTimeout("slow"), httpx.PoolTimeout("busy")],
)
def test_timeouts_become_api_timeout_errors(connect: Connect, exc: httpx.TimeoutException) -> None:
    server = MockServer(exc)
    with pytest.raises(APITimeoutError) as caught:
        connect(server, max_retries=0).get()
    assert caught.value.request is not None


@pytest.mark.parametrize(
    "exc",
    [httpx.RemoteProtocolError("eof"), httpx.ReadError("reset"), httpx.DecodingError("gzip")],
)
def test_no_raw_httpx_exception_escapes(connect: Connect, exc: httpx.HTTPError) -> None:
    with pytest.raises(APIConnectionError):
        connect(MockServer(exc), max_retries=0).get()


# Budgets: a deadline for the whole call, retries and waits included.


def test_budget_raises_at_once_when_the_wait_would_not_fit(
    connect: Connect, clock: FakeClock
) -> None:
    start = clock.now

    def slow_503(_request: httpx.Request) -> httpx.Response:
        clock.advance(0.6)
        return problem(503)

    server = MockServer(slow_503, ok())
    with pytest.raises(InternalServerError):
        connect(server).get(budget=1.0)
    assert clock.sleeps == []
    assert len(server.requests) == 1
    assert clock.now - start <= 1.0


def test_budget_allows_the_retries_that_fit(connect: Connect, clock: FakeClock) -> None:
    server = MockServer(problem(503), problem(503), ok())
    with pytest.raises(InternalServerError):
        connect(server).get(budget=1.5)  # 0.5-0.625 s fits; then 1-1.25 s does not
    assert len(clock.sleeps) == 1
    assert len(server.requests) == 2


def test_budget_refuses_a_retry_after_beyond_it(connect: Connect, clock: FakeClock) -> None:
    server = MockServer(problem(429, headers={"Retry-After": "5"}))
    with pytest.raises(RateLimitError):
        connect(server).get(budget=3.0)
    assert clock.sleeps == []


def test_budget_clips_the_timeout_of_each_attempt(connect: Connect, clock: FakeClock) -> None:
    def slow_503(_request: httpx.Request) -> httpx.Response:
        clock.advance(0.5)
        return problem(503)

    server = MockServer(slow_503, ok())
    connect(server, timeout=10.0).get(budget=2.0)
    first, second = (r.extensions["timeout"] for r in server.requests)
    assert first == {"connect": 2.0, "read": 2.0, "write": 2.0, "pool": 2.0}
    assert max(second.values()) < 1.0


def test_a_budget_too_small_for_any_attempt_sends_nothing(connect: Connect) -> None:
    server = MockServer()
    with pytest.raises(APITimeoutError, match="budget"):
        connect(server).get(budget=0.01)
    assert server.requests == []


def test_timeouts_within_budget_end_in_api_timeout_error(
    connect: Connect, clock: FakeClock
) -> None:
    def timing_out(request: httpx.Request) -> httpx.Response:
        clock.advance(request.extensions["timeout"]["read"])
        raise httpx.ReadTimeout("slow", request=request)

    server = MockServer(timing_out, timing_out)
    with pytest.raises(APITimeoutError):
        connect(server, timeout=5.0).get(budget=1.0)
    assert len(server.requests) == 1
    assert clock.sleeps == []


@pytest.mark.parametrize("kind", ["async"])
def test_async_budget_cuts_off_a_hanging_response(connect: Connect) -> None:
    async def hanging(_request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(30)
        return ok()

    harness = connect(MockServer(hanging), timeout=None, max_retries=0)
    with pytest.raises(APITimeoutError, match="budget"):
        harness.get(budget=0.15)


# Idempotency: one key per call, the same on every retry.


def test_a_post_keeps_its_idempotency_key_on_every_retry(connect: Connect) -> None:
    server = MockServer(problem(503), httpx.ConnectError("reset"), ok(status=201))
    connect(server).post()
    keys = {r.headers["Idempotency-Key"] for r in server.requests}
    assert len(server.requests) == 3
    assert len(keys) == 1
    assert uuid.UUID(keys.pop()).version == 4


def test_each_post_call_gets_its_own_key(connect: Connect) -> None:
    server = MockServer(ok(status=201), ok(status=201))
    harness = connect(server)
    harness.post()
    harness.post()
    first, second = (r.headers["Idempotency-Key"] for r in server.requests)
    assert first != second


def test_a_caller_supplied_key_is_sent_as_is(connect: Connect) -> None:
    server = MockServer(problem(500), ok(status=201))
    connect(server).post(idempotency_key="order-1042")
    assert [r.headers["Idempotency-Key"] for r in server.requests] == ["order-1042"] * 2


def test_a_get_carries_no_idempotency_key(connect: Connect) -> None:
    server = MockServer(ok())
    connect(server).get()
    assert "Idempotency-Key" not in server.requests[0].headers


def test_a_retried_post_resends_the_same_body(connect: Connect) -> None:
    server = MockServer(problem(503), ok(status=201))
    connect(server).post(json={"items": ["7770001"]})
    assert [r.content for r in server.requests] == [b'{"items":["7770001"]}'] * 2
