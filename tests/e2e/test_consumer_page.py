"""The consumer's page in headless Chromium: type a number, read both verdicts."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Response, expect

from clearstone import verify_attestation
from tests.e2e.browser import DESKTOP, PHONE, new_context, screenshot

pytestmark = pytest.mark.browser

FIELD = "Certificate number"


def _check(page: Page, number: str) -> None:
    """Type ``number`` into the form on the home page and submit it, as a person would."""
    page.goto("/")
    page.get_by_label(FIELD, exact=True).fill(number)
    page.get_by_role("button", name="Check").click()


def test_marange_shows_a_kp_pass_beside_a_human_rights_red_flag_with_sources(
    page: Page,
) -> None:
    _check(page, "DEMO-ZW-MARANGE-2008")

    expect(page).to_have_url(re.compile(r"/check/DEMO-ZW-MARANGE-2008$"))
    kp, csc = page.locator("#kp"), page.locator("#csc")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Documented human-rights abuses where and when this diamond was produced"
    )
    expect(kp.get_by_role("heading", level=2)).to_have_text("Kimberley Process")
    expect(kp.locator(".result")).to_have_text("No KP conflict-diamond indicators found")
    expect(csc.get_by_role("heading", level=2)).to_contain_text("Human rights")
    expect(csc.locator(".result")).to_have_text("Red flag")
    csc.locator("summary").click()
    sources = csc.locator(".sources a")
    expect(csc.locator('.sources a[href^="https://www.hrw.org/"]').first).to_be_visible()
    assert sources.count() >= 3
    expect(csc).to_contain_text("Documented: established by credible investigations")

    kp_box, csc_box = kp.bounding_box(), csc.bounding_box()
    assert kp_box and csc_box
    assert abs(kp_box["y"] - csc_box["y"]) < 1, "the two verdicts sit side by side"
    assert kp_box["x"] + kp_box["width"] <= csc_box["x"]


def test_bria_2019_shows_a_kp_fail(page: Page) -> None:
    _check(page, "DEMO-CF-BRIA-2019")

    expect(page.locator("#kp .result")).to_have_text("Fails the Kimberley Process rules")
    page.locator("#kp summary").click()
    expect(page.locator("#kp .reasons")).to_contain_text("KP special measures")
    expect(page.locator("#csc .result")).to_have_text("Elevated risk")


def test_unknown_number_shows_the_not_found_page(page: Page) -> None:
    page.goto("/")
    page.get_by_label(FIELD, exact=True).fill("GIA-0000000001")
    with page.expect_response(re.compile(r"/check/GIA-0000000001$")) as answer:
        page.get_by_role("button", name="Check").click()

    assert answer.value.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "No stone found for this number: GIA-0000000001"
    )
    expect(page.get_by_role("heading", name="What a certificate number looks like")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("GIA-1234567890")
    expect(page.get_by_label(FIELD, exact=True)).to_have_value("GIA-0000000001")


def test_the_signed_attestation_downloads_and_verifies_offline(page: Page) -> None:
    """What the page promises: the two files it offers are all a consumer needs to check the
    verdict later, without Clearstone."""
    page.goto("/check/DEMO-ZW-MARANGE-2008")
    page.locator("#attestation summary").click()
    with page.expect_download() as attestation:
        page.get_by_role("link", name="Download the signed attestation").click()
    with page.expect_download() as key_set:
        page.get_by_role("link", name="Download the public key set").click()

    assert attestation.value.suggested_filename.endswith(".jws")
    token = Path(attestation.value.path()).read_text("ascii").strip()
    jwks = json.loads(Path(key_set.value.path()).read_text("utf-8"))
    verified = verify_attestation(token, jwks)
    assert verified.assessment.kp.result == "pass"
    assert verified.assessment.csc.result == "red_flag"


def test_keyboard_only_use_reaches_the_field_and_submits_with_enter(page: Page) -> None:
    page.goto("/")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    for _ in range(15):
        if page.evaluate("document.activeElement.id") == "number":
            break
        page.keyboard.press("Tab")
    field = page.get_by_label(FIELD, exact=True)
    expect(field).to_be_focused()
    outline = field.evaluate(
        "e => getComputedStyle(e).outlineStyle + ' ' + getComputedStyle(e).outlineWidth"
    )
    assert outline == "solid 3px", "focus is visible"

    page.keyboard.type("DEMO-CF-BRIA-2019")
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/check/DEMO-CF-BRIA-2019$"))
    expect(page.locator("#kp .result")).to_have_text("Fails the Kimberley Process rules")


def test_the_page_works_without_javascript(browser: Browser, live_server: str) -> None:
    context = new_context(browser, live_server, java_script_enabled=False)
    try:
        page = context.new_page()
        _check(page, "demo zw marange 2008")
        expect(page.locator("#csc .result")).to_have_text("Red flag")
    finally:
        context.close()


def test_pages_load_only_their_own_assets_without_policy_violations(page: Page) -> None:
    problems: list[str] = []

    def console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Refused to" in message.text:
            problems.append(message.text)

    def response(answer: Response) -> None:
        if answer.request.resource_type != "document" and answer.status >= 400:
            problems.append(f"{answer.status} {answer.url}")

    page.on("console", console)
    page.on("response", response)
    page.on("requestfailed", lambda request: problems.append(f"failed {request.url}"))
    origins: set[str] = set()
    page.on("request", lambda request: origins.add(request.url.split("/")[2]))
    for url in ("/", "/check/DEMO-ZW-MARANGE-2008", "/check/GIA-0000000001"):
        page.goto(url, wait_until="networkidle")

    assert problems == []
    assert len(origins) == 1, origins


@pytest.mark.parametrize(("size", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_screenshots_at_phone_and_desktop_width(
    browser: Browser, live_server: str, size: str, viewport: dict[str, int]
) -> None:
    context = new_context(browser, live_server, viewport=viewport)
    try:
        page = context.new_page()
        for name, url in (
            ("home", "/"),
            ("marange", "/check/DEMO-ZW-MARANGE-2008"),
            ("bria-2019", "/check/DEMO-CF-BRIA-2019"),
            ("lab-grown", "/check/DEMO-LAB-GROWN"),
            ("not-found", "/check/GIA-0000000001"),
        ):
            page.goto(url)
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, f"{name} scrolls sideways at {viewport['width']} px"
            screenshot(page, f"{name}-{size}")

        page.goto("/check/DEMO-ZW-MARANGE-2008")
        kp_box = page.locator("#kp").bounding_box()
        csc_box = page.locator("#csc").bounding_box()
        assert kp_box and csc_box
        stacked = csc_box["y"] >= kp_box["y"] + kp_box["height"]
        assert stacked == (size == "phone")
    finally:
        context.close()
