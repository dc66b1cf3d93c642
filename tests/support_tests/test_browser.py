"""The browser fixture (Debian's Chromium, loopback only) and the static HTTP servers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Error, Page

from tests.support.static_server import StaticServer

pytestmark = pytest.mark.e2e


def test_two_served_folders_are_separate_origins(
    tmp_path: Path, page: Page, http_server: Callable[[Path], StaticServer]
) -> None:
    for name in ("one", "two"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "index.html").write_text(
            f"<!doctype html><title>{name}</title><h1>{name}</h1>", encoding="utf-8"
        )
    one, two = http_server(tmp_path / "one"), http_server(tmp_path / "two")

    assert one.origin != two.origin
    assert one.url.startswith("http://127.0.0.1:")
    page.goto(one.url)
    assert page.title() == "one"
    page.goto(two.url + "index.html")
    assert page.locator("h1").inner_text() == "two"
    assert page.evaluate("() => location.origin") == two.origin


def test_the_browser_reaches_no_host_but_loopback(page: Page) -> None:
    # A reserved name: it must fail inside Chromium (dead proxy, no resolution), not outside.
    with pytest.raises(Error, match=r"net::ERR_(PROXY_CONNECTION_FAILED|NAME_NOT_RESOLVED)"):
        page.goto("http://coursepack.invalid/", timeout=5000)
