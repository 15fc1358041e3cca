"""Automated accessibility checks with axe-core on every kind of page, at phone and desktop width:
no serious or critical violations. Every finding, whatever its impact, is written to
``test-artifacts/e2e/axe-<page>-<size>.json`` for review."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from tests.e2e.browser import ARTIFACTS, AXE, DESKTOP, PHONE, new_context

pytestmark = pytest.mark.browser

PAGES = {
    "home": "/",
    "form-error": "/check?number=%3Cb%3E",
    "marange": "/check/DEMO-ZW-MARANGE-2008",
    "bria-2019": "/check/DEMO-CF-BRIA-2019",
    "unlinked": "/check/DEMO-POLISHED-UNLINKED",
    "lab-grown": "/check/DEMO-LAB-GROWN",
    "sanctions": "/check/VEC-RU-2024",
    "not-found": "/check/GIA-0000000001",
}
BLOCKING = {"serious", "critical"}


@pytest.fixture(params=[("phone", PHONE), ("desktop", DESKTOP)], ids=["phone", "desktop"])
def axe_page(
    request: pytest.FixtureRequest, browser: Browser, live_server: str
) -> Iterator[tuple[str, Page]]:
    """A page that axe can be injected into: the pages' CSP forbids inline scripts, so this
    context alone bypasses it (the other tests run under the real policy)."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm ci` in tests/e2e")
    size, viewport = request.param
    context = new_context(browser, live_server, viewport=viewport, bypass_csp=True)
    yield size, context.new_page()
    context.close()


def _axe(page: Page) -> dict[str, Any]:
    page.add_script_tag(path=str(AXE))
    results: dict[str, Any] = page.evaluate(
        "() => axe.run(document, {resultTypes: ['violations']})"
    )
    return results


@pytest.mark.parametrize("name", list(PAGES))
def test_no_serious_or_critical_accessibility_violations(
    axe_page: tuple[str, Page], name: str
) -> None:
    size, page = axe_page
    page.goto(PAGES[name])
    violations = _axe(page)["violations"]

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    report = [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "targets": [node["target"] for node in v["nodes"]],
        }
        for v in violations
    ]
    (ARTIFACTS / f"axe-{name}-{size}.json").write_text(json.dumps(report, indent=1) + "\n")
    blocking = [v for v in report if v["impact"] in BLOCKING]
    assert blocking == [], json.dumps(blocking, indent=1)
