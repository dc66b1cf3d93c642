"""The report as CSV: one row per learner x TASK, for spreadsheets.

Every TASK of the course gets a row for every learner (completed or not); a task no longer in
the course gets a row only for the learners who completed it. Times are UTC as
``YYYY-MM-DD HH:MM:SS`` (which spreadsheets read as a date-time).

A cell that a spreadsheet could run as a formula, or split into one, gets a leading apostrophe
(``docs/report.md``, "CSV"): one starting with ``= + - @``, their fullwidth and small forms
(``＝ ＋ － ＠ ﹦ ﹢ ﹣ ﹫``, which some spreadsheets fold to ASCII) or ``−``; with ``;`` or ``|``
(field separators in some locales, and DDE's ``|``); or with anything a spreadsheet may skip
before looking: whitespace (tab, CR, LF, space, NBSP, ...), a control character (NUL, ...) or an
invisible format character (ZERO WIDTH SPACE, BOM, bidi controls, ...).
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterator
from datetime import datetime

from coursepack.report.model import (
    EMPTY_CELL,
    LearnerRow,
    Report,
    TaskCell,
    TaskColumn,
    time_format,
)

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
# graded courses: the learner's result, after the columns above (whose places never change)
SCORE_HEADER = ("learner_score_percent", "learner_result")

# --items: the item analysis, one row per question (docs/report.md, "Scores and item analysis")
ITEMS_HEADER = (
    "module_id",
    "module_title",
    "question_id",
    "question",
    "type",
    "question_in_course",
    "learners_answered",
    "correct_first_attempt",
    "correct_first_attempt_percent",
    "correct_last_attempt",
    "correct_last_attempt_percent",
    "average_attempts",
    "most_chosen_wrong",
    "most_chosen_wrong_learners",
    "question_iri",
)
_RESULT_WORDS = {
    "passed": "passed",
    "failed": "failed",
    "in_progress": "in progress",
    "not_started": "",
}

_NO_TASK = TaskColumn("", "", "", "", "", in_course=False)  # the task columns left empty

_FORMULA_START = frozenset("=+-@;|\uff1d\uff0b\uff0d\uff20\ufe66\ufe62\ufe63\ufe6b\u2212")


_TIME = time_format(" ")


def _time(value: datetime | None) -> str:
    return _TIME(value) if value is not None else ""


def _unsafe_start(ch: str) -> bool:
    return ch in _FORMULA_START or ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf")


def _safe(text: str) -> str:
    return "'" + text if text and _unsafe_start(text[0]) else text


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def rows(report: Report) -> list[list[str]]:
    return list(iter_rows(report))


def iter_rows(report: Report) -> Iterator[list[str]]:
    header = [h for h in HEADER if h != "response" or report.responses_included]
    yield header + list(SCORE_HEADER) if report.graded else header
    # A report of 300,000 learners is 6,000,000 rows: what a row takes from its task and from
    # its learner is made once per task and once per learner, not once per row.
    columns = {
        id(column): _column_parts(column)
        for column in (*report.tasks, *report.removed_tasks, _NO_TASK)
    }
    responses = report.responses_included
    for learner in report.learners:
        pairs: list[tuple[TaskColumn, TaskCell]] = list(
            zip(report.tasks, learner.tasks, strict=True)
        )
        pairs += [
            (column, cell)
            for column, cell in zip(report.removed_tasks, learner.removed_tasks, strict=True)
            if cell.completed
        ]
        if not pairs and report.graded:  # a course of questions only: one row for the score
            pairs = [(_NO_TASK, EMPTY_CELL)]
        head = [_safe(learner.display), _safe(learner.key)]
        middle = [f"{learner.progress * 100:.0f}", _yes(learner.course_completed)]
        tail = _score_parts(learner) if report.graded else []
        for column, cell in pairs:
            task, iri = columns[id(column)]
            row = [*head, *task]
            row.append(_yes(cell.completed) if column is not _NO_TASK else "")
            row.append(_time(cell.completed_at))
            if responses:
                row.append(_safe(cell.response or ""))
            row += middle
            row.append(iri)
            row += tail
            yield row


def _column_parts(column: TaskColumn) -> tuple[list[str], str]:
    """What a row takes from its task: its ids, titles and whether it is in the course (all
    before the completion), and its IRI (after the learner's progress)."""
    return [
        _safe(column.module_id),  # a removed task's ids come from a statement's object id
        _safe(column.module_title),
        _safe(column.item_id),
        _safe(column.title),
        _yes(column.in_course) if column is not _NO_TASK else "",
    ], _safe(column.iri)  # a removed task's IRI comes from a statement


def _score_parts(learner: LearnerRow) -> list[str]:
    score = learner.score
    scaled = score.scaled if score is not None else None
    return [
        f"{scaled * 100:.0f}" if scaled is not None else "",
        _RESULT_WORDS[score.status] if score is not None else "",
    ]


def iter_item_rows(report: Report) -> Iterator[list[str]]:
    """``--items``: the header, then one row per question (the course's, then removed ones)."""
    yield list(ITEMS_HEADER)
    for summary in (*report.question_summaries, *report.removed_question_summaries):
        column = summary.column
        yield [
            _safe(column.module_id),  # a removed question's ids come from a statement
            _safe(column.module_title),
            _safe(column.item_id),
            _safe(column.title),
            _safe(column.interaction + ("-multiple" if column.multiple else "")),
            _yes(column.in_course),
            str(summary.answered),
            str(summary.correct_first),
            f"{summary.first_rate * 100:.0f}" if summary.answered else "",
            str(summary.correct_last),
            f"{summary.last_rate * 100:.0f}" if summary.answered else "",
            f"{summary.average_attempts:.2f}" if summary.answered else "",
            _safe(summary.top_wrong or ""),
            str(summary.top_wrong_count) if summary.top_wrong is not None else "",
            _safe(column.iri),
        ]


def iter_csv(report: Report, rows_per_piece: int = 2000) -> Iterator[str]:
    """The CSV text in pieces of ``rows_per_piece`` rows (never the whole report at once)."""
    return _pieces(iter_rows(report), rows_per_piece)


def iter_items_csv(report: Report) -> Iterator[str]:
    """The item analysis as CSV (``--items``): one row per question."""
    return _pieces(iter_item_rows(report), 2000)


def render_items_csv(report: Report) -> str:
    return "".join(iter_items_csv(report))


def _pieces(rows: Iterator[list[str]], rows_per_piece: int) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for number, row in enumerate(rows, 1):
        writer.writerow(row)
        if number % rows_per_piece == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def render_csv(report: Report) -> str:
    return "".join(iter_csv(report))
