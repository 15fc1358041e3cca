"""Credentials from arguments or the environment, and the OAuth2 client-credentials token flow."""

from __future__ import annotations

import base64
import urllib.parse
from collections.abc import Callable

import pytest

from clearstone import AuthenticationError, ClearstoneError, InternalServerError
from clearstone._auth import ClientCredentials, TokenCache, resolve_credentials
from clearstone._constants import ENV_API_KEY, ENV_CLIENT_ID, ENV_CLIENT_SECRET, TOKEN_PATH
from clearstone._models import AccessToken

from .conftest import FakeClock, Harness
from .factories import MockServer, ok, problem, token

Connect = Callable[..., Harness]

OAUTH = {"client_id": "shop-42", "client_secret": "s3cret/with+symbols"}


def _basic(header: str) -> tuple[str, str]:
    scheme, _, encoded = header.partition(" ")
    assert scheme == "Basic"
    client_id, _, secret = base64.b64decode(encoded).decode().partition(":")
    return urllib.parse.unquote_plus(client_id), urllib.parse.unquote_plus(secret)


# Which credentials a client uses.


def test_arguments_win_over_the_environment() -> None:
    env = {ENV_API_KEY: "env-key"}
    assert (
        resolve_credentials(api_key="arg-key", client_id=None, client_secret=None, environ=env)
        == "arg-key"
    )
    assert resolve_credentials(
        api_key=None, client_id="id", client_secret="secret", environ=env
    ) == ClientCredentials("id", "secret")


def test_the_environment_supplies_either_kind() -> None:
    key = resolve_credentials(
        api_key=None, client_id=None, client_secret=None, environ={ENV_API_KEY: "k"}
    )
    pair = resolve_credentials(
        api_key=None,
        client_id=None,
        client_secret=None,
        environ={ENV_CLIENT_ID: "id", ENV_CLIENT_SECRET: "secret"},
    )
    assert (key, pair) == ("k", ClientCredentials("id", "secret"))


def test_a_missing_half_of_the_pair_comes_from_the_environment() -> None:
    found = resolve_credentials(
        api_key=None, client_id="id", client_secret=None, environ={ENV_CLIENT_SECRET: "secret"}
    )
    assert found == ClientCredentials("id", "secret")


def test_no_credentials_means_anonymous() -> None:
    assert resolve_credentials(api_key=None, client_id=None, client_secret=None, environ={}) is None


@pytest.mark.parametrize(
    ("arguments", "environ", "message"),
    [
        ({"api_key": "k", "client_id": "id"}, {}, "not both"),
        ({"client_id": "id"}, {}, "client_secret is missing"),
        ({}, {ENV_CLIENT_SECRET: "secret"}, "client_id is missing"),
        ({}, {ENV_API_KEY: "k", ENV_CLIENT_ID: "id"}, "Both"),
        ({"api_key": ""}, {}, "empty"),
    ],
)
def test_ambiguous_or_partial_credentials_are_refused(
    arguments: dict[str, str], environ: dict[str, str], message: str
) -> None:
    options = {"api_key": None, "client_id": None, "client_secret": None, **arguments}
    with pytest.raises(ClearstoneError, match=message):
        resolve_credentials(environ=environ, **options)


def test_the_client_reads_credentials_from_the_environment(
    connect: Connect, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_CLIENT_ID, "shop-42")
    monkeypatch.setenv(ENV_CLIENT_SECRET, "from-env")
    server = MockServer(ok(), tokens=[token("tok-env")])
    connect(server).get()
    assert _basic(server.token_requests[0].headers["Authorization"]) == ("shop-42", "from-env")
    assert server.requests[0].headers["Authorization"] == "Bearer tok-env"


def test_secrets_stay_out_of_reprs() -> None:
    assert "s3cret" not in repr(ClientCredentials("id", "s3cret"))
    assert "tok-1" not in repr(AccessToken(access_token="tok-1"))
    cache = TokenCache(FakeClock())
    cache.store(AccessToken(access_token="tok-1", expires_in=60), requested_at=1000.0)
    assert "tok-1" not in repr(cache)


# A static key and anonymous calls.


def test_a_static_key_is_sent_as_a_bearer_token(connect: Connect) -> None:
    server = MockServer(ok())
    connect(server, api_key="key-1").get()
    assert server.requests[0].headers["Authorization"] == "Bearer key-1"
    assert server.token_requests == []


def test_without_credentials_no_authorization_is_sent(connect: Connect) -> None:
    server = MockServer(ok())
    connect(server).get()
    assert "Authorization" not in server.requests[0].headers


def test_a_static_key_refused_is_not_retried(connect: Connect) -> None:
    server = MockServer(problem(401))
    with pytest.raises(AuthenticationError):
        connect(server, api_key="key-1").get()
    assert len(server.requests) == 1


# The token flow.


def test_the_token_request_is_a_client_credentials_grant_with_basic_auth(connect: Connect) -> None:
    server = MockServer(ok(), tokens=[token("tok-1")])
    connect(server, **OAUTH).get()
    (request,) = server.token_requests
    assert (request.method, request.url.path) == ("POST", TOKEN_PATH)
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert urllib.parse.parse_qs(request.content.decode()) == {"grant_type": ["client_credentials"]}
    assert _basic(request.headers["Authorization"]) == ("shop-42", "s3cret/with+symbols")
    assert server.requests[0].headers["Authorization"] == "Bearer tok-1"


def test_the_token_is_cached_across_calls(connect: Connect) -> None:
    server = MockServer(ok(), ok(), ok(), tokens=[token("tok-1")])
    harness = connect(server, **OAUTH)
    for _ in range(3):
        harness.get()
    assert len(server.token_requests) == 1
    assert {r.headers["Authorization"] for r in server.requests} == {"Bearer tok-1"}


def test_the_token_is_replaced_shortly_before_it_expires(
    connect: Connect, clock: FakeClock
) -> None:
    server = MockServer(ok(), ok(), ok(), tokens=[token("tok-1", expires_in=900), token("tok-2")])
    harness = connect(server, **OAUTH)
    harness.get()
    clock.advance(869)  # 900 s lifetime less the 30 s margin: still fresh
    harness.get()
    clock.advance(2)
    harness.get()
    assert [r.headers["Authorization"] for r in server.requests] == [
        "Bearer tok-1",
        "Bearer tok-1",
        "Bearer tok-2",
    ]


def test_a_short_lived_token_keeps_a_proportionate_margin(
    connect: Connect, clock: FakeClock
) -> None:
    server = MockServer(ok(), ok(), tokens=[token("tok-1", expires_in=10), token("tok-2")])
    harness = connect(server, **OAUTH)
    harness.get()
    clock.advance(8.9)  # margin is a tenth of the lifetime: 1 s
    harness.get()
    assert len(server.token_requests) == 1


def test_a_token_without_expires_in_is_still_replaced(connect: Connect, clock: FakeClock) -> None:
    server = MockServer(ok(), ok(), tokens=[token("tok-1", expires_in=None), token("tok-2")])
    harness = connect(server, **OAUTH)
    harness.get()
    clock.advance(60)
    harness.get()
    assert len(server.token_requests) == 2


def test_a_401_refreshes_the_token_once_and_retries(connect: Connect, clock: FakeClock) -> None:
    server = MockServer(problem(401), ok({"n": 1}), tokens=[token("tok-1"), token("tok-2")])
    assert connect(server, **OAUTH).get() == {"n": 1}
    assert [r.headers["Authorization"] for r in server.requests] == ["Bearer tok-1", "Bearer tok-2"]
    assert clock.sleeps == []


def test_a_second_401_is_raised(connect: Connect) -> None:
    server = MockServer(problem(401), problem(401, request_id="req-2"), tokens=[token(), token()])
    with pytest.raises(AuthenticationError) as caught:
        connect(server, **OAUTH).get()
    assert caught.value.request_id == "req-2"
    assert len(server.requests) == 2
    assert len(server.token_requests) == 2


def test_rejected_client_credentials_raise_without_calling_the_api(connect: Connect) -> None:
    refused = problem(401, title="invalid_client", detail="Unknown client or wrong secret.")
    server = MockServer(tokens=[refused])
    with pytest.raises(AuthenticationError, match="wrong secret"):
        connect(server, **OAUTH).get()
    assert server.requests == []
    assert len(server.token_requests) == 1


def test_a_failing_token_endpoint_is_retried_like_any_attempt(
    connect: Connect, clock: FakeClock
) -> None:
    server = MockServer(ok(), tokens=[problem(503), token("tok-1")])
    connect(server, **OAUTH).get()
    assert len(server.token_requests) == 2
    assert len(clock.sleeps) == 1


def test_a_token_endpoint_that_stays_down_raises_its_error(connect: Connect) -> None:
    server = MockServer(tokens=[problem(503), problem(503)])
    with pytest.raises(InternalServerError):
        connect(server, max_retries=1, **OAUTH).get()


def test_an_answer_that_is_not_a_token_is_an_api_error(connect: Connect) -> None:
    server = MockServer(tokens=[ok({"token": "tok-1"})])
    with pytest.raises(ClearstoneError, match="did not answer with an access token") as caught:
        connect(server, **OAUTH).get()
    assert caught.value.__cause__ is None
