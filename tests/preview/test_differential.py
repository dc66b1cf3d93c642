"""The same learner session under scorm-again (npm, the tests' reference LMS runtime) and under
the preview's own SCORM API: the package makes the same calls, gets the same error codes, and
the LMS ends up storing the same CMI data."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from coursepack.build import build_course
from tests.preview.conftest import StartPreview, course_frame
from tests.runtime.learner import do_section, go_to, section_keys, wait_started
from tests.support.scorm_harness import ScormHarness, ScormSite

if TYPE_CHECKING:
    from playwright.sync_api import Frame, Page

pytestmark = pytest.mark.e2e

# values that depend on the clock: compared by form, not by value
TIMED = re.compile(r"(session_time|total_time|\.time|\.timestamp|\.latency)$")
VERSIONS = {"scorm12": "1.2", "scorm2004-4th": "2004"}


def reflection(key: str) -> str:
    return f"My reflection on {key}: it has 'quotes', <angle brackets> and ünïcödé."


def learner_session(page: Page, frame: Frame) -> None:
    """Every section of the ``coursepack init`` course done (every READ and WATCH opened,
    every TASK completed), then Save and exit: the same steps under both LMSs."""
    for key in section_keys(frame):
        go_to(frame, key)
        do_section(page, frame, reflection)
    frame.locator("[data-cp-exit]").click()


def nested(flat: dict[str, str]) -> dict[str, Any]:
    """The preview's flat CMI ("cmi.core.exit": ...) in scorm-again's JSON shape."""
    root: dict[str, Any] = {}
    for name, value in flat.items():
        parts = name.split(".")[1:] if name.startswith("cmi.") else name.split(".")
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return root


def records(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        return [value[k] for k in sorted(value, key=int) if k.isdigit()]
    return list(value or [])


def stored_cmi(cmi: dict[str, Any], version: str) -> dict[str, Any]:
    """What an LMS keeps of a session, with clock-dependent values reduced to 'set'."""
    if version == "1.2":
        core = cmi["core"]
        kept: dict[str, Any] = {
            k: core.get(k, "") for k in ("lesson_status", "lesson_location", "exit", "entry")
        }
        kept["suspend_data"] = cmi.get("suspend_data", "")
        fields = ("id", "type", "student_response", "result", "time", "latency")
    else:
        kept = {
            k: cmi.get(k, "")
            for k in (
                "completion_status",
                "success_status",
                "location",
                "exit",
                "entry",
                "suspend_data",
                "progress_measure",
            )
        }
        fields = ("id", "type", "description", "learner_response", "result", "timestamp", "latency")
    if kept["suspend_data"]:
        kept["suspend_data"] = saved_state(kept["suspend_data"])
    kept["interactions"] = [
        {f: ("set" if TIMED.search("." + f) and r.get(f) else r.get(f, "")) for f in fields}
        for r in records(cmi.get("interactions"))
    ]
    return kept


def saved_state(text: str) -> Any:
    """The runtime's suspend_data with its times (savedAt, completedAt) reduced to 'set'."""
    state = json.loads(text)
    for tasks in state.get("t", {}).values():
        for entry in tasks.values():
            entry[2] = "set" if entry[2] != "0" else "0"
    if "c" in state:
        state["c"] = "set"
    return state


def call_trace(log: list[dict[str, Any]]) -> list[tuple[str, str, str | None]]:
    """(method, element, error code) of every call; values are left out (times differ)."""
    trace = []
    for entry in log:
        element = str(entry["args"][0]) if entry["args"] else ""
        trace.append((entry["method"], element, entry["error"]))
    return trace


@pytest.mark.parametrize("target", ["scorm12", "scorm2004-4th"])
def test_same_learner_session_stores_the_same_cmi_under_scorm_again_and_the_preview(
    tmp_path: Path,
    course: Path,
    target: str,
    scorm_site: ScormSite,
    scorm_harness: ScormHarness,
    wide_page: Page,
    preview: StartPreview,
) -> None:
    version = VERSIONS[target]
    # scorm-again
    (zip_path,) = build_course(course, tmp_path / "dist", [target], environ={}).paths
    folder = scorm_site.add_package(zip_path)
    page = scorm_harness.page
    page.set_viewport_size({"width": 1200, "height": 900})
    frame = scorm_harness.open(folder, version=version)  # type: ignore[arg-type]
    wait_started(frame)
    learner_session(page, frame)
    finish = "LMSFinish" if version == "1.2" else "Terminate"
    scorm_harness.wait_for_call(finish)
    reference = stored_cmi(scorm_harness.cmi(), version)
    reference_trace = call_trace(scorm_harness.log())
    assert scorm_harness.errors() == []

    # the preview
    running = preview(course, target, watch=False)
    wide_page.goto(running.url)
    frame = course_frame(wide_page)
    tasks = frame.evaluate(
        "() => Object.values(Coursepack.config.modules).flatMap(m => m.sections)"
        ".flatMap(s => s.items).filter(i => i.kind === 'task').length"
    )
    learner_session(wide_page, frame)
    wide_page.wait_for_function(
        "m => window.previewState.calls.some(c => c.method === m)", arg=finish
    )
    key = wide_page.evaluate(
        "() => Object.keys(localStorage).find(k => k.startsWith('coursepack-preview:'))"
    )
    stored = json.loads(wide_page.evaluate("k => localStorage.getItem(k)", key))
    ours = stored_cmi(nested(stored["data"]), version)
    ours["exit"] = stored["exit"]  # write-only: kept beside the data by the preview
    our_trace = call_trace(wide_page.evaluate("() => window.previewState.calls"))

    assert ours == reference
    assert our_trace == reference_trace
    assert len(ours["interactions"]) == tasks
    if version == "2004":  # the LMS acts on the exit's navigation request: it closes the SCO
        wide_page.locator("#pv-closed").wait_for(state="visible")
        request = stored["data"]["adl.nav.request"]
        assert request in ("exitAll", "suspendAll")
        assert f"adl.nav.request = {request}" in wide_page.locator("#pv-closed-text").inner_text()
