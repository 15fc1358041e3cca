"""When to try a call again, and for how long: the pure half of the retry loop in ``_base_client``.

- Retried: connection errors, timeouts, 408, 429 and 5xx. Never another 4xx: the same request
  would get the same answer.
- The wait before retry ``n`` (0-based) is ``min(0.5 · 2ⁿ, 8)`` seconds plus up to a quarter of
  that at random, unless the response says ``Retry-After`` (seconds or an HTTP date), which is
  honoured as it is.
- A :class:`Deadline` is the caller's budget for the whole call, retries included. An attempt
  gets at most the time left, and a wait that would leave no time for the next attempt is not
  started: the last error is raised at once.
"""

from __future__ import annotations

import email.utils
from collections.abc import Callable

import httpx

from clearstone._constants import (
    MIN_ATTEMPT_TIME,
    RETRY_BACKOFF_BASE,
    RETRY_BACKOFF_CAP,
    RETRY_JITTER_RATIO,
)
from clearstone._exceptions import APIConnectionError, APIError, APIStatusError

__all__ = ["Deadline", "backoff_delay", "is_retryable", "parse_retry_after"]


def is_retryable(error: APIError) -> bool:
    """True for a connection error, a timeout, 408, 429 or 5xx."""
    if isinstance(error, APIConnectionError):
        return True
    if isinstance(error, APIStatusError):
        status = error.status_code
        return status in (408, 429) or status >= 500
    return False


def backoff_delay(retries_taken: int, jitter: float) -> float:
    """Seconds to wait before retry number ``retries_taken`` (0-based); ``jitter`` in [0, 1)."""
    delay = min(RETRY_BACKOFF_BASE * 2.0**retries_taken, RETRY_BACKOFF_CAP)
    return delay + delay * RETRY_JITTER_RATIO * jitter


def parse_retry_after(value: str | None, *, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (RFC 9110 §10.2.3); ``now`` is Unix time.

    None when the header is absent or unreadable; a date in the past gives 0.
    """
    if value is None:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            return None
        seconds = when.timestamp() - now
    if seconds != seconds:  # NaN
        return None
    return max(seconds, 0.0)


class Deadline:
    """The end of a call's budget, on a monotonic ``clock``.

    Example::

        deadline = Deadline(2.5, time.monotonic)
        if not deadline.allows_wait(1.0):
            raise last_error
    """

    def __init__(self, budget: float, clock: Callable[[], float]) -> None:
        self._clock = clock
        self.budget = budget
        self.ends_at = clock() + budget

    def remaining(self) -> float:
        return self.ends_at - self._clock()

    def allows_attempt(self) -> bool:
        """Whether enough time is left to start an attempt."""
        return self.remaining() >= MIN_ATTEMPT_TIME

    def allows_wait(self, seconds: float) -> bool:
        """Whether an attempt could still start after waiting ``seconds``."""
        return self.remaining() - seconds >= MIN_ATTEMPT_TIME

    def clip(self, timeout: httpx.Timeout) -> httpx.Timeout:
        """``timeout`` with no phase longer than the time left."""
        left = max(self.remaining(), 0.0)

        def cap(phase: float | None) -> float:
            return left if phase is None else min(phase, left)

        return httpx.Timeout(
            connect=cap(timeout.connect),
            read=cap(timeout.read),
            write=cap(timeout.write),
            pool=cap(timeout.pool),
        )
