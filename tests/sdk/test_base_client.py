"""Construction, requests and responses, the pool's lifecycle and logging (sync and async)."""

from __future__ import annotations

import asyncio
import base64
import logging
from collections.abc import Callable

import httpx
import pytest

from clearstone import (
    NOT_GIVEN,
    APIError,
    AsyncClearstone,
    BaseModel,
    CertificateView,
    Clearstone,
    ClearstoneError,
    NotFoundError,
)
from clearstone._constants import DEFAULT_BASE_URL, DEFAULT_TIMEOUT, ENV_BASE_URL, USER_AGENT

from .conftest import Harness
from .factories import BASE_URL, MockServer, certificate_view, ok, problem, token

Connect = Callable[..., Harness]


class Widget(BaseModel):
    name: str
    size: int | None = None


# Construction.


def test_base_url_comes_from_the_argument_the_environment_or_the_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert Clearstone(base_url="https://a.test/").base_url == "https://a.test"
    assert Clearstone().base_url == DEFAULT_BASE_URL
    monkeypatch.setenv(ENV_BASE_URL, "https://env.test")
    assert Clearstone().base_url == "https://env.test"


@pytest.mark.parametrize("url", ["ftp://files.test", "not a url", "http://[::1"])
def test_a_base_url_that_is_not_http_is_refused(url: str) -> None:
    with pytest.raises(ClearstoneError, match="base_url"):
        Clearstone(base_url=url)


def test_timeout_unset_none_and_given_differ() -> None:
    assert Clearstone().timeout == DEFAULT_TIMEOUT
    assert Clearstone(timeout=NOT_GIVEN).timeout == DEFAULT_TIMEOUT
    assert Clearstone(timeout=None).timeout == httpx.Timeout(None)
    assert Clearstone(timeout=2.5).timeout == httpx.Timeout(2.5)
    with httpx.Client(timeout=7.0) as http:
        assert Clearstone(http_client=http).timeout == httpx.Timeout(7.0)


def test_negative_max_retries_is_refused() -> None:
    with pytest.raises(ValueError, match="max_retries"):
        Clearstone(max_retries=-1)


def test_repr_names_the_auth_kind_but_not_the_secret() -> None:
    text = repr(Clearstone(base_url=BASE_URL, client_id="id", client_secret="s3cret"))
    assert text == f"<Clearstone base_url='{BASE_URL}' auth=oauth>"


# Requests.


def test_every_request_carries_the_default_headers(connect: Connect) -> None:
    server = MockServer(ok())
    connect(server, default_headers={"X-Clearstone-Client": "acme"}).get()
    headers = server.requests[0].headers
    assert headers["User-Agent"] == USER_AGENT
    assert headers["Accept"] == "application/json"
    assert headers["X-Clearstone-Client"] == "acme"


def test_path_and_query_are_joined_to_the_base_url(connect: Connect) -> None:
    server = MockServer(ok())
    connect(server, base_url=f"{BASE_URL}/prefix/").get(
        "v1/stones", params={"limit": 5, "after": None, "lab": NOT_GIVEN, "fresh": True}
    )
    assert str(server.requests[0].url) == f"{BASE_URL}/prefix/v1/stones?limit=5&fresh=true"


def test_a_model_body_sends_only_the_fields_that_were_set(connect: Connect) -> None:
    server = MockServer(ok(status=201))
    connect(server).post(json=Widget(name="w"))
    request = server.requests[0]
    assert request.headers["Content-Type"] == "application/json"
    assert request.content == b'{"name":"w"}'


def test_a_mapping_body_drops_not_given_and_keeps_none(connect: Connect) -> None:
    server = MockServer(ok(status=201))
    connect(server).post(json={"name": "w", "size": None, "colour": NOT_GIVEN})
    assert server.requests[0].content == b'{"name":"w","size":null}'


def test_per_call_headers_and_timeout_apply(connect: Connect) -> None:
    server = MockServer(ok())
    connect(server).get(headers={"If-None-Match": '"abc"'}, timeout=1.5)
    request = server.requests[0]
    assert request.headers["If-None-Match"] == '"abc"'
    assert request.extensions["timeout"] == {"connect": 1.5, "read": 1.5, "write": 1.5, "pool": 1.5}


# Responses.


def test_the_answer_is_parsed_into_cast_to(connect: Connect) -> None:
    server = MockServer(ok(certificate_view()))
    view = connect(server).get("/v1/certificates/7770001", cast_to=CertificateView)
    assert isinstance(view, CertificateView)
    assert view.kp.result == "pass"


def test_cast_to_may_be_any_type_pydantic_reads(connect: Connect) -> None:
    server = MockServer(ok([{"name": "a"}, {"name": "b", "size": 2}]))
    widgets = connect(server).get(cast_to=list[Widget])
    assert [w.name for w in widgets] == ["a", "b"]


def test_cast_to_none_reads_no_body(connect: Connect) -> None:
    server = MockServer(httpx.Response(204))
    assert connect(server).request("DELETE", "/v1/things/1", cast_to=type(None)) is None


def test_an_answer_that_does_not_fit_the_model_is_an_api_error(connect: Connect) -> None:
    server = MockServer(ok({"size": "big"}))
    with pytest.raises(APIError, match="not a valid Widget") as caught:
        connect(server).get(cast_to=Widget)
    assert type(caught.value) is APIError


def test_an_error_answer_raises_its_typed_exception(connect: Connect) -> None:
    server = MockServer(problem(404, title="Not found", detail="No stone 42.", request_id="req-7"))
    with pytest.raises(NotFoundError) as caught:
        connect(server).get()
    assert caught.value.request_id == "req-7"
    assert caught.value.detail == "No stone 42."
    assert "req-7" in str(caught.value)


# The connection pool.


def test_the_sync_client_closes_the_pool_it_owns() -> None:
    with Clearstone() as client:
        assert not client.is_closed
    assert client.is_closed


def test_the_sync_client_leaves_an_injected_pool_open() -> None:
    with httpx.Client() as http:
        with Clearstone(http_client=http) as client:
            pass
        assert client.is_closed is False
        assert not http.is_closed


def test_the_async_client_closes_the_pool_it_owns() -> None:
    async def scenario() -> bool:
        async with AsyncClearstone() as client:
            assert not client.is_closed
        return client.is_closed

    assert asyncio.run(scenario())


def test_the_async_client_leaves_an_injected_pool_open() -> None:
    async def scenario() -> bool:
        async with httpx.AsyncClient() as http:
            async with AsyncClearstone(http_client=http):
                pass
            return http.is_closed

    assert asyncio.run(scenario()) is False


# Logging.

SECRETS = ("key-SECRET-1", "secret-SECRET-2", "tok-SECRET-3")


def _leaks(caplog: pytest.LogCaptureFixture, secrets: tuple[str, ...]) -> list[str]:
    basic = base64.b64encode(b"shop-42:" + secrets[1].encode()).decode()
    texts = (
        [caplog.text]
        + [repr(r.args) for r in caplog.records]
        + [r.getMessage() for r in caplog.records]
    )
    return [s for s in (*secrets, basic, "Authorization", "Bearer") if any(s in t for t in texts)]


def test_logging_never_shows_the_key(connect: Connect, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    server = MockServer(problem(503), ok(), problem(401))
    harness = connect(server, api_key=SECRETS[0])
    harness.get()
    with pytest.raises(ClearstoneError):
        harness.get()
    assert caplog.records
    assert _leaks(caplog, SECRETS) == []


def test_logging_never_shows_the_secret_or_the_token(
    connect: Connect, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    server = MockServer(
        problem(401), ok(), tokens=[problem(503), token(SECRETS[2]), token(SECRETS[2] + "b")]
    )
    connect(server, client_id="shop-42", client_secret=SECRETS[1]).post(json={"n": SECRETS[0]})
    assert len(server.token_requests) == 3
    assert _leaks(caplog, SECRETS) == []


def test_debug_log_names_method_path_status_request_id_and_attempt(
    connect: Connect, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="clearstone")
    server = MockServer(problem(503, request_id="req-a"), ok())
    connect(server).get("/v1/stones", params={"q": "private"})
    messages = [r.getMessage() for r in caplog.records if r.name == "clearstone"]
    assert "GET /v1/stones -> 503 (request_id=req-a, attempt 1)" in messages
    assert "GET /v1/stones -> 200 (request_id=req-ok, attempt 2)" in messages
    assert not any("private" in m for m in messages)


def test_nothing_is_logged_above_debug(connect: Connect, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="clearstone")
    connect(MockServer(problem(503), ok())).get()
    assert [r for r in caplog.records if r.name == "clearstone"] == []
