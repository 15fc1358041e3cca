"""The incident registry and its context layers, through the API as a retailer uses it: the
false negatives of the old registry, country and area context, and the coverage statement.

Every test runs on SQLite and, when configured, PostgreSQL (see ``tests/api/conftest.py``).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from typing import Any

import pytest

from clearstone_api.demo.chains import rough_to_retail
from clearstone_api.security.scopes import Role
from clearstone_api.services.demo import vectors_path
from tests.api.conftest import Auth, Loader
from tests.support.harness import ASGIClient


@pytest.fixture
def retailer(client: ASGIClient, auth: Auth) -> ASGIClient:
    client.headers.update(auth(Role.retailer, tenant="shop-1"))
    return client


def _vector(certificate: str) -> dict[str, Any]:
    vectors = json.loads(vectors_path().read_text(encoding="utf-8"))
    found: dict[str, Any] = next(v for v in vectors if v["certificate"] == certificate)
    return copy.deepcopy(found)


def _assess(client: ASGIClient, record: dict[str, Any], as_of: str = "2026-12-01") -> Any:
    response = client.post("/v1/assessments", json={"record": record, "as_of": as_of})
    assert response.status_code == 200, response.text
    return response.json()["csc"]


def _incidents(csc: Any) -> set[str]:
    return {m["incident_id"] for c in csc["criteria"] for m in c["incidents"]}


def _chain(**place: Any) -> dict[str, Any]:
    """A retailer's chain from a mine known to its area."""
    mined = dt.date.fromisoformat(place.pop("mined"))
    return rough_to_retail(subject="S1", site_registry_id=None, mined=mined, **place)


# --- the false negatives of the old registry ---------------------------------------------


def test_kasai_tshikapa_may_2017_artisanal_is_elevated_with_the_conflict_and_the_un_regime(
    retailer: ASGIClient,
) -> None:
    record = _chain(
        country="CD",
        admin1="Kasaï",
        admin2="Tshikapa",
        site_name="Tshikapa artisanal workings",
        mined="2017-05-02",
        scale="asm",
    )
    csc = _assess(retailer, record)
    assert csc["result"] in {"elevated_risk", "red_flag"}
    assert csc["risk_score"] > 0
    assert "INC-CD-KASAI-CONFLICT-2016" in _incidents(csc)
    [regime] = [f for f in csc["area_context"] if f["layer"] == "un_sanctions"]
    assert (regime["id"], regime["effect"]) == ("UNSC-REG-CD-2008", "red_flag_location")
    assert "OECD Annex II" in regime["reason"]
    assert regime["sources"] and regime["sources"][0]["url"].startswith("http")
    assert "Kasaï" in csc["coverage"]["statement"]
    assert csc["coverage"]["places"][0]["incidents_in_period"] >= 1


@pytest.mark.parametrize(
    ("site", "admin2", "expected"),
    [
        ("Roosevelt reserve", "Espigão d'Oeste", "red_flag"),  # the reserve itself, by name
        ("garimpo", "Espigão d'Oeste", "elevated_risk"),  # its district only
    ],
)
def test_cinta_larga_roosevelt_march_2004(
    retailer: ASGIClient, site: str, admin2: str, expected: str
) -> None:
    record = _chain(
        country="BR", admin1="Rondônia", admin2=admin2, site_name=site, mined="2004-03-01",
        scale="asm",
    )  # fmt: skip
    csc = _assess(retailer, record)
    assert csc["result"] == expected
    assert "INC-BR-CINTALARGA-2004" in _incidents(csc)
    assert "Brazil: 29 diamond prospectors killed" in csc["summary"]


def test_bolivar_venezuela_2019_is_elevated_with_the_mining_arc(retailer: ASGIClient) -> None:
    record = _chain(
        country="VE", admin1="Bolívar", admin2=None, site_name="Guaniamo workings",
        mined="2019-05-01", scale="asm",
    )  # fmt: skip
    csc = _assess(retailer, record)
    assert csc["result"] == "elevated_risk"
    assert "INC-VE-AMO-2016-22" in _incidents(csc)
    assert csc["coverage"]["level"] == "area"


def test_bolivar_after_the_cahra_listing_names_the_whole_country_listing(
    retailer: ASGIClient,
) -> None:
    record = _chain(
        country="VE", admin1="Bolívar", admin2=None, site_name="Guaniamo workings",
        mined="2023-05-01", scale="asm",
    )  # fmt: skip
    csc = _assess(retailer, record)
    assert csc["result"] == "elevated_risk"
    assert {f["id"] for f in csc["area_context"]} == {"CAHRA-VE"}


@pytest.mark.parametrize(
    ("country", "admin1", "admin2", "site", "mined", "scale", "incident"),
    [
        ("AO", "Lunda Norte", "Cuango", "Cuango concession", "2020-06-01", "asm",
         "INC-AO-CUANGO-KADYAPEMBA-2019-21"),
        ("LS", "Butha-Buthe", None, "Kao mine", "2018-02-01", "industrial", "INC-LS-KAO-2018"),
        ("ZW", "Manicaland", "Marange", "Chiadzwa", "2019-05-01", "industrial",
         "INC-ZW-ZCDC-SECURITY-2017-19"),
        ("TZ", "Shinyanga", "Kishapu", "Williamson mine", "2022-11-01", "industrial",
         "INC-TZ-WILLIAMSON-TSF-2022"),
    ],
)  # fmt: skip
def test_other_documented_sites_are_red_flags_naming_the_incident(
    retailer: ASGIClient,
    country: str,
    admin1: str,
    admin2: str | None,
    site: str,
    mined: str,
    scale: str,
    incident: str,
) -> None:
    record = _chain(
        country=country, admin1=admin1, admin2=admin2, site_name=site, mined=mined, scale=scale
    )
    csc = _assess(retailer, record)
    assert csc["result"] == "red_flag"
    assert incident in _incidents(csc)
    assert csc["risk_score"] >= 70


def test_the_registry_as_known_then_did_not_know_a_later_report(retailer: ASGIClient) -> None:
    record = _chain(
        country="BR", admin1="Rondônia", admin2="Espigão d'Oeste", site_name="Roosevelt reserve",
        mined="2004-03-01", scale="asm",
    )  # fmt: skip
    csc = _assess(retailer, record, as_of="2004-04-10")  # before the first report (18 Apr)
    assert "INC-BR-CINTALARGA-2004" not in _incidents(csc)


# --- context layers and their mitigation -------------------------------------------------


def test_a_listed_area_is_elevated_and_an_audit_in_the_chain_mitigates_it(
    retailer: ASGIClient,
) -> None:
    listed = _assess(retailer, _vector("VEC-ZW-MARANGE-2023")["record"])
    assert listed["result"] == "elevated_risk"
    [cahra] = listed["area_context"]
    assert (cahra["id"], cahra["effect"], cahra["mitigated"]) == ("CAHRA-ZW", "elevated", False)
    audited = _assess(retailer, _vector("VEC-ZW-MARANGE-2023-AUDITED")["record"])
    assert audited["result"] == "no_known_red_flags"
    [cahra] = audited["area_context"]
    assert (cahra["effect"], cahra["mitigated"]) == ("context", True)
    assert "audit_report" in cahra["reason"]
    assert audited["risk_score"] < listed["risk_score"]


def test_a_company_audit_does_not_mitigate_an_artisanal_red_flag_location(
    retailer: ASGIClient,
) -> None:
    record = _vector("VEC-CF-BERBERATI-2019-MDS")["record"]
    site_level = _assess(retailer, record)
    assert [f["mitigated"] for f in site_level["area_context"]] == [True]
    record["documents"][-1].update(scheme="audit_report", level="company", subject_id="miner")
    company_level = _assess(retailer, record)
    assert company_level["result"] == "elevated_risk"
    assert [f["effect"] for f in company_level["area_context"]] == ["red_flag_location"]


def test_a_self_declaration_mitigates_nothing(retailer: ASGIClient) -> None:
    record = _vector("VEC-ZW-MARANGE-2023-AUDITED")["record"]
    record["documents"][-1]["evidence_level"] = "self_declared"
    assert _assess(retailer, record)["result"] == "elevated_risk"


# --- coverage ------------------------------------------------------------------------------


def test_no_site_level_data_is_country_context_only_not_no_known_red_flags(
    retailer: ASGIClient,
) -> None:
    csc = _assess(retailer, _vector("VEC-CA-2023")["record"])
    assert csc["result"] == "country_context_only"
    assert csc["coverage"]["level"] == "country"
    assert csc["coverage"]["statement"].startswith("No site-level data for Diavik mine")
    assert "country context only" in csc["coverage"]["statement"]
    assert "not a clean result" in csc["summary"]


def test_a_registry_site_without_incidents_keeps_no_known_red_flags_and_says_so(
    retailer: ASGIClient,
) -> None:
    csc = _assess(retailer, _vector("DEMO-BW-2023")["record"])
    assert csc["result"] == "no_known_red_flags"
    assert csc["coverage"]["level"] == "site"
    assert csc["coverage"]["places"][0]["site_id"] == "BW-JWANENG"
    assert "in Clearstone's site registry" in csc["coverage"]["statement"]


def test_every_answer_carries_its_coverage_statement(retailer: ASGIClient) -> None:
    vectors = json.loads(vectors_path().read_text(encoding="utf-8"))
    for vector in vectors:
        csc = _assess(retailer, vector["record"], as_of=vector["as_of"])
        if csc["result"] == "not_applicable":
            assert csc["coverage"] is None, vector["name"]
        else:
            assert csc["coverage"]["statement"].endswith("."), vector["name"]


def test_the_public_certificate_and_the_page_show_the_coverage(
    load: Loader, client: ASGIClient
) -> None:
    load("VEC-CA-2023")
    body = client.get("/v1/certificates/VEC-CA-2023").json()
    statement = body["csc"]["coverage"]["statement"]
    assert body["csc"]["result"] == "country_context_only"
    page = client.get("/check/VEC-CA-2023").text
    assert "What the registry covered:</strong> " in page
    assert "No site-level data for Diavik mine" in page
    assert "No site-level data: country context only" in page  # the headline
    assert "Risk score" not in page  # a zero would read as safe
    assert statement.split(":")[0] in page


def test_checkout_sends_country_context_only_to_review_by_default(
    load: Loader, retailer: ASGIClient
) -> None:
    load("VEC-CA-2023", "DEMO-BW-2023")
    body = retailer.post(
        "/v1/checkout/screenings", json={"items": ["VEC-CA-2023", "DEMO-BW-2023"]}
    ).json()
    assert [(i["csc_result"], i["decision"]) for i in body["items"]] == [
        ("country_context_only", "review"),
        ("no_known_red_flags", "allow"),
    ]
