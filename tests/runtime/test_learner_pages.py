"""The learner's pages in Chromium: the start page (Start, or Continue where you left off), My
reflections (every answer whole, downloadable under SCORM 1.2, printable alone), plural words,
a right-to-left course, and a branded course's accessibility and touch targets."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from coursepack.i18n import strings_for
from tests.runtime.learner import (
    VISIBLE,
    cards,
    complete_task,
    current_section,
    do_section,
    go_to,
    section_keys,
    wait_started,
)
from tests.support.scorm_harness import ScormHarness, ScormSite

if TYPE_CHECKING:
    from playwright.sync_api import Frame, Page

pytestmark = pytest.mark.e2e

EN = strings_for("en")
START = '[data-cp-page="start"]'
REFLECTIONS = '[data-cp-page="reflections"]'


def launch(harness: ScormHarness, folder: str, cmi: dict[str, object] | None = None) -> Frame:
    frame = harness.open(folder, version="1.2", cmi=cmi)
    wait_started(frame)
    return frame


def test_a_new_learner_opens_on_the_start_page_and_start_leads_to_the_first_section(
    scorm_site: ScormSite, scorm_harness: ScormHarness, example_zip: Path
) -> None:
    frame = launch(scorm_harness, scorm_site.add_package(example_zip))
    start = frame.locator(START)
    assert start.is_visible()
    assert frame.locator(VISIBLE).count() == 0, "no section shows behind the start page"
    title = frame.evaluate("() => Coursepack.config.course.title")
    assert start.get_by_role("heading", level=2).inner_text() == title
    description = frame.evaluate("() => Coursepack.config.course.description")
    assert description.split()[0] in start.locator(".cp-start__description").inner_text()
    counts = start.locator("[data-cp-counts] li").all_inner_texts()
    assert "1 module" in counts and "7 reflections" in counts, counts
    assert start.locator("[data-cp-resume]").is_hidden()
    begin = start.get_by_role("link", name=EN["start.begin"])
    begin.click()
    first = section_keys(frame)[0]
    frame.locator(f'section[data-cp-section="{first}"]:not([hidden])').wait_for()
    assert start.is_hidden()
    assert scorm_harness.errors() == []
