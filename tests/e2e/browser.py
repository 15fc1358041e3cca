"""What the browser tests share: where Chromium and axe-core live, viewports, screenshots."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, BrowserContext, Page

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e"
AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def new_context(browser: Browser, base_url: str, **options: object) -> BrowserContext:
    """A fresh browser profile at ``base_url``; desktop size unless ``viewport`` says otherwise."""
    context = browser.new_context(base_url=base_url, **{"viewport": DESKTOP, **options})  # type: ignore[arg-type]
    context.set_default_timeout(10_000)
    return context


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page screenshot as ``test-artifacts/e2e/<name>.png``."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
