"""The CSV renderer: cells that a spreadsheet would run as a formula are neutralised."""

from __future__ import annotations

import csv
import io

from coursepack.report.aggregate import Aggregator
from coursepack.report.csvfmt import render_csv
from tests.report.helpers import ADA, NOW, at, sample_course, statement

COURSE = sample_course()


def test_ids_of_a_removed_task_from_a_statement_cannot_start_a_formula() -> None:
    # A learner holding the package's write-only key can send any object id under the course.
    evil = f"{COURSE.id}/=1+2/items/@SUM(1)"
    aggregator = Aggregator(COURSE)
    aggregator.add(statement(COURSE, ADA, "completed", evil, at(0), definition={}))
    report = aggregator.report(generated_at=NOW)
    rows = list(csv.DictReader(io.StringIO(render_csv(report))))
    removed = [row for row in rows if row["task_in_course"] == "no"]
    assert len(removed) == 1
    for row in removed:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@")), value
    assert removed[0]["module_id"] == "'=1+2"
    assert removed[0]["task_id"] == "'@SUM(1)"
