"""Seven long reflections (one of 3,000 characters, six of 1,500) under SCORM 1.2 with the
Moodle profile, which probes for a larger cmi.suspend_data once per session.

scorm-again's Scorm12API keeps up to 64,000 characters of cmi.suspend_data, as Moodle does with
its "SCORM standards mode" off: every reflection must come back whole in a fresh browser. A
strict LMS (the same API refusing a value over 4,096 with error 405, as Moodle in standards
mode and strict runtimes do) must get nothing over 4,096 after the refused probe, and the
learner is told which reflections are kept only in this browser.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from coursepack.build import build_course
from coursepack.i18n import strings_for
from tests.runtime.conftest import LONG_COURSE_YAML, long_course_module
from tests.runtime.learner import complete_task, go_to, textareas, wait_started
from tests.support.browser import new_context
from tests.support.scorm_harness import ScormHarness, ScormSite

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Frame, Page

pytestmark = pytest.mark.e2e

EN = strings_for("en")
STANDARD = 4096
MOODLE = 64000

# The API refuses a cmi.suspend_data over 4,096 characters with 405, as a strict LMS does;
# installed on the harness page before scorm-again's API is put on the window.
STRICT_LMS = """
Object.defineProperty(window, "API", {
  configurable: true,
  get() { return window.__strictApi; },
  set(api) {
    const inner = api.LMSSetValue;
    window.strictRefused = [];
    api.LMSSetValue = function (element, value) {
      if (element === "cmi.suspend_data" && String(value).length > 4096) {
        window.strictRefused.push(String(value).length);
        api.throwSCORMError(element, 405);
        return "false";
      }
      return inner.apply(api, arguments);
    };
    window.__strictApi = api;
  },
});
"""


@pytest.fixture(scope="module")
def moodle_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Nine TASKs in three sections, built for SCORM 1.2 with the Moodle profile."""
    root = tmp_path_factory.mktemp("long-moodle")
    (root / "modules").mkdir()
    (root / "course.yaml").write_text(LONG_COURSE_YAML, "utf-8")
    (root / "modules" / "reflect.md").write_text(long_course_module(), "utf-8")
    out = tmp_path_factory.mktemp("long-moodle-build")
    (path,) = build_course(root, out, ["scorm12"], lms="moodle", environ={}).paths
    return path


def write_seven(frame: Frame) -> dict[str, str]:
    """One reflection of 3,000 characters and six of 1,500, each marked complete."""
    keys: list[str] = frame.evaluate(
        "() => Coursepack.config.modules[0].sections.flatMap(s => s.items"
        ".filter(i => i.kind === 'task').map(i => [s.key, i.key]))"
    )
    written: dict[str, str] = {}
    for n, (section, key) in enumerate(keys[:7]):
        length = 3000 if n == 0 else 1500
        line = f"{key}, reflection {n}: what collaboration asks of me and of my team. "
        written[key] = (line * (length // len(line) + 1))[:length]
        go_to(frame, section)
        complete_task(frame.locator(f'[data-cp-item="{key}"]'), written[key])
    return written


def suspend_values(harness: ScormHarness) -> list[str]:
    return [
        e["args"][1] for e in harness.calls("LMSSetValue") if e["args"][0] == "cmi.suspend_data"
    ]


def resume_data(cmi: dict[str, Any]) -> dict[str, Any]:
    core = cmi["core"]
    return {
        "core": {
            "entry": "resume",
            "lesson_location": core["lesson_location"],
            "lesson_status": core["lesson_status"],
        },
        "suspend_data": cmi["suspend_data"],
    }


def test_moodle_profile_keeps_every_long_reflection_where_the_lms_keeps_64000(
    scorm_site: ScormSite, scorm_harness: ScormHarness, moodle_zip: Path, browser: Browser
) -> None:
    folder = scorm_site.add_package(moodle_zip)
    frame = scorm_harness.open(folder, version="1.2")
    wait_started(frame)
    written = write_seven(frame)
    assert frame.evaluate("() => Coursepack.session().omitted") == []
    assert frame.locator("[data-cp-note]:not([hidden])").count() == 0
    scorm_harness.close_content()
    scorm_harness.wait_for_call("LMSFinish")
    assert scorm_harness.errors() == []
    values = suspend_values(scorm_harness)
    assert max(len(v) for v in values) <= MOODLE
    cmi = scorm_harness.cmi()
    stored = cmi["suspend_data"]
    assert STANDARD < len(stored) <= MOODLE, "the texts beyond 4,096 are in the LMS"
    assert len(stored.split("\n")[0]) <= STANDARD, "a cut at 4,096 keeps the first line whole"

    with new_context(browser) as context:
        fresh = ScormHarness(context.new_page(), scorm_site.url)
        frame = fresh.open(folder, version="1.2", cmi=resume_data(cmi))
        wait_started(frame)
        shown = textareas(frame)
        for key, text in written.items():
            assert shown[key] == text, f"{key} whole in a fresh browser"
        assert frame.locator("[data-cp-note]:not([hidden])").count() == 0
        assert fresh.errors() == []


def test_a_strict_lms_gets_nothing_over_4096_and_the_learner_is_told_what_stays_here(
    scorm_site: ScormSite, page: Page, moodle_zip: Path, browser: Browser
) -> None:
    page.add_init_script(STRICT_LMS)
    harness = ScormHarness(page, scorm_site.url)
    folder = scorm_site.add_package(moodle_zip)
    frame = harness.open(folder, version="1.2")
    wait_started(frame)
    written = write_seven(frame)
    # the probe was refused once; after it, every value written fits the standard's budget
    refused = page.evaluate("() => window.strictRefused")
    assert refused == [MOODLE]
    assert max(len(v) for v in suspend_values(harness)) <= STANDARD
    # the refused probe is no problem to report to the learner
    assert frame.locator(".cp-notice--error").count() == 0
    omitted = frame.evaluate("() => Coursepack.session().omitted")
    assert 0 < len(omitted) < 7
    for key in written:
        note = frame.locator(f'[data-cp-item="{key}"] [data-cp-note]')
        if key in omitted:
            assert note.inner_text() == EN["task.savedDeviceOnly"]
        else:
            assert note.is_hidden()
    harness.close_content()
    harness.wait_for_call("LMSFinish")
    assert harness.errors() == []
    cmi = harness.cmi()
    assert len(cmi["suspend_data"]) <= STANDARD

    with new_context(browser) as context:
        other = context.new_page()
        other.add_init_script(STRICT_LMS)
        fresh = ScormHarness(other, scorm_site.url)
        frame = fresh.open(folder, version="1.2", cmi=resume_data(cmi))
        wait_started(frame)
        shown = textareas(frame)
        for key, text in written.items():
            note = frame.locator(f'[data-cp-item="{key}"] [data-cp-note]')
            if key in omitted:
                assert shown[key] == ""
                assert note.inner_text() == EN["task.missingHere"]
            else:
                assert shown[key] == text
        assert max(len(v) for v in suspend_values(fresh)) <= STANDARD
