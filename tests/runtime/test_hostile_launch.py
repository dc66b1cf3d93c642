"""A package opened with a hostile URL (fragment, query) or hostile saved state in this browser
still starts, shows a section and raises no page error (SCORM 1.2, TinCan and cmi5 packages,
served by a plain web server: no LMS, local mode)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from coursepack.build import build_course
from tests.runtime.learner import SHOWN, VISIBLE, complete_task, section_keys, wait_started
from tests.support.scorm_harness import ScormHarness, ScormSite, unzip_package

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.support.static_server import StaticServer

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]

FRAGMENTS = [
    "#%",
    "#%E0%A4%A",
    "#s-nope__nothing",
    "#" + "%25" * 3000,
    "#%3Cimg%20src=x%3E",
    "#s-%",
]
QUERIES = [
    "?%",
    "?module=%&module=../../etc",
    "?endpoint=%E0%A4%A&actor=%7B&registration=%ZZ&auth=%",
    "?endpoint=javascript%3Aalert(1)&actor=null&activity_id=%00",
    "?fetch=%&activityId=%20&coursepack-debug",
    "?actor=" + "%7B" * 2000,
]
STORED = [
    "{",
    "null",
    "[]",
    '"text"',
    '{"v":1,"section":{"x":1},"opened":"all","tasks":[1,2],"completedAt":"soon"}',
    '{"v":1,"section":"other/s","opened":{"other/r":1},"tasks":{"other/t":{"text":"x","done":true}}}',
    '{"v":1,"tasks":{"%s":{"text":12,"done":"yes","attempts":1e400,"savedAt":-1,"len":1e300}}}',
    '{"v":1,"completedAt":1e400,"tasks":{"%s":null}}',
]


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The example course unpacked for SCORM 1.2, TinCan and cmi5."""
    out = tmp_path_factory.mktemp("hostile")
    result = build_course(REPO / "course", out / "dist", ["scorm12", "xapi", "cmi5"], environ={})
    folders: dict[str, Path] = {}
    for path in result.paths:
        folders[path.stem] = unzip_package(path, out / path.stem)
    assert len(folders) == 3
    return folders


@pytest.fixture
def served(
    sites: dict[str, Path], http_server: Callable[[Path], StaticServer]
) -> Iterator[list[str]]:
    yield [http_server(folder).url for folder in sites.values()]


def open_and_check(page: Page, url: str, errors: list[str]) -> None:
    page.goto(url)
    wait_started(page)
    assert errors == [], f"{url[:200]}: {errors}"
    assert page.evaluate("() => Coursepack.session().mode") == "local"
    assert page.locator(SHOWN).count() == 1, url[:200]


def test_hostile_fragments_and_queries_leave_every_package_working(
    page: Page, served: list[str]
) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    for n, base in enumerate(served):
        # core reads the fragment the same way in every package: the queries differ by adapter
        suffixes = [*FRAGMENTS, *QUERIES] if n == 0 else [*QUERIES, QUERIES[2] + FRAGMENTS[0]]
        for suffix in suffixes:
            open_and_check(page, base + "index.html" + suffix, errors)
        # a fragment changed while the course runs (core handles hashchange)
        for fragment in ("%E0%A4%A", "%", "s-%"):
            page.evaluate(
                """f => new Promise(done => {
                     if (location.hash === "#" + f) location.hash = "other";
                     addEventListener("hashchange", () => setTimeout(done), {once: true});
                     location.hash = f;
                   })""",
                fragment,
            )
        assert errors == []
        # a known section in the fragment still opens it
        last = section_keys(page)[-1]
        dom_id = page.locator(f'[data-cp-section="{last}"]').get_attribute("id")
        open_and_check(page, f"{base}index.html#{dom_id}", errors)
        assert page.locator(VISIBLE).get_attribute("data-cp-section") == last


def test_hostile_saved_state_in_this_browser_leaves_the_course_working(
    page: Page, served: list[str]
) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    base = served[0]  # SCORM 1.2 in local mode keeps its state under <storageKey>:local
    open_and_check(page, base + "index.html", errors)
    key = page.evaluate("() => Coursepack.config.course.storageKey + ':local'")
    task = page.evaluate(
        "() => Coursepack.config.modules[0].sections.flatMap(s => s.items)"
        ".concat(Coursepack.config.modules.flatMap(m => m.sections.flatMap(s => s.items)))"
        ".find(i => i.kind === 'task').key"
    )
    for stored in [*STORED, '{"v":1,"tasks":{"%s":{"text":"' + "y" * 1_000_000 + '"}}}']:
        value = stored.replace("%s", task)
        page.evaluate("([k, v]) => localStorage.setItem(k, v)", [key, value])
        open_and_check(page, base + "index.html", errors)
    # and the learner can still work: complete a task, reload, it is there
    section = page.evaluate(
        "t => Coursepack.config.modules.flatMap(m => m.sections)"
        ".find(s => s.items.some(i => i.key === t)).key",
        task,
    )
    page.locator(f'[data-cp-section-link="{section}"]').click()
    card = page.locator(f'[data-cp-item="{task}"]')
    complete_task(card, "Still working.")
    open_and_check(page, base + "index.html", errors)
    assert page.evaluate(f"() => Coursepack.state().tasks['{task}'].text") == "Still working."


SUSPEND_DATA = [
    "{",
    "not json at all",
    "null",
    "[1,2,3]",
    '{"v":1,"s":{"x":1},"o":["m"],"t":"everything","c":{}}',
    '{"v":1,"s":"other/s","o":{"other":"r1 r2"},"t":{"other":{"t":[1,1,"0",5,"x"]}}}',
    '{"v":1,"t":{"%m":{"%t":[1,1e400,"zzzzzzzzzzzz",-3,12]}},"c":"Infinity"}',
    '{"v":9}',
    "x" * 4000,
]


def test_hostile_suspend_data_and_bookmark_from_the_lms_leave_the_course_working(
    scorm_site: ScormSite, scorm_harness: ScormHarness, example_zip: Path
) -> None:
    folder = scorm_site.add_package(example_zip)
    for suspend in SUSPEND_DATA:
        if "%m" in suspend:
            frame = scorm_harness.open(folder, version="1.2")
            wait_started(frame)
            module, task = frame.evaluate(
                "() => Coursepack.config.modules.flatMap(m => m.sections.flatMap(s => s.items))"
                ".find(i => i.kind === 'task').key.split('/')"
            )
            suspend = suspend.replace("%m", module).replace("%t", task)
        cmi = {
            "core": {
                "entry": "resume",
                "lesson_location": "other/section",
                "lesson_status": "incomplete",
            },
            "suspend_data": suspend,
        }
        frame = scorm_harness.open(folder, version="1.2", cmi=cmi)
        wait_started(frame)
        assert scorm_harness.page_errors == [], suspend[:80]
        assert frame.evaluate("() => Coursepack.session().connected") is True
        assert frame.locator(SHOWN).count() == 1, suspend[:80]
        state = frame.evaluate("() => Coursepack.state()")
        # a known section, or none yet (the course opens on its start page): never garbage
        assert state["section"] in [None, *section_keys(frame)]
        if suspend in ("{", "not json at all", "x" * 4000):  # it did reach the runtime
            warnings = frame.evaluate(
                "() => Coursepack.log.filter(e => e.level === 'warn').map(e => e.message)"
            )
            assert "saved state is not readable; starting afresh" in warnings
