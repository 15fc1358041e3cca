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
    AssessmentSummary,
    AsyncClearstone,
    AsyncPager,
    AttestationError,
    CertificateView,
    Clearstone,
    Criterion,
    CustodyEntry,
    CustodyEventParam,
    CustodyStep,
    CustodyVerification,
    Fallback,
    FieldError,
    Health,
    Incident,
    JsonWebKeySet,
    Lot,
    NotFoundError,
    NotGivenOr,
    OriginSummary,
    Page,
    Participant,
    Problem,
    ReferenceChange,
    ScreeningItem,
    ScreeningPolicyParam,
    ScreeningResult,
    Stone,
    StoneSummary,
    SyncPager,
    VerifiedAttestation,
    verify_attestation,
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


# The resources: one method per operation, typed params and typed answers.


def resources(client: Clearstone) -> None:
    view = client.certificates.get("2141438167", budget=1.0)
    assert_type(view, CertificateView)
    assert_type(view.kp.passed_checks, int | None)
    assert_type(view.origin, OriginSummary | None)
    token = client.certificates.attestations.get("GIA-2141438167")
    assert_type(token, str)
    client.certificates.get(2141438167)  # type: ignore[arg-type]

    assessment = client.assessments.create(
        {"subject_id": "S1", "stones": [{"id": "S1", "origin": "natural", "carat": "1.02"}]},
        as_of=dt.date(2026, 11, 1),
    )
    assert_type(assessment, Assessment)
    client.assessments.create({"stones": []})  # type: ignore[typeddict-item]

    lot = client.lots.create("L1", carat="10.50", idempotency_key="lot-L1")
    assert_type(lot, Lot)
    assert_type(lot.lot.carat, str)
    assert_type(client.lots.list(limit=50), SyncPager[Lot])
    client.lots.create("L1")  # type: ignore[call-arg]

    stone = client.stones.create(
        "S1",
        origin="natural",
        carat=1.01,
        grading_report={"lab": "GIA", "number": "7770001"},
        parent_lot_ids=["L1"],
    )
    assert_type(stone, Stone)
    assert_type(stone.assessment, AssessmentSummary | None)
    for each in client.stones.list():
        assert_type(each, Stone)
    report = client.stones.custody_verifications.get(stone.id)
    assert_type(report, CustodyVerification)
    assert_type(report.valid, bool)
    summary = client.stones.summaries.get(stone.id)
    assert_type(summary, StoneSummary)
    assert_type(summary.custody, list[CustodyStep])

    event: CustodyEventParam = {
        "id": "E1",
        "type": "extraction",
        "date": dt.date(2023, 3, 1),
        "place": {"country": "BW", "site_id": "jwaneng"},
        "items": ["L1"],
    }
    entry = client.custody.events.create(event, idempotency_key="E1")
    assert_type(entry, CustodyEntry)
    client.custody.events.create({"id": "E1"})  # type: ignore[typeddict-item]

    for participant in client.reference.participants.list(on="2019-06-01"):
        assert_type(participant, Participant)
    for incident in client.reference.incidents.list(country="ZW", status="documented"):
        assert_type(incident, Incident)
    assert_type(client.reference.taxonomy.list(), SyncPager[Criterion])
    change = client.reference.changes.get(1)
    assert_type(change, ReferenceChange)
    assert_type(client.health.get(), Health)
    assert_type(client.health.readiness.get(), Health)


def checkout(client: Clearstone, cart: list[str]) -> None:
    policy: ScreeningPolicyParam = {"unknown": "block", "review_risk_score_from": 60}
    result = client.checkout.screen(cart, policy=policy, budget=1.5, fallback="fail_open")
    assert_type(result, ScreeningResult)
    assert_type(result.degraded, bool)
    assert_type(result.degraded_reason, str | None)
    line = result.items[0]
    assert_type(line.decision, str)
    assert_type(line.degraded, bool)
    fallback: Fallback = "fail_closed"
    client.checkout.screen(cart, fallback=fallback)
    client.checkout.screen(cart, fallback="allow")  # type: ignore[arg-type]
    client.checkout.screen(cart, policy={"unknown": 3})  # type: ignore[arg-type]
    raw = client.checkout.screenings.create(cart, idempotency_key="order-1042")
    assert_type(raw, ScreeningResult)


def attestations(client: Clearstone, token: str) -> None:
    jwks = client.attestations.fetch_jwks()
    assert_type(jwks, JsonWebKeySet)
    verified = client.attestations.verify(token)
    assert_type(verified, VerifiedAttestation)
    assert_type(verified.assessment, CertificateView)
    assert_type(verified.payload.sub, str | None)
    assert_type(client.attestations.verify(token, jwks={"keys": []}), VerifiedAttestation)
    offline = verify_attestation(token, '{"keys": []}')
    assert_type(offline.header.kid, str)
    verify_attestation(token)  # type: ignore[call-arg]
    try:
        verify_attestation(token, jwks)
    except AttestationError as exc:
        assert_type(exc, AttestationError)


async def use_async_resources(client: AsyncClearstone, cart: list[str]) -> None:
    view = await client.certificates.get("2141438167")
    assert_type(view, CertificateView)
    result = await client.checkout.screen(cart, fallback="fail_open")
    assert_type(result, ScreeningResult)
    pager = client.stones.list(limit=10)
    assert_type(pager, AsyncPager[Stone])
    async for stone in pager:
        assert_type(stone, Stone)
    assert_type(await client.attestations.verify("t"), VerifiedAttestation)
    lot = await client.lots.create("L1", carat="1")
    assert_type(lot, Lot)
    await client.certificates.get("1").kp  # type: ignore[attr-defined]  # await first
