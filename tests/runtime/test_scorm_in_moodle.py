"""SCORM packages in the Moodle stand-in (tests/support/harness/moodle-api.js), in Chromium.

Built with ``--lms moodle`` and with the default profile (what most admins upload), a package
ends its session cleanly there with the learner's data stored. When Moodle's API throws (an
HTML notice in the answer to a request), the page keeps working, keeps the work in this
browser and tells the learner plainly instead of "Your progress is saved".
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from coursepack.build import build_course
from coursepack.i18n import strings_for
from tests.runtime.learner import complete_task, go_to, wait_started
from tests.support.scorm_harness import ScormHarness, ScormSite, Version

if TYPE_CHECKING:
    from playwright.sync_api import Frame

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
EN = strings_for("en")
VERSIONS: dict[str, Version] = {"scorm12": "1.2", "scorm2004-3rd": "2004", "scorm2004-4th": "2004"}
FINISH = {"1.2": "LMSFinish", "2004": "Terminate"}
SET = {"1.2": "LMSSetValue", "2004": "SetValue"}


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Path]:
    """build(target, lms=None) -> the example course's zip, built once per (target, lms)."""
    out = tmp_path_factory.mktemp("moodle-packages")
    built: dict[tuple[str, str | None], Path] = {}

    def build(target: str, lms: str | None = None) -> Path:
        if (target, lms) not in built:
            folder = out / f"{target}-{lms or 'default'}"
            (built[(target, lms)],) = build_course(REPO / "course", folder, [target], lms, {}).paths
        return built[(target, lms)]

    return build


def task_keys(frame: Frame) -> list[str]:
    keys: list[str] = frame.evaluate(
        """() => Coursepack.config.modules.flatMap(m => m.sections.flatMap(
               s => s.items.filter(i => i.kind === 'task').map(i => i.key)))"""
    )
    return keys


def do_task(frame: Frame, key: str, text: str) -> None:
    section: str = frame.evaluate(
        """key => Coursepack.config.modules.flatMap(m => m.sections)
               .find(s => s.items.some(i => i.key === key)).key""",
        key,
    )
    if frame.locator(f'section[data-cp-section="{section}"]').is_hidden():
        go_to(frame, section)
    complete_task(frame.locator(f'[data-cp-item="{key}"]'), text)


def reflection(n: int) -> str:
    return f"Reflection {n} for Moodle: what we learnt together."


def notices(frame: Frame) -> list[str]:
    texts: list[str] = frame.locator("[data-cp-notices] .cp-notice__text").all_inner_texts()
    return texts


def incidents(frame: Frame) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = frame.evaluate("() => CoursepackScorm.incidents.slice()")
    return found


def stored_texts(cmi: dict[str, Any]) -> list[str]:
    """The reflections held in the stored suspend_data (see docs/runtime.md, State budget)."""
    packed = json.loads(cmi["suspend_data"])
    return [
        entry[4]
        for tasks in packed.get("t", {}).values()
        for entry in tasks.values()
        if len(entry) > 4
    ]


@pytest.mark.parametrize(
    ("target", "lms", "standards_mode"),
    [
        ("scorm12", None, False),
        ("scorm12", None, True),
        ("scorm12", "moodle", False),
        ("scorm2004-3rd", None, False),
        ("scorm2004-4th", "moodle", False),
    ],
)
def test_a_package_built_for_moodle_or_by_default_ends_cleanly_in_moodle_with_data_stored(
    target: str,
    lms: str | None,
    standards_mode: bool,
    packages: Callable[..., Path],
    scorm_site: ScormSite,
    scorm_harness: ScormHarness,
) -> None:
    version = VERSIONS[target]
    folder = scorm_site.add_package(packages(target, lms))
    # Moodle's "SCORM standards mode" off (a new install) or on (1.2's 4,096 and 255 enforced)
    settings = {"standardsMode": standards_mode}
    frame = scorm_harness.open(folder, version=version, lms="moodle", settings=settings)
    wait_started(frame)
    keys = task_keys(frame)
    for n, key in enumerate(keys, start=1):
        do_task(frame, key, reflection(n))
    frame.locator("[data-cp-exit]").click()
    scorm_harness.wait_for_call(FINISH[version])

    assert scorm_harness.page_errors == []
    assert [c for c in scorm_harness.log() if "threw" in c] == []
    assert scorm_harness.errors() == []
    assert incidents(frame) == []
    assert EN["exit.done"] in notices(frame)
    cmi = scorm_harness.cmi()
    if version == "1.2":
        assert cmi["core"]["lesson_status"] == "completed"
        assert cmi["core"]["exit"] == "suspend"
    else:
        assert cmi["completion_status"] == "completed"
        assert cmi["exit"] == "suspend"
        requests = [
            c["args"][1]
            for c in scorm_harness.calls("SetValue")
            if c["args"][0] == "adl.nav.request"
        ]
        assert requests == ["suspendAll"]
    assert sorted(stored_texts(cmi)) == sorted(reflection(n) for n in range(1, len(keys) + 1))
    assert len(cmi["interactions"]) == len(keys)


@pytest.mark.parametrize("version", ["1.2", "2004"])
def test_an_api_that_throws_never_breaks_the_page_keeps_the_work_and_says_so_plainly(
    version: Version,
    packages: Callable[..., Path],
    scorm_site: ScormSite,
    scorm_harness: ScormHarness,
) -> None:
    target = "scorm12" if version == "1.2" else "scorm2004-3rd"
    folder = scorm_site.add_package(packages(target))
    # every Commit and Terminate answer holds an HTML notice: Moodle's script throws on it
    frame = scorm_harness.open(
        folder,
        version=version,
        lms="moodle",
        settings={"noticeInAnswers": True},
    )
    wait_started(frame)
    first, second, *_ = task_keys(frame)
    do_task(frame, first, "Kept whatever the platform says")
    assert EN["notice.lmsUnconfirmed"] in notices(frame)
    # the page still works: the next task completes as usual
    do_task(frame, second, "Still working")
    frame.locator("[data-cp-exit]").click()
    scorm_harness.wait_for_call(FINISH[version])
    frame.wait_for_function(
        """text => [...document.querySelectorAll('.cp-notice__text')]
               .some(n => n.textContent === text)""",
        arg=EN["exit.unconfirmed"],
    )

    assert scorm_harness.page_errors == []
    assert frame.evaluate("() => Coursepack.session().unconfirmed") is True
    shown = notices(frame)
    assert EN["exit.done"] not in shown
    threw = {c["method"] for c in scorm_harness.log() if "threw" in c}
    assert threw == {"LMSCommit" if version == "1.2" else "Commit", FINISH[version]}
    assert {i["kind"] for i in incidents(frame)} == {"threw"}
    # this browser keeps both reflections, whatever the LMS did with them
    device = frame.evaluate("() => Object.keys(localStorage).map(k => localStorage[k]).join('')")
    assert "Kept whatever the platform says" in device and "Still working" in device
    # the data reached the stand-in all the same (as it did in the real Moodle)
    assert "Still working" in scorm_harness.cmi()["suspend_data"]
    assert frame.evaluate("() => Coursepack.state().tasks").keys() >= {first, second}
    sets = [c for c in scorm_harness.calls(SET[version]) if c["result"] != "true"]
    assert sets == []
