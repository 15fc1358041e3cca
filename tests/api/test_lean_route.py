"""The certificate lookups' :class:`~clearstone_api.routes.lean.LeanRoute`: valid numbers go
straight to the endpoint, anything else gets FastAPI's own 422 problem naming the parameter."""

from __future__ import annotations

import pytest
from fastapi import APIRouter, FastAPI, Query, Request
from starlette.responses import Response

from clearstone_api.certificate_numbers import NUMBER_MAX_LENGTH
from clearstone_api.routes.lean import LeanRoute
from tests.api.conftest import Loader
from tests.support.harness import ASGIClient


@pytest.mark.parametrize(
    "number",
    ["not a number!", "X" * (NUMBER_MAX_LENGTH + 1), "GIA-1%0A2"],
    ids=["pattern", "length", "control"],
)
@pytest.mark.parametrize("suffix", ["", "/attestation"])
def test_an_invalid_number_is_fastapis_422_naming_it(
    client: ASGIClient, number: str, suffix: str
) -> None:
    response = client.get(f"/v1/certificates/{number}{suffix}")
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert [error["path"] for error in body["errors"]] == ["path.number"]
    assert body["request_id"] == response.headers["x-request-id"]


def test_a_valid_number_reaches_the_endpoint(load: Loader, client: ASGIClient) -> None:
    load("DEMO-BW-2023")
    found = client.get("/v1/certificates/DEMO-BW-2023")
    assert found.status_code == 200
    assert found.json()["stone"]["id"]
    head = client.request("HEAD", "/v1/certificates/DEMO-BW-2023")
    assert head.status_code == 200
    assert head.headers["etag"] == found.headers["etag"]
    assert head.content == b""
    missing = client.get("/v1/certificates/GIA-0000000001")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"


def test_a_lean_route_refuses_endpoints_it_cannot_serve_faithfully() -> None:
    router = APIRouter(route_class=LeanRoute)

    async def with_query(request: Request, q: str = Query()) -> Response:
        return Response(f"{request.url.path} {q}")

    def blocking(request: Request, number: str) -> Response:
        return Response(f"{request.url.path} {number}")

    for endpoint in (with_query, blocking):
        with pytest.raises(TypeError, match="LeanRoute"):
            router.add_api_route("/x/{number}", endpoint, methods=["GET"])
    app = FastAPI()
    app.include_router(router)
