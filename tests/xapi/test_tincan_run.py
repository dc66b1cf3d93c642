"""A learner takes the xAPI (TinCan) package in Chromium, launched against the real Ralph LRS.

The package is served from a loopback http origin (Ralph's CORS allows it) and launched with
the Rustici parameters; the statements are then read back from the LRS by registration.
"""

from __future__ import annotations

import uuid
from collections import Counter
from typing import TYPE_CHECKING, Any

import pytest

from coursepack.model import Course
from coursepack.xapi.vocab import VERBS
from tests.runtime.learner import begin, do_section, go_to, section_keys, wait_started
from tests.support.lrs import RalphLRS
from tests.xapi.conftest import TincanSite
from tests.xapi.helpers import (
    assert_contexts,
    assert_valid_statements,
    by_verb,
    expected_run,
    tracker_status,
    verb_object_counts,
    wait_idle,
    wait_sent,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.e2e

API = ("fetch", "xhr")  # Playwright resource types of requests made by scripts

ACTOR = {
    "objectType": "Agent",
    "name": "Ann Learner",
    "account": {"homePage": "https://lms.example.org", "name": "ann42"},
}


def reflection(key: str) -> str:
    """A long reflection (xAPI keeps it whole), with text that JSON and URLs must carry."""
    return f"My reflection on {key}: «quotes» & <tags>, line\nbreaks, émojis 🎓. " + "x" * 400


def take_whole_course(page: Page) -> dict[str, str]:
    answers: dict[str, str] = {}

    def answer(key: str) -> str:
        answers[key] = reflection(key)
        return answers[key]

    for key in section_keys(page):
        go_to(page, key)
        do_section(page, page, answer)
    return answers


def test_tincan_run_stores_every_expected_statement_once_with_whole_reflections(
    page: Page, lrs: RalphLRS, tincan_site: TincanSite, course: Course
) -> None:
    registration = str(uuid.uuid4())
    page.goto(tincan_site.launch(lrs, registration=registration, actor=ACTOR))
    wait_started(page)
    answers = take_whole_course(page)
    page.locator("[data-cp-exit]").click()
    wait_sent(page)

    statements = lrs.statements(registration=registration)
    expected = expected_run(course)
    expected[("terminated", course.id)] += 1
    assert verb_object_counts(statements) == expected
    assert len({s["id"] for s in statements}) == len(statements)

    completed_tasks = {
        s["object"]["id"]: s for s in by_verb(statements, "completed") if "response" in s["result"]
    }
    for module in course.modules:
        for item in module.tasks:
            s = completed_tasks[f"{course.id}/{module.id}/items/{item.id}"]
            key = f"{module.id}/{item.id}"
            assert s["result"]["response"] == answers[key]
            assert s["result"]["completion"] is True
            assert s["result"]["duration"].startswith("PT")
    assert all(s["actor"] == ACTOR for s in statements)
    assert_contexts(statements, course, registration=registration)
    assert_valid_statements(statements)
    # the session's verbs in order: initialized first, terminated last
    ordered = sorted(statements, key=lambda s: s["timestamp"])
    assert ordered[0]["verb"]["id"] == VERBS["initialized"]
    assert ordered[-1]["verb"]["id"] == VERBS["terminated"]
    assert ordered[-1]["result"]["duration"].startswith("PT")


def test_launch_without_parameters_runs_in_local_mode_and_says_it_is_not_tracking(
    page: Page, tincan_site: TincanSite
) -> None:
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url) if r.resource_type in API else None)
    page.goto(tincan_site.url + "?coursepack-debug")
    wait_started(page)
    assert page.evaluate("() => Coursepack.session().mode") == "local"
    notice = page.locator("[data-cp-notices]")
    assert "not connected to a learning platform" in notice.inner_text()
    page.locator("[data-cp-xapi-debug]").wait_for()
    assert "not tracking (local mode)" in page.locator("[data-cp-xapi-debug]").inner_text()
    key = section_keys(page)[0]
    do_section(page, page, lambda k: "offline answer")
    assert page.evaluate("() => CoursepackXAPI.trackers.length") == 0
    assert requests == []
    assert key


def test_resume_uses_the_browser_copy_when_the_lrs_has_no_state_resource(
    page: Page, lrs: RalphLRS, tincan_site: TincanSite, course: Course
) -> None:
    registration = str(uuid.uuid4())
    url = tincan_site.launch(lrs, registration=registration, actor=ACTOR, extra={})
    page.goto(url + "&coursepack-debug")
    wait_started(page)
    first = begin(page)
    card = page.locator(f'section[data-cp-section="{first}"] [data-kind=task]').first
    card.get_by_role("textbox").fill("Kept across the reload")
    card.locator("[data-cp-complete]").click()
    wait_sent(page)
    assert tracker_status(page)["stateResource"] == "unavailable"  # Ralph: no State resource
    page.reload()
    wait_started(page)
    assert page.evaluate("() => Coursepack.session().resumed") is True
    assert card.get_by_role("textbox").input_value() == "Kept across the reload"
    debug = page.locator("[data-cp-xapi-debug]")
    debug.wait_for()
    page.wait_for_function(
        "() => document.querySelector('[data-cp-xapi-debug]').textContent.includes('browser')"
    )
    assert "this browser" in debug.inner_text()
    wait_sent(page)
    statements = lrs.statements(registration=registration)
    verbs = Counter(s["verb"]["id"].rsplit("/", 1)[-1] for s in statements)
    assert verbs["initialized"] == 2
    assert verbs["resumed"] == 1
    assert verbs["suspended"] == 1  # the reload ended the first session (keepalive)
    assert_valid_statements(statements)


def test_activity_id_launch_parameter_is_the_object_of_course_level_statements(
    page: Page, lrs: RalphLRS, tincan_site: TincanSite, course: Course
) -> None:
    registration = str(uuid.uuid4())
    activity_id = "https://lms.example.org/activities/abc-123"
    page.goto(
        tincan_site.launch(lrs, registration=registration, actor=ACTOR, activity_id=activity_id)
    )
    wait_started(page)
    first = begin(page)
    card = page.locator(f'section[data-cp-section="{first}"] [data-kind=task]').first
    card.get_by_role("textbox").fill("An answer")
    card.locator("[data-cp-complete]").click()
    wait_sent(page)
    statements = lrs.statements(registration=registration)
    initialized = by_verb(statements, "initialized")
    assert [s["object"]["id"] for s in initialized] == [activity_id]
    assert_contexts(statements, course, registration=registration, root_id=activity_id)
    assert_valid_statements(statements)


@pytest.mark.parametrize(
    ("sent", "expected"),
    [
        (
            {"name": ["Ann Learner"], "mbox": ["mailto:ann@example.org"]},
            {"objectType": "Agent", "name": "Ann Learner", "mbox": "mailto:ann@example.org"},
        ),
        (
            {
                "name": "Ann",
                "account": [
                    {"accountServiceHomePage": "https://lms.example.org", "accountName": "a1"}
                ],
            },
            {
                "objectType": "Agent",
                "name": "Ann",
                "account": {"homePage": "https://lms.example.org", "name": "a1"},
            },
        ),
        ({"mbox": "ann@example.org"}, {"objectType": "Agent", "mbox": "mailto:ann@example.org"}),
    ],
    ids=["tincan-0.9-arrays", "0.95-account", "bare-mbox"],
)
def test_legacy_launch_actors_become_one_valid_actor_in_the_lrs(
    page: Page,
    lrs: RalphLRS,
    tincan_site: TincanSite,
    sent: dict[str, Any],
    expected: dict[str, Any],
) -> None:
    registration = str(uuid.uuid4())
    page.goto(tincan_site.launch(lrs, registration=registration, actor=sent))
    wait_started(page)
    wait_sent(page)
    statements = lrs.statements(registration=registration)
    assert [s["actor"] for s in statements] == [expected]
    assert_valid_statements(statements)


def test_a_refused_credential_stops_sending_keeps_the_outbox_and_tells_the_learner(
    page: Page, lrs: RalphLRS, tincan_site: TincanSite
) -> None:
    registration = str(uuid.uuid4())
    url = tincan_site.launch(
        lrs, registration=registration, actor=ACTOR, extra={"auth": "Basic d3Jvbmc6d3Jvbmc="}
    )
    page.goto(url)
    wait_started(page)
    page.wait_for_function("() => CoursepackXAPI.trackers[0].status().mode === 'stopped'")
    status = tracker_status(page)
    assert status["stopped"]["status"] == 401
    assert status["pending"] == 1  # initialized, kept for the next launch
    assert "error 401" in page.locator("[data-cp-notices]").inner_text()
    assert lrs.statements(registration=registration) == []
    # no further request once stopped
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    begin(page)
    do_section(page, page, lambda k: "text")
    wait_idle(page)
    assert not [u for u in requests if u.startswith(lrs.origin)]
    assert tracker_status(page)["pending"] > 1


def test_nothing_is_sent_after_the_session_ends_when_the_learner_stays_on_the_page(
    page: Page, lrs: RalphLRS, tincan_site: TincanSite
) -> None:
    registration = str(uuid.uuid4())
    page.goto(tincan_site.launch(lrs, registration=registration, actor=ACTOR))
    wait_started(page)
    first = section_keys(page)[0]
    go_to(page, first)
    page.locator("[data-cp-exit]").click()
    wait_sent(page)
    ended = lrs.statements(registration=registration)
    assert [s["verb"]["id"] for s in ended][-1] == VERBS["suspended"]

    do_section(page, page, reflection)  # the learner goes on working after "Save and exit"
    wait_idle(page)
    assert len(lrs.statements(registration=registration)) == len(ended)
