"""The report on the terminal: a summary, a table of TASKs and a learner x TASK table (rich)."""

from __future__ import annotations

import io
from datetime import datetime

from rich.console import Console, Group
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from coursepack.report.model import Report

DONE = "✓"
NOT_DONE = "·"


def _text(value: str) -> str:
    """Text from statements as rich markup: escaped, and without control characters (a
    learner's name must not move the cursor, clear the screen or recolour the terminal)."""
    return escape("".join(ch if ch.isprintable() else " " for ch in value))


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value is not None else ""


def _percent(value: float) -> str:
    return f"{value * 100:.0f}%"


def renderable(report: Report, width: int = 120) -> Group:
    parts: list[Text | Table] = []
    learners = len(report.learners)
    title = Text(report.course_title, style="bold")
    title.append(f"  {report.course_id}", style="dim")
    parts.append(title)
    summary = (
        f"{learners} learner{'s' if learners != 1 else ''}, "
        f"{report.courses_completed} completed the course, "
        f"average progress {_percent(report.average_progress)}, "
        f"{len(report.tasks)} task{'s' if len(report.tasks) != 1 else ''}"
    )
    if report.since or report.until:
        summary += (
            f" (statements stored {_when(report.since) or '…'} – {_when(report.until) or '…'}"
        )
        summary += " UTC)"
    parts.append(Text(summary))

    tasks = Table(title="Tasks", title_justify="left", show_edge=False, pad_edge=False)
    tasks.add_column("#", justify="right", style="dim")
    tasks.add_column("Module", ratio=1)
    tasks.add_column("Task", ratio=3)
    tasks.add_column("Completed", justify="right", no_wrap=True)
    tasks.add_column("Rate", justify="right", no_wrap=True)
    for number, summary_row in enumerate(report.summaries, 1):
        column = summary_row.column
        tasks.add_row(
            f"T{number}",
            _text(column.module_title),
            _text(column.title),
            f"{summary_row.completions}/{learners}",
            _percent(summary_row.rate),
        )
    for summary_row in report.removed_summaries:
        column = summary_row.column
        tasks.add_row(
            "–",
            _text(column.module_title or column.module_id),
            _text(column.title) + " [dim](no longer in the course)[/dim]",
            f"{summary_row.completions}/{learners}",
            _percent(summary_row.rate),
        )
    parts.append(tasks)

    # One column per TASK while they fit; else a count of completed tasks.
    per_task = len(report.tasks) <= max(0, (width - 52) // 5)
    matrix = Table(title="Learners", title_justify="left", show_edge=False, pad_edge=False)
    matrix.add_column("Learner", min_width=12, ratio=1)
    matrix.add_column("Progress", justify="right", no_wrap=True)
    matrix.add_column("Course", justify="center", no_wrap=True)
    if per_task:
        for number in range(1, len(report.tasks) + 1):
            matrix.add_column(f"T{number}", justify="center", no_wrap=True)
    else:
        matrix.add_column("Tasks", justify="right", no_wrap=True)
    matrix.add_column("Last activity", no_wrap=True)
    for learner in report.learners:
        name = _text(learner.display)
        removed = sum(1 for cell in learner.removed_tasks if cell.completed)
        if removed:
            name += f" [dim](+{removed} removed task{'s' if removed != 1 else ''})[/dim]"
        if per_task:
            marks = [DONE if cell.completed else NOT_DONE for cell in learner.tasks]
        else:
            marks = [f"{learner.tasks_completed}/{len(report.tasks)}"]
        matrix.add_row(
            name,
            _percent(learner.progress),
            DONE if learner.course_completed else NOT_DONE,
            *marks,
            learner.last_activity.strftime("%Y-%m-%d"),
        )
    if not report.learners:
        parts.append(Text("No learner has statements for this course yet.", style="italic"))
    else:
        parts.append(matrix)
    return Group(*parts)


def print_table(report: Report, console: Console) -> None:
    console.print(renderable(report, console.width))


def render_table(report: Report, width: int = 120) -> str:
    """The table as plain text (for ``-o report.txt`` or a pipe)."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, color_system=None, force_terminal=False)
    print_table(report, console)
    return buffer.getvalue()
