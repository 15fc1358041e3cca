"""The consumer's pages (``clearstone_api/web/routes.py``) over ASGI: status codes, what the
pages say, escaping, privacy, security headers and markup that assistive technology relies on."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from html.parser import HTMLParser
from urllib.parse import quote

import pytest
from fastapi import FastAPI
from markupsafe import escape
from sqlalchemy import update

from clearstone_api.app import create_app
from clearstone_api.container import container_of, install_container
from clearstone_api.models.assessment import StoneAssessment
from clearstone_api.services.certificates import StoredCertificate
from clearstone_api.settings import Settings
from clearstone_api.web import routes as web
from tests.support.harness import ASGIClient

Loader = Callable[[str], None]

HOSTILE = ['<script>alert("x")</script>', '"><img src=x onerror=alert(1)>', "a'; --"]


class _Tags(HTMLParser):
    """Every start tag with its attributes, in document order."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.tags if name == tag]


def _page(client: ASGIClient, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, response.text[:500]
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    return response.text


# The form


def test_home_page_is_english_with_landmarks_and_a_labelled_field(client: ASGIClient) -> None:
    text = _page(client, "/")
    tags = _Tags(text)
    assert tags.all("html") == [{"lang": "en", "dir": "ltr"}]
    assert {"header", "main", "footer"} <= {name for name, _ in tags.tags}
    (field,) = tags.all("input")
    assert field["name"] == "number"
    assert [label["for"] for label in tags.all("label")] == [field["id"]]
    (form,) = tags.all("form")
    assert form["method"] == "get" and form["action"] == "/check"


def test_home_page_offers_the_demo_numbers_outside_production(
    app: FastAPI, client: ASGIClient
) -> None:
    assert "/check/DEMO-ZW-MARANGE-2008" in _page(client, "/")
    held = container_of(app)
    install_container(
        app, replace(held, settings=held.settings.model_copy(update={"environment": "production"}))
    )
    assert "DEMO-ZW-MARANGE-2008" not in _page(client, "/")


@pytest.mark.parametrize(
    ("typed", "location"),
    [
        ("DEMO-ZW-MARANGE-2008", "/check/DEMO-ZW-MARANGE-2008"),
        ("  gia 0000310040 ", "/check/gia%200000310040"),
    ],
)
def test_form_redirects_to_the_numbers_own_page(
    client: ASGIClient, typed: str, location: str
) -> None:
    response = client.get("/check", params={"number": typed}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == location


@pytest.mark.parametrize("query", ["", "?number=", "?number=%20%20"])
def test_form_without_a_number_comes_back_with_an_error(client: ASGIClient, query: str) -> None:
    text = _page(client, "/check" + query, 400)
    assert "Enter the certificate number" in text
    (field,) = _Tags(text).all("input")
    assert field["aria-invalid"] == "true"
    assert "number-error" in (field["aria-describedby"] or "")


# The result


def test_marange_shows_a_kp_pass_beside_a_human_rights_red_flag_with_sources(
    load: Loader, client: ASGIClient
) -> None:
    load("DEMO-ZW-MARANGE-2008")
    text = _page(client, "/check/DEMO-ZW-MARANGE-2008")
    kp, csc = text.index('id="kp-h"'), text.index('id="csc-h"')
    assert kp < text.index("No KP conflict-diamond indicators found", kp) < csc
    assert text.index('<span class="result bad">Red flag</span>') > csc
    assert 'Human rights <span class="sub">(KP Civil Society Coalition criteria)</span>' in text
    links = [a["href"] for a in _Tags(text).all("a")]
    assert any(href and href.startswith("https://www.hrw.org/") for href in links)
    assert "Documented: established by credible investigations" in text
    assert "Killings" in text
    assert "What this means" in text


def test_result_shows_the_stone_origin_evidence_date_and_versions(
    load: Loader, client: ASGIClient
) -> None:
    load("DEMO-ZW-MARANGE-2008")
    text = _page(client, "/check/demo zw marange 2008")
    for shown in (
        "Natural diamond",
        "1.02 ct",
        "Round brilliant",
        "6.41 × 6.45 × 3.97 mm",
        "Clarity grade",
        "GIA 0000310040",
        "https://www.gia.edu/report-check?reportno=0000310040",
        "GIA",
        "0000310040",
        "Chiadzwa diamond fields",
        "Marange, Manicaland, Zimbabwe",
        "How well evidenced: Documented.",
        "Nobody has tested the stone itself",
        "1 November 2026",
        "Policy version",
        "Reference-data version",
    ):
        assert shown in text, shown


def test_bria_2019_shows_a_kp_fail_with_its_reasons(load: Loader, client: ASGIClient) -> None:
    load("DEMO-CF-BRIA-2019")
    text = _page(client, "/check/DEMO-CF-BRIA-2019")
    assert "Fails the Kimberley Process rules" in text
    assert "KP special measures at the origin on the date" in text
    assert "Elevated risk" in text
    assert "Country context" in text


def test_missing_provenance_never_reads_as_a_pass(load: Loader, client: ASGIClient) -> None:
    load("DEMO-POLISHED-UNLINKED")
    text = _page(client, "/check/DEMO-POLISHED-UNLINKED")
    assert "Not enough evidence to apply the KP rules" in text
    assert "Origin not known well enough to judge" in text
    assert "No KP conflict-diamond indicators found" not in text
    assert "Risk score" not in text


def test_lab_grown_is_outside_both_standards(load: Loader, client: ASGIClient) -> None:
    load("DEMO-LAB-GROWN")
    text = _page(client, "/check/DEMO-LAB-GROWN")
    assert "Laboratory-grown diamond" in text
    assert "Outside the Kimberley Process" in text
    assert "Outside the scope of these criteria" in text


def test_sanctions_flag_shows_only_when_flagged(load: Loader, client: ASGIClient) -> None:
    load("VEC-RU-2024")
    load("DEMO-BW-2023")
    assert "Sanctions flag" in _page(client, "/check/VEC-RU-2024")
    assert "Sanctions flag" not in _page(client, "/check/DEMO-BW-2023")


@pytest.mark.parametrize("certificate", ["DEMO-ZW-MARANGE-2008", "DEMO-BW-2023"])
def test_kp_pass_is_never_called_ethical_or_conflict_free(
    load: Loader, client: ASGIClient, certificate: str
) -> None:
    load(certificate)
    text = _page(client, f"/check/{certificate}")
    disclaimer = client.get(f"/v1/certificates/{certificate}").json()["disclaimer"]
    # The stored disclaimer says a pass is *not* that; nothing else may use the words.
    own_words = text.replace(str(escape(disclaimer)), "").lower()
    assert "conflict-free" not in own_words
    assert "ethical" not in own_words


def test_pages_hide_prices_and_counterparties(load: Loader, client: ASGIClient) -> None:
    load("DEMO-BW-2023")
    text = _page(client, "/check/DEMO-BW-2023")
    for private in ("Antwerp rough trader", "Surat manufacturer", "US jeweller", "Debswana"):
        assert private not in text
    for price in ("value_usd", "18900", "USD", "$"):
        assert price not in text


def test_result_reads_the_stored_view_through_the_api_lookup(
    load: Loader, client: ASGIClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    load("DEMO-BW-2023")
    looked_up: list[str] = []
    real = web.lookup_certificate

    async def spy(*args: object) -> StoredCertificate:
        looked_up.append(str(args[-1]))
        return await real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(web, "lookup_certificate", spy)
    _page(client, "/check/DEMO-BW-2023")
    assert looked_up == ["DEMO-BW-2023"]


def test_result_offers_the_signed_attestation_and_how_to_verify_it(
    load: Loader, client: ASGIClient
) -> None:
    load("DEMO-BW-2023")
    text = _page(client, "/check/DEMO BW 2023")
    assert "Signed attestation" in text
    assert 'href="/v1/certificates/DEMO%20BW%202023/attestation" download' in text
    assert 'href="/.well-known/jwks.json"' in text
    assert "How to verify it offline" in text
    assert "clearstone verify" in text
    download = client.get("/v1/certificates/DEMO%20BW%202023/attestation")
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/jose"


def test_attestation_section_is_absent_while_the_assessment_is_unsigned(
    load: Loader, app: FastAPI, client: ASGIClient
) -> None:
    load("DEMO-BW-2023")
    with container_of(app).database.session() as session:
        session.execute(update(StoneAssessment).values(attestation=None))
    text = _page(client, "/check/DEMO-BW-2023")
    assert "No KP conflict-diamond indicators found" in text
    for gone in ("Signed attestation", "verify", "JWS", "jwks"):
        assert gone not in text, gone


def _answer(text: str) -> str:
    return text.split('<section class="answer')[1].split("</section>")[0]


@pytest.mark.parametrize(
    ("certificate", "headline", "first", "second"),
    [
        (
            "DEMO-ZW-MARANGE-2008",
            "Documented human-rights abuses where and when this diamond was produced",
            "Red flag",
            "No KP conflict-diamond indicators found",
        ),
        (
            "DEMO-CF-BRIA-2019",
            "This diamond&#39;s trade broke the Kimberley Process rules",
            "Fails the Kimberley Process rules",
            "Elevated risk",
        ),
        (
            "DEMO-BW-2023",
            "No known red flags in the records checked",
            "No KP conflict-diamond indicators found",
            "No known red flags",
        ),
        (
            "DEMO-POLISHED-UNLINKED",
            "Not enough information to say where this diamond comes from",
            "Not enough evidence to apply the KP rules",
            "Origin not known well enough to judge",
        ),
        (
            "DEMO-LAB-GROWN",
            "A laboratory-grown diamond: outside these mining checks",
            "Outside the Kimberley Process",
            "Outside the scope of these criteria",
        ),
    ],
)
def test_the_answer_comes_first_with_both_badges_the_worse_one_first(
    load: Loader, client: ASGIClient, certificate: str, headline: str, first: str, second: str
) -> None:
    load(certificate)
    text = _page(client, f"/check/{certificate}")
    answer = _answer(text)
    assert f'<h1 id="answer-h">{headline}</h1>' in answer
    assert answer.index(f"<strong>{first}</strong>") < answer.index(f"<strong>{second}</strong>")
    assert "What to ask the seller" in answer
    assert text.index('class="answer') < text.index('id="identity-h"') < text.index('id="kp-h"')
    assert text.count("<details") >= 4, "the details are collapsible without JavaScript"


def test_the_answer_says_what_the_registry_covered(load: Loader, client: ASGIClient) -> None:
    load("DEMO-ZW-MARANGE-2008")
    answer = _answer(_page(client, "/check/DEMO-ZW-MARANGE-2008"))
    assert "What the registry covered:" in answer


def test_sources_shown_are_primary_first_and_unverified_reads_not_independently_confirmed(
    load: Loader, client: ASGIClient
) -> None:
    load("DEMO-CF-BRIA-2025")
    load("DEMO-ZW-MARANGE-2008")
    for certificate in ("DEMO-CF-BRIA-2025", "DEMO-ZW-MARANGE-2008"):
        text = _page(client, f"/check/{certificate}")
        assert "UNVERIFIED" not in text
    from clearstone_api.domain.verdicts import SourceRef
    from clearstone_api.web.presentation import shown_sources

    weak = SourceRef(id="w", title="A mirror copy", strength="weak")
    primary = SourceRef(id="p", title="The report", strength="primary")
    secondary = SourceRef(id="s", title="Trade press", strength="secondary")
    assert [s.title for s in shown_sources([weak, secondary, primary])] == [
        "The report",
        "Trade press",
    ]
    (only,) = shown_sources([weak])
    assert only.weak


# Unknown and malformed numbers


def test_unknown_number_gets_a_helpful_404_page(client: ASGIClient) -> None:
    text = _page(client, "/check/GIA-0000000000", 404)
    assert "No stone found for" in text
    assert web.EXAMPLE_NUMBER in text
    assert "Report number" in text
    assert "girdle" in text
    (field,) = _Tags(text).all("input")
    assert field["value"] == "GIA-0000000000"


@pytest.mark.parametrize("hostile", HOSTILE)
def test_a_hostile_number_is_escaped_on_every_page(client: ASGIClient, hostile: str) -> None:
    for url in (f"/check?number={quote(hostile)}", f"/check/{quote(hostile, safe='')}"):
        response = client.get(url)
        assert response.status_code in (400, 404)
        assert hostile not in response.text
        assert str(escape(hostile)) in response.text
        assert "<script" not in response.text


@pytest.mark.parametrize(
    "url",
    [
        "/check/",
        "/check/%00",
        "/check/" + "9" * 500,
        "/check/a/b",
        "/check/..%2F..%2Fetc%2Fpasswd",
        "/check/%F0%9F%92%8E",
        "/check/%FF%FE",
        "/check?number=%00",
        "/check?number=%FF",
        "/check?number=" + "x" * 10_000,
        "/check?number=a&number=b",
    ],
)
def test_malformed_input_gets_a_page_never_a_500(client: ASGIClient, url: str) -> None:
    response = client.get(url, follow_redirects=False)
    assert response.status_code in (303, 400, 404)
    if response.status_code != 303:
        assert response.headers["content-type"] == "text/html; charset=utf-8"


# Headers, assets, contract


@pytest.mark.parametrize(
    "url", ["/", "/check", "/check/GIA-0000000000", "/check/%3C", "/check/DEMO-BW-2023"]
)
def test_pages_send_strict_security_headers(load: Loader, client: ASGIClient, url: str) -> None:
    load("DEMO-BW-2023")
    headers = client.get(url).headers
    csp = headers["content-security-policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"


def test_pages_load_nothing_from_elsewhere_and_run_no_script(
    load: Loader, client: ASGIClient
) -> None:
    load("DEMO-ZW-MARANGE-2008")
    for url in ("/", "/check/DEMO-ZW-MARANGE-2008", "/check/GIA-0000000000"):
        tags = _Tags(client.get(url).text)
        assert not tags.all("script")
        assets = [a.get("href") for a in tags.all("link")] + [a.get("src") for a in tags.all("img")]
        assert assets and all(a and a.startswith("/static/") for a in assets)
    css = client.get("/static/site.css")
    assert css.status_code == 200
    assert css.headers["content-type"].startswith("text/css")
    assert "@import" not in css.text and "url(" not in css.text


def test_pages_stay_out_of_the_openapi_contract(client: ASGIClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert "/" not in paths
    assert not [path for path in paths if path.startswith(("/check", "/static"))]


def test_pages_spend_the_same_rate_limit_budget_as_the_public_api(settings: Settings) -> None:
    limited = ASGIClient(create_app(settings.model_copy(update={"rate_limit_public": 3})))
    try:
        page = limited.get("/")
        assert page.headers["ratelimit-policy"].startswith('"public"')
        assert limited.get("/v1/certificates/GIA-0000000000").status_code == 404
        assert limited.get("/check/GIA-0000000000").status_code == 404
        refused = limited.get("/check/GIA-0000000000")
        assert refused.status_code == 429
        assert "retry-after" in refused.headers
        assert refused.headers["content-type"].startswith("application/problem+json")
    finally:
        limited.close()


BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def test_a_browser_over_the_rate_limit_gets_an_html_page_saying_when_to_retry(
    settings: Settings,
) -> None:
    limited = ASGIClient(create_app(settings.model_copy(update={"rate_limit_public": 1})))
    try:
        assert limited.get("/", headers={"accept": BROWSER_ACCEPT}).status_code == 200
        refused = limited.get("/check/DEMO-BW-2023", headers={"accept": BROWSER_ACCEPT})
        assert refused.status_code == 429
        assert refused.headers["content-type"] == "text/html; charset=utf-8"
        retry = refused.headers["retry-after"]
        assert f"try again in {retry} seconds" in refused.text
        assert refused.headers["x-request-id"] in refused.text
        assert "default-src 'self'" in refused.headers["content-security-policy"]
        as_json = limited.get("/check/DEMO-BW-2023", headers={"accept": "application/json"})
        assert as_json.status_code == 429
        assert as_json.json()["status"] == 429
    finally:
        limited.close()


@pytest.mark.parametrize(
    ("accept", "html"),
    [
        (BROWSER_ACCEPT, True),
        ("text/html", True),
        ("application/json", False),
        ("application/problem+json", False),
        ("*/*", False),
        ("", False),
        ("application/json, text/html;q=0.5", False),
        ("text/html;q=0.9, application/json;q=0.1", True),
    ],
)
def test_error_pages_follow_content_negotiation(
    client: ASGIClient, accept: str, html: bool
) -> None:
    for url, status in (("/no/such/page", 404), ("/v1/certificates/GIA-0000000000", 404)):
        response = client.get(url, headers={"accept": accept} if accept else {})
        assert response.status_code == status
        kind = response.headers["content-type"]
        if html:
            assert kind == "text/html; charset=utf-8"
            assert "<h1>" in response.text and "Accept" in response.headers["vary"]
        else:
            assert kind.startswith("application/problem+json")
            assert response.json()["status"] == status


def test_a_405_for_a_browser_is_a_page_that_keeps_allow(client: ASGIClient) -> None:
    response = client.post("/check/DEMO-BW-2023", headers={"accept": BROWSER_ACCEPT})
    assert response.status_code == 405
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "GET" in response.headers["allow"]


# Numbers that several labs share, and near matches


def test_a_number_two_labs_share_leads_to_a_chooser_of_lab_and_number(
    client: ASGIClient, app: FastAPI
) -> None:
    from clearstone_api.demo.scenarios import load_vectors
    from clearstone_api.services.demo import SHARED_DIGITS, load_number_demo

    held = container_of(app)
    load_number_demo(held.database, held.references, load_vectors(), attester=held.attester)
    text = _page(client, f"/check/{SHARED_DIGITS}", 409)
    links = [a["href"] for a in _Tags(text).all("a")]
    assert f"/check/HRD-{SHARED_DIGITS}" in links and f"/check/IGI-{SHARED_DIGITS}" in links
    assert "Choose the laboratory named on your report" in text
    _page(client, f"/check/HRD-{SHARED_DIGITS}")


@pytest.mark.parametrize(
    "typed",
    [
        "GIA-0000310041",  # one digit wrong
        "0000310O40",  # the letter O for a zero
        "gia 00003 10040 1",  # spaces and one digit too many
        "000031004",  # one digit short
        "0000301040",  # two neighbours swapped
    ],
)
def test_an_unknown_number_suggests_near_matches_and_nothing_else(
    load: Loader, client: ASGIClient, typed: str
) -> None:
    load("DEMO-ZW-MARANGE-2008")
    text = _page(client, f"/check/{quote(typed, safe='')}", 404)
    assert "Did you mean" in text
    assert '/check/GIA-0000310040"' in text
    for private in ("Zimbabwe", "Marange", "Red flag", "DEMO-ZW", "CS-"):
        assert private not in text.split("Did you mean")[1].split("</section>")[0], private


@pytest.mark.parametrize("typed", ["GIA-0000999999", "00003", "DEMO-ZW-MARANGE-2009"])
def test_no_suggestion_for_numbers_far_from_any_report_or_too_short(
    load: Loader, client: ASGIClient, typed: str
) -> None:
    load("DEMO-ZW-MARANGE-2008")
    text = _page(client, f"/check/{quote(typed, safe='')}", 404)
    assert "Did you mean" not in text


def test_each_result_has_a_qr_code_of_its_own_page(load: Loader, client: ASGIClient) -> None:
    load("DEMO-ZW-MARANGE-2008")
    text = _page(client, "/check/DEMO-ZW-MARANGE-2008")
    stone_id = client.get("/v1/certificates/DEMO-ZW-MARANGE-2008").json()["stone"]["id"]
    figure = text.split('<figure class="qr">')[1].split("</figure>")[0]
    assert '<svg role="img" aria-label="QR code that opens this page: ' in figure
    assert f"http://testserver/check/{stone_id}" in figure
    assert "<path" in figure and "style=" not in figure and "<script" not in figure
    assert '<link rel="stylesheet" href="/static/print.css" media="print">' in text
