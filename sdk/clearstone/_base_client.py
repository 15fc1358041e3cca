"""The transport, for the sync client and its async twin: every HTTP concern lives here.

One call (:meth:`SyncAPIClient.request`) is a loop of attempts:

1. If the call has a ``budget`` and less than :data:`MIN_ATTEMPT_TIME` is left, raise the last
   error (or :class:`APITimeoutError`) at once.
2. Get the ``Authorization`` header: the static key, or the cached OAuth token, fetched from
   ``POST /v1/oauth/token`` when missing or about to expire.
3. Send, with each timeout phase clipped to the budget left. Every POST carries one
   ``Idempotency-Key`` for the whole call, so a retried write is applied once.
4. 2xx: parse into ``cast_to``. 401 with OAuth credentials: drop the token and try once more.
   Otherwise map the failure to the exception tree (``_exceptions``) and ask ``_retries`` whether
   and when to try again; sleep, or raise.

Everything that does no I/O is in :class:`_BaseClient`; the two subclasses differ only in
``await``. Sleep and clock are injectable so that tests never wait.

Logging goes to the ``clearstone`` logger at DEBUG: method, path, status, request id, attempt.
Never headers, bodies, query strings or credentials.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Generic, Self, TypeVar, cast

import httpx
import pydantic
import pydantic_core

from clearstone._auth import ClientCredentials, TokenCache, resolve_credentials
from clearstone._constants import (
    DEFAULT_BASE_URL,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    ENV_BASE_URL,
    LOGGER_NAME,
    MAX_RETRY_AFTER,
    TOKEN_PATH,
    USER_AGENT,
)
from clearstone._exceptions import (
    REQUEST_ID_HEADER,
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    ClearstoneError,
    status_error_from_response,
)
from clearstone._models import AccessToken, Page
from clearstone._pagination import AsyncPager, SyncPager
from clearstone._retries import Deadline, backoff_delay, is_retryable, parse_retry_after
from clearstone._types import NOT_GIVEN, Body, NotGiven, NotGivenOr, Query, Timeout, strip_not_given

__all__ = ["AsyncAPIClient", "SyncAPIClient"]

logger = logging.getLogger(LOGGER_NAME)

T = TypeVar("T")
_HttpxClientT = TypeVar("_HttpxClientT", httpx.Client, httpx.AsyncClient)


@dataclass
class _Call:
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

    def attempt_timeout(self) -> httpx.Timeout:
        return self.timeout if self.deadline is None else self.deadline.clip(self.timeout)

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


def _resolve_timeout(
    timeout: NotGivenOr[Timeout], http_client: httpx.Client | httpx.AsyncClient | None
) -> httpx.Timeout:
    if isinstance(timeout, NotGiven):
        return http_client.timeout if http_client is not None else DEFAULT_TIMEOUT
    return timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)


def _encode_json(body: Body) -> bytes:
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


class _BaseClient(Generic[_HttpxClientT]):
    """Configuration, request building, error mapping and retry decisions: no I/O."""

    _client: _HttpxClientT

    def __init__(
        self,
        *,
        base_url: str | None,
        api_key: str | None,
        client_id: str | None,
        client_secret: str | None,
        timeout: NotGivenOr[Timeout],
        max_retries: int,
        default_headers: Mapping[str, str] | None,
        http_client: _HttpxClientT | None,
        clock: Callable[[], float],
    ) -> None:
        if max_retries < 0:
            raise ValueError("max_retries must be 0 or more")
        url = (base_url or os.environ.get(ENV_BASE_URL) or DEFAULT_BASE_URL).rstrip("/")
        try:
            scheme = httpx.URL(url).scheme
        except httpx.InvalidURL as exc:
            raise ClearstoneError(f"base_url {url!r} is not a URL: {exc}") from None
        if scheme not in ("http", "https"):
            raise ClearstoneError(f"base_url {url!r} must start with http:// or https://")
        self.base_url = url
        self.timeout = _resolve_timeout(timeout, http_client)
        self.max_retries = max_retries
        self._clock = clock
        self._default_headers = {
            "User-Agent": USER_AGENT,
            "Accept": "application/json",
            **(default_headers or {}),
        }
        credentials = resolve_credentials(
            api_key=api_key, client_id=client_id, client_secret=client_secret, environ=os.environ
        )
        self._credentials = credentials if isinstance(credentials, ClientCredentials) else None
        self._static_authorization = (
            f"Bearer {credentials}" if isinstance(credentials, str) else None
        )
        self._tokens = TokenCache(clock)

    def __repr__(self) -> str:
        auth = "oauth" if self._credentials else "api_key" if self._static_authorization else "none"
        return f"<{type(self).__name__} base_url={self.base_url!r} auth={auth}>"

    def _prepare(
        self,
        method: str,
        path: str,
        *,
        params: Query | None,
        json: Body | None,
        headers: Mapping[str, str] | None,
        idempotency_key: str | None,
        timeout: NotGivenOr[Timeout],
        max_retries: NotGivenOr[int],
        budget: float | None,
    ) -> _Call:
        method = method.upper()
        path = path if path.startswith("/") else f"/{path}"
        all_headers = {**self._default_headers, **(headers or {})}
        content = None
        if json is not None:
            content = _encode_json(json)
            all_headers["Content-Type"] = "application/json"
        if idempotency_key is not None:
            all_headers["Idempotency-Key"] = idempotency_key
        elif method == "POST":
            # One key per call, reused by every retry, so the server applies the write once.
            all_headers["Idempotency-Key"] = str(uuid.uuid4())
        return _Call(
            method=method,
            path=path,
            url=self.base_url + path,
            params={
                k: v
                for k, v in (params or {}).items()
                if v is not None and not isinstance(v, NotGiven)
            },
            content=content,
            headers=all_headers,
            timeout=self.timeout
            if isinstance(timeout, NotGiven)
            else _resolve_timeout(timeout, None),
            max_retries=self.max_retries if isinstance(max_retries, NotGiven) else max_retries,
            deadline=Deadline(budget, self._clock) if budget is not None else None,
        )

    def _build_request(self, call: _Call, authorization: str | None) -> httpx.Request:
        headers = call.headers
        if authorization is not None:
            headers = {**headers, "Authorization": authorization}
        return self._client.build_request(
            call.method,
            call.url,
            params=call.params or None,
            content=call.content,
            headers=headers,
            timeout=call.attempt_timeout(),
        )

    def _token_request(self, credentials: ClientCredentials, call: _Call) -> httpx.Request:
        headers = {
            **self._default_headers,
            "Authorization": credentials.basic_authorization(),
            "Content-Type": "application/x-www-form-urlencoded",
        }
        return self._client.build_request(
            "POST",
            self.base_url + TOKEN_PATH,
            content=b"grant_type=client_credentials",
            headers=headers,
            timeout=call.attempt_timeout(),
        )

    def _store_token(self, response: httpx.Response, *, requested_at: float) -> str:
        if not response.is_success:
            raise status_error_from_response(response)
        try:
            token = AccessToken.model_validate_json(response.content)
        except pydantic.ValidationError:
            # Not chained: a validation error quotes its input, which may hold the token.
            raise APIError(
                "The token endpoint did not answer with an access token.",
                request=response.request,
            ) from None
        if token.token_type.lower() != "bearer":
            raise APIError(
                f"Unsupported token type {token.token_type!r}.", request=response.request
            )
        logger.debug("access token obtained (expires_in=%s)", token.expires_in)
        return self._tokens.store(token, requested_at=requested_at)

    def _connection_error(
        self, call: _Call, request: httpx.Request, exc: httpx.HTTPError
    ) -> APIConnectionError:
        logger.debug(
            "%s %s failed: %s (attempt %d)",
            request.method,
            request.url.path,
            type(exc).__name__,
            call.attempt,
        )
        if isinstance(exc, httpx.TimeoutException):
            return APITimeoutError(f"Request timed out ({type(exc).__name__}).", request=request)
        return APIConnectionError(
            f"Connection error ({type(exc).__name__}: {exc}).", request=request
        )

    def _log_response(self, call: _Call, response: httpx.Response) -> None:
        logger.debug(
            "%s %s -> %d (request_id=%s, attempt %d)",
            response.request.method,
            response.request.url.path,
            response.status_code,
            response.headers.get(REQUEST_ID_HEADER),
            call.attempt,
        )

    def _refresh_on_401(self, call: _Call, response: httpx.Response) -> bool:
        """Whether to retry a 401 once with a new token (OAuth only, once per call)."""
        if response.status_code != 401 or self._credentials is None or call.token_refreshed:
            return False
        call.token_refreshed = True
        self._tokens.invalidate(response.request.headers.get("Authorization"))
        logger.debug("%s %s: token refused, fetching a new one", call.method, call.path)
        return True

    def _retry_wait(self, call: _Call, error: APIError) -> float | None:
        """Seconds to wait before the next attempt, or None to raise ``error`` now."""
        call.errors.append(error)
        if not is_retryable(error) or call.retries_taken >= call.max_retries:
            return None
        retry_after = None
        if isinstance(error, APIStatusError):
            retry_after = parse_retry_after(
                error.response.headers.get("Retry-After"), now=time.time()
            )
        if retry_after is not None and retry_after > MAX_RETRY_AFTER:
            logger.debug("%s %s: Retry-After %ss is too long", call.method, call.path, retry_after)
            return None
        wait = (
            retry_after
            if retry_after is not None
            else backoff_delay(call.retries_taken, random.random())
        )
        if call.deadline is not None and not call.deadline.allows_wait(wait):
            logger.debug(
                "%s %s: waiting %.2fs would exceed the budget of %ss",
                call.method,
                call.path,
                wait,
                call.deadline.budget,
            )
            return None
        logger.debug(
            "%s %s: retry %d of %d in %.2fs",
            call.method,
            call.path,
            call.retries_taken + 1,
            call.max_retries,
            wait,
        )
        return wait

    def _parse(self, call: _Call, response: httpx.Response, cast_to: type[T]) -> T:
        if cast_to is type(None):
            return None
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


class SyncAPIClient(_BaseClient[httpx.Client]):
    """The synchronous transport. See :class:`clearstone.Clearstone` for the arguments."""

    def __init__(
        self,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        timeout: NotGivenOr[Timeout] = NOT_GIVEN,
        max_retries: int = DEFAULT_MAX_RETRIES,
        default_headers: Mapping[str, str] | None = None,
        http_client: httpx.Client | None = None,
        _sleep: Callable[[float], None] = time.sleep,
        _clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(
            base_url=base_url,
            api_key=api_key,
            client_id=client_id,
            client_secret=client_secret,
            timeout=timeout,
            max_retries=max_retries,
            default_headers=default_headers,
            http_client=http_client,
            clock=_clock,
        )
        self._owns_client = http_client is None
        self._client = (
            http_client if http_client is not None else httpx.Client(timeout=self.timeout)
        )
        self._sleep = _sleep
        self._token_lock = threading.Lock()

    @property
    def is_closed(self) -> bool:
        return self._client.is_closed

    def close(self) -> None:
        """Close the connection pool, unless it came from the caller's ``http_client``."""
        if self._owns_client:
            self._client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        cast_to: type[T],
        params: Query | None = None,
        json: Body | None = None,
        headers: Mapping[str, str] | None = None,
        budget: float | None = None,
        idempotency_key: str | None = None,
        timeout: NotGivenOr[Timeout] = NOT_GIVEN,
        max_retries: NotGivenOr[int] = NOT_GIVEN,
    ) -> T:
        """Send one call, with retries, and parse the answer into ``cast_to``.

        ``budget`` is the most seconds the whole call may take, retries and waits included.

        Example::

            view = client.request("GET", "/v1/certificates/2141438167", cast_to=CertificateView)
        """
        call = self._prepare(
            method,
            path,
            params=params,
            json=json,
            headers=headers,
            idempotency_key=idempotency_key,
            timeout=timeout,
            max_retries=max_retries,
            budget=budget,
        )
        while True:
            call.check_budget()
            try:
                response = self._attempt(call)
            except APIError as exc:
                error = exc
            else:
                if response.is_success:
                    return self._parse(call, response, cast_to)
                if self._refresh_on_401(call, response):
                    continue
                error = status_error_from_response(response)
            wait = self._retry_wait(call, error)
            if wait is None:
                raise error
            self._sleep(wait)
            call.retries_taken += 1

    def _paginate(
        self,
        path: str,
        *,
        page_type: type[Page[T]],
        params: Query | None = None,
        limit: NotGivenOr[int] = NOT_GIVEN,
        budget: float | None = None,
    ) -> SyncPager[T]:
        """A lazy iterator over every item of the list at ``path`` (``budget`` is per page)."""
        base = {**(params or {}), "limit": limit}

        def fetch_page(after: str | None) -> Page[T]:
            query = {**base, "after": after}
            return self.request("GET", path, params=query, cast_to=page_type, budget=budget)

        return SyncPager(fetch_page)

    def _attempt(self, call: _Call) -> httpx.Response:
        call.attempt += 1
        return self._send(call, self._build_request(call, self._authorization(call)))

    def _send(self, call: _Call, request: httpx.Request) -> httpx.Response:
        try:
            response = self._client.send(request)
        except httpx.HTTPError as exc:
            raise self._connection_error(call, request, exc) from exc
        self._log_response(call, response)
        return response

    def _authorization(self, call: _Call) -> str | None:
        if self._credentials is None:
            return self._static_authorization
        current = self._tokens.authorization()
        if current is not None:
            return current
        wait = -1.0 if call.deadline is None else max(call.deadline.remaining(), 0.0)
        if not self._token_lock.acquire(timeout=wait):
            raise APITimeoutError("The budget ran out while another thread fetched a token.")
        try:
            # Another thread may have fetched one while this one waited for the lock.
            current = self._tokens.authorization()
            if current is None:
                request = self._token_request(self._credentials, call)
                requested_at = self._clock()
                current = self._store_token(self._send(call, request), requested_at=requested_at)
            return current
        finally:
            self._token_lock.release()


class AsyncAPIClient(_BaseClient[httpx.AsyncClient]):
    """The asyncio transport. See :class:`clearstone.AsyncClearstone` for the arguments.

    Under a budget the whole attempt is also bounded by :func:`asyncio.timeout`, so a server
    that trickles its answer cannot hold the call past its deadline.
    """

    def __init__(
        self,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        timeout: NotGivenOr[Timeout] = NOT_GIVEN,
        max_retries: int = DEFAULT_MAX_RETRIES,
        default_headers: Mapping[str, str] | None = None,
        http_client: httpx.AsyncClient | None = None,
        _sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        _clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(
            base_url=base_url,
            api_key=api_key,
            client_id=client_id,
            client_secret=client_secret,
            timeout=timeout,
            max_retries=max_retries,
            default_headers=default_headers,
            http_client=http_client,
            clock=_clock,
        )
        self._owns_client = http_client is None
        self._client = (
            http_client if http_client is not None else httpx.AsyncClient(timeout=self.timeout)
        )
        self._sleep = _sleep
        self._token_lock = asyncio.Lock()

    @property
    def is_closed(self) -> bool:
        return self._client.is_closed

    async def close(self) -> None:
        """Close the connection pool, unless it came from the caller's ``http_client``."""
        if self._owns_client:
            await self._client.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def request(
        self,
        method: str,
        path: str,
        *,
        cast_to: type[T],
        params: Query | None = None,
        json: Body | None = None,
        headers: Mapping[str, str] | None = None,
        budget: float | None = None,
        idempotency_key: str | None = None,
        timeout: NotGivenOr[Timeout] = NOT_GIVEN,
        max_retries: NotGivenOr[int] = NOT_GIVEN,
    ) -> T:
        """Send one call, with retries, and parse the answer into ``cast_to``.

        ``budget`` is the most seconds the whole call may take, retries and waits included.

        Example::

            view = await client.request("GET", "/v1/certificates/7770001", cast_to=CertificateView)
        """
        call = self._prepare(
            method,
            path,
            params=params,
            json=json,
            headers=headers,
            idempotency_key=idempotency_key,
            timeout=timeout,
            max_retries=max_retries,
            budget=budget,
        )
        while True:
            call.check_budget()
            try:
                response = await self._attempt(call)
            except APIError as exc:
                error = exc
            else:
                if response.is_success:
                    return self._parse(call, response, cast_to)
                if self._refresh_on_401(call, response):
                    continue
                error = status_error_from_response(response)
            wait = self._retry_wait(call, error)
            if wait is None:
                raise error
            await self._sleep(wait)
            call.retries_taken += 1

    def _paginate(
        self,
        path: str,
        *,
        page_type: type[Page[T]],
        params: Query | None = None,
        limit: NotGivenOr[int] = NOT_GIVEN,
        budget: float | None = None,
    ) -> AsyncPager[T]:
        """A lazy async iterator over every item of the list at ``path`` (``budget`` per page)."""
        base = {**(params or {}), "limit": limit}

        async def fetch_page(after: str | None) -> Page[T]:
            query = {**base, "after": after}
            return await self.request("GET", path, params=query, cast_to=page_type, budget=budget)

        return AsyncPager(fetch_page)

    async def _attempt(self, call: _Call) -> httpx.Response:
        call.attempt += 1
        authorization = await self._authorization(call)
        return await self._send(call, self._build_request(call, authorization))

    async def _send(self, call: _Call, request: httpx.Request) -> httpx.Response:
        remaining = None if call.deadline is None else max(call.deadline.remaining(), 0.0)
        try:
            async with asyncio.timeout(remaining):
                response = await self._client.send(request)
        except TimeoutError:
            logger.debug("%s %s: budget ran out mid-attempt", request.method, request.url.path)
            raise APITimeoutError(
                "The budget ran out during the request.", request=request
            ) from None
        except httpx.HTTPError as exc:
            raise self._connection_error(call, request, exc) from exc
        self._log_response(call, response)
        return response

    async def _authorization(self, call: _Call) -> str | None:
        if self._credentials is None:
            return self._static_authorization
        current = self._tokens.authorization()
        if current is not None:
            return current
        remaining = None if call.deadline is None else max(call.deadline.remaining(), 0.0)
        try:
            async with asyncio.timeout(remaining):
                await self._token_lock.acquire()
        except TimeoutError:
            raise APITimeoutError(
                "The budget ran out while another task fetched a token."
            ) from None
        try:
            current = self._tokens.authorization()
            if current is None:
                request = self._token_request(self._credentials, call)
                requested_at = self._clock()
                response = await self._send(call, request)
                current = self._store_token(response, requested_at=requested_at)
            return current
        finally:
            self._token_lock.release()
