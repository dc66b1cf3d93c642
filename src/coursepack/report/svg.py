"""Inline SVG charts for the HTML report, drawn in Python (no script, no font, no network).

Every text that goes into a chart is escaped here; the charts are returned as ``Markup``.
"""

from __future__ import annotations

from datetime import date, timedelta

from markupsafe import Markup, escape

from coursepack.report.model import QuestionSummary, TaskSummary

# Longest period shown day by day; past it the chart counts per week (weeks start on Monday).
MAX_DAYS = 92


def _n(value: float) -> str:
    """A coordinate: at most one decimal, no trailing zeros."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def rate_bar(summary: TaskSummary) -> Markup:
    """A small horizontal bar (0..100 %) that stretches to its cell."""
    width = max(0.0, min(1.0, summary.rate)) * 100
    label = f"{summary.completions} completed ({summary.rate * 100:.0f}%)"
    return Markup(
        '<svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none" role="img" '
        f'aria-label="{escape(label)}"><rect class="track" width="100" height="10"/>'
        f'<rect class="fill" width="{_n(width)}" height="10"/></svg>'
    )


def buckets(per_day: tuple[tuple[date, int], ...]) -> tuple[str, list[tuple[date, int]]]:
    """("day" | "week", [(start, count)]) covering the whole period, empty days included."""
    if not per_day:
        return "day", []
    counts = dict(per_day)
    first, last = per_day[0][0], per_day[-1][0]
    if (last - first).days < MAX_DAYS:
        return "day", [
            (first + timedelta(days=i), counts.get(first + timedelta(days=i), 0))
            for i in range((last - first).days + 1)
        ]
    start = first - timedelta(days=first.weekday())
    # Counted, not stepped past ``last``: a week after 9999-12-27 does not exist.
    weekly = {start + timedelta(weeks=i): 0 for i in range((last - start).days // 7 + 1)}
    for day, count in per_day:
        weekly[day - timedelta(days=day.weekday())] += count
    return "week", sorted(weekly.items())


def timeline(per_day: tuple[tuple[date, int], ...]) -> Markup:
    """Completions per day (or week) as bars, with the running total as a line."""
    unit, series = buckets(per_day)
    if not series:
        return Markup('<p class="empty">No task has been completed yet.</p>')
    width, height = 640, 220
    left, right, top, bottom = 40, 40, 14, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max(count for _, count in series) or 1
    total = sum(count for _, count in series)
    step = plot_w / len(series)
    bar_w = max(1.0, step * 0.7)
    parts = [
        f'<svg class="timeline" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="timeline-title">',
        f'<title id="timeline-title">Task completions per {unit}: {total} in all, '
        f"from {series[0][0].isoformat()} to {series[-1][0].isoformat()}</title>",
        f'<line class="axis" x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" '
        f'y2="{top + plot_h}"/>',
    ]
    running = 0
    points = []
    for index, (start, count) in enumerate(series):
        x = left + index * step + (step - bar_w) / 2
        bar_h = plot_h * count / peak
        if count:
            parts.append(
                f'<rect class="day" x="{_n(x)}" y="{_n(top + plot_h - bar_h)}" '
                f'width="{_n(bar_w)}" height="{_n(bar_h)}">'
                f"<title>{escape(start.isoformat())}: {count}</title></rect>"
            )
        running += count
        cx = left + index * step + step / 2
        points.append(f"{_n(cx)},{_n(top + plot_h - plot_h * running / total)}")
    parts.append(f'<polyline class="total" points="{" ".join(points)}"/>')
    labels = [
        (left - 6, top + plot_h, "end", "0"),
        (left - 6, top + 10, "end", str(peak)),
        (left + plot_w + 6, top + 10, "start", str(total)),
        (left, height - 8, "start", series[0][0].isoformat()),
    ]
    if len(series) > 1:
        labels.append((left + plot_w, height - 8, "end", series[-1][0].isoformat()))
    for x, y, anchor, text in labels:
        parts.append(f'<text x="{_n(x)}" y="{_n(y)}" text-anchor="{anchor}">{escape(text)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _short(text: str, limit: int = 38) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def question_chart(summary: QuestionSummary, ident: str) -> Markup:
    """First attempts of one question: a bar per option (right ones marked), or for a typed
    answer: right, the most common wrong texts, other wrong answers."""
    if not summary.answered:
        return Markup('<p class="empty">Nobody has answered this question yet.</p>')
    rows = summary.choices
    width, row_h, label_w, count_w = 640, 24, 260, 90
    plot_w = width - label_w - count_w
    height = row_h * len(rows) + 6
    peak = max((count for _, count, _ in rows), default=0) or 1
    described = "; ".join(
        f"{text}{' (right)' if right else ''}: {count}" for text, count, right in rows
    )
    learners = f"{summary.answered} learner{'s' if summary.answered != 1 else ''}"
    parts = [
        f'<svg class="question" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{escape(ident)}-title">',
        f'<title id="{escape(ident)}-title">'
        f"{escape(f'First attempts of {learners}: {described}')}</title>",
    ]
    for index, (text, count, right) in enumerate(rows):
        y = 3 + index * row_h
        bar_w = plot_w * count / peak
        share = count / summary.answered * 100
        mark = "✓ " if right else ""
        parts.append(
            f'<text class="label" x="{label_w - 8}" y="{_n(y + row_h * 0.68)}" '
            f'text-anchor="end">{escape(mark + _short(text))}</text>'
        )
        parts.append(
            f'<rect class="{"right" if right else "wrong"}" x="{label_w}" y="{_n(y + 3)}" '
            f'width="{_n(max(bar_w, 0.5 if count else 0))}" height="{row_h - 6}"/>'
        )
        parts.append(
            f'<text x="{_n(label_w + bar_w + 6)}" y="{_n(y + row_h * 0.68)}">'
            f"{count} ({share:.0f}%)</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))
