"""Delivering one event to one endpoint: sign, POST, record the attempt, schedule the next.

:func:`deliver` is a plain function of a database, the settings and a delivery id, with no web
framework: the job queue calls it (one job per attempt, scheduled at ``next_attempt_at``), and
so does the in-process dispatcher (``services/webhook_dispatch.py``). It is idempotent: a
delivery that is no longer pending, or not yet due, is left alone.

- **Signed per Standard Webhooks** with the maintained ``standardwebhooks`` package:
  ``webhook-id`` (the event id, the same on every retry and replay), ``webhook-timestamp`` and
  ``webhook-signature`` (``v1,<base64 HMAC-SHA256 of "id.timestamp.body">``; during a secret
  rotation's overlap two signatures, space-separated, as the specification allows).
- **At least once**: any 2xx is success; anything else (another status, a timeout, a refused
  connection) schedules the next attempt by :data:`SCHEDULE` with ±20 % jitter, about three
  days in all. ``410 Gone`` stops at once and disables the endpoint.
- **Disabled after sustained failure**: when a delivery runs out of attempts and no attempt to
  the endpoint has succeeded since that delivery's first one, the endpoint is disabled and a
  ``webhook_endpoint.disabled`` event is written for its owner.
- **Never redirected, never to a private address**: redirects are not followed, and the host is
  resolved and checked again at each attempt; the request goes to the address checked (the
  ``Host`` header and TLS server name stay the URL's), so DNS rebinding cannot slip in.
- **Kept-alive connections**: a :class:`Sender` (one per process, held by the dispatcher) keeps a
  client per target, so an endpoint's deliveries reuse their connection and one SSL context
  serves them all. Building an ``httpx.Client`` loads the CA bundle into a new SSL context,
  about 80 ms of CPU: when every attempt built its own, that was most of what a delivery cost
  (``bench/webhooks/README.md``).
"""

from __future__ import annotations

import datetime as dt
import functools
import random
import ssl
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import httpx
from sqlalchemy import func
from sqlmodel import Session, select
from standardwebhooks import Webhook

from clearstone_api.db import Database
from clearstone_api.models.columns import utcnow
from clearstone_api.models.event import Event
from clearstone_api.models.webhook import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from clearstone_api.observability.metrics import count_delivery
from clearstone_api.services.event_feed import event_public
from clearstone_api.services.outbox import NewEvent, emit
from clearstone_api.services.webhook_urls import UnsafeURL, resolve_public
from clearstone_api.settings import Settings

__all__ = ["SCHEDULE", "Outcome", "Sender", "deliver", "next_delay", "signature_header"]

SCHEDULE: tuple[dt.timedelta, ...] = tuple(
    dt.timedelta(seconds=s) for s in (5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, *(10 * 3600,) * 6)
)
"""The wait before each retry: 5 s, 5 min, 30 min, 2 h, 5 h, then 10 h six times (Svix's
schedule): twelve attempts over about 2.8 days."""
JITTER = 0.2
USER_AGENT = "Clearstone-Webhooks/1.0"

SendRequest = Callable[[httpx.Request], httpx.Response]
"""What sends one request: a :class:`Sender`, or a stand-in in tests."""


@dataclass(frozen=True)
class Outcome:
    """What :func:`deliver` did."""

    state: str
    """The delivery's state afterwards: ``pending``, ``succeeded``, ``failed``, or ``skipped``
    (not pending, not due, or gone)."""
    next_attempt_at: dt.datetime | None = None
    status_code: int | None = None


def next_delay(attempts: int, rng: random.Random | None = None) -> dt.timedelta | None:
    """The wait after ``attempts`` failed attempts, jittered; None once the schedule is spent."""
    if attempts > len(SCHEDULE):
        return None
    base = SCHEDULE[attempts - 1].total_seconds()
    factor = 1 + (rng or random).uniform(-JITTER, JITTER)
    return dt.timedelta(seconds=base * factor)


def signature_header(endpoint: WebhookEndpoint, event_id: str, at: dt.datetime, body: bytes) -> str:
    """``webhook-signature``: with the current secret, and the previous one while it overlaps."""
    secrets = [endpoint.secret]
    expires = endpoint.previous_secret_expires_at
    if endpoint.previous_secret and expires is not None and expires > at:
        secrets.append(endpoint.previous_secret)
    return " ".join(Webhook(s).sign(event_id, at, body) for s in secrets)


def _request(endpoint: WebhookEndpoint, event: Event, settings: Settings) -> httpx.Request:
    target = resolve_public(endpoint.url, allow_private=settings.webhooks_allow_private)
    body = event_public(event).model_dump_json().encode()
    now = utcnow()
    url = httpx.URL(endpoint.url)
    address = f"[{target.address}]" if ":" in target.address else target.address
    host_header = url.netloc.decode("ascii")
    return httpx.Request(
        "POST",
        url.copy_with(host=address.strip("[]")),
        content=body,
        headers={
            "Host": host_header,
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "webhook-id": event.id,
            "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": signature_header(endpoint, event.id, now, body),
        },
        extensions={"sni_hostname": target.host},
    )


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    """The CA bundle, loaded once per process (about 80 ms each time it is loaded)."""
    return httpx.create_ssl_context()


def _client(timeout: float) -> httpx.Client:
    return httpx.Client(
        timeout=timeout, follow_redirects=False, trust_env=False, verify=_ssl_context()
    )


def _send(request: httpx.Request, timeout: float) -> httpx.Response:
    with _client(timeout) as client:
        return client.send(request)


class Sender:
    """Sends delivery requests over kept-alive connections, from any thread.

    One ``httpx.Client`` per target: the URL's scheme, its ``Host`` (name and port) and the
    address :func:`_request` checked and connects to. A connection is therefore reused only for
    the host name (TLS server name) and the checked address it was opened for: a name that
    resolves elsewhere at the next attempt gets a new client, and two host names served from
    one address never share a TLS session. At most ``targets`` clients are kept, the least
    recently used dropped (not closed: another thread may be sending through it; its idle
    connections close with it)."""

    def __init__(self, timeout: float, *, targets: int = 256) -> None:
        self._timeout = timeout
        self._targets = targets
        self._clients: OrderedDict[tuple[str, str, int | None, str], httpx.Client] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        key = (request.url.scheme, request.url.host, request.url.port, request.headers["Host"])
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                client = self._clients[key] = _client(self._timeout)
                while len(self._clients) > self._targets:
                    self._clients.popitem(last=False)
            else:
                self._clients.move_to_end(key)
        return client.send(request)

    def close(self) -> None:
        """Close every kept connection."""
        with self._lock:
            clients, self._clients = list(self._clients.values()), OrderedDict()
        for client in clients:
            client.close()


def deliver(
    database: Database,
    settings: Settings,
    delivery_id: str,
    *,
    send: SendRequest | None = None,
    now: dt.datetime | None = None,
    rng: random.Random | None = None,
) -> Outcome:
    """Make one attempt of ``delivery_id`` if it is pending and due; record it."""
    with database.session() as session:
        # Locked (PostgreSQL) until this attempt is recorded: a second run of the same
        # delivery (its job requeued from a worker taken for dead, the sweep's job beside a
        # running one) waits, then finds it no longer pending, rather than sending it again
        # and recording a second attempt.
        delivery = session.get(WebhookDelivery, delivery_id, with_for_update=True)
        if delivery is None or delivery.state != "pending":
            return Outcome("skipped")
        moment = now or utcnow()
        if delivery.next_attempt_at is not None and delivery.next_attempt_at > moment:
            return Outcome("skipped", delivery.next_attempt_at)
        endpoint = session.get(WebhookEndpoint, delivery.endpoint_id)
        event = session.get(Event, delivery.event_seq)
        assert endpoint is not None and event is not None
        if not endpoint.enabled:
            delivery.state, delivery.next_attempt_at = "failed", None
            session.add(delivery)
            return Outcome("failed")
        status, error = None, None
        started = time.monotonic()
        try:
            request = _request(endpoint, event, settings)
            response = (send or (lambda r: _send(r, settings.webhook_timeout_seconds)))(request)
            status = response.status_code
        except UnsafeURL as refused:
            error = f"refused: {refused}"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"[:500]
        duration = int((time.monotonic() - started) * 1000)
        succeeded = status is not None and 200 <= status < 300
        return _record(session, delivery, endpoint, moment, status, error, duration, succeeded, rng)


def _record(
    session: Session,
    delivery: WebhookDelivery,
    endpoint: WebhookEndpoint,
    moment: dt.datetime,
    status: int | None,
    error: str | None,
    duration: int,
    succeeded: bool,
    rng: random.Random | None,
) -> Outcome:
    if error is None and not succeeded:
        error = f"HTTP {status}"
    session.add(
        WebhookAttempt(
            delivery_id=delivery.id,
            endpoint_id=endpoint.id,
            attempted_at=moment,
            succeeded=succeeded,
            status_code=status,
            error=error,
            duration_ms=duration,
        )
    )
    count_delivery("delivered" if succeeded else "failed")
    delivery.attempts += 1
    if succeeded:
        delivery.state, delivery.next_attempt_at = "succeeded", None
        endpoint.failing_since = None
    else:
        endpoint.failing_since = endpoint.failing_since or moment
        delay = None if status == 410 else next_delay(delivery.attempts, rng)
        if delay is not None:
            delivery.next_attempt_at = moment + delay
        else:
            delivery.state, delivery.next_attempt_at = "failed", None
            if status == 410:
                _disable(session, endpoint, "The receiver answered 410 Gone.")
            elif endpoint.failing_since <= _first_attempt(session, delivery.id, moment):
                _disable(session, endpoint, "Every delivery attempt failed for about three days.")
    session.add(delivery)
    session.add(endpoint)
    return Outcome(delivery.state, delivery.next_attempt_at, status)


def _first_attempt(session: Session, delivery_id: str, moment: dt.datetime) -> dt.datetime:
    first = session.exec(
        select(func.min(WebhookAttempt.attempted_at)).where(
            WebhookAttempt.delivery_id == delivery_id
        )
    ).one()
    if first is None:
        return moment
    return first if first.tzinfo is not None else first.replace(tzinfo=dt.UTC)


def _disable(session: Session, endpoint: WebhookEndpoint, reason: str) -> None:
    count_delivery("disabled")
    endpoint.enabled = False
    endpoint.disabled_reason = reason
    endpoint.updated_at = utcnow()
    session.add(endpoint)
    session.flush()
    payload = {"endpoint_id": endpoint.id, "url": endpoint.url, "reason": reason}
    emit(
        session, [NewEvent("webhook_endpoint.disabled", endpoint.id, payload, [endpoint.audience])]
    )
