"""Typed usage of the SDK, checked by ``mypy --strict`` (never run: nothing here is called).

``assert_type`` pins what a caller gets; a ``# type: ignore[code]`` line is a call that must
stay a type error (strict mode reports an ignore that is no longer needed).
"""

from __future__ import annotations

import datetime as dt
from typing import assert_type

import httpx

from clearstone import (
    NOT_GIVEN,
    APIStatusError,
    APITimeoutError,
    Assessment,
    AsyncClearstone,
    AsyncPager,
    CertificateView,
    Clearstone,
    FieldError,
    NotFoundError,
    NotGivenOr,
    Page,
    Problem,
    ScreeningItem,
    ScreeningResult,
    SyncPager,
)
from clearstone._resource import AsyncAPIResource, SyncAPIResource, path_param


def construct() -> None:
    with Clearstone(base_url="http://127.0.0.1:8000", api_key="key") as client:
        assert_type(client, Clearstone)
        assert_type(client.timeout, httpx.Timeout)
        assert_type(client.max_retries, int)
    Clearstone(client_id="shop-42", client_secret="secret", timeout=None, max_retries=0)
    Clearstone(timeout=httpx.Timeout(2.0, connect=1.0), http_client=httpx.Client())
    Clearstone(timeout=NOT_GIVEN, default_headers={"X-Trace": "1"})
    Clearstone(timeout="fast")  # type: ignore[arg-type]
    Clearstone(http_client=httpx.AsyncClient())  # type: ignore[arg-type]
    Clearstone("http://127.0.0.1:8000")  # type: ignore[call-arg]


def request(client: Clearstone) -> None:
    view = client.request("GET", "/v1/certificates/7770001", cast_to=CertificateView, budget=2.0)
    assert_type(view, CertificateView)
    assert_type(view.as_of, dt.date)
    assert_type(view.csc.risk_score, int)
    assert_type(view.kp.result, str)
    assert_type(view.sanctions.hits[0].regime, str)
    views = client.request("GET", "/v1/x", cast_to=list[CertificateView])
    assert_type(views, list[CertificateView])
    nothing = client.request("DELETE", "/v1/x/1", cast_to=type(None))
    assert_type(nothing, None)
    result = client.request(
        "POST",
        "/v1/checkout/screenings",
        json={"items": ["7770001"]},
        cast_to=ScreeningResult,
        idempotency_key="order-1042",
        timeout=1.0,
        max_retries=1,
    )
    assert_type(result.degraded, bool)
    assert_type(result.degraded_reason, str | None)
    assert_type(result.items, list[ScreeningItem])
    client.request("GET", "/v1/x", cast_to=Assessment, budget="2s")  # type: ignore[arg-type]
    client.request("GET", "/v1/x")  # type: ignore[call-arg]


def errors(client: Clearstone) -> None:
    try:
        client.request("GET", "/v1/certificates/0", cast_to=CertificateView)
    except NotFoundError as exc:
        assert_type(exc.status_code, int)
        assert_type(exc.request_id, str | None)
        assert_type(exc.problem, Problem)
        assert_type(exc.detail, str | None)
        assert_type(exc.errors, list[FieldError])
        assert_type(exc.response, httpx.Response)
    except APITimeoutError as exc:
        assert_type(exc.request, httpx.Request | None)
    except APIStatusError as exc:
        assert_type(exc.type, str)


def paginate(client: Clearstone) -> None:
    pager = client._paginate("/v1/stones", page_type=Page[CertificateView], limit=50)
    assert_type(pager, SyncPager[CertificateView])
    for view in pager:
        assert_type(view, CertificateView)
    for page in pager.iter_pages():
        assert_type(page.next_cursor, str | None)


async def use_async() -> None:
    async with AsyncClearstone(client_id="shop-42", client_secret="secret") as client:
        assert_type(client, AsyncClearstone)
        view = await client.request("GET", "/v1/certificates/7770001", cast_to=CertificateView)
        assert_type(view, CertificateView)
        pager = client._paginate("/v1/stones", page_type=Page[Assessment])
        assert_type(pager, AsyncPager[Assessment])
        async for assessment in pager:
            assert_type(assessment, Assessment)
    AsyncClearstone(http_client=httpx.Client())  # type: ignore[arg-type]


class Certificates(SyncAPIResource):
    """A resource as the SDK writes them: one method per operation."""

    def get(self, number: str, *, budget: float | None = None) -> CertificateView:
        path = f"/v1/certificates/{path_param(number)}"
        return self._client.request("GET", path, cast_to=CertificateView, budget=budget)

    def list(self, *, limit: NotGivenOr[int] = NOT_GIVEN) -> SyncPager[CertificateView]:
        return self._client._paginate(
            "/v1/certificates", page_type=Page[CertificateView], limit=limit
        )


class AsyncCertificates(AsyncAPIResource):
    async def get(self, number: str) -> CertificateView:
        path = f"/v1/certificates/{path_param(number)}"
        return await self._client.request("GET", path, cast_to=CertificateView)
