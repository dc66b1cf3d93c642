"""The report on the terminal: a summary, a table of TASKs and a learner x TASK table (rich)."""

from __future__ import annotations

import io
from datetime import datetime

from rich.console import Console, Group
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from coursepack.report.model import FAILED, IN_PROGRESS, PASSED, Report, ScoreStatus

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


def score_text(score: ScoreStatus | None, questions: int) -> str:
    """A learner's result in a few characters: "80% passed", "in progress (2/5)"."""
    if score is None:
        return ""
    if score.status in (PASSED, FAILED):
        percent = _percent(score.scaled) + " " if score.scaled is not None else ""
        return percent + score.status
    if score.status == IN_PROGRESS:
        return f"in progress ({score.answered}/{questions})"
    return ""


def _questions_table(report: Report) -> Table:
    table = Table(
        title="Questions (right first time: first attempts; in the end: latest attempts)",
        title_justify="left",
        show_edge=False,
        pad_edge=False,
    )
    table.add_column("#", justify="right", style="dim")
    table.add_column("Question", ratio=3)
    table.add_column("Answered", justify="right", no_wrap=True)
    table.add_column("Right 1st", justify="right", no_wrap=True)
    table.add_column("In the end", justify="right", no_wrap=True)
    table.add_column("Attempts", justify="right", no_wrap=True)
    table.add_column("Most chosen wrong", ratio=2)
    summaries = [(f"Q{n}", s) for n, s in enumerate(report.question_summaries, 1)]
    summaries += [("–", s) for s in report.removed_question_summaries]
    for number, summary in summaries:
        column = summary.column
        title = _text(column.title)
        if not column.in_course:
            title += " [dim](no longer in the course)[/dim]"
        answered = summary.answered
        wrong = ""
        if summary.top_wrong is not None:
            wrong = f"{_text(summary.top_wrong)} ({summary.top_wrong_count})"
        table.add_row(
            number,
            title,
            str(answered),
            _percent(summary.first_rate) if answered else "–",
            _percent(summary.last_rate) if answered else "–",
            f"{summary.average_attempts:.1f}" if answered else "–",
            wrong,
        )
    return table


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
    if report.graded:
        summary += (
            f", {len(report.questions)} question{'s' if len(report.questions) != 1 else ''}: "
            f"{report.results(PASSED)} passed, {report.results(FAILED)} failed, "
            f"{report.results(IN_PROGRESS)} in progress"
        )
        if report.pass_mark is not None:
            summary += f" (pass mark {report.pass_mark}%)"
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
    if report.tasks or report.removed_tasks or not report.graded:
        parts.append(tasks)
    if report.graded:
        parts.append(_questions_table(report))

    # One column per TASK while they fit; else a count of completed tasks.
    per_task = len(report.tasks) <= max(0, (width - 52) // 5)
    matrix = Table(title="Learners", title_justify="left", show_edge=False, pad_edge=False)
    matrix.add_column("Learner", min_width=12, ratio=1)
    matrix.add_column("Progress", justify="right", no_wrap=True)
    matrix.add_column("Course", justify="center", no_wrap=True)
    if report.graded:
        matrix.add_column("Score", no_wrap=True)
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
            *([score_text(learner.score, len(report.questions))] if report.graded else []),
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
