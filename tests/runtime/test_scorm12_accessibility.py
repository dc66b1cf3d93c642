"""Every view of a SCORM 1.2 package passes axe-core (no serious or critical violation)."""

from __future__ import annotations

from pathlib import Path

import pytest

from coursepack.i18n import strings_for
from tests.runtime.learner import cards, complete_task, go_to, section_keys, wait_started
from tests.support.axe import format_violations, run_axe
from tests.support.scorm_harness import ScormHarness, ScormSite

pytestmark = pytest.mark.e2e

EN = strings_for("en")


def test_every_section_view_passes_axe_at_desktop_and_phone_widths(
    scorm_site: ScormSite, scorm_harness: ScormHarness, example_zip: Path
) -> None:
    folder = scorm_site.add_package(example_zip)
    frame = scorm_harness.open(folder, version="1.2")
    wait_started(frame)
    page = scorm_harness.page
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 800})
        for key in section_keys(frame):
            go_to(frame, key) if width > 320 else frame.evaluate("k => Coursepack.go(k)", key)
            # a completed task and a failed "Mark complete" show their states too
            task_cards = [c for c in cards(frame) if c.get_attribute("data-kind") == "task"]
            if task_cards:
                complete_task(task_cards[0], "Done.")
            if len(task_cards) > 1:
                task_cards[1].locator("[data-cp-complete]").click()  # empty: error shown
                assert task_cards[1].get_by_text(EN["task.empty"]).is_visible()
            violations = run_axe(frame)
            assert violations == [], f"{key} at {width}px:\n{format_violations(violations)}"
            overflow = frame.evaluate(
                "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, f"{key} scrolls sideways at {width}px"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_start_page_and_my_reflections_pass_axe_at_desktop_and_phone_widths(
    scorm_site: ScormSite,
    scorm_harness: ScormHarness,
    example_zip: Path,
    scheme: str,
    tmp_path: Path,
) -> None:
    """Axe at 1280 and 320 px; screenshots of the start, a section and My reflections at 1280
    and 375 px are kept under the test's temporary folder (looked at, not compared)."""
    scorm_harness.page.emulate_media(color_scheme=scheme)
    frame = scorm_harness.open(scorm_site.add_package(example_zip), version="1.2")
    wait_started(frame)
    shots = tmp_path / "screenshots"
    first = section_keys(frame)[0]
    for width in (1280, 375, 320):
        scorm_harness.page.set_viewport_size({"width": width, "height": 800})
        for name in ("start", "section", "reflections"):
            if name == "section":  # the contents fold away on a phone: go as a link would
                frame.evaluate("k => Coursepack.go(k)", first)
                frame.locator(f'section[data-cp-section="{first}"]:not([hidden])').wait_for()
            else:
                frame.evaluate("n => Coursepack.page(n)", name)
                assert frame.locator(f'[data-cp-page="{name}"]').is_visible()
            if width == 375:
                path = shots / f"example-{scheme}-{width}-{name}.png"
                scorm_harness.page.screenshot(path=path, full_page=True)
                assert path.stat().st_size > 0
                continue
            violations = run_axe(frame)
            assert violations == [], f"{name} at {width}px:\n{format_violations(violations)}"
            overflow = frame.evaluate(
                "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, f"{name} scrolls sideways at {width}px"
            if width == 1280:
                scorm_harness.page.screenshot(path=shots / f"example-{scheme}-{width}-{name}.png")
    assert len(list(shots.glob("*.png"))) == 6


def test_dark_colour_scheme_passes_axe(
    scorm_site: ScormSite, scorm_harness: ScormHarness, example_zip: Path
) -> None:
    scorm_harness.page.emulate_media(color_scheme="dark")
    folder = scorm_site.add_package(example_zip)
    frame = scorm_harness.open(folder, version="1.2")
    wait_started(frame)
    for key in section_keys(frame):
        go_to(frame, key)
        task = next(c for c in cards(frame) if c.get_attribute("data-kind") == "task")
        complete_task(task, "Done.")
        violations = run_axe(frame)
        assert violations == [], f"{key} (dark):\n{format_violations(violations)}"


def test_keyboard_user_reaches_the_content_and_moves_between_sections(
    scorm_site: ScormSite, scorm_harness: ScormHarness, example_zip: Path
) -> None:
    folder = scorm_site.add_package(example_zip)
    frame = scorm_harness.open(folder, version="1.2")
    wait_started(frame)
    first, second = section_keys(frame)[:2]
    frame.locator('[data-cp-page="start"] [data-cp-begin]').focus()  # the start page's button
    frame.page.keyboard.press("Enter")
    frame.locator(f'section[data-cp-section="{first}"]:not([hidden])').wait_for()
    frame.locator("body").focus()
    frame.locator(".cp-skip").focus()
    assert frame.evaluate("() => document.activeElement.textContent") == EN["skipToContent"]
    outline = frame.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid", "focus is visible"
    next_link = frame.locator(f'section[data-cp-section="{first}"] a[rel="next"]')
    next_link.focus()
    frame.page.keyboard.press("Enter")
    frame.locator(f'section[data-cp-section="{second}"]:not([hidden])').wait_for()
    focused = frame.evaluate("() => document.activeElement.closest('section').dataset.cpSection")
    assert focused == second, "focus moves to the new section's heading"
    link = frame.locator(f'[data-cp-section-link="{second}"]')
    assert link.get_attribute("aria-current") == "location"
