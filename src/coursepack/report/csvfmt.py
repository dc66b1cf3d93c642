"""The report as CSV: one row per learner x TASK, for spreadsheets.

Every TASK of the course gets a row for every learner (completed or not); a task no longer in
the course gets a row only for the learners who completed it. Times are UTC as
``YYYY-MM-DD HH:MM:SS`` (which spreadsheets read as a date-time). Cells that a spreadsheet would
run as a formula (starting with ``= + - @``, tab or CR) get a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime

from coursepack.report.model import LearnerRow, Report, TaskCell, TaskColumn

HEADER = (
    "learner",
    "learner_id",
    "module_id",
    "module_title",
    "task_id",
    "task_title",
    "task_in_course",
    "completed",
    "completed_at_utc",
    "response",
    "learner_progress_percent",
    "learner_course_completed",
    "task_iri",
)

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _time(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value is not None else ""


def _safe(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_START) else text


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def rows(report: Report) -> list[list[str]]:
    header = [h for h in HEADER if h != "response" or report.responses_included]
    out = [header]
    for learner in report.learners:
        pairs: list[tuple[TaskColumn, TaskCell]] = list(
            zip(report.tasks, learner.tasks, strict=True)
        )
        pairs += [
            (column, cell)
            for column, cell in zip(report.removed_tasks, learner.removed_tasks, strict=True)
            if cell.completed
        ]
        for column, cell in pairs:
            out.append(_row(report, learner, column, cell))
    return out


def _row(report: Report, learner: LearnerRow, column: TaskColumn, cell: TaskCell) -> list[str]:
    row = [
        _safe(learner.display),
        _safe(learner.key),
        _safe(column.module_id),  # a removed task's ids come from a statement's object id
        _safe(column.module_title),
        _safe(column.item_id),
        _safe(column.title),
        _yes(column.in_course),
        _yes(cell.completed),
        _time(cell.completed_at),
    ]
    if report.responses_included:
        row.append(_safe(cell.response or ""))
    row += [
        f"{learner.progress * 100:.0f}",
        _yes(learner.course_completed),
        column.iri,
    ]
    return row


def render_csv(report: Report) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(rows(report))
    return buffer.getvalue()
