"""``client.checkout.screen``: Clearstone's answer, or the retailer's fallback, never a hang."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

import httpx
import pytest

from clearstone import (
    AuthenticationError,
    BadRequestError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ScreeningResult,
    UnprocessableEntityError,
)
from clearstone._constants import DEFAULT_SCREEN_BUDGET

from .conftest import FakeClock, Harness
from .factories import MockServer, Reply, ok, problem, screening_result

Connect = Callable[..., Harness]

CART = ["7770001", "9990000"]


def screen(harness: Harness, items: list[str] = CART, **kwargs: object) -> ScreeningResult:
    result: ScreeningResult = harness.call("checkout.screen", items, **kwargs)
    return result


def test_the_answer_is_clearstones_when_it_answers(connect: Connect) -> None:
    server = MockServer(ok(screening_result()))
    result = screen(connect(server), fallback="fail_open")
    assert not result.degraded
    assert result.degraded_reason is None
    assert [i.decision for i in result.items] == ["allow", "review"]
    assert json.loads(server.requests[0].content) == {"items": CART}


def test_the_policy_goes_in_the_body(connect: Connect) -> None:
    server = MockServer(ok(screening_result()))
    screen(connect(server), policy={"unknown": "block", "block_csc": []})
    assert json.loads(server.requests[0].content)["policy"] == {
        "unknown": "block",
        "block_csc": [],
    }


@pytest.mark.parametrize(
    ("failure", "reason"),
    [
        (lambda: httpx.ConnectError("refused"), "connection_error"),
        (lambda: httpx.ReadTimeout("slow"), "timeout"),
        (lambda: problem(503), "http_503"),
        (lambda: problem(500), "http_500"),
        (lambda: problem(429, headers={"Retry-After": "30"}), "http_429"),
        (lambda: problem(408), "http_408"),
    ],
)
def test_fail_open_allows_every_line_marked_degraded(
    connect: Connect, failure: Callable[[], Reply], reason: str
) -> None:
    server = MockServer(*(failure() for _ in range(3)))
    result = screen(connect(server), fallback="fail_open")
    assert result.degraded
    assert result.degraded_reason == reason
    assert result.fallback == "fail_open"
    assert result.decision == "allow"
    assert [(i.number, i.decision, i.degraded) for i in result.items] == [
        ("7770001", "allow", True),
        ("9990000", "allow", True),
    ]
    assert all("fail-open" in i.reasons[0] for i in result.items)


def test_fail_closed_sends_every_line_to_review(connect: Connect) -> None:
    result = screen(connect(MockServer(*(problem(502) for _ in range(3)))), fallback="fail_closed")
    assert result.degraded and result.degraded_reason == "http_502"
    assert result.decision == "review"
    assert {i.decision for i in result.items} == {"review"}
    assert "request_id req-123" in result.items[0].reasons[0]


def test_fail_closed_is_the_default(connect: Connect) -> None:
    result = screen(connect(MockServer(*(httpx.ConnectError("down") for _ in range(3)))))
    assert (result.fallback, result.decision) == ("fail_closed", "review")


def test_retries_happen_only_within_the_budget(connect: Connect, clock: FakeClock) -> None:
    # Backoff 0.5 s then 1.0 s fit a 2 s budget; a third wait would not.
    server = MockServer(*(problem(503) for _ in range(3)))
    result = screen(connect(server), budget=2.0)
    assert result.degraded
    assert len(server.requests) == 3
    assert sum(clock.sleeps) < 2.0


def test_a_tight_budget_gives_up_without_retrying(connect: Connect, clock: FakeClock) -> None:
    server = MockServer(problem(503))
    result = screen(connect(server), budget=0.3)
    assert result.degraded_reason == "http_503"
    assert len(server.requests) == 1
    assert clock.sleeps == []


def test_a_retry_after_beyond_the_budget_is_not_waited_out(
    connect: Connect, clock: FakeClock
) -> None:
    server = MockServer(problem(429, headers={"Retry-After": "5"}))
    result = screen(connect(server), budget=DEFAULT_SCREEN_BUDGET, fallback="fail_open")
    assert result.degraded_reason == "http_429"
    assert clock.sleeps == []


def test_a_recovered_server_answers_within_the_budget(connect: Connect) -> None:
    server = MockServer(httpx.ConnectError("blip"), ok(screening_result()))
    result = screen(connect(server), fallback="fail_open")
    assert not result.degraded
    assert len(server.requests) == 2


def test_every_retry_carries_the_same_idempotency_key(connect: Connect) -> None:
    server = MockServer(problem(503), problem(503), ok(screening_result()))
    screen(connect(server))
    keys = {r.headers["Idempotency-Key"] for r in server.requests}
    assert len(keys) == 1 and keys != {""}


def test_the_callers_idempotency_key_is_sent(connect: Connect) -> None:
    server = MockServer(ok(screening_result()))
    screen(connect(server), idempotency_key="order-1042")
    assert server.requests[0].headers["Idempotency-Key"] == "order-1042"


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (409, ConflictError),
        (422, UnprocessableEntityError),
    ],
)
def test_caller_errors_still_raise_whatever_the_fallback(
    connect: Connect, status: int, error: type[Exception]
) -> None:
    # A bug (bad credentials, a bad cart, a wrong base URL) must not silently allow sales.
    with pytest.raises(error):
        screen(connect(MockServer(problem(status))), fallback="fail_open")


def test_a_response_that_is_not_a_screening_raises(connect: Connect) -> None:
    with pytest.raises(Exception, match="not a valid ScreeningResult"):
        screen(connect(MockServer(ok({"unexpected": True}))), fallback="fail_open")


@pytest.mark.parametrize("items", [[], [f"N{i}" for i in range(101)]])
def test_an_empty_or_oversized_cart_is_refused_before_sending(
    connect: Connect, items: list[str]
) -> None:
    server = MockServer()
    with pytest.raises(ValueError, match="1 to 100 items"):
        screen(connect(server), items, fallback="fail_open")
    assert server.requests == []


def test_a_single_string_is_not_a_cart(connect: Connect) -> None:
    with pytest.raises(TypeError, match="not one string"):
        connect(MockServer()).call("checkout.screen", "7770001")


def test_an_unknown_fallback_is_refused(connect: Connect) -> None:
    with pytest.raises(ValueError, match="fail_open"):
        screen(connect(MockServer()), fallback="allow")


def test_the_raw_operation_raises_instead_of_falling_back(connect: Connect) -> None:
    with pytest.raises(Exception, match="503"):
        connect(MockServer(*(problem(503) for _ in range(3)))).call(
            "checkout.screenings.create", CART
        )


def test_a_degraded_screening_is_logged_as_a_warning(
    connect: Connect, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="clearstone"):
        screen(
            connect(MockServer(*(httpx.ConnectError("down") for _ in range(3)))),
            fallback="fail_open",
        )
    assert "degraded (connection_error): fail_open applied to 2 item(s)" in caplog.text
