"""Every call is bounded in total: a hung server costs the caller the budget, not three full
attempts and their backoff (31.75 s by default before)."""

from __future__ import annotations

import asyncio
import inspect
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from clearstone import APITimeoutError, AsyncClearstone, Clearstone
from clearstone._constants import DEFAULT_BUDGET, LOOKUP_BUDGET
from clearstone._resources.certificates import Certificates


@pytest.fixture
def hung_server() -> Iterator[str]:
    """Accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    thread.join()
    for connection in held:
        connection.close()
    listener.close()


def test_the_defaults_bound_every_call() -> None:
    with Clearstone() as client:
        assert client.budget == DEFAULT_BUDGET
    lookup = inspect.signature(Certificates.get).parameters["budget"]
    assert lookup.default == LOOKUP_BUDGET <= 5


def test_a_hung_server_costs_the_client_budget_and_no_more(hung_server: str) -> None:
    with Clearstone(base_url=hung_server, budget=0.5) as client:
        started = time.monotonic()
        with pytest.raises(APITimeoutError):
            client.health.get()
        assert time.monotonic() - started < 3  # 0.5 s, with room for a slow machine


def test_a_hung_lookup_gives_up_within_its_own_budget(hung_server: str) -> None:
    with Clearstone(base_url=hung_server, budget=None) as client:
        with pytest.raises(APITimeoutError):
            client.certificates.get("GIA-2141438167", budget=0.3)


def test_the_async_client_is_bounded_too(hung_server: str) -> None:
    async def call() -> None:
        async with AsyncClearstone(base_url=hung_server, budget=0.5) as client:
            await client.health.get()

    with pytest.raises(APITimeoutError):
        asyncio.run(call())
