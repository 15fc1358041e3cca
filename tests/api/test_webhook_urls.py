"""The webhook SSRF guard: only https to public addresses, at registration and at delivery."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI

from clearstone_api.app import create_app
from clearstone_api.container import container_of
from clearstone_api.security.scopes import Role
from clearstone_api.services import webhook_urls
from clearstone_api.services.webhook_delivery import deliver
from clearstone_api.services.webhook_urls import UnsafeURL, is_public, resolve_public
from clearstone_api.settings import Settings
from tests.support.harness import ASGIClient, bearer

PUBLIC = "93.184.215.14"
REFUSED = [
    "http://example.com/hook",  # not https
    "https://127.0.0.1/hook",
    "https://10.1.2.3/hook",
    "https://172.16.0.1/hook",
    "https://192.168.1.1/hook",
    "https://169.254.169.254/latest/meta-data",  # cloud metadata
    "https://100.64.0.1/hook",  # shared address space
    "https://0.0.0.0/hook",
    "https://224.0.0.1/hook",
    "https://240.0.0.1/hook",
    "https://[::1]/hook",
    "https://[fe80::1]/hook",
    "https://[fc00::1]/hook",
    "https://[ff02::1]/hook",
    "https://[::ffff:127.0.0.1]/hook",  # IPv4-mapped loopback
    "https://[::ffff:10.0.0.1]/hook",
    "https://[2002:7f00:1::]/hook",  # 6to4 around 127.0.0.1
    "https://localhost/hook",
    "https://user:pw@" + PUBLIC + "/hook",
    "ftp://" + PUBLIC + "/hook",
    "https:///hook",
]


@pytest.fixture
def guarded(settings: Settings) -> Iterator[FastAPI]:
    """The app as in production: private addresses refused."""
    # Deliveries wait for the test to run them (``deliver``), with its own sender.
    off = {"webhooks_allow_private": False, "webhook_delivery": "off"}
    yield create_app(settings.model_copy(update=off))


@pytest.mark.parametrize("url", REFUSED)
def test_a_private_or_non_https_url_is_refused(url: str) -> None:
    with pytest.raises(UnsafeURL):
        resolve_public(url, allow_private=False)


def test_ipv4_mapped_and_public_addresses_are_judged_by_what_they_reach() -> None:
    assert is_public(ipaddress.ip_address(PUBLIC))
    assert is_public(ipaddress.ip_address("2606:2800:220:1:248:1893:25c8:1946"))
    assert not is_public(ipaddress.ip_address("::ffff:169.254.169.254"))
    assert is_public(ipaddress.ip_address("::ffff:" + PUBLIC))


def test_registration_refuses_private_urls_with_a_422_naming_url(guarded: FastAPI) -> None:
    client = ASGIClient(guarded)
    headers = bearer(guarded, Role.retailer, tenant="shop")
    try:
        for url in ("https://127.0.0.1/hook", "https://[::ffff:10.0.0.1]/x", "http://x.example"):
            refused = client.post("/v1/webhook-endpoints", json={"url": url}, headers=headers)
            assert refused.status_code == 422, (url, refused.text)
            assert refused.headers["content-type"] == "application/problem+json"
            assert refused.json()["errors"][0]["path"] == "body.url"
        accepted = client.post(
            "/v1/webhook-endpoints", json={"url": f"https://{PUBLIC}/hook"}, headers=headers
        )
        assert accepted.status_code == 201, accepted.text
        endpoint_id = accepted.json()["id"]
        moved = client.request(
            "PATCH",
            f"/v1/webhook-endpoints/{endpoint_id}",
            json={"url": "https://192.168.0.10/hook"},
            headers=headers,
        )
        assert moved.status_code == 422
        assert moved.json()["errors"][0]["path"] == "body.url"
        assert client.get("/v1/webhook-endpoints", headers=headers).json()["data"][0]["url"] == (
            f"https://{PUBLIC}/hook"
        )
    finally:
        client.close()


def test_a_host_that_rebinds_to_a_private_address_is_refused_at_delivery(
    guarded: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = {"address": PUBLIC}

    def fake_getaddrinfo(host: str, port: int, *_: Any, **__: Any) -> list[Any]:
        assert host == "hooks.example.com"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answers["address"], port))]

    monkeypatch.setattr(webhook_urls.socket, "getaddrinfo", fake_getaddrinfo)
    client = ASGIClient(guarded)
    headers = bearer(guarded, Role.retailer, tenant="shop")
    sent: list[Any] = []
    try:
        endpoint = client.post(
            "/v1/webhook-endpoints", json={"url": "https://hooks.example.com/h"}, headers=headers
        )
        assert endpoint.status_code == 201, endpoint.text
        answers["address"] = "127.0.0.1"  # the name now points inside
        held = container_of(guarded)
        test = client.post(
            f"/v1/webhook-endpoints/{endpoint.json()['id']}/test-deliveries", headers=headers
        )
        outcome = deliver(held.database, held.settings, test.json()["id"], send=sent.append)
        assert sent == []  # nothing left the building
        assert outcome.state == "pending"
        (attempt,) = client.get(
            f"/v1/webhook-endpoints/{endpoint.json()['id']}/attempts", headers=headers
        ).json()["data"]
        assert attempt["error"].startswith("refused: the host resolves to a non-public address")
    finally:
        client.close()


def test_a_delivery_connects_to_the_checked_address_with_the_host_and_sni_of_the_url(
    guarded: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fake_getaddrinfo(_host: str, port: int, *_: Any, **__: Any) -> list[Any]:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (PUBLIC, port))]

    monkeypatch.setattr(webhook_urls.socket, "getaddrinfo", fake_getaddrinfo)
    client = ASGIClient(guarded)
    headers = bearer(guarded, Role.retailer, tenant="shop")
    sent: list[Any] = []

    def send(request: Any) -> Any:
        import httpx

        sent.append(request)
        return httpx.Response(200)

    try:
        endpoint = client.post(
            "/v1/webhook-endpoints",
            json={"url": "https://hooks.example.com:8443/h?x=1"},
            headers=headers,
        ).json()
        test = client.post(
            f"/v1/webhook-endpoints/{endpoint['id']}/test-deliveries", headers=headers
        )
        held = container_of(guarded)
        assert deliver(held.database, held.settings, test.json()["id"], send=send).state == (
            "succeeded"
        )
        (request,) = sent
        assert str(request.url) == f"https://{PUBLIC}:8443/h?x=1"
        assert request.headers["host"] == "hooks.example.com:8443"
        assert request.extensions["sni_hostname"] == "hooks.example.com"
    finally:
        client.close()
