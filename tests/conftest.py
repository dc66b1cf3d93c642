"""Fixtures shared by every test: the real browser, LMS runtime and LRS of the e2e tests.

    browser         session: Debian's Chromium via Playwright (loopback only)
    page            a fresh page in its own browser context
    http_server     factory: http_server(directory) -> StaticServer (.url, .origin, .port)
    scorm_site      a served folder with the SCORM LMS harness; .add_package(zip) -> "package/"
    scorm_harness   ScormHarness on `page` for `scorm_site`: .open(), .log(), .cmi(), .errors()
    lrs             Ralph (fs backend), emptied for each test: .endpoint, .auth_header,
                    .statements(**query), .post(statements), .stop(), .start()

Helpers to import: ``tests.support.env`` (require, shared_dir, require_shared),
``tests.support.axe`` (run_axe), ``tests.support.xapi_validation`` (validate_statements).
A missing prerequisite skips the test, or fails it when ``CI`` is set.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.support.browser import launch_chromium, new_context
from tests.support.env import require
from tests.support.lrs import RalphLRS
from tests.support.scorm_harness import ScormHarness, ScormSite, install_harness
from tests.support.static_server import StaticServer

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with launch_chromium() as chromium:
        yield chromium


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    with new_context(browser) as context:
        yield context.new_page()


@pytest.fixture
def http_server() -> Iterator[Callable[[Path], StaticServer]]:
    servers: list[StaticServer] = []

    def serve(directory: Path) -> StaticServer:
        server = StaticServer(directory)
        servers.append(server)
        return server

    yield serve
    for server in servers:
        server.stop()


@pytest.fixture
def scorm_site(tmp_path: Path, http_server: Callable[[Path], StaticServer]) -> ScormSite:
    root = tmp_path / "site"
    install_harness(root)
    return ScormSite(root=root, url=http_server(root).url)


@pytest.fixture
def scorm_harness(page: Page, scorm_site: ScormSite) -> ScormHarness:
    return ScormHarness(page, scorm_site.url)


@pytest.fixture(scope="session")
def lrs_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RalphLRS]:
    """One Ralph process for the session (it takes seconds to start); see ``lrs``."""
    for module in ("ralph", "uvicorn", "bcrypt"):
        require(
            importlib.util.find_spec(module) is not None,
            f"Python package {module} is missing: pip install -e '.[test]'",
        )
    # Pre-flight: import Ralph's app the way the server will, so that a package it needs but
    # does not declare is one clear line here, not a traceback in every test that uses it.
    check_dir = tmp_path_factory.mktemp("ralph-check")
    preflight = subprocess.run(
        [
            sys.executable,
            str(Path(__file__).parent / "support" / "ralph_server.py"),
            "--check",
            "--data-dir",
            str(check_dir),
            "--auth-file",
            str(check_dir / "auth.json"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    last = (preflight.stderr.strip().splitlines() or ["?"])[-1]
    require(
        preflight.returncode == 0,
        f"Ralph's app cannot be imported ({last}): pip install -e '.[test]'",
    )
    server = RalphLRS(tmp_path_factory.mktemp("ralph"))
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture
def lrs(lrs_server: RalphLRS) -> RalphLRS:
    """The session's Ralph, running (a test may have stopped it) and holding no statement."""
    lrs_server.start()
    lrs_server.clear()
    return lrs_server
