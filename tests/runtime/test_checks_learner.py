"""Knowledge checks in the page and in SCORM: learners pass, fail and retry the graded example
course (examples/graded) in Chromium under scorm-again's SCORM 1.2 and 2004 APIs.

Every run checks the harness's API log (each call followed by its GetLastError): "no API
error" means scorm-again accepted every interaction, score and status the runtime wrote.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from coursepack.build import build_course
from coursepack.i18n import strings_for
from tests.runtime.learner import (
    answer_check,
    complete_task,
    config_checks,
    go_to,
    right_answer,
    wait_started,
    wrong_answer,
)
from tests.support.axe import format_violations, run_axe
from tests.support.scorm_harness import ScormHarness, ScormSite

if TYPE_CHECKING:
    from playwright.sync_api import Frame, Locator

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "graded"
EN = strings_for("en")
MODULE = "collaboration-check"
QUESTIONS = f"{MODULE}/questions"
REFLECT = f"{MODULE}/reflect"
VERSIONS = {"scorm12": "1.2", "scorm2004-3rd": "2004"}


@pytest.fixture(scope="module")
def graded_zip(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """The graded example course built for a target (once per target)."""
    out = tmp_path_factory.mktemp("graded")
    built: dict[str, Path] = {}

    def build(target: str) -> Path:
        if target not in built:
            # a copy: the build writes the course's lock file
            result = build_course(EXAMPLE, out / target, [target], environ={})
            (built[target],) = result.paths
        return built[target]

    return build


def check_cards(frame: Frame) -> list[Locator]:
    return frame.locator("[data-kind=check]").all()


def launch(harness: ScormHarness, folder: str, version: str, cmi: Any = None) -> Frame:
    frame = harness.open(folder, version=version, cmi=cmi)  # type: ignore[arg-type]
    wait_started(frame)
    go_to(frame, QUESTIONS)
    return frame


def interactions(cmi: dict[str, Any]) -> list[dict[str, Any]]:
    records = cmi.get("interactions") or {}
    if isinstance(records, dict):
        records = [records[k] for k in sorted(records, key=int) if k.isdigit()]
    return list(records)


def set_values(harness: ScormHarness, element: str) -> list[str]:
    setter = {"1.2": "LMSSetValue", "2004": "SetValue"}
    return [
        e["args"][1]
        for method in setter.values()
        for e in harness.calls(method)
        if e["args"][0] == element
    ]


def set_order(harness: ScormHarness) -> list[str]:
    return [e["args"][0] for e in harness.log() if e["method"] in ("LMSSetValue", "SetValue")]


def runtime_errors(frame: Frame) -> list[dict[str, Any]]:
    errors: list[dict[str, Any]] = frame.evaluate(
        "() => Coursepack.log.filter(e => e.level === 'error')"
    )
    return errors


def pattern_of(record: dict[str, Any]) -> str:
    responses = record.get("correct_responses") or {}
    if isinstance(responses, dict):
        responses = [responses[k] for k in sorted(responses, key=int) if k.isdigit()]
    return str(responses[0]["pattern"])


@pytest.mark.parametrize("target", sorted(VERSIONS))
def test_a_learner_who_passes_is_scored_and_passed_with_one_interaction_per_answer(
    scorm_site: ScormSite,
    scorm_harness: ScormHarness,
    graded_zip: Callable[[str], Path],
    target: str,
) -> None:
    version = VERSIONS[target]
    frame = launch(scorm_harness, scorm_site.add_package(graded_zip(target)), version)
    checks = config_checks(frame)
    cards = {c.get_attribute("data-cp-item"): c for c in check_cards(frame)}
    single, multiple, true_false, text = checks
    assert [c["check"]["kind"] for c in checks] == [
        "choice",
        "choice-multiple",
        "true-false",
        "fill-in",
    ]

    # a wrong answer first: feedback announced, one attempt left
    card = cards[single["key"]]
    answer_check(card, wrong_answer(single))
    feedback = card.locator("[data-cp-feedback]")
    assert feedback.get_attribute("role") == "status"
    assert EN["check.incorrectTryAgain"] in feedback.inner_text()
    assert "Sharing data freely is a sign of collaborative advantage." in feedback.inner_text()
    assert card.locator("[data-cp-attempts]").inner_text() == "Attempts left: 1"
    answer_check(card, right_answer(single))
    assert EN["check.correct"] in feedback.inner_text()
    assert "Well done." in feedback.inner_text()
    assert card.get_attribute("data-done") == ""
    assert card.locator("[data-cp-choice]").first.is_disabled()

    answer_check(cards[multiple["key"]], right_answer(multiple))
    answer_check(cards[true_false["key"]], right_answer(true_false))
    # the text answer wrong twice: the right answer is shown
    answer_check(cards[text["key"]], wrong_answer(text))
    answer_check(cards[text["key"]], "  LEARNINGS ")
    assert EN["check.acceptedAnswer"].format(answer="learning") in (
        cards[text["key"]].locator("[data-cp-feedback]").inner_text()
    )

    assert frame.locator("[data-cp-score]").inner_text() == "Score: 3 of 4"
    result = frame.locator("[data-cp-result]")
    assert result.is_visible() and result.get_attribute("data-passed") == ""
    assert EN["result.passedTitle"] in result.inner_text()
    assert not frame.locator("[data-cp-complete-banner]").is_visible()  # the TASK is left
    go_to(frame, REFLECT)
    complete_task(frame.locator("[data-kind=task]").first, "Listen first.")
    assert frame.locator("[data-cp-complete-banner]").is_visible()
    assert runtime_errors(frame) == []

    frame.get_by_role("button", name=EN["saveExit"]).click()
    scorm_harness.wait_for_call("LMSFinish" if version == "1.2" else "Terminate")
    assert scorm_harness.errors() == []
    cmi = scorm_harness.cmi()
    records = interactions(cmi)
    assert [r["result"] for r in records] == (
        ["wrong", "correct", "correct", "correct", "wrong", "wrong", "neutral"]
        if version == "1.2"
        else ["incorrect", "correct", "correct", "correct", "incorrect", "incorrect", "neutral"]
    )
    order = set_order(scorm_harness)
    if version == "1.2":
        core = cmi["core"]
        assert core["lesson_status"] == "passed"
        assert core["score"] == {"raw": "75", "min": "0", "max": "100"}
        assert set_values(scorm_harness, "cmi.core.lesson_status") == ["incomplete", "passed"]
        assert order.index("cmi.core.score.raw") < order.index("cmi.core.lesson_status", 1)
        assert [r["type"] for r in records[:6]] == ["choice"] * 3 + ["true-false"] + ["fill-in"] * 2
        assert [r["student_response"] for r in records[:6]] == [
            "b",
            "a",
            "a,b",
            "f",
            "leadership",
            "LEARNINGS",
        ]
        assert [pattern_of(r) for r in records[:6]] == [
            "a",
            "a",
            "a,b",
            "f",
            "learning",
            "learning",
        ]
        assert records[0]["id"].startswith("check_collaboration-check_check-")
        assert records[0]["id"].endswith("_1_1") and records[1]["id"].endswith("_1_2")
    else:
        assert cmi["success_status"] == "passed" and cmi["completion_status"] == "completed"
        assert cmi["score"] == {"scaled": "0.75", "raw": "75", "min": "0", "max": "100"}
        assert order.index("cmi.score.scaled") < order.index("cmi.success_status")
        assert set_values(scorm_harness, "cmi.success_status") == ["passed"]
        ids = {o: o for o in single["check"]["options"]}
        assert [r["learner_response"] for r in records[:6]] == [
            ids["partners-share-their-monitoring"],
            single["check"]["correct"][0],
            "[,]".join(multiple["check"]["correct"]),
            "false",
            "leadership",
            "LEARNINGS",
        ]
        assert [r["type"] for r in records[:6]] == ["choice"] * 3 + ["true-false"] + ["fill-in"] * 2
        assert records[0]["id"] == single["iri"] + "#1-1"
        assert records[1]["id"] == single["iri"] + "#1-2"
        assert records[0]["description"] == single["title"]


@pytest.mark.parametrize("target", sorted(VERSIONS))
def test_a_learner_who_fails_is_told_how_to_retry_and_then_passes(
    scorm_site: ScormSite,
    scorm_harness: ScormHarness,
    graded_zip: Callable[[str], Path],
    target: str,
) -> None:
    version = VERSIONS[target]
    frame = launch(scorm_harness, scorm_site.add_package(graded_zip(target)), version)
    checks = config_checks(frame)
    cards = {c.get_attribute("data-cp-item"): c for c in check_cards(frame)}
    for check in checks:
        answer_check(cards[check["key"]], wrong_answer(check))
        answer_check(cards[check["key"]], wrong_answer(check))
    result = frame.locator("[data-cp-result]")
    assert result.is_visible() and result.get_attribute("data-passed") is None
    assert EN["result.failedRetry"].format(correct=0, total=4, percent=0, passMark=75) == (
        result.locator("[data-cp-result-text]").inner_text()
    )
    failed = scorm_harness.cmi()
    if version == "1.2":
        assert failed["core"]["lesson_status"] == "failed"
        assert failed["core"]["score"]["raw"] == "0"
    else:
        assert failed["success_status"] == "failed"
        assert failed["completion_status"] == "incomplete"  # the pass rule is not met

    result.get_by_role("button", name=EN["result.retry"]).click()
    assert not result.is_visible()
    for check in checks:
        card = cards[check["key"]]
        assert card.locator("[data-cp-attempts]").inner_text() == "Attempts left: 2"
        assert card.locator("[data-cp-feedback]").inner_text() == ""
        answer_check(card, right_answer(check))
    assert result.get_attribute("data-passed") == ""
    assert frame.locator("[data-cp-score]").inner_text() == "Score: 4 of 4"
    assert runtime_errors(frame) == []
    assert scorm_harness.errors() == []
    cmi = scorm_harness.cmi()
    records = interactions(cmi)
    assert len(records) == 12
    if version == "1.2":
        assert set_values(scorm_harness, "cmi.core.lesson_status") == [
            "incomplete",
            "failed",
            "passed",
        ]
        assert cmi["core"]["score"]["raw"] == "100"
        assert records[8]["id"].endswith("_2_1")
    else:
        assert set_values(scorm_harness, "cmi.success_status") == ["failed", "passed"]
        assert cmi["score"]["scaled"] == "1"
        assert records[8]["id"].endswith("#2-1")


def test_answers_and_the_result_survive_a_resume(
    scorm_site: ScormSite, scorm_harness: ScormHarness, graded_zip: Callable[[str], Path]
) -> None:
    folder = scorm_site.add_package(graded_zip("scorm12"))
    frame = launch(scorm_harness, folder, "1.2")
    checks = config_checks(frame)
    cards = {c.get_attribute("data-cp-item"): c for c in check_cards(frame)}
    answer_check(cards[checks[0]["key"]], wrong_answer(checks[0]))
    answer_check(cards[checks[1]["key"]], right_answer(checks[1]))
    answer_check(cards[checks[3]["key"]], right_answer(checks[3]))
    frame.get_by_role("button", name=EN["saveExit"]).click()
    scorm_harness.wait_for_call("LMSFinish")
    saved = scorm_harness.cmi()
    assert len(saved["suspend_data"]) < 4096
    resume = {
        "core": {
            "entry": "resume",
            "lesson_location": saved["core"]["lesson_location"],
            "lesson_status": saved["core"]["lesson_status"],
        },
        "suspend_data": saved["suspend_data"],
    }
    frame = launch(scorm_harness, folder, "1.2", resume)
    cards = {c.get_attribute("data-cp-item"): c for c in check_cards(frame)}
    first = cards[checks[0]["key"]]
    assert first.locator("[data-cp-attempts]").inner_text() == "Attempts left: 1"
    chosen = first.locator("[data-cp-choice]:checked")
    assert chosen.get_attribute("value") == wrong_answer(checks[0])[0]
    assert first.locator("[data-cp-status]").inner_text() == EN["status.tryAgain"]
    second = cards[checks[1]["key"]]
    assert second.get_attribute("data-done") == ""
    ticked = [b.get_attribute("value") for b in second.locator("[data-cp-choice]:checked").all()]
    assert sorted(ticked) == sorted(checks[1]["check"]["correct"])
    assert cards[checks[3]["key"]].get_by_role("textbox").input_value() == "learning"
    assert frame.locator("[data-cp-score]").inner_text() == "Score: 2 of 4"
    # the learner finishes: the result is there on the next launch too
    answer_check(first, right_answer(checks[0]))
    answer_check(cards[checks[2]["key"]], right_answer(checks[2]))
    frame.get_by_role("button", name=EN["saveExit"]).click()
    scorm_harness.wait_for_call("LMSFinish")
    saved = scorm_harness.cmi()
    resume["suspend_data"] = saved["suspend_data"]
    resume["core"]["lesson_status"] = saved["core"]["lesson_status"]
    assert resume["core"]["lesson_status"] == "passed"
    frame = launch(scorm_harness, folder, "1.2", resume)
    result = frame.locator("[data-cp-result]")
    assert result.is_visible() and EN["result.passedTitle"] in result.inner_text()
    assert scorm_harness.errors() == []
    assert set_values(scorm_harness, "cmi.core.lesson_status") == []  # passed stays passed


def option_order(frame: Frame) -> list[list[str]]:
    order: list[list[str]] = frame.evaluate(
        """() => [...document.querySelectorAll('[data-cp-options]')].map(box =>
               [...box.querySelectorAll('[data-cp-option]')].map(o => o.dataset.cpOption))"""
    )
    return order


def test_options_are_shuffled_the_same_way_for_a_learner_and_differently_for_others(
    scorm_site: ScormSite, scorm_harness: ScormHarness, graded_zip: Callable[[str], Path]
) -> None:
    folder = scorm_site.add_package(graded_zip("scorm12"))
    orders: dict[str, list[list[str]]] = {}
    for learner in ("ada", "grace", "alan", "ada"):
        frame = launch(scorm_harness, folder, "1.2", {"core": {"student_id": learner}})
        order = option_order(frame)
        if learner in orders:
            assert order == orders[learner], "the same learner gets the same order"
        orders[learner] = order
    authored = [
        [o for o in c["check"]["options"]] for c in config_checks(frame) if c["check"]["options"]
    ]
    assert all(
        sorted(o) == sorted(a)
        for order in orders.values()
        for o, a in zip(order, authored, strict=True)
    )
    assert len({json.dumps(order) for order in orders.values()}) > 1, "learners differ"


def test_checks_pass_axe_and_work_from_the_keyboard(
    scorm_site: ScormSite, scorm_harness: ScormHarness, graded_zip: Callable[[str], Path]
) -> None:
    frame = launch(scorm_harness, scorm_site.add_package(graded_zip("scorm12")), "1.2")
    page = scorm_harness.page
    checks = config_checks(frame)
    cards = {c.get_attribute("data-cp-item"): c for c in check_cards(frame)}
    first = cards[checks[0]["key"]]
    # fieldset and legend: the group is named by its question
    group = first.get_by_role("group")
    assert group.get_attribute("aria-describedby")
    assert "collaborative inertia" in first.locator("legend").inner_text()
    # by keyboard: focus the first radio, choose with the arrows, press the button
    first.locator("[data-cp-choice]").first.focus()
    page.keyboard.press("ArrowDown")
    first.locator("[data-cp-check]").focus()
    page.keyboard.press("Enter")
    frame.wait_for_function(
        "key => (Coursepack.state().checks[key] || {}).attempts === 1", arg=checks[0]["key"]
    )
    # an empty answer is refused, and said
    cards[checks[3]["key"]].locator("[data-cp-check]").click()
    assert cards[checks[3]["key"]].get_by_text(EN["check.empty"]).is_visible()
    answer_check(cards[checks[1]["key"]], wrong_answer(checks[1]))
    answer_check(cards[checks[1]["key"]], wrong_answer(checks[1]))  # done: right ones marked
    answer_check(cards[checks[2]["key"]], right_answer(checks[2]))
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 800})
        violations = run_axe(frame)
        assert violations == [], f"questions at {width}px:\n{format_violations(violations)}"
        overflow = frame.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"the questions scroll sideways at {width}px"
    page.emulate_media(color_scheme="dark")
    violations = run_axe(frame)
    assert violations == [], f"questions (dark):\n{format_violations(violations)}"


@pytest.mark.parametrize(
    ("lms", "completion"), [(None, "completed"), ("cornerstone", "incomplete")]
)
def test_a_failure_is_completed_in_scorm_2004_except_where_the_profile_refuses_it(
    scorm_site: ScormSite,
    scorm_harness: ScormHarness,
    tmp_path: Path,
    lms: str | None,
    completion: str,
) -> None:
    course = tmp_path / "course"
    shutil.copytree(EXAMPLE, course)
    yaml = (course / "course.yaml").read_text("utf-8")
    (course / "course.yaml").write_text(
        yaml.replace("completion: all-tasks-and-pass", "completion: all-tasks"), "utf-8"
    )
    (package,) = build_course(course, tmp_path / "dist", ["scorm2004-3rd"], lms, {}).paths
    frame = launch(scorm_harness, scorm_site.add_package(package), "2004")
    cards = {c.get_attribute("data-cp-item"): c for c in check_cards(frame)}
    for check in config_checks(frame):
        answer_check(cards[check["key"]], wrong_answer(check))
        answer_check(cards[check["key"]], wrong_answer(check))
    go_to(frame, REFLECT)
    complete_task(frame.locator("[data-kind=task]").first, "Listen first.")
    assert frame.locator("[data-cp-complete-banner]").is_visible()  # the rule is all-tasks
    assert scorm_harness.errors() == []
    cmi = scorm_harness.cmi()
    assert cmi["success_status"] == "failed"
    assert cmi["completion_status"] == completion
    order = set_order(scorm_harness)
    assert order.index("cmi.score.raw") < order.index("cmi.success_status")


def test_in_review_mode_a_check_shows_its_answer_and_takes_no_new_one(
    scorm_site: ScormSite, scorm_harness: ScormHarness, graded_zip: Callable[[str], Path]
) -> None:
    """A question left unanswered stays locked in a review, like the reflections: the LMS
    opened the attempt to be looked at, and nothing may be written back."""
    folder = scorm_site.add_package(graded_zip("scorm12"))
    frame = scorm_harness.open(folder, version="1.2", cmi={"core": {"lesson_mode": "review"}})
    wait_started(frame)
    assert frame.evaluate("() => Coursepack.session().review") is True
    go_to(frame, QUESTIONS)
    first = config_checks(frame)[0]
    card = frame.locator(f'[data-cp-item="{first["key"]}"]')
    inputs = card.locator("input, textarea")
    assert inputs.count() > 0
    assert all(inputs.nth(i).is_disabled() for i in range(inputs.count()))
    assert card.locator("[data-cp-check]").is_hidden()
    frame.evaluate("() => Coursepack.state()")  # the page is working
    assert frame.evaluate(f"() => Coursepack.state().checks[{json.dumps(first['key'])}]") is None
    scorm_harness.close_content()
    scorm_harness.wait_for_call("LMSFinish")
    assert scorm_harness.calls("LMSSetValue") == [] and scorm_harness.calls("LMSCommit") == []
