"""Knowledge checks over xAPI: learners take the graded example course (examples/graded) as a
TinCan package and as a cmi5 package, against the real Ralph LRS.

Checked: one `answered` per answer (interaction definition, response in the xAPI format,
success, score 1 or 0 of 1, the attempt number), `passed` / `failed` with the course score;
under cmi5, passed/failed as defined statements on the AU with the moveon category and
result.score.scaled, the order rules (initialized first, terminated last, never both passed
and failed in a session), LaunchData's masteryScore deciding the pass. Every statement passes
Learning Locker's validator.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import pytest

from coursepack.build import build_course
from coursepack.pipeline import load_course
from coursepack.xapi import vocab
from tests.runtime.learner import (
    answer_check,
    complete_task,
    config_checks,
    go_to,
    right_answer,
    wait_started,
    wrong_answer,
)
from tests.runtime.test_cmi5_learner import categories, has_verb, is_defined, wait_statements
from tests.support.cmi5_launcher import SESSION_EXT, Cmi5Launcher, Launch
from tests.support.lrs import RalphLRS
from tests.support.scorm_harness import ScormHarness, ScormSite, unzip_package
from tests.support.static_server import StaticServer
from tests.support.xapi_validation import validate_statements
from tests.xapi.conftest import ACTOR_HOME
from tests.xapi.helpers import wait_sent

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "graded"
V = vocab.VERBS
MODULE = "collaboration-check"
ACTOR = {
    "objectType": "Agent",
    "name": "Ann Learner",
    "account": {"homePage": "https://lms.example.org", "name": "ann42"},
}


@pytest.fixture(scope="module")
def graded_build(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    out = tmp_path_factory.mktemp("graded-xapi")
    built: dict[str, Path] = {}

    def build(target: str) -> Path:
        if target not in built:
            (built[target],) = build_course(EXAMPLE, out / target, [target], environ={}).paths
        return built[target]

    return build


@pytest.fixture
def cmi5_launcher(
    graded_build: Callable[[str], Path], tmp_path: Path, lrs: RalphLRS
) -> Iterator[Cmi5Launcher]:
    launcher = Cmi5Launcher(unzip_package(graded_build("cmi5"), tmp_path / "cmi5"), lrs)
    yield launcher
    launcher.stop()


def answer(page: Page, check: dict[str, Any], value: str | list[str]) -> None:
    answer_check(page.locator(f'[data-cp-item="{check["key"]}"]'), value)


def finish_task(page: Page) -> None:
    go_to(page, f"{MODULE}/reflect")
    complete_task(page.locator("[data-kind=task]").first, "Listen first.")


def assert_answered(statements: list[dict[str, Any]], items: list[dict[str, Any]]) -> None:
    by_iri = {c["iri"]: c for c in items}
    answered = [s for s in statements if s["verb"]["id"] == V["answered"]]
    assert answered
    for s in answered:
        check = by_iri[s["object"]["id"]]
        definition = s["object"]["definition"]
        assert definition["interactionType"] == check["check"]["interactionType"]
        assert definition["correctResponsesPattern"]
        result = s["result"]
        assert result["score"] == {
            "raw": 1 if result["success"] else 0,
            "min": 0,
            "max": 1,
            "scaled": 1 if result["success"] else 0,
        }
        assert isinstance(s["context"]["extensions"][vocab.ATTEMPT_EXT], int)


def test_tincan_learner_sends_answered_statements_and_passed_with_the_course_score(
    page: Page,
    lrs: RalphLRS,
    graded_build: Callable[[str], Path],
    tmp_path: Path,
    http_server: Callable[[Path], StaticServer],
) -> None:
    unzip_package(graded_build("xapi"), tmp_path / "tincan")
    site = http_server(tmp_path).url + "tincan/index.html"
    registration = str(uuid.uuid4())
    query = "?" + urlencode(
        {
            "endpoint": lrs.endpoint,
            "auth": lrs.auth_header,
            "registration": registration,
            "actor": json.dumps(ACTOR),
        }
    )
    page.goto(site + query)
    wait_started(page)
    go_to(page, f"{MODULE}/questions")
    items = config_checks(page)
    answer(page, items[0], wrong_answer(items[0]))
    for check in items:
        answer(page, check, right_answer(check))
    finish_task(page)
    page.locator("[data-cp-exit]").click()
    wait_sent(page)
    statements = sorted(lrs.statements(registration=registration), key=lambda s: s["timestamp"])
    ours = [
        {k: v for k, v in s.items() if k not in ("stored", "authority", "version")}
        for s in statements
    ]
    assert validate_statements(ours) == []
    assert_answered(statements, items)
    answered = [s for s in statements if s["verb"]["id"] == V["answered"]]
    assert [s["result"]["success"] for s in answered] == [False, True, True, True, True]
    assert [s["context"]["extensions"][vocab.ATTEMPT_EXT] for s in answered] == [1, 2, 1, 1, 1]
    assert answered[2]["result"]["response"] == "[,]".join(items[1]["check"]["correct"])
    assert answered[3]["result"]["response"] == "false"
    assert answered[4]["result"]["response"] == "learning"
    (passed,) = [s for s in statements if s["verb"]["id"] == V["passed"]]
    assert passed["object"]["id"] == "https://courses.coursepack.dev/collaboration-check"
    assert passed["result"]["success"] is True
    assert passed["result"]["score"] == {"scaled": 1, "raw": 4, "min": 0, "max": 4}
    assert not [s for s in statements if s["verb"]["id"] == V["failed"]]
    verbs = [s["verb"]["id"] for s in statements]
    # the course is completed once the TASK is done, after the pass
    assert verbs.index(V["passed"]) < max(
        i for i, s in enumerate(statements) if s["verb"]["id"] == V["completed"]
    )


def open_au(page: Page, launch: Launch) -> None:
    page.goto(launch.url)
    page.wait_for_function("() => window.Coursepack && window.Coursepack.started")
    assert page.evaluate("() => Coursepack.session().connected") is True
    go_to(page, f"{MODULE}/questions")


def assert_cmi5_rules(statements: list[dict[str, Any]], launch: Launch) -> list[str]:
    """cmi5's rules for one session; returns the defined verbs in order."""
    ours = [
        {k: v for k, v in s.items() if k not in ("stored", "authority", "version")}
        for s in statements
    ]
    assert validate_statements(ours) == []
    assert all(s["context"]["extensions"][SESSION_EXT] == launch.session_id for s in statements)
    verbs = [s["verb"]["id"] for s in statements]
    assert verbs[0] == V["initialized"] and verbs[-1] == V["terminated"]
    defined = [s for s in statements if is_defined(s, launch)]
    names = [s["verb"]["id"].rsplit("/", 1)[-1] for s in defined]
    assert len(names) == len(set(names)), "a defined verb twice in a session"
    assert not {"passed", "failed"} <= set(names), "passed and failed in one session"
    for s in defined:
        assert s["object"]["id"] == launch.activity_id
        result = s.get("result", {})
        if s["verb"]["id"] in (V["passed"], V["failed"]):
            assert vocab.CMI5_MOVEON_CATEGORY in categories(s)
            assert result["success"] is (s["verb"]["id"] == V["passed"])
            score = result["score"]
            assert 0 <= score["scaled"] <= 1 and score["min"] == 0 and score["max"] == 4
            assert result["duration"].startswith("PT")
            assert "completion" not in result
        elif s["verb"]["id"] == V["completed"]:
            assert "score" not in result and "success" not in result
    for s in statements:
        if not is_defined(s, launch):
            assert vocab.CMI5_MOVEON_CATEGORY not in categories(s)
            parents = [a["id"] for a in s["context"]["contextActivities"]["parent"]]
            assert launch.activity_id in parents
    return names


def test_cmi5_learner_who_passes_sends_passed_and_completed_on_the_au(
    cmi5_launcher: Cmi5Launcher, page: Page, lrs: RalphLRS
) -> None:
    (au,) = cmi5_launcher.aus
    assert au.move_on == "CompletedAndPassed" and au.mastery_score is None
    launch = cmi5_launcher.launch(au)
    open_au(page, launch)
    items = config_checks(page)
    for check in items:
        answer(page, check, right_answer(check))
    finish_task(page)
    page.locator("[data-cp-exit]").click()
    statements = wait_statements(lrs, launch.registration, has_verb(V["terminated"]))
    names = assert_cmi5_rules(statements, launch)
    assert names == ["initialized", "passed", "completed", "terminated"]
    assert_answered(statements, items)
    (passed,) = [s for s in statements if s["verb"]["id"] == V["passed"]]
    assert passed["result"]["score"] == {"scaled": 1, "raw": 4, "min": 0, "max": 4}
    assert vocab.CMI5_MASTERY_EXT not in passed["context"].get("extensions", {})


def test_cmi5_learner_who_fails_sends_failed_once_before_terminated(
    cmi5_launcher: Cmi5Launcher, page: Page, lrs: RalphLRS
) -> None:
    launch = cmi5_launcher.launch(cmi5_launcher.aus[0])
    open_au(page, launch)
    for check in config_checks(page):
        answer(page, check, wrong_answer(check))
        answer(page, check, wrong_answer(check))
    assert page.locator("[data-cp-retry]").is_visible()
    page.locator("[data-cp-exit]").click()
    statements = wait_statements(lrs, launch.registration, has_verb(V["terminated"]))
    names = assert_cmi5_rules(statements, launch)
    assert names == ["initialized", "failed", "terminated"]
    (failed,) = [s for s in statements if s["verb"]["id"] == V["failed"]]
    assert failed["result"]["score"] == {"scaled": 0, "raw": 0, "min": 0, "max": 4}


def test_cmi5_learner_who_fails_then_retries_and_passes_in_one_session_sends_passed_only(
    cmi5_launcher: Cmi5Launcher, page: Page, lrs: RalphLRS
) -> None:
    launch = cmi5_launcher.launch(cmi5_launcher.aus[0])
    open_au(page, launch)
    items = config_checks(page)
    for check in items:
        answer(page, check, wrong_answer(check))
        answer(page, check, wrong_answer(check))
    page.locator("[data-cp-retry]").click()
    for check in items:
        answer(page, check, right_answer(check))
    finish_task(page)
    page.locator("[data-cp-exit]").click()
    statements = wait_statements(lrs, launch.registration, has_verb(V["terminated"]))
    names = assert_cmi5_rules(statements, launch)
    assert names == ["initialized", "passed", "completed", "terminated"]
    answered = [s for s in statements if s["verb"]["id"] == V["answered"]]
    assert len(answered) == 12


def test_cmi5_mastery_score_from_launch_data_decides_the_pass(
    cmi5_launcher: Cmi5Launcher, page: Page, lrs: RalphLRS
) -> None:
    au = dataclasses.replace(cmi5_launcher.aus[0], mastery_score="0.5")
    launch = cmi5_launcher.launch(au)
    open_au(page, launch)
    items = config_checks(page)
    # 2 of 4: below the course's 75 %, at the LMS's 0.5
    for n, check in enumerate(items):
        value = right_answer(check) if n < 2 else wrong_answer(check)
        answer(page, check, value)
        if n >= 2:
            answer(page, check, value)
    assert page.locator("[data-cp-result]").get_attribute("data-passed") == ""
    page.locator("[data-cp-exit]").click()
    statements = wait_statements(lrs, launch.registration, has_verb(V["terminated"]))
    names = assert_cmi5_rules(statements, launch)
    assert names == ["initialized", "passed", "terminated"]
    (passed,) = [s for s in statements if s["verb"]["id"] == V["passed"]]
    assert passed["result"]["score"]["scaled"] == 0.5
    assert passed["context"]["extensions"][vocab.CMI5_MASTERY_EXT] == 0.5


def test_a_dual_tracked_scorm_package_sends_answered_and_passed_to_the_lrs(
    scorm_site: ScormSite, scorm_harness: ScormHarness, lrs: RalphLRS, tmp_path: Path
) -> None:
    course = tmp_path / "course"
    shutil.copytree(EXAMPLE, course)
    with (course / "course.yaml").open("a", encoding="utf-8") as yaml:
        yaml.write(f"tracking:\n  lrs:\n    endpoint: {lrs.endpoint}\n")
        yaml.write(f"    actor_homepage: {ACTOR_HOME}\n")
    environ = {"COURSEPACK_LRS_USERNAME": lrs.username, "COURSEPACK_LRS_PASSWORD": lrs.password}
    (package,) = build_course(course, tmp_path / "dist", ["scorm12"], environ=environ).paths
    frame = scorm_harness.open(
        scorm_site.add_package(package), cmi={"core": {"student_id": "s-2002"}}
    )
    wait_started(frame)
    go_to(frame, f"{MODULE}/questions")
    items = config_checks(frame)
    for check in items:
        answer_check(frame.locator(f'[data-cp-item="{check["key"]}"]'), right_answer(check))
    frame.locator("[data-cp-exit]").click()
    scorm_harness.wait_for_call("LMSFinish")
    wait_sent(frame)
    registration = vocab.scorm_registration(load_course(course, {}), ACTOR_HOME, "s-2002")
    statements = lrs.statements(registration=registration)
    ours = [
        {k: v for k, v in s.items() if k not in ("stored", "authority", "version")}
        for s in statements
    ]
    assert validate_statements(ours) == []
    assert_answered(statements, items)
    assert len([s for s in statements if s["verb"]["id"] == V["answered"]]) == 4
    (passed,) = [s for s in statements if s["verb"]["id"] == V["passed"]]
    assert passed["result"]["score"] == {"scaled": 1, "raw": 4, "min": 0, "max": 4}
    assert scorm_harness.cmi()["core"]["lesson_status"] == "passed"
    assert scorm_harness.errors() == []
