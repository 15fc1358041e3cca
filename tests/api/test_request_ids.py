"""``X-Request-Id`` on every response."""

from __future__ import annotations

from tests.support.harness import ASGIClient


def test_sane_request_id_is_echoed(client: ASGIClient) -> None:
    assert (
        client.get("/healthz", headers={"X-Request-Id": "abc-123"}).headers["x-request-id"]
        == "abc-123"
    )


def test_insane_request_id_is_replaced(client: ASGIClient) -> None:
    response = client.get("/healthz", headers={"X-Request-Id": "bad id with spaces"})
    assert response.headers["x-request-id"] != "bad id with spaces"
    assert len(response.headers["x-request-id"]) == 32


def test_missing_request_id_is_generated(client: ASGIClient) -> None:
    assert client.get("/healthz").headers["x-request-id"]
