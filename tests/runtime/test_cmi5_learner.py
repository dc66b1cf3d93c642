"""A learner takes the example course as a cmi5 package, launched by a test LMS
(tests/support/cmi5_launcher.py) whose statements go to the real Ralph LRS.

Checked: the token is fetched once; LaunchData's contextTemplate is applied; the defined
statements come in order (initialized first, completed once per registration with duration
and the moveon category, terminated last with duration) with the cmi5 category, session id,
registration and the publisher id; items and TASKs send the xAPI target's statements without
the cmi5 category; Browse sends only initialized and terminated; returnURL is honoured; every
statement passes Learning Locker's validator.
"""

from __future__ import annotations

import json
import re
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from coursepack.build import build_course
from coursepack.xapi import vocab
from tests.runtime.learner import begin
from tests.support.browser import new_context
from tests.support.cmi5_launcher import SESSION_EXT, Cmi5Launcher, Launch
from tests.support.lrs import RalphLRS
from tests.support.scorm_harness import unzip_package
from tests.support.xapi_validation import validate_statements
from tests.xapi.helpers import wait_idle

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
CMI5 = vocab.CMI5_CATEGORY
MOVEON = vocab.CMI5_MOVEON_CATEGORY
V = vocab.VERBS
DEFINED = {V["initialized"], V["completed"], V["terminated"]}
ISO_DURATION = re.compile(r"^PT(\d+H)?(\d+M)?\d+(\.\d{1,2})?S$")

SECOND_MODULE = """# Second steps

A second module, to check that a per-module AU covers its own module only.

## Practice

READ: https://example.org/practice

TASK: What will you practise first?
"""


# ----------------------------------------------------------------------------------------
# fixtures and helpers


@pytest.fixture
def launcher_for(tmp_path: Path, lrs: RalphLRS) -> Iterator[Callable[..., Cmi5Launcher]]:
    """launcher_for(course_dir=example) -> a test LMS serving that course's cmi5 package."""
    launchers: list[Cmi5Launcher] = []

    def make(course_dir: Path = REPO / "course") -> Cmi5Launcher:
        out = tmp_path / f"dist-{len(launchers)}"
        (zip_path,) = build_course(course_dir, out, ["cmi5"], environ={}).paths
        launcher = Cmi5Launcher(unzip_package(zip_path, out / "package"), lrs)
        launchers.append(launcher)
        return launcher

    yield make
    for launcher in launchers:
        launcher.stop()


def two_module_course(tmp_path: Path, au_per: str) -> Path:
    course = tmp_path / f"course-{au_per}"
    shutil.copytree(REPO / "course", course)
    (course / "modules" / "second-steps.md").write_text(SECOND_MODULE, encoding="utf-8")
    yaml = (course / "course.yaml").read_text(encoding="utf-8")
    yaml += "  - modules/second-steps.md\n"
    yaml += f"cmi5:\n  au_per: {au_per}\n"
    (course / "course.yaml").write_text(yaml, encoding="utf-8")
    return course


def open_au(page: Page, launch: Launch) -> None:
    page.goto(launch.url)
    page.wait_for_function("() => window.Coursepack && window.Coursepack.started")
    assert page.evaluate("() => Coursepack.session().connected") is True


def task_keys(page: Page) -> list[str]:
    """The TASKs the runtime tracks (in a per-module AU: that module's only)."""
    keys: list[str] = page.evaluate(
        """() => Coursepack.config.modules.flatMap(m => m.sections.flatMap(
               s => s.items.filter(i => i.kind === 'task').map(i => i.key)))
               .filter(key => Coursepack.item(key) !== null)"""
    )
    return keys


def complete_task(page: Page, key: str, text: str) -> None:
    section = page.evaluate(
        """key => Coursepack.config.modules.flatMap(m => m.sections)
               .find(s => s.items.some(i => i.key === key)).key""",
        key,
    )
    page.locator(f'[data-cp-section-link="{section}"]').click()
    card = page.locator(f'[data-cp-item="{key}"]')
    card.locator("textarea").fill(text)
    card.locator("[data-cp-complete]").click()  # "Mark complete", or "Save changes" when done
    page.wait_for_function(
        """([key, text]) => {
             const t = Coursepack.state().tasks[key];
             return t && t.done && t.text === text;
           }""",
        arg=[key, text],
    )


def open_first_read(page: Page) -> str:
    """Open the first READ link (it opens a new tab, which is closed); return its key."""
    if page.locator('[data-cp-page="start"]').is_visible():
        begin(page)
    link = page.locator("[data-kind=read] [data-cp-open]").first
    key: str = link.evaluate("a => a.closest('[data-cp-item]').dataset.cpItem")
    with page.context.expect_page() as popup:
        link.click()
    popup.value.close()
    return key


def exit_course(page: Page) -> None:
    page.locator("[data-cp-exit]").click()


def wait_statements(
    lrs: RalphLRS, registration: str, until: Callable[[list[dict[str, Any]]], bool]
) -> list[dict[str, Any]]:
    deadline = time.monotonic() + 15
    found: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        found = lrs.statements(registration=registration)
        if until(found):
            return sorted(found, key=lambda s: s["timestamp"])
        time.sleep(0.2)
    raise AssertionError(f"statements never arrived: {[s['verb']['id'] for s in found]}")


def has_verb(verb: str) -> Callable[[list[dict[str, Any]]], bool]:
    return lambda found: any(s["verb"]["id"] == verb for s in found)


def categories(statement: dict[str, Any]) -> list[str]:
    ca = statement.get("context", {}).get("contextActivities", {})
    return [a["id"] for a in ca.get("category", [])]


def is_defined(statement: dict[str, Any], launch: Launch) -> bool:
    """A cmi5 defined statement carries the cmi5 category (allowed ones must not)."""
    return CMI5 in categories(statement)


def assert_session_rules(statements: list[dict[str, Any]], launch: Launch) -> None:
    """cmi5 §9: what every statement of one session must carry, and the order rules."""
    assert validate_statements(statements) == []
    session = [
        s
        for s in statements
        if s.get("context", {}).get("extensions", {}).get(SESSION_EXT) == launch.session_id
    ]
    assert session == statements, "a statement lacks the session id of the contextTemplate"
    for s in statements:
        context = s["context"]
        assert s["actor"]["account"] == launch.actor["account"]
        assert context["registration"] == launch.registration
        grouping = [a["id"] for a in context["contextActivities"]["grouping"]]
        assert launch.au.id in grouping  # the publisher id from the contextTemplate
    verbs = [s["verb"]["id"] for s in statements]
    assert verbs[0] == V["initialized"]
    assert verbs[-1] == V["terminated"]
    defined = [s for s in statements if is_defined(s, launch)]
    assert all(s["object"]["id"] == launch.activity_id for s in defined)
    assert all(s["verb"]["id"] in DEFINED for s in defined)
    defined_verbs = [s["verb"]["id"] for s in defined]
    assert len(defined_verbs) == len(set(defined_verbs)), "a defined verb was sent twice"
    for s in defined:
        result = s.get("result", {})
        assert "score" not in result and "success" not in result
        if s["verb"]["id"] == V["completed"]:
            assert result["completion"] is True
            assert MOVEON in categories(s)
        else:
            assert MOVEON not in categories(s)
        if s["verb"]["id"] in (V["completed"], V["terminated"]):
            assert ISO_DURATION.match(result["duration"]), result
    for s in statements:
        if not is_defined(s, launch):
            assert MOVEON not in categories(s)
            parents = [a["id"] for a in s["context"]["contextActivities"]["parent"]]
            assert launch.activity_id in parents
            assert s["object"]["id"] != launch.activity_id


def assert_last_state_saved_before_terminated(
    launcher: Cmi5Launcher, launch: Launch, keys: list[str]
) -> None:
    """The AU's last State PUT reached the LMS before the request carrying terminated (the
    last statements POST: nothing follows terminated), and it holds every completed TASK."""
    requests = [
        (method, path, (query.get("stateId") or [""])[0])
        for method, path, query in launcher.requests
        if path.startswith("/lrs/")
    ]
    state_puts = [
        i
        for i, (method, path, state_id) in enumerate(requests)
        if method == "PUT" and path == "/lrs/activities/state" and state_id != "LMS.LaunchData"
    ]
    posts = [i for i, (m, p, _) in enumerate(requests) if m == "POST" and p == "/lrs/statements"]
    assert state_puts and posts
    assert state_puts[-1] < posts[-1], requests[-6:]
    (document,) = [
        body
        for (activity, _, registration, state_id), (_, body) in launcher.documents.items()
        if activity == launch.activity_id
        and registration == launch.registration
        and state_id != "LMS.LaunchData"
    ]
    saved = json.loads(json.loads(document)["state"])
    # entries are "<item>~<wording>" (docs/runtime.md, State budget)
    done = {
        f"{m}/{t.split('~')[0]}"
        for m, tasks in saved["t"].items()
        for t, e in tasks.items()
        if e[0]
    }
    assert set(keys) <= done


# ----------------------------------------------------------------------------------------
# tests


def test_learner_completes_an_au_and_the_lrs_gets_the_defined_statements_in_order(
    launcher_for: Callable[..., Cmi5Launcher], page: Page, lrs: RalphLRS
) -> None:
    launcher = launcher_for()
    (au,) = launcher.aus
    launch = launcher.launch(au)
    open_au(page, launch)
    read_key = open_first_read(page)
    keys = task_keys(page)
    for n, key in enumerate(keys, start=1):
        complete_task(page, key, f"Reflection {n}\nwith a second line")
    iris = page.evaluate("keys => keys.map(k => Coursepack.item(k).iri)", keys)
    exit_course(page)
    statements = wait_statements(lrs, launch.registration, has_verb(V["terminated"]))

    assert_session_rules(statements, launch)
    defined = [s for s in statements if is_defined(s, launch)]
    assert [s["verb"]["id"] for s in defined] == [V["initialized"], V["completed"], V["terminated"]]
    tasks = [s for s in statements if s["object"]["id"] in iris]
    assert [s["verb"]["id"] for s in tasks] == [V["completed"]] * len(keys)
    # the AU's completed follows the last TASK: that is when the completion rule was met
    assert statements.index(defined[1]) == statements.index(tasks[-1]) + 1
    responses = {s["object"]["id"]: s["result"]["response"] for s in tasks}
    assert sorted(responses.values()) == sorted(
        f"Reflection {n}\nwith a second line" for n in range(1, len(keys) + 1)
    )
    for s in tasks:
        assert s["object"]["definition"]["interactionType"] == "long-fill-in"
        assert CMI5 not in categories(s)
    experienced = [s for s in statements if s["verb"]["id"] == V["experienced"]]
    assert [s["object"]["id"].rsplit("/", 1)[-1] for s in experienced] == [read_key.split("/")[1]]
    assert_last_state_saved_before_terminated(launcher, launch, keys)
    # the token was fetched once, and LMS.LaunchData was read, never written
    assert launcher.fetch_calls[launch.fetch_key] == 1
    assert launcher.launch_data_writes == []
    assert "GET /lrs/agents/profile" in launcher.paths()


def test_fetch_url_works_once_and_a_reload_after_terminated_sends_and_fetches_nothing(
    launcher_for: Callable[..., Cmi5Launcher], page: Page, lrs: RalphLRS
) -> None:
    launcher = launcher_for()
    launch = launcher.launch(launcher.aus[0])
    open_au(page, launch)
    again = httpx.post(f"{launcher.origin}/fetch/{launch.fetch_key}")
    assert again.status_code == 200 and again.json()["error-code"] == "1"

    # Leaving the page ends the session (terminated); the reloaded page knows it from
    # sessionStorage: no second token, no statement after terminated, and it says so.
    page.reload()
    page.wait_for_function("() => window.Coursepack && window.Coursepack.started")
    wait_statements(lrs, launch.registration, has_verb(V["terminated"]))
    time.sleep(0.5)
    statements = sorted(
        lrs.statements(registration=launch.registration), key=lambda s: s["timestamp"]
    )
    assert launcher.fetch_calls[launch.fetch_key] == 2  # the AU's one, and ours above
    assert [s["verb"]["id"] for s in statements] == [V["initialized"], V["terminated"]]
    assert_session_rules(statements, launch)
    assert page.evaluate("() => Coursepack.session().connected") is False
    assert "This session has ended" in page.locator("[data-cp-notices]").inner_text()


def test_a_reload_before_the_course_started_reuses_the_token_and_initializes_once(
    launcher_for: Callable[..., Cmi5Launcher], page: Page, lrs: RalphLRS
) -> None:
    launcher = launcher_for()
    launch = launcher.launch(launcher.aus[0])
    gate = launcher.hold_launch_data()  # the first page waits for LMS.LaunchData...
    page.goto(launch.url)
    page.wait_for_function(
        """() => Object.keys(sessionStorage).some(
               k => k.startsWith('coursepack:cmi5:') && JSON.parse(sessionStorage[k]).token)"""
    )
    page.reload()  # ...and is reloaded before the course has started
    gate.set()
    page.wait_for_function("() => window.Coursepack && window.Coursepack.started")
    assert page.evaluate("() => Coursepack.session().connected") is True
    assert launcher.fetch_calls[launch.fetch_key] == 1
    exit_course(page)
    statements = wait_statements(lrs, launch.registration, has_verb(V["terminated"]))
    assert [s["verb"]["id"] for s in statements] == [V["initialized"], V["terminated"]]
    assert_session_rules(statements, launch)


def test_completed_is_sent_at_most_once_per_registration(
    launcher_for: Callable[..., Cmi5Launcher], browser: Browser, lrs: RalphLRS
) -> None:
    launcher = launcher_for()
    au = launcher.aus[0]
    first = launcher.launch(au)
    with new_context(browser) as context:
        page = context.new_page()
        open_au(page, first)
        for key in task_keys(page):
            complete_task(page, key, "done")
        exit_course(page)
    wait_statements(lrs, first.registration, has_verb(V["terminated"]))

    # A second session of the same registration, in another browser: the course is still
    # complete (state from the LMS), a TASK is revised, and no second completed is sent.
    second = launcher.launch(au, registration=first.registration)
    with new_context(browser) as context:
        page = context.new_page()
        open_au(page, second)
        assert page.evaluate("() => Coursepack.progress().completed") is True
        complete_task(page, task_keys(page)[0], "revised")
        exit_course(page)
    statements = wait_statements(
        lrs,
        first.registration,
        lambda found: sum(s["verb"]["id"] == V["terminated"] for s in found) == 2,
    )
    completed = [
        s for s in statements if s["verb"]["id"] == V["completed"] and CMI5 in categories(s)
    ]
    assert len(completed) == 1
    in_second = [
        s for s in statements if s["context"]["extensions"][SESSION_EXT] == second.session_id
    ]
    assert_session_rules(in_second, second)


def test_browse_mode_sends_only_initialized_and_terminated(
    launcher_for: Callable[..., Cmi5Launcher], page: Page, lrs: RalphLRS
) -> None:
    launcher = launcher_for()
    launch = launcher.launch(launcher.aus[0], launch_mode="Browse")
    open_au(page, launch)
    open_first_read(page)
    for key in task_keys(page):
        complete_task(page, key, "browsing")
    exit_course(page)
    wait_statements(lrs, launch.registration, has_verb(V["terminated"]))
    wait_idle(page)
    statements = sorted(
        lrs.statements(registration=launch.registration), key=lambda s: s["timestamp"]
    )
    assert [s["verb"]["id"] for s in statements] == [V["initialized"], V["terminated"]]
    assert_session_rules(statements, launch)


def test_nothing_is_sent_after_terminated_when_the_learner_stays_on_the_page(
    launcher_for: Callable[..., Cmi5Launcher], page: Page, lrs: RalphLRS
) -> None:
    launcher = launcher_for()
    launch = launcher.launch(launcher.aus[0])  # no returnURL: the page stays after exit
    open_au(page, launch)
    exit_course(page)
    wait_statements(lrs, launch.registration, has_verb(V["terminated"]))
    open_first_read(page)
    complete_task(page, task_keys(page)[0], "written after Save and exit")
    wait_idle(page)
    statements = sorted(
        lrs.statements(registration=launch.registration), key=lambda s: s["timestamp"]
    )
    assert [s["verb"]["id"] for s in statements] == [V["initialized"], V["terminated"]]
    assert_session_rules(statements, launch)


def test_exit_goes_to_return_url_after_terminated(
    launcher_for: Callable[..., Cmi5Launcher], page: Page, lrs: RalphLRS
) -> None:
    launcher = launcher_for()
    launch = launcher.launch(launcher.aus[0], return_url=True)
    open_au(page, launch)
    exit_course(page)
    page.wait_for_url(launcher.return_url)
    statements = wait_statements(lrs, launch.registration, has_verb(V["terminated"]))
    assert [s["verb"]["id"] for s in statements] == [V["initialized"], V["terminated"]]
    terminated_at = max(i for i, r in enumerate(launcher.requests) if r[1] == "/lrs/statements")
    returned_at = next(i for i, r in enumerate(launcher.requests) if r[1] == "/returned")
    assert terminated_at < returned_at


def test_per_module_au_shows_tracks_and_completes_its_module_only(
    launcher_for: Callable[..., Cmi5Launcher], tmp_path: Path, page: Page, lrs: RalphLRS
) -> None:
    launcher = launcher_for(two_module_course(tmp_path, "module"))
    first, second = launcher.aus
    assert second.url == "index.html?module=second-steps"
    launch = launcher.launch(second)
    open_au(page, launch)
    visible = page.evaluate(
        """() => Array.from(document.querySelectorAll('[data-cp-section-link]'))
               .filter(a => a.offsetParent !== null).map(a => a.dataset.cpSectionLink)"""
    )
    assert visible == ["second-steps/practice"]
    keys = task_keys(page)
    assert keys and all(k.startswith("second-steps/") for k in keys)
    for key in keys:
        complete_task(page, key, "practice")
    assert page.evaluate("() => Coursepack.progress().completed") is True
    # the content files this launch shows, and no other module's
    loaded = """() => performance.getEntriesByType("resource").map(e => e.name)
                 .filter(n => /\\/content\\/(module-\\d+|reflections)\\.js$/.test(n))
                 .map(n => n.split("/").pop())"""
    page.wait_for_function(f"() => ({loaded})().includes('reflections.js')")
    assert sorted(page.evaluate(loaded)) == ["module-2.js", "reflections.js"]
    exit_course(page)
    statements = wait_statements(lrs, launch.registration, has_verb(V["terminated"]))
    assert_session_rules(statements, launch)
    defined = [s["verb"]["id"] for s in statements if CMI5 in categories(s)]
    assert defined == [V["initialized"], V["completed"], V["terminated"]]
    assert first.id.endswith("/collaborative-impact-leadership")


def test_per_course_au_needs_every_module(
    launcher_for: Callable[..., Cmi5Launcher], tmp_path: Path, page: Page, lrs: RalphLRS
) -> None:
    launcher = launcher_for(two_module_course(tmp_path, "course"))
    (au,) = launcher.aus
    assert au.url == "index.html"
    launch = launcher.launch(au)
    open_au(page, launch)
    keys = task_keys(page)
    assert {k.split("/")[0] for k in keys} == {"collaborative-impact-leadership", "second-steps"}
    for key in keys[:-1]:
        complete_task(page, key, "x")
    assert page.evaluate("() => Coursepack.progress().completed") is False
    complete_task(page, keys[-1], "x")
    exit_course(page)
    statements = wait_statements(lrs, launch.registration, has_verb(V["terminated"]))
    assert_session_rules(statements, launch)
    assert sum(1 for s in statements if CMI5 in categories(s)) == 3
