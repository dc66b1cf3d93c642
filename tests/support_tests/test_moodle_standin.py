"""The Moodle stand-in (harness/moodle-api.js) behaves as Moodle 4.5 does where a package meets
it: nav requests through its sequencer throw on Commit/Terminate, others pass; counts are
numbers; standards mode decides the length limits; review mode still stores and adds time."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import pytest

from tests.support.scorm_harness import HARNESS_FOLDER, ScormSite

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.e2e


def open_standin(
    page: Page, site: ScormSite, version: str, settings: dict[str, Any] | None = None
) -> None:
    """The stand-in's page without a SCO: the test plays the SCO through page.evaluate."""
    query = {"version": version, "lms": "moodle", "settings": json.dumps(settings or {})}
    page.goto(f"{site.url.rstrip('/')}/{HARNESS_FOLDER}/moodle.html?{urlencode(query)}")
    page.wait_for_function("() => window.harnessApi !== undefined")


CALL = """([method, args]) => {
  try { return {result: window.harnessApi[method](...args)}; }
  catch (err) { return {threw: err.name + ': ' + err.message}; }
}"""


def call(page: Page, method: str, *args: Any) -> dict[str, Any]:
    answer: dict[str, Any] = page.evaluate(CALL, [method, list(args)])
    return answer


@pytest.mark.parametrize(
    ("request_", "throws"),
    [
        ("exitAll", True),
        ("exit", True),
        ("abandon", True),
        ("abandonAll", True),
        ("suspendAll", False),
        ("continue", False),
        ("previous", False),
    ],
)
def test_nav_requests_through_the_sequencer_throw_on_commit_and_the_data_is_stored(
    page: Page, scorm_site: ScormSite, request_: str, throws: bool
) -> None:
    open_standin(page, scorm_site, "2004")
    assert call(page, "Initialize", "") == {"result": "true"}
    assert call(page, "SetValue", "cmi.suspend_data", "kept")["result"] == "true"
    call(page, "SetValue", "adl.nav.request", request_)
    answer = call(page, "Commit", "")
    if throws:
        assert answer["threw"].startswith("SyntaxError"), answer
    else:
        assert answer == {"result": "true"}
    assert page.evaluate("() => window.harnessCmi().suspend_data") == "kept"
    # the request is spent: the next Commit answers cleanly
    assert call(page, "Commit", "") == {"result": "true"}


def test_counts_are_numbers_and_standards_mode_sets_the_limits(
    page: Page, scorm_site: ScormSite
) -> None:
    open_standin(page, scorm_site, "1.2")
    call(page, "LMSInitialize", "")
    call(page, "LMSSetValue", "cmi.interactions.0.id", "a")
    assert call(page, "LMSGetValue", "cmi.interactions._count") == {"result": 1}
    assert call(page, "LMSSetValue", "cmi.suspend_data", "x" * 60000)["result"] == "true"
    assert call(page, "LMSSetValue", "cmi.suspend_data", "x" * 64001)["result"] == "false"

    open_standin(page, scorm_site, "1.2", {"standardsMode": True})
    call(page, "LMSInitialize", "")
    assert call(page, "LMSSetValue", "cmi.suspend_data", "x" * 4096)["result"] == "true"
    assert call(page, "LMSSetValue", "cmi.suspend_data", "x" * 4097)["result"] == "false"
    assert call(page, "LMSGetLastError") == {"result": "405"}


def test_review_mode_still_stores_and_terminate_adds_the_session_time(
    page: Page, scorm_site: ScormSite
) -> None:
    open_standin(page, scorm_site, "2004")
    page.evaluate("() => window.harnessApi.loadFromJSON({mode: 'review', total_time: 'PT60S'})")
    call(page, "Initialize", "")
    assert call(page, "GetValue", "cmi.mode") == {"result": "review"}
    assert call(page, "SetValue", "cmi.session_time", "PT30S")["result"] == "true"
    call(page, "Terminate", "")
    assert page.evaluate("() => window.harnessCmi().total_time") == "PT90.00S"
