"""The shop-counter card: printed, the answer, the stone's identity and the QR code fit on one
A6 page (Chromium's print emulation and its PDF output)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser

from tests.e2e.browser import ARTIFACTS, new_context

pytestmark = pytest.mark.browser

# A6's printable box at CSS's 96 px per inch: 105 x 148 mm less print.css's 6 mm margins.
CARD = {"width": int((105 - 12) / 25.4 * 96), "height": int((148 - 12) / 25.4 * 96)}


@pytest.mark.parametrize(
    ("certificate", "lang"),
    [("DEMO-ZW-MARANGE-2008", "en"), ("DEMO-CF-BRIA-2019", "de"), ("DEMO-LAB-GROWN", "ar")],
)
def test_answer_identity_and_qr_fit_one_a6_card(
    browser: Browser, live_server: str, certificate: str, lang: str
) -> None:
    context = new_context(browser, live_server, viewport=CARD)
    try:
        page = context.new_page()
        page.goto(f"/check/{certificate}?lang={lang}")
        qr = page.locator("figure.qr svg")
        assert qr.get_attribute("role") == "img" and qr.get_attribute("aria-label")
        page.emulate_media(media="print")
        for selector in ("h1", ".badges", "section.identity", "figure.qr svg"):
            box = page.locator(selector).bounding_box()
            assert box is not None, selector
            assert box["x"] >= 0 and box["x"] + box["width"] <= CARD["width"], (selector, box)
            assert box["y"] + box["height"] <= CARD["height"], (selector, box, "off the card")
        for hidden in ("header.site", "#kp", "form.check"):
            assert not page.locator(hidden).first.is_visible(), hidden

        pdf = page.pdf(format="A6", print_background=True, prefer_css_page_size=True)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / f"card-{certificate}-{lang}.pdf").write_bytes(pdf)
        pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
        assert pages == 1, f"{pages} pages"
    finally:
        context.close()
