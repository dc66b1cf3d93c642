"""The report as one self-contained HTML file (templates/report/report.html.j2).

No script, no external stylesheet, font or image: the CSS is inline and the charts are inline
SVG drawn in Python (``svg.py``). Autoescaping is on for everything.
"""

from __future__ import annotations

from datetime import datetime

import jinja2

from coursepack.report import svg
from coursepack.report.model import FAILED, PASSED, Report
from coursepack.report.table import score_text
from coursepack.templating import environment

TEMPLATE = "report/report.html.j2"


def _environment() -> jinja2.Environment:
    env = environment().overlay()
    env.filters["when"] = _when
    env.filters["day"] = _day
    env.filters["percent"] = _percent
    return env


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value is not None else ""


def _day(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d") if value is not None else ""


def _percent(value: float) -> str:
    return f"{value * 100:.0f}%"


def render_html(report: Report) -> str:
    template = _environment().get_template(TEMPLATE)
    return template.render(
        report=report,
        task_numbers={summary.column.iri: n for n, summary in enumerate(report.summaries, 1)},
        rate_bar=svg.rate_bar,
        timeline=svg.timeline(report.completions_by_day),
        timeline_unit=svg.buckets(report.completions_by_day)[0],
        question_chart=svg.question_chart,
        score_text=score_text,
        passed=report.results(PASSED) if report.graded else 0,
        failed=report.results(FAILED) if report.graded else 0,
    )
