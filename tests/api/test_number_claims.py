"""Who owns a certificate number (finding 2 of the security review): a second supplier's claim
on the same GIA number is a dispute, not a 409 while the squatter's stone is served; the lab
decides; digit-only aliases are refused; shared digits answer with the choices."""

from __future__ import annotations

from typing import Any

import pytest

from clearstone_api.security.scopes import Role
from tests.api.conftest import Auth, Loader
from tests.api.factories import lot, stone
from tests.support.harness import ASGIClient


def _register(client: ASGIClient, auth: Auth, tenant: str, **changes: Any) -> dict[str, Any]:
    headers = auth(Role.supplier, tenant=tenant)
    assert client.post("/v1/lots", json=lot(), headers=headers).status_code == 201
    response = client.post("/v1/stones", json=stone(**changes), headers=headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def _claims(client: ASGIClient, auth: Auth, lab: str, **params: str) -> list[dict[str, Any]]:
    response = client.get("/v1/lab/claims", params=params, headers=auth(Role.lab, tenant=lab))
    assert response.status_code == 200, response.text
    data: list[dict[str, Any]] = response.json()["data"]
    return data


def test_a_second_claim_disputes_the_number_and_no_verdict_is_served(
    client: ASGIClient, auth: Auth
) -> None:
    rightful = _register(client, auth, "rightful-cutter")
    single = client.get("/v1/certificates/GIA-7770001")
    assert single.status_code == 200
    assert single.json()["number_status"] == "claimed"
    squatter = _register(client, auth, "squatter")  # same GIA number, any chain it likes
    for number in ("GIA-7770001", "gia 7770001", "7770001"):
        answer = client.get(f"/v1/certificates/{number}")
        assert answer.status_code == 409, number
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["type"].endswith("certificate-number-disputed")
        assert "csc" not in answer.json()
    assert client.get("/v1/certificates/GIA-7770001/attestation").status_code == 409
    disputed = _claims(client, auth, "GIA", status="disputed")
    assert {c["stone_id"] for c in disputed} == {rightful["id"], squatter["id"]}
    operators = client.get(
        "/v1/certificate-numbers/disputes", headers=auth(Role.analyst, tenant="clearstone")
    )
    assert {c["stone_id"] for c in operators.json()["data"]} == {rightful["id"], squatter["id"]}
    # Each stone is still found by its own Clearstone id: nothing was dropped.
    assert client.get(f"/v1/certificates/{squatter['id']}").status_code == 200
    screen = client.post(
        "/v1/checkout/screenings",
        json={"items": ["GIA-7770001"], "policy": {"unknown": "block"}},
        headers=auth(Role.retailer, tenant="shop-1"),
    ).json()
    assert screen["decision"] == "block"  # screened as unknown, never as settled


def test_the_lab_confirms_the_rightful_claim(client: ASGIClient, auth: Auth) -> None:
    rightful = _register(client, auth, "rightful-cutter")
    _register(client, auth, "squatter")
    mine = next(c for c in _claims(client, auth, "GIA") if c["stone_id"] == rightful["id"])
    decided = client.post(
        f"/v1/lab/claims/{mine['id']}/decisions",
        json={"decision": "confirm"},
        headers=auth(Role.lab, tenant="GIA"),
    )
    assert decided.status_code == 200, decided.text
    assert decided.json()["status"] == "confirmed"
    view = client.get("/v1/certificates/GIA-7770001").json()
    assert (view["stone"]["id"], view["number_status"]) == (rightful["id"], "confirmed")
    statuses = {c["stone_id"]: c["status"] for c in _claims(client, auth, "GIA")}
    assert sorted(statuses.values()) == ["confirmed", "rejected"]
    operator = auth(Role.analyst, tenant="clearstone")
    assert client.get("/v1/certificate-numbers/disputes", headers=operator).json()["data"] == []


def test_a_lab_decides_only_its_own_numbers(client: ASGIClient, auth: Auth) -> None:
    _register(client, auth, "rightful-cutter")
    (claim,) = _claims(client, auth, "GIA")
    other_lab = client.post(
        f"/v1/lab/claims/{claim['id']}/decisions",
        json={"decision": "reject"},
        headers=auth(Role.lab, tenant="HRD"),
    )
    assert other_lab.status_code == 404
    supplier = client.post(
        f"/v1/lab/claims/{claim['id']}/decisions",
        json={"decision": "confirm"},
        headers=auth(Role.supplier, tenant="rightful-cutter"),
    )
    assert supplier.status_code == 403
    rejected = client.post(
        f"/v1/lab/claims/{claim['id']}/decisions",
        json={"decision": "reject"},
        headers=auth(Role.lab, tenant="GIA"),
    )
    assert rejected.json()["status"] == "rejected"
    assert client.get("/v1/certificates/GIA-7770001").status_code == 404


def test_digit_only_aliases_are_refused(client: ASGIClient, auth: Auth) -> None:
    headers = auth(Role.supplier, tenant="squatter")
    assert client.post("/v1/lots", json=lot(), headers=headers).status_code == 201
    body = stone(number="7770009", aliases=["OK-ALIAS", "2141438167"])
    response = client.post("/v1/stones", json=body, headers=headers)
    assert response.status_code == 422
    assert [e["path"] for e in response.json()["errors"]] == ["body.aliases.1"]


def test_an_alias_squatting_a_lab_number_is_disputed_not_served(
    client: ASGIClient, auth: Auth
) -> None:
    _register(client, auth, "squatter", number="1110001", aliases=["GIA-7770001"])
    assert client.get("/v1/certificates/GIA-7770001").status_code == 200  # nobody else yet
    _register(client, auth, "rightful-cutter")
    assert client.get("/v1/certificates/GIA-7770001").status_code == 409
    assert len(_claims(client, auth, "GIA", status="disputed")) == 2


def test_digits_shared_by_two_labs_answer_with_the_choices(client: ASGIClient, auth: Auth) -> None:
    _register(client, auth, "cutter-a")
    _register(client, auth, "cutter-b", grading_report={"lab": "IGI", "number": "7770001"})
    answer = client.get("/v1/certificates/7770001")
    assert answer.status_code == 409
    assert answer.json()["type"].endswith("certificate-number-ambiguous")
    assert answer.json()["choices"] == ["GIA-7770001", "IGI-7770001"]
    assert client.get("/v1/certificates/IGI-7770001").json()["number_status"] == "claimed"
    page = client.get("/check/7770001")
    assert page.status_code == 409
    assert '/check/GIA-7770001"' in page.text and '/check/IGI-7770001"' in page.text


def test_the_demo_numbers_are_distinct_confirmed_claimed_or_shared_by_two_labs(
    load: Loader, client: ASGIClient, app: Any
) -> None:
    from clearstone_api.container import container_of
    from clearstone_api.demo.scenarios import load_vectors
    from clearstone_api.services.demo import SHARED_DIGITS, load_number_demo

    vectors = load_vectors()
    numbers = {
        v["certificate"]: v["record"]["stones"][0]["grading_report"] for v in vectors if v["demo"]
    }
    load("DEMO-BW-2023", "DEMO-ZW-MARANGE-2008", "DEMO-LAB-GROWN")
    held = container_of(app)
    load_number_demo(held.database, held.references, vectors, attester=held.attester)
    lab_grown = "IGI-" + numbers["DEMO-LAB-GROWN"]["number"]
    assert client.get(f"/v1/certificates/{lab_grown}").json()["number_status"] == "confirmed"
    for certificate in ("DEMO-BW-2023", "DEMO-ZW-MARANGE-2008"):
        bare = client.get("/v1/certificates/" + numbers[certificate]["number"])
        assert bare.status_code == 200, bare.text
        assert bare.json()["number_status"] == "claimed"
        assert bare.json()["stone"]["grading_report_number"] == numbers[certificate]["number"]
    shared = client.get(f"/v1/certificates/{SHARED_DIGITS}")
    assert shared.status_code == 409
    assert shared.json()["choices"] == [f"HRD-{SHARED_DIGITS}", f"IGI-{SHARED_DIGITS}"]
    page = client.get(f"/check/{lab_grown}")
    assert "confirmed by the grading laboratory" in page.text


def test_the_demo_loader_refuses_a_taken_alias_as_the_api_does(app: Any) -> None:
    """No exception for the demo: a vector whose certificate already names a stone is a 409."""
    from clearstone_api.container import container_of
    from clearstone_api.demo.scenarios import load_vectors
    from clearstone_api.errors import Conflict
    from clearstone_api.services.demo import load_vector

    held = container_of(app)
    (marange,) = (v for v in load_vectors() if v["certificate"] == "DEMO-ZW-MARANGE-2008")
    assert load_vector(held.database, held.references, marange, attester=held.attester)
    twin = {**marange, "name": "marange-twin"}
    with pytest.raises(Conflict, match="DEMO-ZW-MARANGE-2008"):
        load_vector(held.database, held.references, twin, attester=held.attester)


def test_every_published_vector_has_its_own_report_number() -> None:
    from clearstone_api.demo.scenarios import load_vectors

    numbers = [
        (s["grading_report"]["lab"], s["grading_report"]["number"])
        for v in load_vectors()
        for s in v["record"]["stones"]
        if s.get("grading_report")
    ]
    assert len(numbers) == len(set(numbers)) > 40
    assert all(number.startswith("000") for _, number in numbers)
