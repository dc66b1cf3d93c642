"""A learner takes the example course as SCORM 2004 packages under scorm-again's Scorm2004API.

The harness plays the LMS (tests/support/scorm_harness.py) and logs every API call with the
GetLastError that followed it, so "no API errors" means every call the runtime made was
accepted by scorm-again's data-model checks.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from coursepack.build import build_course
from coursepack.pipeline import load_course
from coursepack.xapi import vocab
from tests.runtime.learner import begin
from tests.support.browser import new_context
from tests.support.lrs import RalphLRS
from tests.support.scorm_harness import ScormHarness, ScormSite
from tests.support.xapi_validation import validate_statements
from tests.xapi.conftest import ACTOR_HOME, dual_course
from tests.xapi.helpers import wait_sent

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Frame

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
EDITIONS = ["scorm2004-3rd", "scorm2004-4th"]
ISO_DURATION = re.compile(r"^PT(\d+H)?(\d+M)?\d+(\.\d{1,2})?S$")


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Path]:
    """build(target, lms=None) -> the zip, built once per (target, profile)."""
    out = tmp_path_factory.mktemp("scorm2004-packages")
    built: dict[tuple[str, str | None], Path] = {}

    def build(target: str, lms: str | None = None) -> Path:
        if (target, lms) not in built:
            result = build_course(REPO / "course", out / (lms or "default"), [target], lms, {})
            (built[(target, lms)],) = result.paths
        return built[(target, lms)]

    return build


def wait_ready(frame: Frame) -> None:
    frame.wait_for_function("() => window.Coursepack && window.Coursepack.started")


def task_keys(frame: Frame) -> list[str]:
    keys: list[str] = frame.evaluate(
        """() => Coursepack.config.modules.flatMap(m => m.sections.flatMap(
               s => s.items.filter(i => i.kind === 'task').map(i => i.key)))"""
    )
    return keys


def section_of(frame: Frame, key: str) -> str:
    section: str = frame.evaluate(
        """key => Coursepack.config.modules.flatMap(m => m.sections)
               .find(s => s.items.some(i => i.key === key)).key""",
        key,
    )
    return section


def complete_task(frame: Frame, key: str, text: str) -> None:
    """Open the TASK's section from the table of contents, write, and mark it complete."""
    frame.locator(f'[data-cp-section-link="{section_of(frame, key)}"]').click()
    card = frame.locator(f'[data-cp-item="{key}"]')
    card.locator("textarea").fill(text)
    card.get_by_role("button", name="Mark complete").click()
    frame.wait_for_function(
        "key => Coursepack.state().tasks[key] && Coursepack.state().tasks[key].done", arg=key
    )


def save_and_exit(frame: Frame, harness: ScormHarness) -> None:
    frame.locator("[data-cp-exit]").click()
    harness.wait_for_call("Terminate")


def set_values(harness: ScormHarness) -> list[tuple[str, str]]:
    return [(c["args"][0], c["args"][1]) for c in harness.calls("SetValue")]


def interactions(cmi: dict[str, Any]) -> list[dict[str, Any]]:
    found = cmi.get("interactions") or {}
    if isinstance(found, dict):
        found = found.get("childArray", [found[k] for k in sorted(found, key=int)])
    return list(found)


def lms_interaction(entry: dict[str, Any]) -> dict[str, Any]:
    """An interaction as an LMS hands it back on a resume (the fields the SCO wrote)."""
    fields = ("id", "type", "timestamp", "learner_response", "result", "latency", "description")
    return {name: entry[name] for name in fields if entry.get(name)}


def reflection(n: int) -> str:
    return f"Reflection {n}: we collaborate with partners\nacross teams (line two)."


@pytest.mark.parametrize("target", EDITIONS)
def test_learner_completes_the_ungraded_course_with_statuses_interactions_and_no_api_error(
    target: str, packages: Callable[..., Path], scorm_site: ScormSite, scorm_harness: ScormHarness
) -> None:
    folder = scorm_site.add_package(packages(target))
    frame = scorm_harness.open(folder, version="2004")
    wait_ready(frame)
    keys = task_keys(frame)
    assert keys
    for n, key in enumerate(keys, start=1):
        complete_task(frame, key, reflection(n))
    save_and_exit(frame, scorm_harness)

    assert scorm_harness.errors() == []
    assert scorm_harness.page_errors == []
    # scorm-again only notes that it has no sequencing to apply the exit request to (level 3)
    assert [m for m in scorm_harness.messages() if m["level"] >= 4] == []
    cmi = scorm_harness.cmi()
    assert cmi["completion_status"] == "completed"
    assert cmi["success_status"] == "unknown"  # ungraded: never passed/failed
    assert float(cmi["progress_measure"]) == 1.0
    assert cmi["exit"] == "suspend"  # completed, and kept for the learner to come back to
    assert ISO_DURATION.match(cmi["session_time"]), cmi["session_time"]

    written = set_values(scorm_harness)
    elements = [element for element, _ in written]
    assert "cmi.success_status" not in elements
    assert not [e for e in elements if e.startswith("cmi.score")]
    # explicit exit of a completed course: a request every LMS can take (Moodle breaks on
    # exitAll)
    assert ("adl.nav.request", "suspendAll") in written
    assert not [v for e, v in written if e == "adl.nav.request" and v != "suspendAll"]
    # incomplete from the start, completed once, never back
    statuses = [v for e, v in written if e == "cmi.completion_status"]
    assert statuses == ["incomplete", "completed"]
    assert scorm_harness.calls("Initialize")[0]["result"] == "true"
    calls = [c["method"] for c in scorm_harness.log() if c["error"] is not None]
    assert calls[-2:] == ["Commit", "Terminate"]

    recorded = interactions(cmi)
    assert len(recorded) == len(keys)
    iris = frame.evaluate("keys => keys.map(k => Coursepack.item(k).iri)", keys)
    for n, (entry, iri) in enumerate(zip(recorded, iris, strict=True), start=1):
        assert entry["id"] == iri
        assert entry["type"] == "long-fill-in"
        assert entry["result"] == "neutral"
        # one line in SCORM (line breaks are refused); the full text stays in the state
        assert entry["learner_response"] == reflection(n).replace("\n", " ")


def test_a_suspended_learner_resumes_with_location_reflections_and_interactions(
    packages: Callable[..., Path],
    scorm_site: ScormSite,
    scorm_harness: ScormHarness,
    browser: Browser,
) -> None:
    folder = scorm_site.add_package(packages("scorm2004-3rd"))
    frame = scorm_harness.open(folder, version="2004")
    wait_ready(frame)
    first, second, *_ = task_keys(frame)
    complete_task(frame, first, "First session reflection")
    save_and_exit(frame, scorm_harness)
    assert scorm_harness.errors() == []
    cmi = scorm_harness.cmi()
    assert cmi["exit"] == "suspend"
    assert cmi["completion_status"] == "incomplete"
    assert ("adl.nav.request", "suspendAll") in set_values(scorm_harness)
    assert len(cmi["suspend_data"]) <= 64000
    saved = {
        "entry": "resume",
        "location": cmi["location"],
        "suspend_data": cmi["suspend_data"],
        "completion_status": "incomplete",
        "interactions": [lms_interaction(e) for e in interactions(cmi)],
    }

    # A new browser (no device copy in localStorage): everything comes from the LMS.
    with new_context(browser) as context:
        harness = ScormHarness(context.new_page(), scorm_site.url)
        frame = harness.open(folder, version="2004", cmi=saved)
        wait_ready(frame)
        assert frame.evaluate("() => Coursepack.session().resumed") is True
        begin(frame)  # "Continue where you left off"
        card = frame.locator(f'[data-cp-item="{first}"]')
        assert card.locator("textarea").input_value() == "First session reflection"
        assert card.get_attribute("data-done") is not None
        complete_task(frame, second, "Second session reflection")
        save_and_exit(frame, harness)
        assert harness.errors() == []
        resumed = harness.cmi()
        # the first TASK's interaction was kept; the second one was added after it
        ids = [entry["id"] for entry in interactions(resumed)]
        assert len(ids) == 2 and len(set(ids)) == 2
        assert interactions(resumed)[0]["learner_response"] == "First session reflection"


def test_long_and_brace_led_reflections_fit_the_4000_character_long_fill_in(
    packages: Callable[..., Path], scorm_site: ScormSite, scorm_harness: ScormHarness
) -> None:
    folder = scorm_site.add_package(packages("scorm2004-4th"))
    frame = scorm_harness.open(folder, version="2004")
    wait_ready(frame)
    first, second, *_ = task_keys(frame)
    complete_task(frame, first, "x" * 5000)
    complete_task(frame, second, "{lang=en} starts like a delimiter")
    assert scorm_harness.errors() == []
    responses = [entry["learner_response"] for entry in interactions(scorm_harness.cmi())]
    assert responses[0] == "x" * 4000  # responseLimit from config.target
    assert responses[1].strip() == "{lang=en} starts like a delimiter"
    assert frame.evaluate("() => Coursepack.config.target.responseLimit") == 4000


def test_moodle_profile_keeps_a_completed_course_resumable(
    packages: Callable[..., Path], scorm_site: ScormSite, scorm_harness: ScormHarness
) -> None:
    folder = scorm_site.add_package(packages("scorm2004-3rd", "moodle"))
    frame = scorm_harness.open(folder, version="2004")
    wait_ready(frame)
    for key in task_keys(frame):
        complete_task(frame, key, "done")
    save_and_exit(frame, scorm_harness)
    assert scorm_harness.errors() == []
    cmi = scorm_harness.cmi()
    assert cmi["completion_status"] == "completed"
    assert cmi["exit"] == "suspend"
    assert ("adl.nav.request", "suspendAll") in set_values(scorm_harness)


def test_dual_tracked_scorm2004_package_reports_the_lms_learner_to_the_lrs(
    scorm_site: ScormSite, scorm_harness: ScormHarness, lrs: RalphLRS, tmp_path: Path
) -> None:
    root = dual_course(tmp_path / "course", lrs.endpoint)
    environ = {"COURSEPACK_LRS_USERNAME": lrs.username, "COURSEPACK_LRS_PASSWORD": lrs.password}
    (zip_path,) = build_course(root, tmp_path / "dist", ["scorm2004-3rd"], environ=environ).paths
    frame = scorm_harness.open(scorm_site.add_package(zip_path), version="2004")
    wait_ready(frame)
    for n, key in enumerate(task_keys(frame), start=1):
        complete_task(frame, key, reflection(n))
    save_and_exit(frame, scorm_harness)
    assert scorm_harness.errors() == []
    wait_sent(frame)

    course = load_course(root, environ)
    # the learner of the harness LMS: cmi.learner_id "learner-1"
    statements = lrs.statements(
        registration=vocab.scorm_registration(course, ACTOR_HOME, "learner-1")
    )
    assert validate_statements(statements) == []
    assert {s["actor"]["account"]["name"] for s in statements} == {"learner-1"}
    course_verbs = [s["verb"]["id"] for s in statements if s["object"]["id"] == course.id]
    assert course_verbs[0] == vocab.VERBS["initialized"]
    assert vocab.VERBS["completed"] in course_verbs
    assert course_verbs[-1] == vocab.VERBS["terminated"]
    # the LRS has each reflection whole (SCORM has them on one line)
    responses = {s["result"]["response"] for s in statements if "response" in s.get("result", {})}
    assert reflection(1) in responses
