"""The learner's pages in Chromium: the start page (Start, or Continue where you left off), My
reflections (every answer whole, downloadable under SCORM 1.2, printable alone), plural words,
a right-to-left course, and a branded course's accessibility and touch targets."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from coursepack.i18n import strings_for
from tests.runtime.learner import (
    VISIBLE,
    begin,
    cards,
    complete_task,
    section_keys,
    wait_started,
)
from tests.support.axe import format_violations, run_axe
from tests.support.browser import new_context
from tests.support.scorm_harness import ScormHarness, ScormSite, unzip_package

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Frame, Page

    from tests.support.static_server import StaticServer

pytestmark = pytest.mark.e2e

EN = strings_for("en")
START = '[data-cp-page="start"]'
REFLECTIONS = '[data-cp-page="reflections"]'


def launch(harness: ScormHarness, folder: str, cmi: dict[str, object] | None = None) -> Frame:
    frame = harness.open(folder, version="1.2", cmi=cmi)
    wait_started(frame)
    return frame


def test_a_new_learner_opens_on_the_start_page_and_start_leads_to_the_first_section(
    scorm_site: ScormSite, scorm_harness: ScormHarness, example_zip: Path
) -> None:
    frame = launch(scorm_harness, scorm_site.add_package(example_zip))
    start = frame.locator(START)
    assert start.is_visible()
    assert frame.locator(VISIBLE).count() == 0, "no section shows behind the start page"
    title = frame.evaluate("() => Coursepack.config.course.title")
    assert start.get_by_role("heading", level=2).inner_text() == title
    description = frame.evaluate("() => Coursepack.config.course.description")
    assert description.split()[0] in start.locator(".cp-start__description").inner_text()
    counts = start.locator("[data-cp-counts] li").all_inner_texts()
    assert "1 module" in counts and "7 reflections" in counts, counts
    assert start.locator("[data-cp-resume]").is_hidden()
    begin = start.get_by_role("link", name=EN["start.begin"])
    begin.click()
    first = section_keys(frame)[0]
    frame.locator(f'section[data-cp-section="{first}"]:not([hidden])').wait_for()
    assert start.is_hidden()
    assert scorm_harness.errors() == []


def test_what_the_learner_reads_enters_the_page_only_when_opened(
    scorm_site: ScormSite, scorm_harness: ScormHarness, example_zip: Path
) -> None:
    frame = launch(scorm_harness, scorm_site.add_package(example_zip))
    frame.wait_for_function("() => window.COURSEPACK_CONTENT !== undefined")
    # ready, with the content file loaded: still no card and no reflection in the page
    assert frame.locator("[data-cp-item], [data-cp-reflection]").count() == 0
    first, second = section_keys(frame)[:2]
    assert begin(frame) == first
    shown = frame.locator("[data-cp-item]").evaluate_all(
        "cards => [...new Set(cards.map(c => c.closest('[data-cp-section]').dataset.cpSection))]"
    )
    assert shown == [first]
    frame.locator(f'[data-cp-section-link="{second}"]').click()
    frame.locator(f'section[data-cp-section="{second}"] [data-cp-item]').first.wait_for()
    assert frame.locator("[data-cp-reflection]").count() == 0
    frame.locator('.cp-toc [data-cp-page-link="reflections"]').click()
    tasks = frame.evaluate("() => Coursepack.config.course.counted.length")
    frame.locator(f"{REFLECTIONS} [data-cp-reflection]").nth(tasks - 1).wait_for()
    assert scorm_harness.errors() == []


def test_a_content_file_that_cannot_load_is_said_and_the_tracking_goes_on(
    scorm_site: ScormSite, scorm_harness: ScormHarness, example_zip: Path
) -> None:
    scorm_harness.page.route("**/content/*.js", lambda route: route.abort())
    frame = launch(scorm_harness, scorm_site.add_package(example_zip))
    notice = frame.locator("[data-cp-notices]").get_by_text(EN["notice.contentMissing"])
    notice.wait_for()
    first = begin(frame)
    assert frame.locator(f'section[data-cp-section="{first}"] .cp-section__title').is_visible()
    assert frame.locator("[data-cp-item]").count() == 0
    assert frame.evaluate("() => Coursepack.progress().total") > 0
    assert scorm_harness.calls("LMSSetValue"), "the visit is still recorded"
    assert scorm_harness.errors() == []


def long_text(n: int) -> str:
    line = f"Reflection {n}: what collaboration asks of a leader, at length. "
    return (line * 60)[:2990] + f"\nThe end of {n}."


def test_my_reflections_show_and_download_every_answer_whole_under_scorm_12(
    scorm_site: ScormSite, scorm_harness: ScormHarness, long_zip: Path
) -> None:
    frame = launch(scorm_harness, scorm_site.add_package(long_zip))
    begin(frame)
    written: dict[str, str] = {}
    for card in cards(frame):
        if card.get_attribute("data-kind") == "task":
            key = card.get_attribute("data-cp-item") or ""
            written[key] = long_text(len(written) + 1)
            complete_task(card, written[key])
    assert len(written) == 3 and all(len(text) > 3000 for text in written.values())
    omitted = frame.evaluate("() => Coursepack.session().omitted")
    assert omitted, "some reflection did not fit SCORM 1.2's suspend_data"

    frame.locator(".cp-toc").get_by_role("link", name=EN["reflections.title"]).click()
    page_el = frame.locator(REFLECTIONS)
    page_el.wait_for()
    assert frame.locator(VISIBLE).count() == 0
    for key, text in written.items():
        shown = page_el.locator(f'[data-cp-reflection="{key}"] [data-cp-answer]')
        assert shown.inner_text() == text
    unanswered = page_el.locator("[data-cp-answer][data-empty]")
    assert unanswered.count() == 6 and unanswered.first.inner_text() == EN["reflections.none"]

    frame.evaluate("() => { Coursepack.now = () => Date.UTC(2026, 1, 3, 10, 0, 0); }")
    with scorm_harness.page.expect_download() as info:
        page_el.get_by_role("button", name=EN["reflections.download"]).click()
    download = info.value
    assert download.suggested_filename == "my-reflections-long-reflections-2026-02-03.html"
    body = Path(download.path()).read_text("utf-8")
    assert "<title>" + EN["reflections.fileTitle"].format(title="Long reflections") in body
    assert EN["reflections.fileDate"].format(date="February 3, 2026") in body
    for text in written.values():
        assert text in body, "every reflection whole"
    assert body.count(EN["reflections.none"]) == 6
    assert "Question 1.1: write at length about part 1." in body
    assert scorm_harness.errors() == []


def test_printing_my_reflections_prints_the_reflections_only(
    scorm_site: ScormSite, scorm_harness: ScormHarness, example_zip: Path
) -> None:
    frame = launch(scorm_harness, scorm_site.add_package(example_zip))
    begin(frame)
    task = next(c for c in cards(frame) if c.get_attribute("data-kind") == "task")
    complete_task(task, "Printed, I hope.")
    frame.locator(".cp-toc").get_by_role("link", name=EN["reflections.title"]).click()
    frame.evaluate("() => { window.printed = 0; window.print = () => { window.printed += 1; }; }")
    frame.get_by_role("button", name=EN["reflections.print"]).click()
    assert frame.evaluate("() => window.printed") == 1, "Print opens the browser's print dialog"
    scorm_harness.page.emulate_media(media="print")
    shown = frame.evaluate(
        """() => [...document.querySelectorAll(
              'header.cp-header, nav.cp-toc, section.cp-section, [data-cp-page], .cp-footer,'
              + ' [data-cp-download], [data-cp-print], .cp-reflection')]
            .filter(el => el.getClientRects().length > 0)
            .map(el => el.dataset.cpPage || el.className.split(' ')[0])"""
    )
    assert set(shown) == {"reflections", "cp-reflection"}, shown
    assert frame.get_by_text("Printed, I hope.").is_visible()


def test_words_with_counts_take_the_plural_form_of_the_course_language(
    scorm_site: ScormSite, scorm_harness: ScormHarness, example_zip: Path
) -> None:
    frame = launch(scorm_harness, scorm_site.add_package(example_zip))
    forms = frame.evaluate(
        """() => ['fr', 'en'].map(lang => [0, 1, 2].map(n =>
             CoursepackPages.pluralKey(Coursepack.config.strings, 'progress.tasks', lang, n)))"""
    )
    assert forms == [
        ["progress.tasks.one", "progress.tasks.one", "progress.tasks"],
        ["progress.tasks", "progress.tasks.one", "progress.tasks"],
    ]


# -- a right-to-left course, and a branded one: screenshots, axe, touch targets -----------------

HEBREW_WORDS = {
    "contents": "תוכן העניינים",
    "start.heading": "על הקורס",
    "start.begin": "התחלת הקורס",
    "start.whatYouDo": "מה תעשו",
    "reflections.title": "ההרהורים שלי",
    "task.complete": "סימון כהושלם",
    "next": "הבא",
    "previous": "הקודם",
}


def small_png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A real PNG of one colour (the page shows it; a browser must decode it)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


def build_folder(root: Path, course_yaml: str, module: str, media: dict[str, bytes]) -> Path:
    from coursepack.build import build_course

    (root / "src" / "modules").mkdir(parents=True)
    (root / "src" / "media").mkdir()
    (root / "src" / "course.yaml").write_text(course_yaml, "utf-8")
    (root / "src" / "modules" / "m.md").write_text(module, "utf-8")
    for name, data in media.items():
        (root / "src" / "media" / name).write_bytes(data)
    (path,) = build_course(root / "src", root / "dist", ["scorm12"], environ={}).paths
    return unzip_package(path, root / "pkg")


def hebrew_course(root: Path) -> Path:
    words = "".join(
        f"  {key}: {json.dumps(text, ensure_ascii=False)}\n" for key, text in HEBREW_WORDS.items()
    )
    course_yaml = (
        "id: https://courses.example.org/rtl\ntitle: מנהיגות שיתופית\n"
        "description: קורס קצר על עבודה משותפת בארגון.\nlanguage: he\nversion: 1.0.0\n"
        "duration: 30\nobjectives:\n  - להבין מהו שיתוף פעולה\n"
        f"theme:\n  cover: media/cover.png\nwords:\n{words}modules:\n  - modules/m.md\n"
    )
    module = (
        "# שיתוף פעולה\n\n## מבוא\n\nקראו את המאמר.\n\nREAD [מאמר]: https://example.org/a\n\n"
        "TASK [הרהור]: מה למדתם על שיתוף פעולה?\n\n## סיכום\n\nTASK: מה תעשו מחר?\n"
    )
    return build_folder(root, course_yaml, module, {"cover.png": small_png(64, 24, (40, 90, 160))})


def overflow(page: Page) -> int:
    scroll: int = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    return scroll


def test_a_hebrew_course_reads_right_to_left_without_overflow_in_light_and_dark(
    browser: Browser, tmp_path: Path, http_server: Callable[[Path], StaticServer]
) -> None:
    server = http_server(hebrew_course(tmp_path))
    shots = tmp_path / "screenshots"
    for scheme, width in [(s, w) for s in ("light", "dark") for w in (1280, 375)]:
        with new_context(browser) as context:  # a new learner each time
            page = context.new_page()
            page.emulate_media(color_scheme=scheme)
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(server.url + "index.html")
            wait_started(page)
            assert page.evaluate("() => document.documentElement.dir") == "rtl"
            start = page.locator(START)
            assert start.get_by_role("link", name=HEBREW_WORDS["start.begin"]).is_visible()
            assert page.evaluate("() => getComputedStyle(document.body).direction") == "rtl"
            page.screenshot(path=shots / f"he-{scheme}-{width}-start.png", full_page=True)
            assert overflow(page) <= 0, f"start page scrolls sideways at {width}px ({scheme})"
            begin(page)
            if width > 900:  # the contents sit on the right, the content on its left
                toc = page.locator(".cp-toc").bounding_box()
                main = page.locator(".cp-main").bounding_box()
                assert toc and main and toc["x"] > main["x"] + main["width"] - 1
            card = page.locator(f"{VISIBLE} .cp-card--task").first
            status = card.locator("[data-cp-status]").bounding_box()
            body = card.locator(".cp-card__body").bounding_box()
            if width > 900:  # the status pill mirrors to the card's left
                assert status and body and status["x"] < body["x"]
            page.screenshot(path=shots / f"he-{scheme}-{width}-section.png", full_page=True)
            assert overflow(page) <= 0, f"a section scrolls sideways at {width}px ({scheme})"
            page.evaluate("() => Coursepack.page('reflections')")
            page.screenshot(path=shots / f"he-{scheme}-{width}-reflections.png", full_page=True)
            assert overflow(page) <= 0, f"My reflections scroll sideways at {width}px ({scheme})"
    assert len(list(shots.glob("*.png"))) == 12


BRANDED_YAML = """\
id: https://courses.example.org/branded
title: Acme onboarding
description: Your first week at **Acme**, in three short parts.
language: en
version: 1.0.0
duration: 1 h 15 min
objectives:
  - Find your way around the *tools* we use
  - Know whom to ask
theme:
  logo: media/logo.png
  logo_alt: Acme
  primary: "#8a1c7c"
  accent: "#005f56"
  cover: media/cover.png
  footer: "© Acme 2026"
modules:
  - modules/m.md
"""
BRANDED_MODULE = """\
# Week one

## Tools

Read about the tools, then say what you will try first.

READ [The tool guide]: https://example.org/tools

WATCH: https://www.youtube.com/watch?v=dQw4w9WgXcQ

TASK [First tool]: Which tool will you try first, and why?

## People

TASK [Whom to ask]: Whom will you ask when you are stuck?
"""
#: a learner's controls: each must be a 44 x 44 px touch target on a phone (inline links in a
#: sentence are exempt, as WCAG 2.5.8 says; a READ card is its link's target)
CONTROLS = (
    "button, input, textarea, select, .cp-button, .cp-toc__link, .cp-pager__link, "
    ".cp-card--read, .cp-skip"
)


def small_targets(page: Page) -> list[str]:
    found: list[str] = page.evaluate(
        """(selector) => [...document.querySelectorAll(selector)]
            .filter(el => el.getClientRects().length > 0 && !el.closest('[hidden]'))
            .map(el => [el, el.getBoundingClientRect()])
            .filter(([el, r]) => r.width < 44 || r.height < 44)
            .map(([el, r]) => `${el.tagName.toLowerCase()}.${el.className} `
                              + `${Math.round(r.width)}x${Math.round(r.height)}`)""",
        CONTROLS,
    )
    return found


def test_a_branded_course_passes_axe_in_light_and_dark_with_44px_touch_targets_on_a_phone(
    browser: Browser, tmp_path: Path, http_server: Callable[[Path], StaticServer]
) -> None:
    media = {
        "logo.png": small_png(80, 24, (138, 28, 124)),
        "cover.png": small_png(96, 32, (0, 95, 86)),
    }
    server = http_server(build_folder(tmp_path, BRANDED_YAML, BRANDED_MODULE, media))
    shots = tmp_path / "screenshots"
    for scheme, width in [(s, w) for s in ("light", "dark") for w in (1280, 375)]:
        with new_context(browser) as context:  # a new learner each time
            page = context.new_page()
            page.emulate_media(color_scheme=scheme)
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(server.url + "index.html")
            wait_started(page)
            start = page.locator(START)
            assert "1 hour 15 minutes" in start.inner_text()
            assert start.locator(".cp-start__objectives em").inner_text() == "tools"
            assert page.locator(".cp-header__logo").evaluate("img => img.naturalWidth") == 80
            assert start.locator(".cp-start__cover").evaluate("img => img.naturalWidth") == 96
            check_view(page, f"start {scheme} {width}", width)
            page.screenshot(path=shots / f"brand-{scheme}-{width}-start.png", full_page=True)
            for key in section_keys(page):
                page.evaluate("k => Coursepack.go(k)", key)
                task = page.locator(f"{VISIBLE} .cp-card--task").first
                task.locator("[data-cp-complete]").click()  # empty: the error shows too
                check_view(page, f"{key} {scheme} {width}", width)
                complete_task(task, "Done.")
                check_view(page, f"{key} done {scheme} {width}", width)
                name = key.replace("/", "-")
                page.screenshot(path=shots / f"brand-{scheme}-{width}-{name}.png", full_page=True)
            page.evaluate("() => Coursepack.page('reflections')")
            finish = page.locator("[data-cp-finish]")
            assert finish.is_visible(), "the finish shows once the course is complete"
            done = EN["progress.tasks"].format(done=2, total=2)
            assert EN["finish.summary"].format(progress=done) in finish.inner_text()
            assert page.locator("[data-cp-complete-banner]").is_hidden(), "said once, not twice"
            check_view(page, f"reflections {scheme} {width}", width)
            page.screenshot(path=shots / f"brand-{scheme}-{width}-reflections.png", full_page=True)
    assert len(list(shots.glob("*.png"))) == 16  # start, two sections, reflections: x 4


def check_view(page: Page, where: str, width: int) -> None:
    violations = run_axe(page)
    assert violations == [], f"{where}:\n{format_violations(violations)}"
    assert overflow(page) <= 0, f"{where} scrolls sideways"
    if width < 480:
        page.locator("[data-cp-toc-toggle]").click()  # the contents open: their links count too
        assert small_targets(page) == [], where
        page.locator("[data-cp-toc-toggle]").click()


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_runtime_progress_of_a_one_task_course_takes_the_singular(
    page: Page, tmp_path: Path, http_server: Callable[[Path], StaticServer], language: str
) -> None:
    course_yaml = (
        f"id: https://courses.example.org/one-{language}\ntitle: One\nlanguage: {language}\n"
        "version: 1.0.0\nmodules:\n  - modules/m.md\n"
    )
    folder = build_folder(tmp_path, course_yaml, "# M\n\n## S\n\nTASK: Why?\n", {})
    page.goto(http_server(folder).url + "index.html")
    wait_started(page)
    words = strings_for(language)
    progress = page.locator(".cp-progress__text")
    assert progress.inner_text() == words["progress.tasks.one"].format(done=0, total=1)
    begin(page)
    complete_task(page.locator(f"{VISIBLE} [data-kind=task]"), "Because.")
    assert progress.inner_text() == words["progress.tasks.one"].format(done=1, total=1)
    counts = page.locator(f"{START} [data-cp-counts] li").all_inner_texts()
    assert words["count.tasks.one"].format(count=1) in counts
