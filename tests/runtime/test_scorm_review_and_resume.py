"""Review mode, resume to the item and the progress score, in Chromium, under both SCORM
versions: scorm-again's APIs (and the Moodle stand-in for review) in the harness page.

- Review (1.2 ``cmi.core.lesson_mode``, 2004 ``cmi.mode`` = review or browse, set by the
  parent page): the learner sees their work read-only with a note, and the package writes
  nothing back (no SetValue, no Commit, no session_time): the LMS's total time stays.
- Resume: the bookmark names the item the learner was working on; the next launch shows its
  section, scrolls to it and moves the focus to it.
- ``score: progress``: the percent done is the score (raw/min/max, scaled in 2004), which
  scorm-again's data model accepts; never passed or failed.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pytest

from coursepack.build import build_course
from coursepack.i18n import strings_for
from tests.runtime.learner import begin, complete_task, go_to, wait_started
from tests.support.scorm_harness import Lms, ScormHarness, ScormSite, Version

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Frame, Page

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
EN = strings_for("en")
Motion = Literal["reduce", "no-preference"]
TARGET = {"1.2": "scorm12", "2004": "scorm2004-4th"}
NAMES: dict[str, dict[str, str]] = {
    "1.2": {
        "init": "LMSInitialize",
        "get": "LMSGetValue",
        "set": "LMSSetValue",
        "commit": "LMSCommit",
        "finish": "LMSFinish",
        "last": "LMSGetLastError",
        "string": "LMSGetErrorString",
    },
    "2004": {
        "init": "Initialize",
        "get": "GetValue",
        "set": "SetValue",
        "commit": "Commit",
        "finish": "Terminate",
        "last": "GetLastError",
        "string": "GetErrorString",
    },
}


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Path]:
    """build(version, score=None) -> the example course's zip for that SCORM version."""
    out = tmp_path_factory.mktemp("review-resume")
    built: dict[tuple[str, str | None], Path] = {}

    def build(version: str, score: str | None = None) -> Path:
        if (version, score) not in built:
            course = out / f"course-{score}"
            if not course.exists():
                shutil.copytree(REPO / "course", course)
                if score:
                    yaml = course / "course.yaml"
                    yaml.write_text(yaml.read_text("utf-8") + f"score: {score}\n", "utf-8")
            dist = out / f"dist-{version}-{score}"
            (built[(version, score)],) = build_course(
                course, dist, [TARGET[version]], None, {}
            ).paths
        return built[(version, score)]

    return build


@contextmanager
def other_device(browser: Browser, motion: Motion = "reduce") -> Iterator[Page]:
    """A page in a separate browser context (own storage): another device, whose learner may
    prefer reduced motion ("reduce": the jump to the item is then instant)."""
    context = browser.new_context(reduced_motion=motion)
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def reduced_motion_page(browser: Browser) -> Iterator[Page]:
    with other_device(browser) as page:
        yield page


# whether an item's card is at the top of the view, just below the sticky header
AT_THE_TOP = """key => {
  const card = document.querySelector(`[data-cp-item="${key}"]`);
  const pad = parseFloat(getComputedStyle(document.documentElement).scrollPaddingTop);
  return Math.abs(card.getBoundingClientRect().top - pad) < 2;
}"""


def tasks_by_section(frame: Frame) -> list[tuple[str, list[str]]]:
    found: list[tuple[str, list[str]]] = frame.evaluate(
        """() => Coursepack.config.modules.flatMap(m => m.sections).map(s =>
               [s.key, s.items.filter(i => i.kind === 'task').map(i => i.key)])"""
    )
    return found


def resume_cmi(version: str, cmi: dict[str, Any], mode: str | None = None) -> dict[str, Any]:
    """What an LMS hands back at the next launch, in the mode it opens the attempt in."""
    if version == "1.2":
        core: dict[str, Any] = {
            "entry": "resume",
            "lesson_location": cmi["core"]["lesson_location"],
            "lesson_status": cmi["core"]["lesson_status"],
        }
        if mode:
            core["lesson_mode"] = mode
        return {"core": core, "suspend_data": cmi["suspend_data"]}
    data = {
        "entry": "resume",
        "location": cmi["location"],
        "completion_status": cmi["completion_status"],
        "suspend_data": cmi["suspend_data"],
    }
    if mode:
        data["mode"] = mode
    return data


def location(version: str, cmi: dict[str, Any]) -> str:
    value: str = cmi["core"]["lesson_location"] if version == "1.2" else cmi["location"]
    return value


def first_session(
    harness: ScormHarness, folder: str, version: Version, lms: Lms = "scorm-again"
) -> tuple[Frame, str, str]:
    """Complete a TASK of the second section with tasks, start the next one, and close the
    window: (frame, section key, the started TASK's key)."""
    frame = harness.open(folder, version=version, lms=lms)
    wait_started(frame)
    section, keys = [(s, k) for s, k in tasks_by_section(frame) if len(k) >= 2][1]
    go_to(frame, section)
    complete_task(frame.locator(f'[data-cp-item="{keys[0]}"]'), "Finished before the review")
    box = frame.locator(f'[data-cp-item="{keys[1]}"]').get_by_role("textbox")
    box.fill("Working on this one")
    box.press("Tab")  # leaving the field saves it, with the bookmark
    harness.close_content()
    harness.wait_for_call(NAMES[version]["finish"])
    assert harness.errors() == []
    return frame, section, keys[1]


@pytest.mark.parametrize(
    ("version", "mode", "lms"),
    [
        ("1.2", "review", "scorm-again"),
        ("2004", "review", "scorm-again"),
        ("1.2", "browse", "scorm-again"),
        ("2004", "review", "moodle"),
    ],
)
def test_review_mode_shows_the_work_read_only_and_writes_nothing_back(
    version: Version,
    mode: str,
    lms: Lms,
    packages: Callable[..., Path],
    scorm_site: ScormSite,
    scorm_harness: ScormHarness,
    reduced_motion_page: Page,
) -> None:
    folder = scorm_site.add_package(packages(version))
    _, section, started = first_session(scorm_harness, folder, version, lms)
    cmi = resume_cmi(version, scorm_harness.cmi(), mode)
    if version == "2004":
        cmi["total_time"] = "PT10M"

    review = ScormHarness(reduced_motion_page, scorm_site.url)
    frame = review.open(folder, version=version, cmi=cmi, lms=lms)
    wait_started(frame)
    assert frame.evaluate("() => Coursepack.session().review") is True
    assert EN["notice.review"] in frame.locator(".cp-notice__text").all_inner_texts()
    assert begin(frame) == section  # "Continue where you left off" on the start page
    card = frame.locator(f'[data-cp-item="{started}"]')
    box = card.get_by_role("textbox")
    assert box.input_value() == "Working on this one"
    assert box.evaluate("e => e.readOnly") is True
    box.click()
    review.page.keyboard.type(" more")
    assert box.input_value() == "Working on this one"
    assert frame.locator("[data-cp-complete]:visible").count() == 0
    assert frame.locator("[data-cp-exit]").is_hidden()
    done = frame.locator(f'section[data-cp-section="{section}"] [data-kind=task][data-done]')
    assert done.count() == 1

    review.close_content()
    review.wait_for_call(NAMES[version]["finish"])
    names = NAMES[version]
    made = {c["method"] for c in review.log()}
    assert made <= {names["init"], names["get"], names["last"], names["string"], names["finish"]}
    assert review.calls(names["set"]) == [] and review.calls(names["commit"]) == []
    assert len(review.calls(names["init"])) == 1 and len(review.calls(names["finish"])) == 1
    assert review.page_errors == []
    if version == "2004":
        assert review.cmi()["total_time"] in ("PT10M", "PT10M0S", "PT600S", "PT600.00S")


@pytest.mark.parametrize(("version", "motion"), [("1.2", "reduce"), ("2004", "no-preference")])
def test_a_returning_learner_comes_back_to_the_item_they_were_working_on(
    version: Version,
    motion: Motion,
    packages: Callable[..., Path],
    scorm_site: ScormSite,
    scorm_harness: ScormHarness,
    browser: Browser,
) -> None:
    folder = scorm_site.add_package(packages(version))
    _, section, started = first_session(scorm_harness, folder, version)
    cmi = scorm_harness.cmi()
    # the bookmark: the section key, then the item's id, within the location's limit
    assert location(version, cmi) == section + "/" + started.split("/", 1)[1]
    assert len(location(version, cmi)) <= (255 if version == "1.2" else 1000)

    with other_device(browser, motion) as device:
        again = ScormHarness(device, scorm_site.url)
        frame = again.open(folder, version=version, cmi=resume_cmi(version, cmi))
        wait_started(frame)
        assert begin(frame) == section  # "Continue where you left off" on the start page
        focused = frame.evaluate(
            "() => document.activeElement && document.activeElement.getAttribute('data-cp-item')"
        )
        assert focused == started
        # scrolled to it: its top just below the sticky header (the page's scroll-padding-top,
        # 7rem), not the top of the section; at once with reduced motion, else smoothly
        if motion == "reduce":
            assert frame.evaluate(AT_THE_TOP, started) is True
        else:
            frame.wait_for_function(AT_THE_TOP, arg=started)
        assert frame.evaluate("() => window.scrollY") > 0
        assert again.errors() == []


def test_a_learner_who_continues_before_the_content_arrives_lands_on_the_item_when_it_does(
    packages: Callable[..., Path],
    scorm_site: ScormSite,
    scorm_harness: ScormHarness,
    browser: Browser,
) -> None:
    folder = scorm_site.add_package(packages("1.2"))
    _, section, started = first_session(scorm_harness, folder, "1.2")
    cmi = scorm_harness.cmi()
    with other_device(browser) as device:
        held: list[Any] = []  # the content file's request, kept waiting (a slow network)
        device.route("**/content/*.js", lambda route: held.append(route))
        again = ScormHarness(device, scorm_site.url)
        frame = again.open(folder, version="1.2", cmi=resume_cmi("1.2", cmi))
        wait_started(frame)  # ready without the content: the start page needs none of it
        frame.wait_for_function("() => true")  # let the request reach the route
        assert len(held) == 1
        assert begin(frame) == section
        shown = frame.locator(f'section[data-cp-section="{section}"]')
        assert shown.locator(".cp-section__title").is_visible()
        assert shown.locator("[data-cp-item]").count() == 0
        held[0].continue_()
        frame.locator(f'[data-cp-item="{started}"]').wait_for()
        frame.wait_for_function(
            "key => document.activeElement && "
            "document.activeElement.getAttribute('data-cp-item') === key",
            arg=started,
        )
        box = frame.locator(f'[data-cp-item="{started}"]').get_by_role("textbox")
        assert box.input_value() == "Working on this one"  # its saved state, once it is in
        assert frame.evaluate(AT_THE_TOP, started) is True
        assert again.errors() == []


@pytest.mark.parametrize("version", ["1.2", "2004"])
def test_score_progress_sends_the_percent_done_which_the_lms_accepts(
    version: Version,
    packages: Callable[..., Path],
    scorm_site: ScormSite,
    scorm_harness: ScormHarness,
) -> None:
    folder = scorm_site.add_package(packages(version, "progress"))
    frame = scorm_harness.open(folder, version=version)
    wait_started(frame)
    sections = [(s, k) for s, k in tasks_by_section(frame) if k]
    total = sum(len(k) for _, k in sections)
    for n, (section, keys) in enumerate(sections):
        go_to(frame, section)
        for key in keys:
            complete_task(frame.locator(f'[data-cp-item="{key}"]'), f"Answer {key}")
        if n == 0:
            score = scorm_harness.cmi()["core" if version == "1.2" else "score"]
            score = score["score"] if version == "1.2" else score
            assert float(score["raw"]) == round(len(keys) / total * 100, 2)
            assert (score["min"], score["max"]) == ("0", "100")
    frame.locator("[data-cp-exit]").click()
    scorm_harness.wait_for_call(NAMES[version]["finish"])
    assert scorm_harness.errors() == []
    cmi = scorm_harness.cmi()
    if version == "1.2":
        assert cmi["core"]["score"]["raw"] == "100"
        assert cmi["core"]["lesson_status"] == "completed"  # never passed or failed
    else:
        assert (cmi["score"]["raw"], cmi["score"]["scaled"]) == ("100", "1")
        assert cmi["success_status"] == "unknown"
