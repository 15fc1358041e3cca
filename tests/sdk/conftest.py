"""Fixtures that run each SDK behaviour through the sync client and the async client alike."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Coroutine, Iterator
from typing import Any, Literal, TypeVar

import httpx
import pytest
from anyio.from_thread import start_blocking_portal

from clearstone import AsyncClearstone, AsyncPager, Clearstone, SyncPager
from clearstone._constants import ENV_API_KEY, ENV_BASE_URL, ENV_CLIENT_ID, ENV_CLIENT_SECRET

from .factories import BASE_URL

T = TypeVar("T")

Kind = Literal["sync", "async"]
Handler = Callable[[httpx.Request], Any]


class LoopThread:
    """A persistent event loop in its own thread, for driving the async client from blocking
    tests. Unlike ``asyncio.Runner`` it works when the test's own thread already has a running
    loop, as Playwright's sync API leaves one on the thread of a worker that ran browser tests.
    """

    def __init__(self) -> None:
        self._manager = start_blocking_portal()
        self._portal = self._manager.__enter__()

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        async def wait() -> T:
            return await coro

        return self._portal.call(wait)

    def close(self) -> None:
        self._manager.__exit__(None, None, None)


class FakeClock:
    """A monotonic clock that only moves when told to, and a sleep that moves it."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    async def async_sleep(self, seconds: float) -> None:
        self.sleep(seconds)


class Harness:
    """One client, sync or async, behind the same blocking calls."""

    def __init__(self, kind: Kind, handler: Handler, clock: FakeClock, **options: Any) -> None:
        self.kind = kind
        transport = httpx.MockTransport(handler)
        options.setdefault("base_url", BASE_URL)
        self.runner = LoopThread()
        self.client: Clearstone | AsyncClearstone
        if kind == "sync":
            self.http: httpx.Client | httpx.AsyncClient = httpx.Client(transport=transport)
            self.client = Clearstone(
                http_client=self.http, _sleep=clock.sleep, _clock=clock, **options
            )
        else:
            self.http = httpx.AsyncClient(transport=transport)
            self.client = AsyncClearstone(
                http_client=self.http, _sleep=clock.async_sleep, _clock=clock, **options
            )

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        kwargs.setdefault("cast_to", dict[str, Any])
        if isinstance(self.client, Clearstone):
            return self.client.request(method, path, **kwargs)
        return self.runner.run(self.client.request(method, path, **kwargs))

    def get(self, path: str = "/v1/things", **kwargs: Any) -> Any:
        return self.request("GET", path, **kwargs)

    def post(self, path: str = "/v1/things", **kwargs: Any) -> Any:
        kwargs.setdefault("json", {"name": "thing"})
        return self.request("POST", path, **kwargs)

    def call(self, dotted: str, *args: Any, **kwargs: Any) -> Any:
        """``call("checkout.screen", items)``: the resource method, awaited for the async
        client; a pager comes back as the list of every item."""
        return resolve(self.client, dotted, self.runner, *args, **kwargs)

    def list_all(self, path: str, **kwargs: Any) -> list[Any]:
        if isinstance(self.client, Clearstone):
            return list(self.client._paginate(path, **kwargs))

        async def collect() -> list[Any]:
            assert isinstance(self.client, AsyncClearstone)
            return [item async for item in self.client._paginate(path, **kwargs)]

        return self.runner.run(collect())

    def close(self) -> None:
        if isinstance(self.http, httpx.Client):
            self.http.close()
        else:
            self.runner.run(self.http.aclose())
        self.runner.close()


def resolve(
    client: Clearstone | AsyncClearstone,
    dotted: str,
    runner: LoopThread,
    *args: Any,
    **kwargs: Any,
) -> Any:
    """Call ``client.<dotted>(*args, **kwargs)`` and bring the answer back to blocking code."""
    target: Any = client
    for name in dotted.split("."):
        target = getattr(target, name)
    result = target(*args, **kwargs)
    if inspect.isawaitable(result):
        result = runner.run(_awaited(result))
    if isinstance(result, SyncPager):
        return list(result)
    if isinstance(result, AsyncPager):
        return runner.run(_collected(result))
    return result


async def _awaited(awaitable: Any) -> Any:
    return await awaitable


async def _collected(pager: AsyncPager[Any]) -> list[Any]:
    return [item async for item in pager]


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test sees the developer's own Clearstone settings."""
    for name in (ENV_BASE_URL, ENV_API_KEY, ENV_CLIENT_ID, ENV_CLIENT_SECRET):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(params=["sync", "async"])
def kind(request: pytest.FixtureRequest) -> Kind:
    kind: Kind = request.param
    return kind


@pytest.fixture
def connect(kind: Kind, clock: FakeClock) -> Iterator[Callable[..., Harness]]:
    """``connect(handler, **client_options)``: a sync or async client over a mock transport."""
    harnesses: list[Harness] = []

    def make(handler: Handler, **options: Any) -> Harness:
        harness = Harness(kind, handler, clock, **options)
        harnesses.append(harness)
        return harness

    yield make
    for harness in harnesses:
        harness.close()
