"""axe-core runs inside a page or a frame and reports serious and critical violations."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.support.axe import format_violations, run_axe
from tests.support.scorm_harness import ScormHarness, ScormSite
from tests.support.static_server import StaticServer

pytestmark = pytest.mark.e2e

FAKE_SCO = Path(__file__).parent / "fake_sco"
BAD_PAGE = """<!doctype html><html lang="en"><head><title>Bad</title></head>
<body><main><h1>Bad</h1><img src="missing.png"><button type="button"></button></main></body></html>
"""


def test_violations_in_a_page_are_reported_by_rule(
    tmp_path: Path, page: Page, http_server: Callable[[Path], StaticServer]
) -> None:
    (tmp_path / "bad.html").write_text(BAD_PAGE, encoding="utf-8")
    page.goto(http_server(tmp_path).url + "bad.html")

    violations = run_axe(page)

    assert {v["id"] for v in violations} == {"image-alt", "button-name"}
    assert {v["impact"] for v in violations} <= {"serious", "critical"}
    assert "image-alt" in format_violations(violations)


def test_minor_findings_are_kept_only_when_asked(
    tmp_path: Path, page: Page, http_server: Callable[[Path], StaticServer]
) -> None:
    # No <main> landmark: axe's "region" rule, of moderate impact.
    (tmp_path / "plain.html").write_text(
        '<!doctype html><html lang="en"><title>Plain</title><p>Text</p></html>', encoding="utf-8"
    )
    page.goto(http_server(tmp_path).url + "plain.html")

    assert run_axe(page) == []
    assert "region" in {v["id"] for v in run_axe(page, impacts=None)}


def test_a_sco_frame_in_the_harness_is_checked_on_its_own(
    scorm_site: ScormSite, scorm_harness: ScormHarness
) -> None:
    (scorm_site.root / "bad").mkdir()
    (scorm_site.root / "bad" / "index.html").write_text(BAD_PAGE, encoding="utf-8")
    fake = scorm_site.add_folder(FAKE_SCO, "fake")

    assert run_axe(scorm_harness.open(fake + "sco12.html")) == []
    bad = run_axe(scorm_harness.open("bad/index.html"))
    assert {v["id"] for v in bad} == {"image-alt", "button-name"}
