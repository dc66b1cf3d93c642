"""A learner resumes a course that was updated in between, under the real SCORM runtimes.

Version 1 of the example course is taken as a learner would, all seven TASKs answered;
version 2 (built with version 1's coursepack.lock) deletes the second TASK of the first
section, rewords the fourth a little, moves the last TASK of the course into the first
section, renames the second section's heading a little, rewrites its first TASK beyond
recognition and adds a TASK to it. The learner comes back to version 2 with version 1's saved
data, as after a package update in the LMS: from another browser (only the LMS's data) and from
the same one (this browser's copy of version 1 too). Every answer must stay with the question
it was written for.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from coursepack.build import build_course
from coursepack.i18n import strings_for
from tests.runtime.learner import complete_task, go_to, textareas, wait_started
from tests.support.browser import new_context
from tests.support.scorm_harness import ScormHarness, ScormSite

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Frame

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
EN = strings_for("en")
MODULE = "collaborative-impact-leadership"
REMOVED = f"{MODULE}/theory-task-2"
REWORDED = f"{MODULE}/theory-task-4"
MOVED = f"{MODULE}/tools-and-tips-task-2"
REWRITTEN = f"{MODULE}/tools-and-tips-task-1"  # gone: its new wording has a new id
NEW = {f"{MODULE}/tools-and-tips-task-3", f"{MODULE}/tools-and-tips-task-4"}


@dataclass(frozen=True)
class Standard:
    target: str
    harness: str  # the harness's API version
    finish: str
    status_element: str

    def resume(self, cmi: dict[str, Any]) -> dict[str, Any]:
        """What the LMS hands the next launch after the learner left with exit suspend."""
        if self.harness == "1.2":
            core = cmi["core"]
            return {
                "core": {
                    "entry": "resume",
                    "lesson_location": core["lesson_location"],
                    "lesson_status": core["lesson_status"],
                },
                "suspend_data": cmi["suspend_data"],
            }
        return {
            "entry": "resume",
            "location": cmi["location"],
            "suspend_data": cmi["suspend_data"],
            "completion_status": cmi["completion_status"],
        }

    def status(self, cmi: dict[str, Any]) -> str:
        value: str = (
            cmi["core"]["lesson_status"] if self.harness == "1.2" else cmi["completion_status"]
        )
        return value


STANDARDS = {
    "scorm12": Standard("scorm12", "1.2", "LMSFinish", "cmi.core.lesson_status"),
    "scorm2004-4th": Standard("scorm2004-4th", "2004", "Terminate", "cmi.completion_status"),
}


def version_2(course: Path) -> None:
    """Delete TASK 2, reword TASK 4 a little (it keeps its id), move the last TASK up, rename
    the second heading a little, rewrite TASK 6 and add one before it."""
    module = course / "modules" / f"{MODULE}.md"
    text = module.read_text("utf-8")
    lines = text.split("\n")
    removed = next(line for line in lines if line.startswith("TASK: Do any of these reasons"))
    moved = next(line for line in lines if line.startswith("TASK: How creative"))
    rewritten = next(line for line in lines if line.startswith("TASK: Did you dip in"))
    text = text.replace(removed + "\n", "").replace(moved + "\n", "")
    text = text.replace(
        "TASK: Did you ever feel you were on your own",
        "TASK: Have you ever felt you were on your own",
    )
    added = "TASK: Which tool will you try first, and with whom?"
    text = text.replace("## Tools and tips\n", f"{moved}\n\n## Tools and useful tips\n\n{added}\n")
    text = text.replace(
        rewritten,
        "TASK: Write down three things you will change in how your team shares evaluation data.",
    )
    module.write_text(text, "utf-8")
    yaml = course / "course.yaml"
    yaml.write_text(yaml.read_text("utf-8").replace("version: 1.0.0", "version: 2.0.0"), "utf-8")


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], tuple[Path, Path]]:
    """build(target) -> (version 1's zip, version 2's zip), version 2 from version 1's lock."""
    built: dict[str, tuple[Path, Path]] = {}

    def build(target: str) -> tuple[Path, Path]:
        if target not in built:
            work = tmp_path_factory.mktemp(f"update-{target}")
            course = work / "course"
            shutil.copytree(REPO / "course", course)
            (v1,) = build_course(course, work / "v1", [target], environ={}).paths
            version_2(course)
            (v2,) = build_course(course, work / "v2", [target], environ={}).paths
            built[target] = (v1, v2)
        return built[target]

    return build


def reflection(key: str) -> str:
    return f"My answer to {key}, written for version 1."


def task_keys(frame: Frame) -> list[str]:
    keys: list[str] = frame.evaluate(
        """() => Coursepack.config.modules.flatMap(m => m.sections.flatMap(
               s => s.items.filter(i => i.kind === 'task').map(i => i.key)))"""
    )
    return keys


def answer_everything(frame: Frame) -> dict[str, str]:
    written = {}
    for key in task_keys(frame):
        section = frame.evaluate(
            "k => Coursepack.config.modules[0].sections.find("
            "s => s.items.some(i => i.key === k)).key",
            key,
        )
        frame.locator(f'[data-cp-section-link="{section}"]').click()
        written[key] = reflection(key)
        complete_task(frame.locator(f'[data-cp-item="{key}"]'), written[key])
    return written


def check_every_answer_stays_with_its_question(frame: Frame, written: dict[str, str]) -> None:
    keys = task_keys(frame)
    assert REMOVED not in keys and REWRITTEN not in keys
    assert {REWORDED, MOVED} | NEW <= set(keys)
    shown = textareas(frame)
    for key in keys:
        card = frame.locator(f'[data-cp-item="{key}"]')
        if key == REWORDED:
            # not shown under the new wording; kept read-only beside it, with the reason
            assert shown[key] == ""
            assert card.get_attribute("data-done") is None
            earlier = card.locator("[data-cp-earlier]")
            assert (
                earlier.locator("[data-cp-earlier-note]").inner_text() == EN["task.earlierWording"]
            )
            # read-only: shown as text, not in a field
            assert earlier.locator("[data-cp-earlier-text]").text_content() == written[key]
            assert card.locator("textarea").count() == 1
        elif key in NEW:
            assert shown[key] == "" and card.get_attribute("data-done") is None
            assert card.locator("[data-cp-earlier]").is_hidden()
        else:
            assert shown[key] == written[key], key
            assert card.get_attribute("data-done") is not None
            assert card.locator("[data-cp-earlier]").is_hidden()
    moved_section = frame.evaluate(
        "k => Coursepack.config.modules[0].sections.find(s => s.items.some(i => i.key === k)).key",
        MOVED,
    )
    assert moved_section == f"{MODULE}/theory", "the moved TASK took its answer along"
    # the answer to the removed TASK is kept, and the learner is told, not shown an answer
    assert frame.locator('[data-notice="removed-answers"]').inner_text() == EN[
        "notice.removedAnswers"
    ].format(count=2)
    kept = frame.evaluate("() => Coursepack.state().earlier.map(e => [e.key, e.text, e.ver])")
    assert sorted(kept) == sorted(
        [key, written[key], "1.0.0"] for key in (REMOVED, REWORDED, REWRITTEN)
    )
    # progress counts the current wordings only: 4 of the 7 TASKs of version 2
    assert frame.locator("[data-cp-progress] .cp-progress__text").inner_text() == EN[
        "progress.tasks"
    ].format(done=4, total=7)


@pytest.mark.parametrize("name", sorted(STANDARDS))
def test_answers_stay_with_their_questions_after_a_course_update(
    name: str,
    builds: Callable[[str], tuple[Path, Path]],
    scorm_site: ScormSite,
    scorm_harness: ScormHarness,
    browser: Browser,
) -> None:
    standard = STANDARDS[name]
    v1, v2 = builds(standard.target)
    old = scorm_site.add_package(v1, "v1")
    new = scorm_site.add_package(v2, "v2")

    frame = scorm_harness.open(old, version=standard.harness)  # type: ignore[arg-type]
    wait_started(frame)
    written = answer_everything(frame)
    assert len(written) == 7
    scorm_harness.close_content()
    scorm_harness.wait_for_call(standard.finish)
    assert scorm_harness.errors() == []
    cmi = scorm_harness.cmi()
    assert standard.status(cmi) == "completed"
    saved = standard.resume(cmi)
    packed = json.loads(saved["suspend_data"])
    assert packed["cv"] == "1.0.0"

    # another browser: only what the LMS kept
    with new_context(browser) as context:
        other = ScormHarness(context.new_page(), scorm_site.url)
        frame = other.open(new, version=standard.harness, cmi=saved)  # type: ignore[arg-type]
        wait_started(frame)
        check_every_answer_stays_with_its_question(frame, written)
        assert frame.evaluate("() => Coursepack.session().resumed") is True
        # completion is never taken back by an update
        statuses = [
            c["args"][1]
            for c in other.calls("LMSSetValue" if standard.harness == "1.2" else "SetValue")
            if c["args"][0] == standard.status_element
        ]
        assert "incomplete" not in statuses
        other.close_content()
        other.wait_for_call(standard.finish)
        assert other.errors() == []
        after = other.cmi()
        assert standard.status(after) == "completed"
        repacked = json.loads(after["suspend_data"])
        assert repacked["cv"] == "2.0.0"
        earlier = {
            m + "/" + k.split("~")[0]: v for m, e in repacked["e"].items() for k, v in e.items()
        }
        assert sorted(earlier) == sorted([REMOVED, REWORDED, REWRITTEN])
        assert earlier[REMOVED][5] == written[REMOVED], "kept in the LMS, not silently dropped"

    # the same browser: its copy of version 1 must not fill the reworded TASK either
    again = ScormHarness(scorm_harness.page, scorm_site.url)
    frame = again.open(new, version=standard.harness, cmi=saved)  # type: ignore[arg-type]
    wait_started(frame)
    check_every_answer_stays_with_its_question(frame, written)

    # the learner copies the earlier answer into the new wording's and completes it
    from playwright.sync_api import expect

    go_to(frame, f"{MODULE}/theory")
    card = frame.locator(f'[data-cp-item="{REWORDED}"]')
    card.locator("[data-cp-earlier] summary").click()
    card.get_by_role("button", name=EN["task.earlierCopy"]).click()
    assert card.locator("[data-cp-input]").input_value() == written[REWORDED]
    card.get_by_role("button", name=EN["task.complete"]).click()
    expect(card.locator("[data-cp-earlier]")).to_be_hidden()
    assert card.get_attribute("data-done") is not None
    assert frame.locator("[data-cp-progress] .cp-progress__text").inner_text() == EN[
        "progress.tasks"
    ].format(done=5, total=7)
    assert again.errors() == []
