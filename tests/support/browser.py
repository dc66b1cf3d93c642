"""Debian's Chromium driven by Python Playwright (sync API); never `playwright install`.

The browser can reach 127.0.0.1 only: every other request goes to a proxy address on which
nothing listens, and host names other than localhost do not resolve. A package that references
the internet (a video embed, a web font) fails to load that part instead of contacting it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from tests.support.env import CHROMIUM, missing, require

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Loopback only (Chromium bypasses the proxy for loopback addresses by default).
    "--proxy-server=http://127.0.0.1:9",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]

DEFAULT_TIMEOUT_MS = 10_000


@contextmanager
def launch_chromium() -> Iterator[Browser]:
    """Start Playwright and Debian's Chromium; stop both on exit."""
    require(CHROMIUM.exists(), f"{CHROMIUM} is missing: apt-get install chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - depends on the machine
        missing("Python playwright is not installed: pip install -e '.[test]'")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def new_context(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh browser context (own storage, cookies) with short default timeouts."""
    context = browser.new_context()
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    try:
        yield context
    finally:
        context.close()
