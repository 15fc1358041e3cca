"""Every stone in every language at phone and desktop size, in real Chromium: the answer's
headline and both verdict badges inside the first screen (by bounding box), no accessibility
violation of any impact (axe-core; Arabic right to left), no forbidden phrase in the rendered
text, and a screenshot of the first screen of each in ``test-artifacts/e2e/languages/``.

One browser context per size, one page reused for every language and stone, to keep the run
short."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from clearstone_api.web.i18n import LANGUAGES
from tests.e2e.browser import ARTIFACTS, AXE, PHONE, new_context
from tests.web.test_wording import FORBIDDEN

pytestmark = pytest.mark.browser

SIZES = {"phone": PHONE, "desktop": {"width": 1366, "height": 900}}
STONES = {
    "marange": "/check/DEMO-ZW-MARANGE-2008",
    "botswana": "/check/DEMO-BW-2023",
    "bria": "/check/DEMO-CF-BRIA-2019",
    "unlinked": "/check/DEMO-POLISHED-UNLINKED",
    "lab-grown": "/check/DEMO-LAB-GROWN",
    "unknown": "/check/GIA-0000310041",
}
SHOTS = ARTIFACTS / "languages"


@pytest.fixture(scope="module", params=list(SIZES))
def sized_page(
    request: pytest.FixtureRequest, browser: Browser, live_server: str
) -> Iterator[tuple[str, Page]]:
    """One page per size for the whole module; axe is injected after each navigation, so this
    context bypasses the pages' script policy (the other browser tests run under it)."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm ci` in tests/e2e")
    size = request.param
    context = new_context(browser, live_server, viewport=SIZES[size], bypass_csp=True)
    yield size, context.new_page()
    context.close()


def _inside(page: Page, selector: str, viewport: dict[str, int]) -> None:
    boxes = page.locator(selector)
    assert boxes.count() >= 1, selector
    for index in range(boxes.count()):
        box = boxes.nth(index).bounding_box()
        assert box is not None, selector
        assert box["x"] >= 0 and box["y"] >= 0, (selector, box)
        assert box["x"] + box["width"] <= viewport["width"] + 0.5, (selector, box)
        assert box["y"] + box["height"] <= viewport["height"], (selector, box, "below the fold")


@pytest.mark.parametrize("stone", list(STONES))
@pytest.mark.parametrize("code", [language.code for language in LANGUAGES])
def test_answer_first_accessible_and_honest_in_every_language(
    sized_page: tuple[str, Page], code: str, stone: str
) -> None:
    size, page = sized_page
    viewport = SIZES[size]
    response = page.goto(f"{STONES[stone]}?lang={code}")
    assert response is not None
    assert response.status == (404 if stone == "unknown" else 200)
    html = page.locator("html")
    assert html.get_attribute("lang") == code
    assert html.get_attribute("dir") == ("rtl" if code == "ar" else "ltr")

    _inside(page, "h1", viewport)
    if stone == "unknown":
        _inside(page, ".suggest a", viewport)
    else:
        assert page.locator(".badges .badge").count() == 2
        _inside(page, ".badges .badge", viewport)

    text = page.locator("body").inner_text()
    for pattern in FORBIDDEN["en"] + FORBIDDEN[code]:
        found = re.search(pattern, text, re.IGNORECASE)
        assert found is None, (pattern, text[max(0, found.start() - 80) : found.end() + 80])

    page.add_script_tag(path=str(AXE))
    violations = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")[
        "violations"
    ]
    assert violations == [], [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in violations
    ]

    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{stone}-{code}-{size}.png"))
