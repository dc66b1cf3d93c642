"""The HTML report: self-contained, escaped, and checked in headless Chromium (renders without
console errors, fits a phone, prints, no serious accessibility violations)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from coursepack.report.aggregate import Aggregator
from coursepack.report.html import render_html
from coursepack.report.model import Report
from coursepack.report.svg import buckets, question_chart, timeline
from tests.report.helpers import (
    NOW,
    graded_course,
    graded_statements,
    learner_statements,
    sample_course,
)
from tests.support.axe import format_violations, run_axe

if TYPE_CHECKING:
    from playwright.sync_api import Page

COURSE = sample_course()


def sample_report(include_responses: bool = True) -> Report:
    statements, _ = learner_statements(COURSE)
    aggregator = Aggregator(COURSE, include_responses=include_responses)
    for found in statements:
        aggregator.add(found)
    return aggregator.report(generated_at=NOW)


def empty_report() -> Report:
    return Aggregator(COURSE).report(generated_at=NOW)


def test_everything_from_statements_and_course_is_escaped() -> None:
    html = render_html(sample_report())
    assert "<script" not in html
    assert "&lt;script&gt;alert(&#39;bob&#39;)&lt;/script&gt;" in html
    assert "Bob &lt;b&gt;Builder&lt;/b&gt;" in html
    assert "Report &lt;Sample&gt; Course" in html
    assert "Practice &amp; &lt;practise&gt;" in html


def test_nothing_is_loaded_from_elsewhere() -> None:
    html = render_html(sample_report())
    assert not re.search(r"<(script|link|img|iframe|object|embed)\b", html)
    assert not re.search(r"\b(src|href)=", html)
    assert "url(" not in html and "@import" not in html and "@font-face" not in html


def test_responses_appear_only_when_asked_for() -> None:
    assert "Second plan, better" in render_html(sample_report(True))
    assert "Second plan, better" not in render_html(sample_report(False))
    assert "Reflections" not in render_html(sample_report(False))


def test_empty_report_renders() -> None:
    html = render_html(empty_report())
    assert "No learner has statements for this course yet." in html
    assert "No task has been completed yet." in html


def test_timeline_is_per_day_then_per_week_for_long_periods() -> None:
    start = date(2024, 1, 3)  # a Wednesday
    short = ((start, 2), (start + timedelta(days=3), 1))
    unit, series = buckets(short)
    assert unit == "day"
    assert series == [(start, 2), (start + timedelta(1), 0), (start + timedelta(2), 0),
                      (start + timedelta(3), 1)]  # fmt: skip
    long = ((start, 2), (start + timedelta(days=200), 5))
    unit, series = buckets(long)
    assert unit == "week"
    assert series[0] == (date(2024, 1, 1), 2)
    assert sum(n for _, n in series) == 7
    assert str(timeline(long)).count('class="day"') == 2


# -- in the browser ------------------------------------------------------------------------------


def open_report(page: Page, tmp_path: Path, report: Report) -> dict[str, list[Any]]:
    path = tmp_path / "report.html"
    path.write_text(render_html(report), encoding="utf-8")
    seen: dict[str, list[Any]] = {"console": [], "errors": [], "requests": []}
    page.on(
        "console",
        lambda m: seen["console"].append(m.text) if m.type in ("error", "warning") else None,
    )
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    page.on("request", lambda r: seen["requests"].append(r.url))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return seen


@pytest.mark.e2e
def test_renders_in_chromium_without_console_errors_or_other_requests(
    page: Page, tmp_path: Path
) -> None:
    seen = open_report(page, tmp_path, sample_report())
    assert seen["console"] == [] and seen["errors"] == []
    assert seen["requests"] == [(tmp_path / "report.html").as_uri()]
    assert page.locator("h1").inner_text() == "Report <Sample> Course"
    assert page.locator("table.matrix tbody tr").count() == 5
    assert page.locator("table.tasks tbody tr").count() == 4  # 3 tasks + 1 removed
    for chart in page.locator("svg").all():
        box = chart.bounding_box()
        assert box is not None and box["width"] > 0 and box["height"] > 0
    assert page.locator("svg.timeline rect.day").count() == 5
    assert page.evaluate("document.querySelectorAll('script').length") == 0


@pytest.mark.e2e
def test_fits_a_phone_screen(page: Page, tmp_path: Path) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    open_report(page, tmp_path, sample_report())
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    # The wide matrix scrolls inside its own box instead of widening the page.
    box = page.locator(".scroll").bounding_box()
    assert box is not None and box["width"] <= 360
    font = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert font >= 14


@pytest.mark.e2e
def test_prints_without_cutting_the_matrix(page: Page, tmp_path: Path) -> None:
    open_report(page, tmp_path, sample_report())
    page.emulate_media(media="print")
    overflow = page.evaluate("getComputedStyle(document.querySelector('.scroll')).overflowX")
    assert overflow == "visible"
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")


@pytest.mark.e2e
@pytest.mark.parametrize("which", ["sample", "empty"])
def test_has_no_serious_accessibility_violations(page: Page, tmp_path: Path, which: str) -> None:
    open_report(page, tmp_path, sample_report() if which == "sample" else empty_report())
    violations = run_axe(page)
    assert violations == [], format_violations(violations)


def test_timeline_reaching_the_last_representable_day_renders() -> None:
    per_day = ((date(9999, 1, 1), 1), (date(9999, 12, 31), 1))
    unit, series = buckets(per_day)
    assert unit == "week"
    assert series[-1][0] == date(9999, 12, 27)
    assert sum(count for _, count in series) == 2
    assert "<svg" in timeline(per_day)


def graded_report() -> Report:
    course = graded_course()
    statements, _ = graded_statements(course)
    aggregator = Aggregator(course)
    aggregator.add_all(statements)
    return aggregator.report(generated_at=NOW)


def test_ungraded_report_has_no_questions_or_scores() -> None:
    html = render_html(sample_report())
    assert "Questions (item analysis)" not in html and "Score</th>" not in html


def test_question_chart_marks_the_right_options_and_escapes_texts() -> None:
    summary = graded_report().question_summaries[1]  # colours: red and blue are right
    chart = str(question_chart(summary, "q2"))
    assert chart.count('class="right"') == 2 and chart.count('class="wrong"') == 2
    assert "White &amp; bright" in chart and "White & bright" not in chart
    assert '<title id="q2-title">First attempts of 3 learners' in chart


@pytest.mark.e2e
def test_graded_report_renders_fits_a_phone_and_has_no_serious_violations(
    page: Page, tmp_path: Path
) -> None:
    seen = open_report(page, tmp_path, graded_report())
    assert seen["console"] == [] and seen["errors"] == []
    assert page.locator("svg.question").count() == 5
    for chart in page.locator("svg.question").all():
        box = chart.bounding_box()
        assert box is not None and box["width"] > 0 and box["height"] > 0
    violations = run_axe(page)
    assert violations == [], format_violations(violations)
    page.set_viewport_size({"width": 360, "height": 740})
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
