"""Nothing lost, nothing twice: the runtime's outbox against the real Ralph LRS.

An outage with a reload and a closed tab, a statement the LRS rejects, a batch the LRS refuses
because one of its statements is already stored, and a tab closed right after the last click.
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from typing import TYPE_CHECKING, Any

import pytest

from coursepack.model import Course
from tests.runtime.learner import (
    begin,
    cards,
    complete_task,
    go_to,
    open_item,
    section_keys,
    wait_started,
)
from tests.support.lrs import RalphLRS
from tests.xapi.conftest import TincanSite
from tests.xapi.helpers import (
    assert_valid_statements,
    expected_run,
    tracker_status,
    verb_object_counts,
    wait_sent,
)

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

pytestmark = pytest.mark.e2e

ACTOR = {"objectType": "Agent", "account": {"homePage": "https://lms.example.org", "name": "b7"}}


def do_cards(page: Page, some: list[Locator]) -> None:
    for card in some:
        if card.get_attribute("data-kind") == "task":
            complete_task(card, f"Answer for {card.get_attribute('data-cp-item')}")
        else:
            open_item(page, card)


def wait_pending(page: Page) -> None:
    """Wait until the tracker has tried and failed to send (statements are waiting)."""
    page.wait_for_function(
        """() => { const s = CoursepackXAPI.trackers[0].status();
                   return s.pending > 0 && s.lastError !== null; }"""
    )


def outbox_key(page: Page) -> str:
    key: str = page.evaluate("() => CoursepackXAPI.trackers[0].namespace + ':outbox'")
    return key


def test_an_outage_with_a_reload_and_a_closed_tab_ends_with_every_statement_stored_once(
    page: Page, lrs: RalphLRS, tincan_site: TincanSite, course: Course
) -> None:
    registration = str(uuid.uuid4())
    url = tincan_site.launch(lrs, registration=registration, actor=ACTOR)
    page.goto(url)
    wait_started(page)
    theory, tools = section_keys(page)
    go_to(page, theory)
    do_cards(page, cards(page)[:2])
    wait_sent(page)

    lrs.stop()  # the LRS goes away mid-course; the learner goes on
    do_cards(page, cards(page)[2:])
    wait_pending(page)
    page.reload()  # the first session ends (suspended) while the LRS is down
    wait_started(page)
    go_to(page, tools)
    do_cards(page, cards(page)[:3])
    wait_pending(page)
    waiting = tracker_status(page)["pending"]
    context = page.context
    page.close()  # a closed tab: what waits stays in localStorage

    lrs.start()
    again = context.new_page()
    again.goto(url)
    wait_started(again)
    wait_sent(again)  # what the closed tab left is sent at the next launch
    go_to(again, tools)
    do_cards(again, cards(again)[3:])
    again.locator("[data-cp-exit]").click()
    wait_sent(again)

    statements = lrs.statements(registration=registration)
    ids = Counter(s["id"] for s in statements)
    assert [i for i, n in ids.items() if n > 1] == []
    expected = expected_run(course)
    expected[("initialized", course.id)] += 2  # three sessions
    expected[("resumed", course.id)] += 2
    expected[("suspended", course.id)] += 2  # the reload and the closed tab
    expected[("terminated", course.id)] += 1
    assert verb_object_counts(statements) == expected
    assert waiting >= 5
    assert_valid_statements(statements)


def test_a_rejected_statement_is_kept_aside_and_does_not_block_later_statements(
    page: Page, lrs: RalphLRS, tincan_site: TincanSite
) -> None:
    registration = str(uuid.uuid4())
    page.goto(tincan_site.launch(lrs, registration=registration, actor=ACTOR) + "&coursepack-debug")
    wait_started(page)
    wait_sent(page)
    first = begin(page)  # the learner leaves the start page for the first section
    # A statement the LRS refuses (an actor without identifier: Ralph answers 422) waits at
    # the head of the outbox, before the statements of the learner's next steps.
    bad: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "actor": {"objectType": "Agent", "name": "nobody"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"},
        "object": {"id": "https://courses.coursepack.dev/x"},
        "timestamp": "2024-05-01T12:00:00.000Z",
    }
    page.evaluate(
        "([key, bad]) => localStorage.setItem(key, JSON.stringify([bad]))", [outbox_key(page), bad]
    )
    do_cards(page, cards(page)[:4])
    wait_sent(page)

    status = tracker_status(page)
    assert status["dead"] == 1
    (dead,) = page.evaluate("() => CoursepackXAPI.trackers[0].deadLetters()")
    assert dead["statement"]["id"] == bad["id"]
    assert dead["status"] in (400, 422)
    stored = lrs.statements(registration=registration)
    assert bad["id"] not in {s["id"] for s in stored}
    verbs = Counter(s["verb"]["id"].rsplit("/", 1)[-1] for s in stored)
    assert verbs == Counter({"initialized": 1, "experienced": 2, "completed": 2})
    panel = page.locator("[data-cp-xapi-debug]")
    page.wait_for_function(
        "id => document.querySelector('[data-cp-xapi-debug]').textContent.includes(id)",
        arg=bad["id"],
    )
    assert "dead letter" in panel.inner_text()

    # the dead letter stays in localStorage and is never sent again
    bodies: list[str] = []
    page.on("request", lambda r: bodies.append(r.post_data or "") if r.method != "GET" else None)
    page.reload()  # back on the section (its address names it)
    wait_started(page)
    do_cards(page, cards(page)[4:6])
    wait_sent(page)
    assert not [b for b in bodies if bad["id"] in b]
    assert tracker_status(page)["dead"] == 1
    assert first


def test_a_batch_refused_for_an_already_stored_statement_is_sent_one_by_one(
    page: Page, lrs: RalphLRS, tincan_site: TincanSite
) -> None:
    registration = str(uuid.uuid4())
    page.goto(tincan_site.launch(lrs, registration=registration, actor=ACTOR))
    wait_started(page)
    begin(page)  # the learner leaves the start page for the first section
    wait_sent(page)
    (initialized,) = lrs.statements(registration=registration)
    # The same statement id waits in the outbox again, with a body that differs from the
    # stored one (Ralph then answers 409 to any batch holding it), before new statements.
    copy = {k: v for k, v in initialized.items() if k not in ("stored", "authority", "version")}
    copy["timestamp"] = "2024-05-01T12:00:00.000Z"
    page.evaluate(
        "([key, s]) => localStorage.setItem(key, JSON.stringify([s]))", [outbox_key(page), copy]
    )
    statuses: list[tuple[str, int]] = []
    page.on("response", lambda r: statuses.append((r.request.method, r.status)))
    do_cards(page, cards(page)[:4])
    wait_sent(page)

    assert ("POST", 409) in statuses
    assert ("PUT", 409) in statuses and ("PUT", 204) in statuses
    stored = lrs.statements(registration=registration)
    assert Counter(s["id"] for s in stored).most_common(1)[0][1] == 1
    verbs = Counter(s["verb"]["id"].rsplit("/", 1)[-1] for s in stored)
    assert verbs == Counter({"initialized": 1, "experienced": 2, "completed": 2})
    assert tracker_status(page)["dead"] == 0


def test_statements_of_a_tab_closed_right_after_the_last_click_reach_the_lrs(
    page: Page, lrs: RalphLRS, tincan_site: TincanSite
) -> None:
    registration = str(uuid.uuid4())
    page.goto(tincan_site.launch(lrs, registration=registration, actor=ACTOR))
    wait_started(page)
    begin(page)
    wait_sent(page)
    card = page.locator("[data-kind=task]").first
    card.get_by_role("textbox").fill("Written just before closing the tab")
    with page.expect_request(lambda r: r.method == "POST" and r.url.startswith(lrs.endpoint)):
        card.locator("[data-cp-complete]").click()
    # The tab closes while that request may still be on its way (unloading cancels it): the
    # outbox goes again with fetch keepalive, with the session's last statement.
    page.close()
    found: list[dict[str, Any]] = []
    for _ in range(50):
        found = lrs.statements(registration=registration)
        if len(found) >= 3:
            break
        time.sleep(0.1)
    verbs = Counter(s["verb"]["id"].rsplit("/", 1)[-1] for s in found)
    assert verbs == Counter({"initialized": 1, "completed": 1, "suspended": 1})
    assert len({s["id"] for s in found}) == 3
