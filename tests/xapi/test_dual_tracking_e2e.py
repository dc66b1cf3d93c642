"""Dual tracking: a SCORM 1.2 package under scorm-again that also sends xAPI statements.

The course asks for it in course.yaml (`tracking: lrs`), the credential comes from the build's
environment; the LMS gives the learner (cmi.core.student_id / student_name), which becomes an
`account` actor on the configured home page, and the registration is derived from the learner
and the course (vocab.scorm_registration, computed in the browser).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from coursepack.model import Course
from coursepack.xapi import vocab
from tests.runtime.learner import do_section, go_to, section_keys, wait_started
from tests.support.lrs import RalphLRS
from tests.support.scorm_harness import ScormHarness, ScormSite, unzip_package
from tests.support.static_server import StaticServer
from tests.xapi.conftest import ACTOR_HOME
from tests.xapi.helpers import (
    assert_contexts,
    assert_valid_statements,
    by_verb,
    expected_run,
    verb_object_counts,
    wait_sent,
)

if TYPE_CHECKING:
    from playwright.sync_api import Frame, Page

pytestmark = pytest.mark.e2e

LEARNER = {"core": {"student_id": "s-1001", "student_name": "Learner, Ann"}}


def answer(key: str) -> str:
    return f"Reflection on {key}, longer than SCORM 1.2's 255 characters: " + "y" * 300


def take_course(harness: ScormHarness, frame: Frame) -> None:
    for key in section_keys(frame):
        go_to(frame, key)
        do_section(harness.page, frame, answer)


def test_dual_tracked_scorm12_run_sends_every_statement_to_the_lrs_of_the_build(
    scorm_site: ScormSite,
    scorm_harness: ScormHarness,
    lrs: RalphLRS,
    dual_zip: Path,
    course: Course,
) -> None:
    frame = scorm_harness.open(scorm_site.add_package(dual_zip), cmi=LEARNER)
    wait_started(frame)
    take_course(scorm_harness, frame)
    frame.locator("[data-cp-exit]").click()
    scorm_harness.wait_for_call("LMSFinish")
    wait_sent(frame)

    registration = vocab.scorm_registration(course, ACTOR_HOME, "s-1001")
    statements = lrs.statements(registration=registration)
    expected = expected_run(course)
    expected[("terminated", course.id)] += 1
    assert verb_object_counts(statements) == expected
    actor = {
        "objectType": "Agent",
        "name": "Learner, Ann",
        "account": {"homePage": ACTOR_HOME, "name": "s-1001"},
    }
    assert all(s["actor"] == actor for s in statements)
    responses = {
        s["result"]["response"]
        for s in by_verb(statements, "completed")
        if s.get("result", {}).get("response")
    }
    expected_responses = {answer(f"{m.id}/{t.id}") for m in course.modules for t in m.tasks}
    assert responses == expected_responses
    assert_contexts(statements, course, registration=registration)
    assert_valid_statements(statements)
    # the SCORM side is untouched by dual tracking
    assert scorm_harness.errors() == []
    cmi = scorm_harness.cmi()
    assert cmi["core"]["lesson_status"] == "completed"
    scorm_responses = [
        call["args"][1]
        for call in scorm_harness.calls("LMSSetValue")
        if call["args"][0].endswith(".student_response")
    ]
    # SCORM keeps 255 characters of each reflection; the LRS got them whole
    assert len(scorm_responses) == len(expected_responses)
    assert all(len(r) == 255 for r in scorm_responses)


def test_the_same_learner_keeps_one_registration_across_attempts_and_a_resume(
    scorm_site: ScormSite,
    scorm_harness: ScormHarness,
    lrs: RalphLRS,
    dual_zip: Path,
    course: Course,
) -> None:
    folder = scorm_site.add_package(dual_zip)
    frame = scorm_harness.open(folder, cmi=LEARNER)
    wait_started(frame)
    go_to(frame, section_keys(frame)[0])
    card = frame.locator("[data-kind=task]").first
    card.get_by_role("textbox").fill("First session")
    card.locator("[data-cp-complete]").click()
    frame.locator("[data-cp-exit]").click()
    scorm_harness.wait_for_call("LMSFinish")
    wait_sent(frame)
    suspend = scorm_harness.cmi()["suspend_data"]

    resume = {"core": {**LEARNER["core"], "entry": "resume"}, "suspend_data": suspend}
    frame = scorm_harness.open(folder, cmi=resume)
    wait_started(frame)
    wait_sent(frame)
    registration = vocab.scorm_registration(course, ACTOR_HOME, "s-1001")
    verbs = [s["verb"]["id"].rsplit("/", 1)[-1] for s in lrs.statements(registration=registration)]
    assert sorted(verbs) == sorted(
        ["initialized", "completed", "suspended", "initialized", "resumed"]
    )

    other = {"core": {"student_id": "s-2002", "student_name": "Other, Bo"}}
    frame = scorm_harness.open(folder, cmi=other)
    wait_started(frame)
    wait_sent(frame)
    theirs = vocab.scorm_registration(course, ACTOR_HOME, "s-2002")
    assert theirs != registration
    assert [s["verb"]["id"] for s in lrs.statements(registration=theirs)] == [
        vocab.VERBS["initialized"]
    ]
    # The learner leaves: the page's last statement goes out now and is awaited here, so that
    # it cannot reach the LRS while the next test runs (a slow machine showed that race).
    frame.page.close()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        verbs = [s["verb"]["id"] for s in lrs.statements(registration=theirs)]
        if vocab.VERBS["suspended"] in verbs:
            break
        time.sleep(0.2)


def test_without_an_lms_the_dual_tracked_package_sends_nothing_and_says_why(
    tmp_path: Path,
    dual_zip: Path,
    http_server: Callable[[Path], StaticServer],
    lrs: RalphLRS,
    page: Page,
) -> None:
    unzip_package(dual_zip, tmp_path / "pkg")
    page.goto(http_server(tmp_path).url + "pkg/index.html?coursepack-debug")
    wait_started(page)
    assert page.evaluate("() => Coursepack.session().mode") == "local"
    page.locator("[data-cp-xapi-debug]").wait_for()
    assert "dual tracking is off" in page.locator("[data-cp-xapi-debug]").inner_text()
    assert page.evaluate("() => CoursepackXAPI.trackers.length") == 0
    assert lrs.statements() == []
