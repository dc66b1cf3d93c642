"""The report as JSON: the documented, versioned shape (``docs/report.md``, "JSON schema").

Deterministic: keys in a fixed order, learners sorted by display name, tasks in course order,
times as UTC ``YYYY-MM-DDTHH:MM:SSZ``, ratios rounded to 4 decimals.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from coursepack.report.model import LearnerRow, ModuleStatus, Report, TaskCell, TaskSummary

orjson: Any
try:
    import orjson
except ImportError:  # pragma: no cover - depends on the environment
    orjson = None

FORMAT_NAME = "coursepack-completion-report"
FORMAT_VERSION = 1


def iso(value: datetime | None) -> str | None:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value is not None else None


def ratio(value: float) -> float:
    return round(value, 4)


def to_json(report: Report) -> dict[str, Any]:
    """The whole report as one JSON value (for tests and small reports; see ``iter_json``)."""
    data = _head(report)
    data["learners"] = [_learner(report, learner) for learner in report.learners]
    return data


_LEARNERS_MARK = "\x00learners\x00"


def _head(report: Report) -> dict[str, Any]:
    course_prefix = report.course_id + "/"
    summaries = (*report.summaries, *report.removed_summaries)
    return {
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


def _learner(report: Report, learner: LearnerRow) -> dict[str, Any]:
    cells = [
        _cell(report, column.iri, cell)
        for column, cell in zip(report.tasks, learner.tasks, strict=True)
    ] + [
        _cell(report, column.iri, cell)
        for column, cell in zip(report.removed_tasks, learner.removed_tasks, strict=True)
    ]
    return {
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
        "modules": [_module(status) for status in learner.modules],
        "tasks": cells,
    }


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
        for learner in report.learners:
            text = _dumps(_learner(report, learner))
            # Nested two levels deep: every line indented by 4 more spaces (a JSON string has
            # no raw line end, so every "\n" is between two tokens).
            yield separator + text.replace("\n", "\n    ")
            separator = ",\n    "
        yield "\n  ]"
    yield tail + "\n"


def render_json(report: Report) -> str:
    return "".join(iter_json(report))
