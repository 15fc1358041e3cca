"""``GET /v1/certificates/{number}``."""

from __future__ import annotations

from tests.api.conftest import Loader
from tests.support.harness import ASGIClient


def test_marange_shows_kp_pass_beside_red_flag_with_sources(
    load: Loader, client: ASGIClient
) -> None:
    load("DEMO-ZW-MARANGE-2008")
    response = client.get("/v1/certificates/DEMO-ZW-MARANGE-2008")
    assert response.status_code == 200
    body = response.json()
    assert body["kp"]["result"] == "pass"
    assert body["csc"]["result"] == "red_flag"
    sources = [s for c in body["csc"]["criteria"] for i in c["incidents"] for s in i["sources"]]
    assert sources
    assert body["stone"]["id"].startswith("CS-")


def test_lookup_accepts_every_spelling_of_the_number(load: Loader, client: ASGIClient) -> None:
    load("DEMO-ZW-MARANGE-2008")
    stone_id = client.get("/v1/certificates/DEMO-ZW-MARANGE-2008").json()["stone"]["id"]
    for number in ("demo-zw-marange-2008", "DEMO ZW MARANGE 2008", stone_id):
        assert client.get(f"/v1/certificates/{number}").json()["stone"]["id"] == stone_id


def test_lookup_hides_prices_and_counterparties(load: Loader, client: ASGIClient) -> None:
    load("DEMO-BW-2023")
    response = client.get("/v1/certificates/DEMO-BW-2023")
    assert response.status_code == 200, response.text
    assert response.json()["stone"]["id"]  # the stone itself is there: absence below means hidden
    text = response.text
    assert "value_usd" not in text
    assert "Antwerp rough trader" not in text


def test_lookup_unknown_number_returns_404_problem(client: ASGIClient) -> None:
    response = client.get("/v1/certificates/GIA-0000000000")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 404


def test_lookup_sends_strong_etag_and_304_on_match(load: Loader, client: ASGIClient) -> None:
    load("DEMO-LAB-GROWN")
    first = client.get("/v1/certificates/DEMO-LAB-GROWN")
    etag = first.headers["etag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    again = client.get("/v1/certificates/DEMO-LAB-GROWN", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    other = client.get("/v1/certificates/DEMO-LAB-GROWN", headers={"If-None-Match": '"other"'})
    assert other.status_code == 200


def test_lab_grown_is_out_of_kp_scope(load: Loader, client: ASGIClient) -> None:
    load("DEMO-LAB-GROWN")
    body = client.get("/v1/certificates/DEMO-LAB-GROWN").json()
    assert body["kp"]["result"] == "not_applicable"


def test_consumer_tier_lists_what_did_not_pass_and_counts_the_rest(
    load: Loader, client: ASGIClient
) -> None:
    load("DEMO-CF-BRIA-2019")
    body = client.get("/v1/certificates/DEMO-CF-BRIA-2019").json()

    statuses = {check["status"] for check in body["kp"]["checks"]}
    assert "pass" not in statuses
    assert "fail" in statuses
    assert body["kp"]["passed_checks"] > 0
    assert [c["code"] for c in body["csc"]["criteria"]]
    assert all(c["level"] != "none" for c in body["csc"]["criteria"])
