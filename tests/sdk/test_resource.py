"""A resource is a few lines over the client's transport (the pattern the real ones follow)."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from clearstone import AsyncClearstone, CertificateView, Clearstone
from clearstone._resource import AsyncAPIResource, SyncAPIResource, path_param

from .factories import BASE_URL, MockServer, certificate_view, ok


class Certificates(SyncAPIResource):
    def get(self, number: str) -> CertificateView:
        path = f"/v1/certificates/{path_param(number)}"
        return self._client.request("GET", path, cast_to=CertificateView)


class AsyncCertificates(AsyncAPIResource):
    async def get(self, number: str) -> CertificateView:
        return await self._client.request(
            "GET", f"/v1/certificates/{number}", cast_to=CertificateView
        )


def test_a_sync_resource_calls_through_its_client() -> None:
    server = MockServer(ok(certificate_view()))
    with Clearstone(
        base_url=BASE_URL, http_client=httpx.Client(transport=httpx.MockTransport(server))
    ) as client:
        view = Certificates(client).get("7770001")
    assert view.stone.id == "CS-7Q2K"
    assert server.requests[0].url.path == "/v1/certificates/7770001"


def test_an_async_resource_calls_through_its_client() -> None:
    server = MockServer(ok(certificate_view()))

    async def scenario() -> CertificateView:
        transport = httpx.MockTransport(server)
        async with httpx.AsyncClient(transport=transport) as http:
            return await AsyncCertificates(
                AsyncClearstone(base_url=BASE_URL, http_client=http)
            ).get("7770001")

    assert asyncio.run(scenario()).stone.id == "CS-7Q2K"


@pytest.mark.parametrize(
    ("value", "segment"), [("GIA-7770001", "GIA-7770001"), ("a/b?c", "a%2Fb%3Fc")]
)
def test_path_params_are_one_encoded_segment(value: str, segment: str) -> None:
    assert path_param(value) == segment


@pytest.mark.parametrize("value", ["", ".", ".."])
def test_dot_and_empty_path_params_are_refused(value: str) -> None:
    with pytest.raises(ValueError, match="path parameter"):
        path_param(value)
