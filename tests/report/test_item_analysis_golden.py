"""The item analysis of a graded course, from fixed statements and without an LRS, against
golden files: JSON, both CSVs (learners, and ``--items``), HTML and the terminal table.

Regenerate after an intended change with ``COURSEPACK_UPDATE_GOLDEN=1`` (``tests/golden.py``)
and review the diff.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from coursepack.model import CompletionRule
from coursepack.report.aggregate import Aggregator
from coursepack.report.csvfmt import render_csv, render_items_csv
from coursepack.report.html import render_html
from coursepack.report.jsonfmt import render_json
from coursepack.report.model import Report
from coursepack.report.table import render_table
from tests import golden
from tests.golden import check_golden
from tests.report.helpers import NOW, graded_course, graded_statements

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "report"
COURSE = graded_course()


def graded_report(include_responses: bool = False) -> Report:
    statements, _ = graded_statements(COURSE)
    aggregator = Aggregator(COURSE, include_responses=include_responses)
    aggregator.add_all(statements)
    return aggregator.report(generated_at=NOW, pages=1)


def check_bytes_golden(name: str, text: str) -> None:
    """Byte for byte, CRLF row ends included."""
    path = GOLDEN / name
    data = text.encode("utf-8")
    if golden.UPDATE:
        path.write_bytes(data)
        return
    assert path.exists(), f"{path} is missing: run with COURSEPACK_UPDATE_GOLDEN=1 to create it"
    assert data == path.read_bytes(), f"output differs from golden file {path.name}"


def test_graded_report_json_matches_golden() -> None:
    text = render_json(graded_report())
    check_golden(GOLDEN / "graded.json", text)
    data = json.loads(text)
    port = data["questions"][0]
    assert (port["id"], port["correct_first"], port["correct_last"]) == ("port", 3, 4)
    assert port["most_chosen_wrong"] == {"text": "80", "learners": 1}
    assert data["assessment"]["passed"] == 2 and data["assessment"]["failed"] == 1


def test_graded_learner_csv_matches_golden_and_adds_the_score_columns_last() -> None:
    text = render_csv(graded_report())
    check_bytes_golden("graded.csv", text)
    header, *rows = list(csv.reader(io.StringIO(text)))
    assert header[-3:] == ["task_iri", "learner_score_percent", "learner_result"]
    assert [rows[2][0], *rows[2][-2:]] == ["Dan", "0", "failed"]


def test_graded_learner_csv_of_a_course_without_tasks_has_a_row_per_learner() -> None:
    course = graded_course(CompletionRule.PASS, tasks=False)
    statements, _ = graded_statements(course)
    aggregator = Aggregator(course)
    aggregator.add_all(statements)
    _, *rows = list(csv.reader(io.StringIO(render_csv(aggregator.report(generated_at=NOW)))))
    assert [(row[0], row[4], row[-2], row[-1]) for row in rows] == [
        ("Ada Lovelace", "", "100", "passed"),
        ("Bob <b>Builder</b>", "", "100", "passed"),
        ("Dan", "", "0", "failed"),
        ("Eve", "", "", "in progress"),
        ("https://id.example.org/chloe", "", "", "in progress"),
    ]


def test_item_analysis_csv_matches_golden() -> None:
    text = render_items_csv(graded_report())
    check_bytes_golden("graded-items.csv", text)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [row["question_id"] for row in rows] == [
        "port",
        "colours",
        "flat",
        "capital",
        "old-question",
    ]
    capital = rows[3]
    assert (capital["most_chosen_wrong"], capital["most_chosen_wrong_learners"]) == ("london", "2")
    assert rows[-1]["question_in_course"] == "no"


def test_item_analysis_html_matches_golden() -> None:
    html = render_html(graded_report())
    check_golden(GOLDEN / "graded.html", html)
    assert html.count('<svg class="question"') == 5  # a chart per question, the removed one too
    assert "Which of these are &lt;primary&gt; colours?" in html
    assert "White &amp; bright" in html


def test_item_analysis_table_matches_golden() -> None:
    check_golden(GOLDEN / "graded.txt", render_table(graded_report()))
