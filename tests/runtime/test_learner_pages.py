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
    begin,
    cards,
    complete_task,
    section_keys,
    wait_started,
)
from tests.support.scorm_harness import ScormHarness, ScormSite

if TYPE_CHECKING:
    from playwright.sync_api import Frame

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


def long_text(n: int) -> str:
    line = f"Reflection {n}: what collaboration asks of a leader, at length. "
    return (line * 60)[:2990] + f"\nThe end of {n}."


def test_my_reflections_show_and_download_every_answer_whole_under_scorm_12(
    scorm_site: ScormSite, scorm_harness: ScormHarness, long_zip: Path
) -> None:
    frame = launch(scorm_harness, scorm_site.add_package(long_zip))
    begin(frame)
    written: dict[str, str] = {}
    for card in cards(frame):
        if card.get_attribute("data-kind") == "task":
            key = card.get_attribute("data-cp-item") or ""
            written[key] = long_text(len(written) + 1)
            complete_task(card, written[key])
    assert len(written) == 3 and all(len(text) > 3000 for text in written.values())
    omitted = frame.evaluate("() => Coursepack.session().omitted")
    assert omitted, "some reflection did not fit SCORM 1.2's suspend_data"

    frame.locator(".cp-toc").get_by_role("link", name=EN["reflections.title"]).click()
    page_el = frame.locator(REFLECTIONS)
    page_el.wait_for()
    assert frame.locator(VISIBLE).count() == 0
    for key, text in written.items():
        shown = page_el.locator(f'[data-cp-reflection="{key}"] [data-cp-answer]')
        assert shown.inner_text() == text
    unanswered = page_el.locator("[data-cp-answer][data-empty]")
    assert unanswered.count() == 6 and unanswered.first.inner_text() == EN["reflections.none"]

    frame.evaluate("() => { Coursepack.now = () => Date.UTC(2026, 1, 3, 10, 0, 0); }")
    with scorm_harness.page.expect_download() as info:
        page_el.get_by_role("button", name=EN["reflections.download"]).click()
    download = info.value
    assert download.suggested_filename == "my-reflections-long-reflections-2026-02-03.html"
    body = Path(download.path()).read_text("utf-8")
    assert "<title>" + EN["reflections.fileTitle"].format(title="Long reflections") in body
    assert EN["reflections.fileDate"].format(date="February 3, 2026") in body
    for text in written.values():
        assert text in body, "every reflection whole"
    assert body.count(EN["reflections.none"]) == 6
    assert "Question 1.1: write at length about part 1." in body
    assert scorm_harness.errors() == []


def test_printing_my_reflections_prints_the_reflections_only(
    scorm_site: ScormSite, scorm_harness: ScormHarness, example_zip: Path
) -> None:
    frame = launch(scorm_harness, scorm_site.add_package(example_zip))
    begin(frame)
    task = next(c for c in cards(frame) if c.get_attribute("data-kind") == "task")
    complete_task(task, "Printed, I hope.")
    frame.evaluate("() => Coursepack.page('reflections')")
    scorm_harness.page.emulate_media(media="print")
    shown = frame.evaluate(
        """() => [...document.querySelectorAll(
              'header.cp-header, nav.cp-toc, section.cp-section, [data-cp-page], .cp-footer,'
              + ' [data-cp-download], [data-cp-print], .cp-reflection')]
            .filter(el => el.getClientRects().length > 0)
            .map(el => el.dataset.cpPage || el.className.split(' ')[0])"""
    )
    assert set(shown) == {"reflections", "cp-reflection"}, shown
    assert frame.get_by_text("Printed, I hope.").is_visible()


def test_words_with_counts_take_the_plural_form_of_the_course_language(
    scorm_site: ScormSite, scorm_harness: ScormHarness, example_zip: Path
) -> None:
    frame = launch(scorm_harness, scorm_site.add_package(example_zip))
    forms = frame.evaluate(
        """() => ['fr', 'en'].map(lang => [0, 1, 2].map(n =>
             CoursepackPages.pluralKey(Coursepack.config.strings, 'progress.tasks', lang, n)))"""
    )
    assert forms == [
        ["progress.tasks.one", "progress.tasks.one", "progress.tasks"],
        ["progress.tasks", "progress.tasks.one", "progress.tasks"],
    ]
