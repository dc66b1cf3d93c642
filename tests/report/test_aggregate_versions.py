"""The report across versions of a course: answers to a TASK's earlier wording count for it,
marked with the version that had it; removed TASKs are named from the course's lock file."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from coursepack.report.aggregate import Aggregator
from coursepack.report.jsonfmt import to_json
from coursepack.xapi import vocab
from tests.report.test_json_schema import documented_schema, problems
from tests.test_versions import IRI, T1, T3, build_lock, write_course

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)


def completed(sid: str, who: str, iri: str, at: str, response: str) -> dict[str, Any]:
    return {
        "id": sid,
        "actor": {"mbox": f"mailto:{who}@example.org", "name": who},
        "verb": {"id": vocab.VERBS["completed"]},
        "object": {"id": iri, "definition": {"type": vocab.ACTIVITY_TYPES["task"]}},
        "result": {"completion": True, "response": response},
        "timestamp": at,
    }


def test_answers_to_an_earlier_wording_show_under_the_current_question(tmp_path: Path) -> None:
    root = write_course(tmp_path / "course")
    build_lock(root)
    light = T1.replace("daily", "everyday")
    write_course(root, version="1.1.0", theory=(light, T3))  # T1 reworded, T2 removed
    course = build_lock(root).checked.course
    old = f"{IRI}/basics/items/theory-task-1"
    aggregator = Aggregator(course, include_responses=True)
    aggregator.add_all(
        [
            completed("00000000-0000-4000-8000-000000000001", "ada", old, "2024-05-01T10:00Z", "A"),
            completed(
                "00000000-0000-4000-8000-000000000002", "bob", old, "2024-05-01T10:00Z", "B1"
            ),
            completed(
                "00000000-0000-4000-8000-000000000003",
                "bob",
                old + "~r2",
                "2024-05-02T10:00Z",
                "B2",
            ),
            completed(
                "00000000-0000-4000-8000-000000000004",
                "ada",
                f"{IRI}/basics/items/theory-task-2",
                "2024-05-01T11:00Z",
                "gone",
            ),
        ]
    )
    report = aggregator.report(generated_at=NOW)
    columns = [c.iri for c in report.tasks]
    assert old not in columns and old + "~r2" in columns  # one column: the current question
    index = columns.index(old + "~r2")
    ada, bob = report.learners
    assert ada.tasks[index].completed and ada.tasks[index].response == "A"
    assert ada.tasks[index].version == "1.0.0"  # answered the wording of version 1.0.0
    assert bob.tasks[index].response == "B2" and bob.tasks[index].version is None
    (removed,) = report.removed_tasks  # named from the lock: the statement gives no name
    assert removed.title.startswith("Who are the partners") and not removed.in_course
    assert ada.removed_tasks[0].completed
    cells = to_json(report)["learners"][0]["tasks"]
    assert cells[index]["answered_version"] == "1.0.0"
    assert "answered_version" not in to_json(report)["learners"][1]["tasks"][index]
    schema = documented_schema()
    assert problems(to_json(report), schema, schema) == []  # answered_version is documented
