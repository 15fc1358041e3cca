"""One call to the API, however many attempts it take: the state and decisions that the sync and
async request loops in ``_base_client`` share.

A :class:`Call` is built once per ``request()``; each attempt asks it for its timeout (clipped to
the budget), each failure asks it whether and when to try again (:meth:`Call.next_wait`), and the
loop sleeps or raises. Nothing here does I/O, so the policy is the same for both clients.
"""

from __future__ import annotations

import logging
import random
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

import httpx
import pydantic
import pydantic_core

from clearstone._constants import DEFAULT_BASE_URL, DEFAULT_TIMEOUT, LOGGER_NAME, MAX_RETRY_AFTER
from clearstone._exceptions import (
    REQUEST_ID_HEADER,
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    ClearstoneError,
)
from clearstone._retries import Deadline, backoff_delay, is_retryable, parse_retry_after
from clearstone._types import Body, NotGiven, NotGivenOr, Query, Timeout, strip_not_given

__all__ = ["Call", "encode_json", "parse_response", "resolve_base_url", "resolve_timeout"]

logger = logging.getLogger(LOGGER_NAME)

T = TypeVar("T")


@dataclass
class Call:
    """One call to the API, however many attempts it takes."""

    method: str
    path: str
    url: str
    params: dict[str, Any]
    content: bytes | None
    headers: dict[str, str]
    timeout: httpx.Timeout
    max_retries: int
    deadline: Deadline | None
    attempt: int = 0
    retries_taken: int = 0
    token_refreshed: bool = False
    errors: list[APIError] = field(default_factory=list)

    @classmethod
    def start(
        cls,
        method: str,
        base_url: str,
        path: str,
        *,
        headers: dict[str, str],
        params: Query | None,
        json: Body | None,
        idempotency_key: str | None,
        timeout: httpx.Timeout,
        max_retries: int,
        deadline: Deadline | None,
    ) -> Call:
        """A call to ``base_url + path``, its body encoded and its ``Idempotency-Key`` chosen
        once."""
        method = method.upper()
        path = path if path.startswith("/") else f"/{path}"
        content = None
        if json is not None:
            content = encode_json(json)
            headers["Content-Type"] = "application/json"
        if idempotency_key is not None:
            headers["Idempotency-Key"] = idempotency_key
        elif method == "POST":
            # One key per call, reused by every retry, so the server applies the write once.
            headers["Idempotency-Key"] = str(uuid.uuid4())
        return cls(
            method=method,
            path=path,
            url=base_url + path,
            params={
                k: v
                for k, v in (params or {}).items()
                if v is not None and not isinstance(v, NotGiven)
            },
            content=content,
            headers=headers,
            timeout=timeout,
            max_retries=max_retries,
            deadline=deadline,
        )

    def attempt_timeout(self) -> httpx.Timeout:
        return self.timeout if self.deadline is None else self.deadline.clip(self.timeout)

    def remaining(self) -> float | None:
        """Seconds left in the budget (never negative); None without a budget."""
        return None if self.deadline is None else max(self.deadline.remaining(), 0.0)

    def check_budget(self) -> None:
        """Raise the last error (or a timeout) when no attempt fits in the budget any more."""
        if self.deadline is None or self.deadline.allows_attempt():
            return
        logger.debug("%s %s: budget of %ss exhausted", self.method, self.path, self.deadline.budget)
        if self.errors:
            raise self.errors[-1]
        raise APITimeoutError(
            f"The budget of {self.deadline.budget}s leaves no time for a request."
        )

    def next_wait(self, error: APIError) -> float | None:
        """Seconds to wait before the next attempt, or None to raise ``error`` now."""
        self.errors.append(error)
        if not is_retryable(error) or self.retries_taken >= self.max_retries:
            return None
        retry_after = None
        if isinstance(error, APIStatusError):
            retry_after = parse_retry_after(
                error.response.headers.get("Retry-After"), now=time.time()
            )
        if retry_after is not None and retry_after > MAX_RETRY_AFTER:
            logger.debug("%s %s: Retry-After %ss is too long", self.method, self.path, retry_after)
            return None
        wait = (
            retry_after
            if retry_after is not None
            else backoff_delay(self.retries_taken, random.random())
        )
        if self.deadline is not None and not self.deadline.allows_wait(wait):
            logger.debug(
                "%s %s: waiting %.2fs would exceed the budget of %ss",
                self.method,
                self.path,
                wait,
                self.deadline.budget,
            )
            return None
        logger.debug(
            "%s %s: retry %d of %d in %.2fs",
            self.method,
            self.path,
            self.retries_taken + 1,
            self.max_retries,
            wait,
        )
        return wait

    def connection_error(self, request: httpx.Request, exc: httpx.HTTPError) -> APIConnectionError:
        """``exc`` as the SDK's own error (the caller chains it as ``__cause__``)."""
        logger.debug(
            "%s %s failed: %s (attempt %d)",
            request.method,
            request.url.path,
            type(exc).__name__,
            self.attempt,
        )
        if isinstance(exc, httpx.TimeoutException):
            return APITimeoutError(f"Request timed out ({type(exc).__name__}).", request=request)
        return APIConnectionError(
            f"Connection error ({type(exc).__name__}: {exc}).", request=request
        )

    def log_response(self, response: httpx.Response) -> None:
        if not logger.isEnabledFor(logging.DEBUG):
            return  # the hot path: no header lookups for a line nobody reads
        logger.debug(
            "%s %s -> %d (request_id=%s, attempt %d)",
            response.request.method,
            response.request.url.path,
            response.status_code,
            response.headers.get(REQUEST_ID_HEADER),
            self.attempt,
        )


def resolve_base_url(base_url: str | None) -> str:
    """``base_url`` (else the default) without its trailing slash, if it is an http(s) URL."""
    url = (base_url or DEFAULT_BASE_URL).rstrip("/")
    try:
        scheme = httpx.URL(url).scheme
    except httpx.InvalidURL as exc:
        raise ClearstoneError(f"base_url {url!r} is not a URL: {exc}") from None
    if scheme not in ("http", "https"):
        raise ClearstoneError(f"base_url {url!r} must start with http:// or https://")
    return url


def resolve_timeout(
    timeout: NotGivenOr[Timeout], http_client: httpx.Client | httpx.AsyncClient | None = None
) -> httpx.Timeout:
    """The per-attempt timeout: the caller's, else the injected client's, else the default."""
    if isinstance(timeout, NotGiven):
        return http_client.timeout if http_client is not None else DEFAULT_TIMEOUT
    return timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)


def encode_json(body: Body) -> bytes:
    if isinstance(body, pydantic.BaseModel):
        # Unset is not None: only the fields the caller set go over the wire.
        return body.model_dump_json(exclude_unset=True, by_alias=True).encode()
    return pydantic_core.to_json(strip_not_given(body))


_adapters: dict[object, pydantic.TypeAdapter[Any]] = {}


def _adapter(cast_to: Any) -> pydantic.TypeAdapter[Any]:
    """A cached adapter for a ``cast_to`` that is not a model (``list[X]``, ``dict[str, X]``)."""
    adapter = _adapters.get(cast_to)
    if adapter is None:
        adapter = _adapters[cast_to] = pydantic.TypeAdapter(cast_to)
    return adapter


def parse_response(call: Call, response: httpx.Response, cast_to: type[T]) -> T:
    """The body of a successful ``response`` as ``cast_to``; :class:`APIError` if it is not.

    ``str`` takes the body as text (a compact JWS is served as ``application/jose``)."""
    if cast_to is type(None):
        return None
    if cast_to is str:
        return cast(T, response.text)
    try:
        if isinstance(cast_to, type) and issubclass(cast_to, pydantic.BaseModel):
            return cast_to.model_validate_json(response.content)
        return cast(T, _adapter(cast_to).validate_json(response.content))
    except pydantic.ValidationError as exc:
        name = getattr(cast_to, "__name__", repr(cast_to))
        raise APIError(
            f"{call.method} {call.path}: the response is not a valid {name} "
            f"({exc.error_count()} error(s)).",
            request=response.request,
        ) from exc
