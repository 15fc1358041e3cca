"""The mixed load: virtual users looking up certificates, screening carts and writing as a
supplier, round-robin over the servers, for a bounded time.

Every request is recorded as an :class:`Attempt`. Writes carry a fresh ``Idempotency-Key`` each
and are retried with the same key and body after a 503, a 429, a 409 "in progress" or a
connection error, honouring ``Retry-After``, until they succeed or ``retry_seconds`` pass; each
becomes one :class:`Write` with its final outcome. Reads are not retried: their failures are
what the report counts.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx

__all__ = ["MIX", "Attempt", "Load", "Write"]

MIX = {"lookup": 0.6, "screen": 0.25, "write": 0.15}
"""Share of each kind of operation a virtual user picks."""

IN_PROGRESS = "https://clearstone.dev/problems/idempotency-in-progress"
RETRIED_STATUSES = frozenset({429, 502, 503, 504})


@dataclass(frozen=True)
class Attempt:
    """One HTTP request as the client saw it."""

    op: str
    """``lookup``, ``screen``, ``lot`` or ``stone``."""
    started: float
    """Seconds since the load started."""
    latency: float
    status: int
    """0: no response (a connection error or the client's timeout, named in ``error``)."""
    error: str | None = None
    problem_type: str | None = None
    retry_after: str | None = None
    replayed: bool = False


@dataclass
class Write:
    """One supplier write, across all its attempts with one Idempotency-Key."""

    kind: str
    key: str
    record_id: str
    attempts: int = 0
    status: int = 0
    """The final status: 201 when it succeeded."""
    public_id: str | None = None
    replayed: bool = False
    """The 201 that ended it was a replay: an earlier attempt had committed."""


@dataclass
class Load:
    """Runs ``users`` virtual users for ``seconds`` against ``base_urls``."""

    base_urls: list[str]
    supplier_token: str
    retailer_token: str
    certificates: list[str]
    seconds: float
    users: int = 32
    seed: int = 7
    phase: str = "clean"
    retry_seconds: float = 60.0
    timeout_seconds: float = 10.0
    attempts: list[Attempt] = field(default_factory=list)
    writes: list[Write] = field(default_factory=list)
    started: float = 0.0

    def now(self) -> float:
        return time.monotonic() - self.started

    async def run(self) -> None:
        limits = httpx.Limits(max_connections=self.users, max_keepalive_connections=self.users)
        timeout = httpx.Timeout(self.timeout_seconds)
        clients = [
            httpx.AsyncClient(base_url=url, limits=limits, timeout=timeout)
            for url in self.base_urls
        ]
        self._next: Iterator[httpx.AsyncClient] = itertools.cycle(clients)
        self.started = time.monotonic()
        try:
            await asyncio.gather(*(self._user(index) for index in range(self.users)))
        finally:
            for client in clients:
                await client.aclose()

    async def _user(self, index: int) -> None:
        rng = random.Random(f"{self.seed}-{self.phase}-{index}")
        kinds, weights = list(MIX), list(MIX.values())
        lot: str | None = None
        for n in itertools.count():
            if self.now() >= self.seconds:
                return
            kind = rng.choices(kinds, weights)[0]
            if kind == "lookup":
                await self._lookup(rng)
            elif kind == "screen":
                await self._screen(rng)
            elif lot is None:
                lot_id = f"LOAD-{self.phase}-{index}-{n}"
                write = await self._write("lot", "/v1/lots", {"id": lot_id, "carat": "5.00"})
                lot = lot_id if write.status == 201 else None
            else:
                # Unique across runs and users: a second stone with a number is a 409.
                number = f"9{self.seed}{len(self.phase)}{self.phase[0]}{index:03d}{n:07d}"
                body = {
                    "id": f"S-{self.phase}-{index}-{n}",
                    "origin": "natural",
                    "carat": "0.50",
                    "grading_report": {"lab": "GIA", "number": number},
                    "parent_lot_ids": [lot],
                }
                write = await self._write("stone", "/v1/stones", body)
                if write.status == 201:
                    self.certificates.append(number)
                lot = None

    async def _send(self, op: str, method: str, path: str, **kwargs: Any) -> httpx.Response | None:
        client = next(self._next)
        started = self.now()
        try:
            response = await client.request(method, path, **kwargs)
        except httpx.TimeoutException as exc:
            self.attempts.append(Attempt(op, started, self.now() - started, 0, type(exc).__name__))
            return None
        except httpx.TransportError as exc:
            self.attempts.append(Attempt(op, started, self.now() - started, 0, type(exc).__name__))
            return None
        problem_type = None
        if response.headers.get("content-type", "").startswith("application/problem+json"):
            problem_type = response.json().get("type")
        self.attempts.append(
            Attempt(
                op,
                started,
                self.now() - started,
                response.status_code,
                problem_type=problem_type,
                retry_after=response.headers.get("retry-after"),
                replayed=response.headers.get("idempotent-replayed") == "true",
            )
        )
        return response

    async def _lookup(self, rng: random.Random) -> None:
        await self._send("lookup", "GET", f"/v1/certificates/{rng.choice(self.certificates)}")

    async def _screen(self, rng: random.Random) -> None:
        items = [rng.choice(self.certificates) for _ in range(rng.randint(1, 5))]
        await self._send(
            "screen",
            "POST",
            "/v1/checkout/screenings",
            json={"items": items},
            headers={"Authorization": f"Bearer {self.retailer_token}"},
        )

    async def _write(self, kind: str, path: str, body: dict[str, Any]) -> Write:
        write = Write(kind, uuid.uuid4().hex, str(body["id"]))
        self.writes.append(write)
        headers = {
            "Authorization": f"Bearer {self.supplier_token}",
            "Idempotency-Key": write.key,
        }
        give_up = time.monotonic() + self.retry_seconds
        while True:
            write.attempts += 1
            response = await self._send(kind, "POST", path, json=body, headers=headers)
            if response is not None:
                write.status = response.status_code
                if response.status_code == 201:
                    write.public_id = response.json()["id"]
                    write.replayed = response.headers.get("idempotent-replayed") == "true"
                    return write
            if not _retriable(response) or time.monotonic() >= give_up:
                return write
            await asyncio.sleep(_delay(response, write.attempts))


def _retriable(response: httpx.Response | None) -> bool:
    if response is None or response.status_code in RETRIED_STATUSES:
        return True
    if response.status_code == 409:  # only "in progress": a duplicate record is not retried
        return bool(response.json().get("type") == IN_PROGRESS)
    return False


def _delay(response: httpx.Response | None, attempt: int) -> float:
    """``Retry-After`` when the server sent one, else exponential backoff; with jitter."""
    backoff = min(0.25 * 2 ** (attempt - 1), 2.0)
    if response is not None and (retry_after := response.headers.get("retry-after")):
        backoff = float(retry_after)
    return backoff * random.uniform(0.5, 1.0)
