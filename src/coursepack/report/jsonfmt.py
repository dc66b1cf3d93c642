"""The report as JSON: the documented, versioned shape (``docs/report.md``, "JSON schema").

Deterministic: keys in a fixed order, learners sorted by display name, tasks in course order,
times as UTC ``YYYY-MM-DDTHH:MM:SSZ``, ratios rounded to 4 decimals.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from coursepack.report.model import (
    EMPTY_CELL,
    FAILED,
    IN_PROGRESS,
    NOT_STARTED,
    PASSED,
    AnswerCell,
    LearnerRow,
    ModuleStatus,
    QuestionSummary,
    Report,
    ScoreStatus,
    TaskCell,
    TaskColumn,
    TaskSummary,
    time_format,
)

orjson: Any
try:
    import orjson
except ImportError:  # pragma: no cover - depends on the environment
    orjson = None

FORMAT_NAME = "coursepack-completion-report"
FORMAT_VERSION = 1


_ISO = time_format("T", "Z")


def iso(value: datetime | None) -> str | None:
    return _ISO(value) if value is not None else None


def ratio(value: float) -> float:
    return round(value, 4)


def to_json(report: Report) -> dict[str, Any]:
    """The whole report as one JSON value (for tests and small reports; see ``iter_json``)."""
    data = _head(report)
    shared = _Shared(report)
    data["learners"] = [_learner(report, learner, shared) for learner in report.learners]
    return data


_LEARNERS_MARK = "\x00learners\x00"


def _head(report: Report) -> dict[str, Any]:
    course_prefix = report.course_id + "/"
    summaries = (*report.summaries, *report.removed_summaries)
    head = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "generated_at": iso(report.generated_at),
        "course": {
            "id": report.course_id,
            "title": report.course_title,
            "completion_rule": report.completion_rule,
            "modules": [
                {"id": module_id, "title": title, "iri": course_prefix + module_id}
                for module_id, title in report.modules
            ],
        },
        "filters": {
            "since": iso(report.since),
            "until": iso(report.until),
            "registration": report.registration,
        },
        "responses_included": report.responses_included,
        "stats": {
            "statements_received": report.stats.statements_received,
            "malformed_skipped": report.stats.malformed_skipped,
            "voided_skipped": report.stats.voided_skipped,
            "duplicates_ignored": report.stats.duplicates_ignored,
            "pages": report.stats.pages,
            "strategy": report.stats.strategy,
        },
        "summary": {
            "learners": len(report.learners),
            "course_completions": report.courses_completed,
            "average_progress": ratio(report.average_progress),
            "tasks": len(report.tasks),
            "removed_tasks": len(report.removed_tasks),
        },
        "tasks": [_task(summary) for summary in summaries],
        "learners": _LEARNERS_MARK,
        "completions_by_day": [
            {"date": day.isoformat(), "completions": count}
            for day, count in report.completions_by_day
        ],
    }
    if report.graded:  # only then: an ungraded course's report is as it always was
        head["assessment"] = _assessment(report)
        head["questions"] = [
            _question(summary)
            for summary in (*report.question_summaries, *report.removed_question_summaries)
        ]
    return head


def _assessment(report: Report) -> dict[str, Any]:
    scores = [
        row.score.scaled
        for row in report.learners
        if row.score is not None and row.score.scaled is not None
    ]
    return {
        "pass_mark": report.pass_mark,
        "questions": len(report.questions),
        "removed_questions": len(report.removed_questions),
        "passed": report.results(PASSED),
        "failed": report.results(FAILED),
        "in_progress": report.results(IN_PROGRESS),
        "not_started": report.results(NOT_STARTED),
        "average_score": ratio(sum(scores) / len(scores)) if scores else None,
    }


def _question(summary: QuestionSummary) -> dict[str, Any]:
    column = summary.column
    top = summary.top_wrong
    return {
        "iri": column.iri,
        "module": column.module_id or None,
        "id": column.item_id,
        "title": column.title,
        "type": column.interaction or None,
        "multiple": column.multiple,
        "in_course": column.in_course,
        "answered": summary.answered,
        "correct_first": summary.correct_first,
        "correct_first_rate": ratio(summary.first_rate),
        "correct_last": summary.correct_last,
        "correct_last_rate": ratio(summary.last_rate),
        "average_attempts": round(summary.average_attempts, 2),
        "most_chosen_wrong": (
            {"text": top, "learners": summary.top_wrong_count} if top is not None else None
        ),
        "choices": [
            {"text": text, "learners": count, "correct": correct}
            for text, count, correct in summary.choices
        ],
    }


def _score(score: ScoreStatus) -> dict[str, Any]:
    return {
        "status": score.status,
        "scaled": ratio(score.scaled) if score.scaled is not None else None,
        "raw": _whole(score.raw),
        "max": _whole(score.max),
        "at": iso(score.at),
        "questions_answered": score.answered,
        "questions_correct": score.correct,
    }


def _whole(value: float | None) -> float | int | None:
    """3.0 as 3: a score's raw and max are counts of questions."""
    return int(value) if value is not None and value.is_integer() else value


def _answer(iri: str, cell: AnswerCell) -> dict[str, Any]:
    return {
        "iri": iri,
        "answered": cell.answered,
        "attempts": cell.attempts,
        "first_correct": cell.first_correct if cell.answered else None,
        "last_correct": cell.last_correct if cell.answered else None,
        "answered_at": iso(cell.last_at),
    }


def _task(summary: TaskSummary) -> dict[str, Any]:
    column = summary.column
    return {
        "iri": column.iri,
        "module": column.module_id or None,
        "id": column.item_id,
        "title": column.title,
        "in_course": column.in_course,
        "completions": summary.completions,
        "completion_rate": ratio(summary.rate),
    }


def _cell(report: Report, iri: str, cell: TaskCell) -> dict[str, Any]:
    data = {
        "iri": iri,
        "completed": cell.completed,
        "completed_at": iso(cell.completed_at),
        "response": cell.response if report.responses_included else None,
    }
    if cell.version is not None:  # an answer to an earlier wording (docs/versions.md)
        data["answered_version"] = cell.version
    return data


def _module(status: ModuleStatus) -> dict[str, Any]:
    return {
        "id": status.module_id,
        "completed": status.completed,
        "completed_at": iso(status.completed_at),
        "source": status.source,
    }


class _Shared:
    """What many learners' JSON has alike, made once per report: a task's cell for a learner who
    has not completed it (most cells), and a module's for one who has not completed it. Read-only:
    one dict is in many learners' values."""

    def __init__(self, report: Report) -> None:
        self.tasks = [_cell(report, c.iri, EMPTY_CELL) for c in report.tasks]
        self.removed_tasks = [_cell(report, c.iri, EMPTY_CELL) for c in report.removed_tasks]
        self.modules: dict[str, dict[str, Any]] = {}

    def cells(
        self,
        report: Report,
        columns: tuple[TaskColumn, ...],
        cells: tuple[TaskCell, ...],
        blank: list[dict[str, Any]],
    ) -> list[dict[str, Any]]:
        return [
            empty if cell is EMPTY_CELL else _cell(report, column.iri, cell)
            for column, cell, empty in zip(columns, cells, blank, strict=True)
        ]

    def module(self, status: ModuleStatus) -> dict[str, Any]:
        if status.completed_at is not None or status.source is not None:
            return _module(status)
        found = self.modules.get(status.module_id)
        if found is None:
            found = self.modules[status.module_id] = _module(status)
        return found


def _learner(report: Report, learner: LearnerRow, shared: _Shared) -> dict[str, Any]:
    cells = shared.cells(report, report.tasks, learner.tasks, shared.tasks) + shared.cells(
        report, report.removed_tasks, learner.removed_tasks, shared.removed_tasks
    )
    data = {
        "id": learner.key,
        "ifi": learner.ifi,
        "name": learner.name,
        "display": learner.display,
        "progress": ratio(learner.progress),
        "tasks_completed": learner.tasks_completed,
        "course": {
            "completed": learner.course_completed,
            "completed_at": iso(learner.course_completed_at),
            "source": learner.course_completion_source,
        },
        "first_activity": iso(learner.first_activity),
        "last_activity": iso(learner.last_activity),
        "only_removed_tasks": learner.only_removed_tasks,
        "modules": [shared.module(status) for status in learner.modules],
        "tasks": cells,
    }
    if learner.score is not None:  # a graded report
        data["score"] = _score(learner.score)
        data["answers"] = [
            _answer(column.iri, cell)
            for column, cell in zip(
                (*report.questions, *report.removed_questions),
                (*learner.answers, *learner.removed_answers),
                strict=True,
            )
        ]
    return data


def _dumps(data: Any) -> str:
    if orjson is not None:  # same text as json.dumps below for this data, ~10x faster
        text: str = orjson.dumps(data, option=orjson.OPT_INDENT_2).decode("utf-8")
        return text
    return json.dumps(data, indent=2, ensure_ascii=False)


def iter_json(report: Report) -> Iterator[str]:
    """The report's JSON text in pieces, one learner at a time: the same text as ``to_json``
    dumped whole, without ever holding all of it (a report of 300,000 learners is ~1 GB)."""
    head, mark, tail = _dumps(_head(report)).partition(_dumps(_LEARNERS_MARK))
    assert mark, "the learners' place was not found"
    yield head
    if not report.learners:
        yield "[]"
    else:
        separator = "[\n    "
        shared = _Shared(report)
        for learner in report.learners:
            text = _dumps(_learner(report, learner, shared))
            # Nested two levels deep: every line indented by 4 more spaces (a JSON string has
            # no raw line end, so every "\n" is between two tokens).
            yield separator + text.replace("\n", "\n    ")
            separator = ",\n    "
        yield "\n  ]"
    yield tail + "\n"


def render_json(report: Report) -> str:
    return "".join(iter_json(report))
