"""Reference-data reads."""

from __future__ import annotations

import pytest

from tests.support.harness import ASGIClient


def test_participant_standing_depends_on_the_date(client: ASGIClient) -> None:
    def car(on: str) -> dict[str, object]:
        page = client.get("/v1/reference/participants", params={"on": on, "limit": 100}).json()
        found: dict[str, object] = next(p for p in page["data"] if p["id"] == "CF")
        return found

    assert car("2014-01-01")["in_good_standing"] is False
    assert car("2025-06-01")["in_good_standing"] is True


def test_incidents_filter_by_country_and_walk_pages_without_duplicates(client: ASGIClient) -> None:
    everything = client.get(
        "/v1/reference/incidents", params={"country": "ZW", "limit": 100}
    ).json()["data"]
    assert everything and all(i["country"] == "ZW" for i in everything)
    seen, cursor = [], None
    while True:
        params: dict[str, str | int] = {"country": "ZW", "limit": 2}
        if cursor:
            params["after"] = cursor
        page = client.get("/v1/reference/incidents", params=params).json()
        seen += [i["id"] for i in page["data"]]
        if not page["has_more"]:
            break
        cursor = page["next_cursor"]
    assert seen == [i["id"] for i in everything]


def test_incident_get_and_404(client: ASGIClient) -> None:
    first = client.get("/v1/reference/incidents", params={"limit": 1}).json()["data"][0]
    assert client.get(f"/v1/reference/incidents/{first['id']}").json() == first
    assert client.get("/v1/reference/incidents/INC-NOPE").status_code == 404


def test_taxonomy_lists_the_criteria(client: ASGIClient) -> None:
    codes = [
        c["code"]
        for c in client.get("/v1/reference/taxonomy", params={"limit": 100}).json()["data"]
    ]
    assert codes[0] == "C01"


@pytest.mark.parametrize("on", ["0", "20260101", "2026-13-01", "2026-02-30", "2026-1-01", "today"])
def test_a_date_that_is_not_a_full_date_is_refused_naming_on(client: ASGIClient, on: str) -> None:
    response = client.get("/v1/reference/participants", params={"on": on})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert [e["path"] for e in response.json()["errors"]] == ["query.on"]
