"""The preview's SCORM LMS APIs (assets/lms-scorm.js) answer as a strict LMS does: the error
codes of SCORM 1.2 and 2004 for names, access, vocabularies, types, ranges and limits."""

from __future__ import annotations

from collections.abc import Iterator
from importlib import resources
from typing import TYPE_CHECKING, Any

import pytest

from tests.support.browser import new_context

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.e2e

SCRIPT = (resources.files("coursepack.preview") / "assets" / "lms-scorm.js").read_text("utf-8")

RUN = """([version, calls, stored]) => {
  const lms = PreviewSCORM.create(version, { stored });
  const api = lms.api;
  const last = version === "1.2" ? "LMSGetLastError" : "GetLastError";
  return calls.map(([method, ...args]) => {
    const result = api[method](...args);
    return [result, api[last]()];
  });
}"""


@pytest.fixture(scope="module")
def page(browser: Browser) -> Iterator[Page]:
    """One page holding lms-scorm.js for the module: every check creates its own API."""
    with new_context(browser) as context:
        lms_page = context.new_page()
        lms_page.set_content("<!doctype html><title>lms</title>")
        lms_page.add_script_tag(content=SCRIPT)
        yield lms_page


def run(page: Page, version: str, calls: list[list[Any]], stored: Any = None) -> list[list[str]]:
    result: list[list[str]] = page.evaluate(RUN, [version, calls, stored])
    return result


S12 = "LMSSetValue"
G12 = "LMSGetValue"

CASES_12: list[tuple[str, list[Any], str]] = [
    ("unknown element", [G12, "cmi.core.lesson_stat"], "201"),
    ("read-only element", [S12, "cmi.core.student_id", "x"], "403"),
    ("write-only element", [G12, "cmi.core.exit"], "404"),
    ("keyword set", [S12, "cmi.core._children", "x"], "402"),
    ("children of a leaf", [G12, "cmi.core.lesson_status._children"], "202"),
    ("count of a non-array", [G12, "cmi.core._count"], "203"),
    ("status vocabulary", [S12, "cmi.core.lesson_status", "done"], "405"),
    ("'not attempted' is the LMS's", [S12, "cmi.core.lesson_status", "not attempted"], "405"),
    ("exit vocabulary", [S12, "cmi.core.exit", "normal"], "405"),
    ("score out of 0..100", [S12, "cmi.core.score.raw", "101"], "405"),
    ("score not a number", [S12, "cmi.core.score.raw", "high"], "405"),
    ("timespan format", [S12, "cmi.core.session_time", "PT1M"], "405"),
    ("suspend_data over 4096", [S12, "cmi.suspend_data", "x" * 4097], "405"),
    ("lesson_location over 255", [S12, "cmi.core.lesson_location", "x" * 256], "405"),
    ("interaction out of order", [S12, "cmi.interactions.1.id", "a"], "201"),
    ("interaction id with a space", [S12, "cmi.interactions.0.id", "a b"], "405"),
    ("interaction result is 1.2's 'wrong'", [S12, "cmi.interactions.0.result", "incorrect"], "405"),
    ("suspend_data of 4096 fits", [S12, "cmi.suspend_data", "x" * 4096], "0"),
    ("timespan", [S12, "cmi.core.session_time", "0001:02:03.45"], "0"),
    ("version", [G12, "cmi._version"], "0"),
]


@pytest.mark.parametrize(("why", "call", "code"), CASES_12, ids=[c[0] for c in CASES_12])
def test_scorm12_api_error_code(page: Page, why: str, call: list[Any], code: str) -> None:
    results = run(page, "1.2", [["LMSInitialize", ""], call])
    assert results[0] == ["true", "0"]
    assert results[1][1] == code, why


def test_scorm12_lifecycle_codes_before_init_and_after_finish(page: Page) -> None:
    results = run(
        page,
        "1.2",
        [
            [G12, "cmi.core.lesson_status"],
            ["LMSCommit", ""],
            ["LMSInitialize", "x"],
            ["LMSInitialize", ""],
            ["LMSInitialize", ""],
            ["LMSFinish", ""],
            [G12, "cmi.core.lesson_status"],
            ["LMSFinish", ""],
        ],
    )
    assert [code for _, code in results] == ["301", "301", "201", "0", "101", "0", "101", "101"]


def test_scorm12_interactions_are_a_write_only_journal_with_a_readable_count(page: Page) -> None:
    results = run(
        page,
        "1.2",
        [
            ["LMSInitialize", ""],
            [S12, "cmi.interactions.0.id", "task_1"],
            [S12, "cmi.interactions.0.type", "fill-in"],
            [S12, "cmi.interactions.0.student_response", "x" * 256],
            [S12, "cmi.interactions.0.student_response", "an answer"],
            [G12, "cmi.interactions._count"],
            [G12, "cmi.interactions.0.id"],
            [S12, "cmi.interactions.0.time", "25:00:00"],
        ],
    )
    assert [code for _, code in results] == ["0", "0", "0", "405", "0", "0", "404", "405"]
    assert results[5][0] == "1"


def test_scorm12_relaunch_after_suspend_resumes_with_the_stored_data(page: Page) -> None:
    values = page.evaluate(
        """() => {
      let stored = null;
      const first = PreviewSCORM.create("1.2", { onStore: s => { stored = s; } }).api;
      first.LMSInitialize("");
      first.LMSSetValue("cmi.suspend_data", "state");
      first.LMSSetValue("cmi.core.exit", "suspend");
      first.LMSSetValue("cmi.core.session_time", "0000:01:00.00");
      first.LMSFinish("");
      const second = PreviewSCORM.create("1.2", { stored }).api;
      second.LMSInitialize("");
      return ["cmi.core.entry", "cmi.suspend_data", "cmi.core.total_time"].map(
        e => second.LMSGetValue(e));
    }"""
    )
    assert values == ["resume", "state", "0000:01:00.00"]


def test_scorm12_keeps_a_longer_suspend_data_only_as_the_profiles_lms_does(page: Page) -> None:
    """Moodle with "SCORM standards mode" off (the Moodle profile) keeps 64,000 characters;
    every other profile's emulated LMS keeps the standard's 4,096 and answers 405."""
    codes = page.evaluate(
        """() => [[undefined, 4096], [undefined, 4097], [64000, 64000], [64000, 64001]].map(
        ([limit, length]) => {
          const api = PreviewSCORM.create("1.2", { suspendDataLimit: limit }).api;
          api.LMSInitialize("");
          api.LMSSetValue("cmi.suspend_data", "x".repeat(length));
          return [api.LMSGetLastError(), api.LMSGetValue("cmi.suspend_data").length];
        })"""
    )
    assert codes == [["0", 4096], ["405", 0], ["0", 64000], ["405", 0]]


S04 = "SetValue"
G04 = "GetValue"

CASES_2004: list[tuple[str, list[Any], str]] = [
    ("undefined element", [G04, "cmi.core.lesson_status"], "401"),
    ("read-only element", [S04, "cmi.learner_id", "x"], "404"),
    ("write-only element", [G04, "cmi.exit"], "405"),
    ("keyword set", [S04, "cmi.score._children", "x"], "404"),
    ("completion vocabulary", [S04, "cmi.completion_status", "passed"], "406"),
    ("progress_measure out of range", [S04, "cmi.progress_measure", "1.5"], "407"),
    ("scaled score out of range", [S04, "cmi.score.scaled", "-2"], "407"),
    ("duration format", [S04, "cmi.session_time", "0000:01:00"], "406"),
    ("value not initialized", [G04, "cmi.score.raw"], "403"),
    ("interaction before its id", [S04, "cmi.interactions.0.type", "other"], "408"),
    ("interaction out of order", [S04, "cmi.interactions.3.id", "urn:x"], "351"),
    ("suspend_data over 64000", [S04, "cmi.suspend_data", "x" * 64001], "406"),
    ("nav request vocabulary", [S04, "adl.nav.request", "leave"], "406"),
    ("nav request choice", [S04, "adl.nav.request", "{target=sco-1}choice"], "0"),
    ("empty element", [G04, ""], "301"),
    ("duration", [S04, "cmi.session_time", "PT1H2M3.5S"], "0"),
]


@pytest.mark.parametrize(("why", "call", "code"), CASES_2004, ids=[c[0] for c in CASES_2004])
def test_scorm2004_api_error_code(page: Page, why: str, call: list[Any], code: str) -> None:
    results = run(page, "2004", [["Initialize", ""], call])
    assert results[0] == ["true", "0"]
    assert results[1][1] == code, why


def test_scorm2004_lifecycle_codes_before_init_and_after_terminate(page: Page) -> None:
    results = run(
        page,
        "2004",
        [
            [G04, "cmi.location"],
            [S04, "cmi.location", "x"],
            ["Commit", ""],
            ["Terminate", ""],
            ["Initialize", ""],
            ["Initialize", ""],
            ["Terminate", ""],
            [G04, "cmi.location"],
            [S04, "cmi.location", "x"],
            ["Commit", ""],
            ["Terminate", ""],
            ["Initialize", ""],
        ],
    )
    codes = [code for _, code in results]
    assert codes == ["122", "132", "142", "112", "0", "103", "0", "123", "133", "143", "113", "104"]


def test_scorm2004_interaction_response_is_checked_against_its_type(page: Page) -> None:
    base = "cmi.interactions.0."
    results = run(
        page,
        "2004",
        [
            ["Initialize", ""],
            [S04, base + "id", "https://example.org/task"],
            [S04, base + "learner_response", "x"],
            [S04, base + "type", "true-false"],
            [S04, base + "learner_response", "yes"],
            [S04, base + "learner_response", "true"],
            [S04, base + "result", "wrong"],
            [S04, base + "result", "incorrect"],
            [G04, "cmi.interactions._count"],
        ],
    )
    assert [code for _, code in results] == ["0", "0", "408", "0", "406", "0", "406", "0", "0"]
    assert results[-1][0] == "1"


def test_scorm2004_normal_exit_starts_a_new_attempt(page: Page) -> None:
    values = page.evaluate(
        """() => {
      let stored = null;
      const first = PreviewSCORM.create("2004", { onStore: s => { stored = s; } }).api;
      first.Initialize("");
      first.SetValue("cmi.location", "here");
      first.SetValue("cmi.exit", "normal");
      first.Terminate("");
      const second = PreviewSCORM.create("2004", { stored }).api;
      second.Initialize("");
      return [second.GetValue("cmi.entry"), second.GetValue("cmi.location")];
    }"""
    )
    assert values == ["ab-initio", ""]
