"""The transport, for the sync client and its async twin: every HTTP concern lives here.

One call (:meth:`SyncAPIClient.request`) is a loop of attempts:

1. If the call has a ``budget`` and less than :data:`MIN_ATTEMPT_TIME` is left, raise the last
   error (or :class:`APITimeoutError`) at once.
2. Get the ``Authorization`` header: the static key, or the cached OAuth token, fetched from
   ``POST /v1/oauth/token`` when missing or about to expire.
3. Send, with each timeout phase clipped to the budget left. Every POST carries one
   ``Idempotency-Key`` for the whole call, so a retried write is applied once.
4. 2xx: parse into ``cast_to``. 401 with OAuth credentials: drop the token and try once more.
   Otherwise map the failure to the exception tree (``_exceptions``) and ask the call
   (``_call.Call.next_wait``, over the policy in ``_retries``) whether and when to try again;
   sleep, or raise.

Everything that does no I/O is in :class:`_BaseClient` and ``_call``; the two subclasses differ
only in ``await``. Sleep and clock are injectable so that tests never wait.

Logging goes to the ``clearstone`` logger at DEBUG: method, path, status, request id, attempt.
Never headers, bodies, query strings or credentials.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import time
from collections.abc import Awaitable, Callable, Mapping
from types import TracebackType
from typing import Generic, Self, TypeVar

import httpx

from clearstone._auth import (
    TOKEN_REQUEST_BODY,
    ClientCredentials,
    TokenCache,
    parse_token_response,
    resolve_credentials,
)
from clearstone._call import Call, parse_response, resolve_base_url, resolve_timeout
from clearstone._constants import (
    DEFAULT_BUDGET,
    DEFAULT_ISSUER,
    DEFAULT_MAX_RETRIES,
    ENV_BASE_URL,
    ENV_ISSUER,
    LOGGER_NAME,
    TOKEN_PATH,
    USER_AGENT,
)
from clearstone._exceptions import (
    APIError,
    APITimeoutError,
    status_error_from_response,
)
from clearstone._models import Page
from clearstone._pagination import AsyncPager, SyncPager
from clearstone._retries import Deadline
from clearstone._types import NOT_GIVEN, Body, NotGiven, NotGivenOr, Query, Timeout

__all__ = ["AsyncAPIClient", "SyncAPIClient"]

logger = logging.getLogger(LOGGER_NAME)

T = TypeVar("T")
_HttpxClientT = TypeVar("_HttpxClientT", httpx.Client, httpx.AsyncClient)


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
        budget: float | None,
        default_headers: Mapping[str, str] | None,
        http_client: _HttpxClientT | None,
        clock: Callable[[], float],
        issuer: str | None = None,
    ) -> None:
        if max_retries < 0:
            raise ValueError("max_retries must be 0 or more")
        self.base_url = resolve_base_url(base_url or os.environ.get(ENV_BASE_URL))
        self.issuer = issuer or os.environ.get(ENV_ISSUER) or DEFAULT_ISSUER
        """The ``iss`` attestations and tree heads must carry: the Clearstone deployment you
        trust (``issuer=``, else ``CLEARSTONE_ISSUER``, else ``DEFAULT_ISSUER``)."""
        self.timeout = resolve_timeout(timeout, http_client)
        self.max_retries = max_retries
        self.budget = budget
        """Seconds a call may take in all when it sets no ``budget`` of its own (None: no
        bound beyond ``timeout`` per attempt and ``max_retries``)."""
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
        self._owns_client = http_client is None

    @property
    def is_closed(self) -> bool:
        return self._client.is_closed

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
    ) -> Call:
        total = budget if budget is not None else self.budget
        return Call.start(
            method,
            self.base_url,
            path,
            headers={**self._default_headers, **(headers or {})},
            params=params,
            json=json,
            idempotency_key=idempotency_key,
            timeout=self.timeout if isinstance(timeout, NotGiven) else resolve_timeout(timeout),
            max_retries=self.max_retries if isinstance(max_retries, NotGiven) else max_retries,
            deadline=Deadline(total, self._clock) if total is not None else None,
        )

    def _build_request(self, call: Call, authorization: str | None) -> httpx.Request:
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

    def _token_request(self, credentials: ClientCredentials, call: Call) -> httpx.Request:
        return self._client.build_request(
            "POST",
            self.base_url + TOKEN_PATH,
            content=TOKEN_REQUEST_BODY,
            headers={**self._default_headers, **credentials.token_request_headers()},
            timeout=call.attempt_timeout(),
        )

    def _refresh_on_401(self, call: Call, response: httpx.Response) -> bool:
        """Whether to retry a 401 once with a new token (OAuth only, once per call)."""
        if response.status_code != 401 or self._credentials is None or call.token_refreshed:
            return False
        call.token_refreshed = True
        self._tokens.invalidate(response.request.headers.get("Authorization"))
        logger.debug("%s %s: token refused, fetching a new one", call.method, call.path)
        return True


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
        budget: float | None = DEFAULT_BUDGET,
        default_headers: Mapping[str, str] | None = None,
        http_client: httpx.Client | None = None,
        issuer: str | None = None,
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
            budget=budget,
            default_headers=default_headers,
            http_client=http_client,
            clock=_clock,
            issuer=issuer,
        )
        self._client = (
            http_client if http_client is not None else httpx.Client(timeout=self.timeout)
        )
        self._sleep = _sleep
        self._token_lock = threading.Lock()

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
                    return parse_response(call, response, cast_to)
                if self._refresh_on_401(call, response):
                    continue
                error = status_error_from_response(response)
            wait = call.next_wait(error)
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

    def _attempt(self, call: Call) -> httpx.Response:
        call.attempt += 1
        return self._send(call, self._build_request(call, self._authorization(call)))

    def _send(self, call: Call, request: httpx.Request) -> httpx.Response:
        try:
            response = self._client.send(request)
        except httpx.HTTPError as exc:
            raise call.connection_error(request, exc) from exc
        call.log_response(response)
        return response

    def _authorization(self, call: Call) -> str | None:
        if self._credentials is None:
            return self._static_authorization
        current = self._tokens.authorization()
        if current is not None:
            return current
        remaining = call.remaining()
        wait = -1.0 if remaining is None else remaining
        if not self._token_lock.acquire(timeout=wait):
            raise APITimeoutError("The budget ran out while another thread fetched a token.")
        try:
            # Another thread may have fetched one while this one waited for the lock.
            current = self._tokens.authorization()
            if current is None:
                request = self._token_request(self._credentials, call)
                requested_at = self._clock()
                token = parse_token_response(self._send(call, request))
                current = self._tokens.store(token, requested_at=requested_at)
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
        budget: float | None = DEFAULT_BUDGET,
        default_headers: Mapping[str, str] | None = None,
        http_client: httpx.AsyncClient | None = None,
        issuer: str | None = None,
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
            budget=budget,
            default_headers=default_headers,
            http_client=http_client,
            clock=_clock,
            issuer=issuer,
        )
        self._client = (
            http_client if http_client is not None else httpx.AsyncClient(timeout=self.timeout)
        )
        self._sleep = _sleep
        self._token_lock = asyncio.Lock()

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
                    return parse_response(call, response, cast_to)
                if self._refresh_on_401(call, response):
                    continue
                error = status_error_from_response(response)
            wait = call.next_wait(error)
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

    async def _attempt(self, call: Call) -> httpx.Response:
        call.attempt += 1
        authorization = await self._authorization(call)
        return await self._send(call, self._build_request(call, authorization))

    async def _send(self, call: Call, request: httpx.Request) -> httpx.Response:
        remaining = call.remaining()
        try:
            async with asyncio.timeout(remaining):
                response = await self._client.send(request)
        except TimeoutError:
            logger.debug("%s %s: budget ran out mid-attempt", request.method, request.url.path)
            raise APITimeoutError(
                "The budget ran out during the request.", request=request
            ) from None
        except httpx.HTTPError as exc:
            raise call.connection_error(request, exc) from exc
        call.log_response(response)
        return response

    async def _authorization(self, call: Call) -> str | None:
        if self._credentials is None:
            return self._static_authorization
        current = self._tokens.authorization()
        if current is not None:
            return current
        remaining = call.remaining()
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
                token = parse_token_response(await self._send(call, request))
                current = self._tokens.store(token, requested_at=requested_at)
            return current
        finally:
            self._token_lock.release()
