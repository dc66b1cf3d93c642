"""``coursepack preview`` in Chromium: the course inside the emulated LMS of every target, the
inspector, live reload, the problems overlay and the LMS controls."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

from tests.preview.conftest import StartPreview, course_frame, open_preview
from tests.runtime.learner import complete_task, go_to

if TYPE_CHECKING:
    from playwright.sync_api import Frame, Page

pytestmark = pytest.mark.e2e

COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
REFLECT = "getting-started/reflect"
ANSWER = "I want to <b>write</b> better courses & ship them."


def do_first_task(frame: Frame) -> None:
    go_to(frame, REFLECT)
    card = frame.locator('section[data-cp-section="getting-started/reflect"] [data-kind=task]')
    complete_task(card, ANSWER)


@pytest.mark.parametrize("target", ["scorm12", "scorm2004-3rd", "scorm2004-4th"])
def test_scorm_task_done_in_the_course_shows_as_an_interaction_in_the_inspector(
    preview: StartPreview, course: Path, wide_page: Page, target: str
) -> None:
    running = preview(course, target, watch=False)
    frame = open_preview(wide_page, running.url)
    do_first_task(frame)
    response = "student_response" if target == "scorm12" else "learner_response"
    row = wide_page.locator(f'#pv-data-rows tr[data-element="cmi.interactions.0.{response}"]')
    row.wait_for()
    assert "write" in row.inner_text()
    assert wide_page.locator("#pv-data-rows b").count() == 0  # shown as text, never as HTML
    calls = wide_page.evaluate("() => window.previewState.calls")
    sets = [c for c in calls if c["method"].endswith("SetValue")]
    assert any(c["args"][0] == f"cmi.interactions.0.{response}" for c in sets)
    assert [c for c in calls if c["error"] not in (None, "0")] == []
    limit = "4096" if target == "scorm12" else "64000"
    gauge_text = wide_page.locator("#pv-suspend-text")
    expect(gauge_text).to_have_text(re.compile(rf"^[1-9]\d* / {limit} characters \(\d+%\)$"))
    gauge = wide_page.locator("#pv-suspend")
    assert gauge.get_attribute("max") == limit
    assert float(gauge.evaluate("m => m.value")) > 0


@pytest.mark.parametrize("target", ["xapi", "cmi5"])
def test_xapi_task_done_in_the_course_arrives_as_a_statement_in_the_inspector(
    preview: StartPreview, course: Path, wide_page: Page, target: str
) -> None:
    running = preview(course, target, watch=False)
    frame = open_preview(wide_page, running.url)
    do_first_task(frame)
    wide_page.locator("#pv-tab-statements").click()
    item = wide_page.locator(f'#pv-statements-list li[data-verb="{COMPLETED}"]').first
    item.wait_for()
    item.locator("summary").click()
    statement = json.loads(item.locator("pre").inner_text())
    assert statement["result"]["response"] == ANSWER
    assert statement["object"]["id"].endswith("/first-reflection")
    verbs = wide_page.evaluate("() => window.previewState.statements.map(s => s.verb.id)")
    if target == "cmi5":
        assert verbs[:2] == [
            "http://adlnet.gov/expapi/verbs/launched",
            "http://adlnet.gov/expapi/verbs/initialized",
        ]
        registration = wide_page.evaluate("() => window.previewState.statements[1]")
        assert registration["context"]["registration"]
    else:
        assert verbs[0] == "http://adlnet.gov/expapi/verbs/initialized"
    errors = frame.evaluate("() => Coursepack.log.filter(e => e.level === 'error')")
    assert errors == []


def test_saving_a_module_reloads_the_course_with_the_new_text_and_keeps_progress(
    preview: StartPreview, course: Path, wide_page: Page
) -> None:
    running = preview(course, "scorm12")
    frame = open_preview(wide_page, running.url)
    do_first_task(frame)
    wide_page.evaluate("() => { window.sameShellPage = true; }")
    module = course / "modules" / "getting-started.md"
    text = module.read_text("utf-8")
    module.write_text(text.replace("## Reflect {#reflect}", "## Reflect again {#reflect}"), "utf-8")
    frame = course_frame(wide_page, loads=2)
    link = frame.locator(f'[data-cp-section-link="{REFLECT}"]')
    assert "Reflect again" in link.inner_text()
    assert wide_page.evaluate("() => window.sameShellPage")  # the course reloaded, not the page
    go_to(frame, REFLECT)
    card = frame.locator(f'section[data-cp-section="{REFLECT}"] [data-kind=task]')
    assert card.get_attribute("data-done") == ""
    assert card.get_by_role("textbox").input_value() == ANSWER
    entry = wide_page.locator('#pv-data-rows tr[data-element="cmi.core.entry"] td').nth(1)
    expect(entry).to_have_text("resume")  # the table is redrawn a moment after each call


def test_broken_course_yaml_shows_the_located_problem_then_the_course_comes_back(
    preview: StartPreview, course: Path, wide_page: Page
) -> None:
    running = preview(course, "scorm12")
    open_preview(wide_page, running.url)
    course_yaml = course / "course.yaml"
    good = course_yaml.read_text("utf-8")
    course_yaml.write_text(good.replace("completion: all-tasks", "completion: some-tasks"), "utf-8")
    overlay = wide_page.locator("#pv-overlay")
    overlay.wait_for(state="visible")
    line = good.splitlines().index(
        next(x for x in good.splitlines() if x.startswith("completion:"))
    )
    problem = overlay.locator("li").first.inner_text()
    assert re.match(
        rf"course\.yaml:{line + 1}:\d+: unknown completion rule 'some-tasks' \(", problem
    )
    course_yaml.write_text(good.replace("title: ", "title: Fixed — "), "utf-8")
    overlay.wait_for(state="hidden")
    frame = course_frame(wide_page, loads=2)
    assert frame.locator("h1, .cp-header").first.inner_text().strip() != ""
    assert "Fixed" in wide_page.locator("#pv-title").inner_text()


def test_offline_commit_fails_with_101_and_the_lms_keeps_the_last_stored_copy(
    preview: StartPreview, course: Path, wide_page: Page
) -> None:
    running = preview(course, "scorm12", watch=False)
    open_preview(wide_page, running.url)
    wide_page.locator("#pv-offline").check()
    frame = wide_page.frame(name="content")
    assert frame is not None
    do_first_task(frame)
    wide_page.wait_for_function(
        "() => window.previewState.calls.some(c => c.method === 'LMSCommit' && c.error === '101')"
    )
    assert wide_page.locator("#pv-calls-list li.pv-error[data-method=LMSCommit]").count() >= 1
    # the LMS closes the window: what was never stored is lost; the relaunch resumes from it
    wide_page.locator("#pv-close").click()
    wide_page.locator("#pv-closed").wait_for(state="visible")
    wide_page.locator("#pv-offline").uncheck()
    wide_page.locator("#pv-reopen").click()
    frame = course_frame(wide_page, loads=2)
    go_to(frame, REFLECT)
    card = frame.locator(f'section[data-cp-section="{REFLECT}"] [data-kind=task]')
    assert card.get_attribute("data-done") is None


def test_reset_learner_forgets_what_the_lms_stored(
    preview: StartPreview, course: Path, wide_page: Page
) -> None:
    running = preview(course, "scorm12", watch=False)
    frame = open_preview(wide_page, running.url)
    do_first_task(frame)
    wide_page.locator("#pv-relaunch").click()
    frame = course_frame(wide_page, loads=2)
    # the inspector's table is redrawn a moment after each call, so these wait for the text
    entry = wide_page.locator('#pv-data-rows tr[data-element="cmi.core.entry"] td').nth(1)
    expect(entry).to_have_text("resume")
    wide_page.locator("#pv-reset").click()
    frame = course_frame(wide_page, loads=3)
    expect(entry).to_have_text("ab-initio")
    status = wide_page.locator('#pv-data-rows tr[data-element="cmi.core.lesson_status"] td')
    expect(status.nth(1)).to_have_text("incomplete")


def test_switching_target_in_the_page_rebuilds_and_launches_that_package(
    preview: StartPreview, course: Path, wide_page: Page
) -> None:
    running = preview(course, "scorm12", watch=False)
    open_preview(wide_page, running.url)
    wide_page.locator("#pv-target").select_option("scorm2004-4th")
    course_frame(wide_page, loads=2)
    assert wide_page.evaluate("() => window.previewState.kind") == "scorm2004"
    assert wide_page.evaluate("() => typeof window.API_1484_11 === 'object' && !window.API")
