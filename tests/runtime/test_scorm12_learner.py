"""End-to-end SCORM 1.2 learner runs in Chromium against scorm-again's Scorm12API.

Every test checks the API log that the harness keeps: each call the package makes, and
LMSGetLastError right after it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from coursepack.i18n import strings_for
from tests.runtime.learner import (
    begin,
    cards,
    complete_task,
    do_section,
    go_to,
    open_item,
    section_keys,
    textareas,
    wait_started,
)
from tests.support.scorm_harness import ScormHarness, ScormSite

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Frame, Page

pytestmark = pytest.mark.e2e

EN = strings_for("en")
TIMESPAN = re.compile(r"^\d{4}:\d{2}:\d{2}\.\d{2}$")
CMI_TIME = re.compile(r"^(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d$")
SAFE_ID = re.compile(r"^[A-Za-z0-9_-]{1,255}$")


@pytest.fixture
def other_device(browser: Browser) -> Iterator[Page]:
    """A page in a separate browser context: another device, with its own localStorage."""
    context = browser.new_context()
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def launch(harness: ScormHarness, folder: str, cmi: dict[str, Any] | None = None) -> Frame:
    frame = harness.open(folder, version="1.2", cmi=cmi)
    wait_started(frame)
    return frame


def runtime_errors(frame: Frame) -> list[dict[str, Any]]:
    """What the runtime logged at level "error" (adapter failures, LMS errors)."""
    errors: list[dict[str, Any]] = frame.evaluate(
        "() => Coursepack.log.filter(e => e.level === 'error')"
    )
    return errors


def set_values(harness: ScormHarness, element: str) -> list[str]:
    return [e["args"][1] for e in harness.calls("LMSSetValue") if e["args"][0] == element]


def resume_data(cmi: dict[str, Any]) -> dict[str, Any]:
    """What an LMS hands back on the next launch after cmi.core.exit = "suspend"."""
    core = cmi["core"]
    return {
        "core": {
            "entry": "resume" if core.get("exit") == "suspend" else "",
            "lesson_location": core["lesson_location"],
            "lesson_status": core["lesson_status"],
        },
        "suspend_data": cmi["suspend_data"],
    }


def interactions(cmi: dict[str, Any]) -> list[dict[str, Any]]:
    records = cmi.get("interactions") or {}
    if isinstance(records, dict):
        records = [records[k] for k in sorted(records, key=int) if k.isdigit()]
    return list(records)


def reflection(key: str) -> str:
    return f"My reflection on {key}.\nIt has a second line, and ünïcödé too."


def test_learner_who_does_everything_completes_with_one_interaction_per_task(
    scorm_site: ScormSite, scorm_harness: ScormHarness, example_zip: Path
) -> None:
    folder = scorm_site.add_package(example_zip)
    frame = launch(scorm_harness, folder)
    page = scorm_harness.page

    for key in section_keys(frame):
        go_to(frame, key)
        do_section(page, frame, reflection)

    task_keys = frame.evaluate(
        "() => Object.values(Coursepack.config.modules).flatMap(m => m.sections)"
        ".flatMap(s => s.items).filter(i => i.kind === 'task').map(i => i.key)"
    )
    total = len(task_keys)
    assert frame.locator("[data-cp-progress] .cp-progress__text").inner_text() == EN[
        "progress.tasks"
    ].format(done=total, total=total)
    assert frame.locator("[data-cp-complete-banner]").is_visible()
    assert frame.get_by_role("progressbar").get_attribute("aria-valuenow") == str(total)

    assert runtime_errors(frame) == []

    frame.get_by_role("button", name=EN["saveExit"]).click()
    scorm_harness.wait_for_call("LMSFinish")
    assert frame.get_by_text(EN["exit.done"]).is_visible()
    scorm_harness.close_content()  # pagehide after the exit button: no second LMSFinish

    assert scorm_harness.errors() == []
    log = scorm_harness.log()
    assert all(e["error"] in (None, "0") for e in log)
    assert len(scorm_harness.calls("LMSInitialize")) == 1
    assert len(scorm_harness.calls("LMSFinish")) == 1
    assert log[0]["method"] == "LMSInitialize"
    assert [e["method"] for e in log if e["error"] is not None][-1] == "LMSFinish"

    cmi = scorm_harness.cmi()
    assert cmi["core"]["lesson_status"] == "completed"
    assert cmi["core"]["exit"] == "suspend"  # completed, and its reflections kept for a return
    (session_time,) = set_values(scorm_harness, "cmi.core.session_time")
    assert TIMESPAN.match(session_time), session_time
    statuses = set_values(scorm_harness, "cmi.core.lesson_status")
    assert statuses == ["incomplete", "completed"]
    assert "not attempted" not in statuses

    records = interactions(cmi)
    assert len(records) == total == len(set_values(scorm_harness, "cmi.interactions.0.id")) * total
    ids = [r["id"] for r in records]
    assert len(set(ids)) == total and all(SAFE_ID.match(i) for i in ids)
    for record in records:
        assert record["type"] == "fill-in"
        assert record["result"] == "neutral"
        assert CMI_TIME.match(record["time"])
        assert 0 < len(record["student_response"]) <= 255
        assert "\n" not in record["student_response"]
    # indices were written in order 0..n-1, id first
    id_sets = [e["args"][0] for e in scorm_harness.calls("LMSSetValue") if ".id" in e["args"][0]]
    assert id_sets == [f"cmi.interactions.{n}.id" for n in range(total)]

    for value in set_values(scorm_harness, "cmi.suspend_data"):
        assert len(value) <= 4096
    for value in set_values(scorm_harness, "cmi.core.lesson_location"):
        assert len(value) <= 255


def test_learner_who_leaves_halfway_resumes_on_the_same_section_with_reflections(
    scorm_site: ScormSite, scorm_harness: ScormHarness, example_zip: Path, other_device: Page
) -> None:
    folder = scorm_site.add_package(example_zip)
    frame = launch(scorm_harness, folder)
    page = scorm_harness.page
    first, second = section_keys(frame)[:2]

    assert frame.locator('[data-cp-page="start"]').is_visible()  # a new learner starts here
    assert begin(frame) == first
    task_cards = [c for c in cards(frame) if c.get_attribute("data-kind") == "task"]
    open_item(page, cards(frame)[0])
    done = {}
    for card in task_cards[:2]:
        key = card.get_attribute("data-cp-item") or ""
        done[key] = reflection(key)
        complete_task(card, done[key])
    draft_key = task_cards[2].get_attribute("data-cp-item") or ""
    task_cards[2].get_by_role("textbox").fill("A draft, not finished yet")
    task_cards[2].get_by_role("textbox").press("Tab")  # leaving the field saves the draft
    go_to(frame, second)

    scorm_harness.close_content()  # the learner closes the window
    scorm_harness.wait_for_call("LMSFinish")
    assert scorm_harness.errors() == []
    cmi = scorm_harness.cmi()
    assert cmi["core"]["exit"] == "suspend"
    assert cmi["core"]["lesson_status"] == "incomplete"
    assert cmi["core"]["lesson_location"] == second
    assert len(scorm_harness.calls("LMSFinish")) == 1

    # relaunch on another device: only what the LMS kept can bring the learner back
    again = ScormHarness(other_device, scorm_site.url)
    frame = launch(again, folder, cmi=resume_data(cmi))
    start = frame.locator('[data-cp-page="start"]')
    assert start.get_by_role("link", name=EN["start.continue"]).is_visible()
    assert second.split("/")[1].replace("-", " ") in start.inner_text().lower()
    assert begin(frame) == second
    assert frame.evaluate("() => Coursepack.session().resumed") is True
    shown = textareas(frame)
    for key, text in done.items():
        assert shown[key] == text
        status = frame.locator(f'[data-cp-item="{key}"] [data-cp-status]').inner_text()
        assert status == EN["status.completed"]
    assert shown[draft_key] == "A draft, not finished yet"
    total = len(shown)
    assert frame.locator("[data-cp-progress] .cp-progress__text").inner_text() == EN[
        "progress.tasks"
    ].format(done=2, total=total)
    assert again.errors() == []
    assert runtime_errors(frame) == []
    assert len(again.calls("LMSInitialize")) == 1


def long_text(key: str, n: int) -> str:
    line = f"{key} paragraph {n}: thinking at length about collaboration and what it means. "
    return (line * 60)[:2995] + f"\nend {n}."


def test_very_long_reflections_stay_within_suspend_data_and_are_kept_on_the_device(
    scorm_site: ScormSite, scorm_harness: ScormHarness, long_zip: Path, other_device: Page
) -> None:
    folder = scorm_site.add_package(long_zip)
    frame = launch(scorm_harness, folder)
    page = scorm_harness.page
    written: dict[str, str] = {}

    def answer(key: str) -> str:
        written[key] = long_text(key, len(written) + 1)
        return written[key]

    for key in section_keys(frame):
        go_to(frame, key)
        do_section(page, frame, answer)
    assert len(written) == 9 and all(len(t) >= 3000 for t in written.values())

    assert scorm_harness.errors() == []
    suspend = set_values(scorm_harness, "cmi.suspend_data")
    assert suspend and max(len(v) for v in suspend) <= 4096
    responses = [
        e["args"][1]
        for e in scorm_harness.calls("LMSSetValue")
        if "student_response" in e["args"][0]
    ]
    assert len(responses) == 9 and all(len(r) == 255 for r in responses)
    assert scorm_harness.cmi()["core"]["lesson_status"] == "completed"

    # the learner is told, per reflection, which ones are kept only in this browser
    omitted = frame.evaluate("() => Coursepack.session().omitted")
    assert 1 <= 9 - len(omitted) < 9, "some reflections fit, the rest do not"
    for key in written:
        note = frame.locator(f'[data-cp-item="{key}"] [data-cp-note]')
        if key in omitted:
            assert note.inner_text() == EN["task.savedDeviceOnly"]
        else:
            assert note.is_hidden()
    kept_in_lms = json.loads(scorm_harness.cmi()["suspend_data"])
    assert kept_in_lms["v"] == 1, "suspend_data is compact JSON"

    scorm_harness.close_content()
    scorm_harness.wait_for_call("LMSFinish")
    cmi = scorm_harness.cmi()
    assert scorm_harness.errors() == []

    # same device: every reflection comes back whole
    same = ScormHarness(page, scorm_site.url)
    frame = launch(same, folder, cmi=resume_data(cmi))
    assert textareas(frame) == written
    assert frame.locator("[data-cp-note]:not([hidden])").count() == len(omitted)
    assert same.errors() == []

    # another device: progress is intact; the learner is told which texts are elsewhere
    other = ScormHarness(other_device, scorm_site.url)
    frame = launch(other, folder, cmi=resume_data(cmi))
    shown = textareas(frame)
    for key, text in written.items():
        status = frame.locator(f'[data-cp-item="{key}"] [data-cp-status]').inner_text()
        assert status == EN["status.completed"]
        note = frame.locator(f'[data-cp-item="{key}"] [data-cp-note]')
        if key in omitted:
            assert shown[key] == ""
            assert note.inner_text() == EN["task.missingHere"]
        else:
            assert shown[key] == text
    assert other.errors() == []


def test_moodle_profile_keeps_exit_suspend_after_completion_so_a_relaunch_resumes(
    scorm_site: ScormSite, scorm_harness: ScormHarness, tmp_path: Path
) -> None:
    from coursepack.build import build_course

    repo = Path(__file__).resolve().parents[2]
    (moodle_zip,) = build_course(
        repo / "course", tmp_path, ["scorm12"], lms="moodle", environ={}
    ).paths
    folder = scorm_site.add_package(moodle_zip)
    frame = launch(scorm_harness, folder)
    page = scorm_harness.page
    for key in section_keys(frame):
        go_to(frame, key)
        do_section(page, frame, reflection)
    frame.get_by_role("button", name=EN["saveExit"]).click()
    scorm_harness.wait_for_call("LMSFinish")

    assert scorm_harness.errors() == []
    cmi = scorm_harness.cmi()
    assert cmi["core"]["lesson_status"] == "completed"
    assert cmi["core"]["exit"] == "suspend"
    assert "" not in set_values(scorm_harness, "cmi.core.exit")
