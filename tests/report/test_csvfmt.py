"""The CSV renderer: cells that a spreadsheet would run as a formula (or split into one, or skip
invisible characters before reading as one) are neutralised."""

from __future__ import annotations

import csv
import io

import pytest

from coursepack.report.aggregate import Aggregator
from coursepack.report.csvfmt import render_csv
from tests.report.helpers import ADA, NOW, at, completed_task, sample_course, statement

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


@pytest.mark.parametrize(
    "start",
    [
        "=",
        "+",
        "-",
        "@",
        "\t",
        "\r",
        "\n",
        " ",
        "\u00a0",
        "\x00",
        "\u200b",
        "\ufeff",
        "\u202e",
        "\uff1d",
        "\uff0b",
        "\uff0d",
        "\uff20",
        "\ufe66",
        "\u2212",
        ";",
        "|",
    ],
)
def test_a_cell_starting_with_a_formula_or_invisible_character_gets_an_apostrophe(
    start: str,
) -> None:
    aggregator = Aggregator(COURSE, include_responses=True)
    aggregator.add(
        completed_task(COURSE, ADA, "basics", "task-1", at(0), f"{start}cmd|' /C calc'!A0")
    )
    rows = list(csv.DictReader(io.StringIO(render_csv(aggregator.report(generated_at=NOW)))))
    assert rows[0]["response"] == f"'{start}cmd|' /C calc'!A0"


@pytest.mark.parametrize("text", ["Plain answer", "'quoted", "1+1", "a=b", "émile", "“quote”"])
def test_an_ordinary_cell_is_left_as_it_is(text: str) -> None:
    aggregator = Aggregator(COURSE, include_responses=True)
    aggregator.add(completed_task(COURSE, ADA, "basics", "task-1", at(0), text))
    rows = list(csv.DictReader(io.StringIO(render_csv(aggregator.report(generated_at=NOW)))))
    assert rows[0]["response"] == text


def test_item_analysis_texts_from_statements_cannot_start_a_formula() -> None:
    from coursepack.report.csvfmt import render_items_csv
    from coursepack.xapi import vocab
    from tests.report.helpers import graded_course

    course = graded_course()
    aggregator = Aggregator(course)
    for n, who in enumerate(("a", "b")):
        aggregator.add(
            statement(
                course,
                {"mbox": f"mailto:{who}@example.org"},
                "answered",
                f"{course.id}/quiz/items/gone",
                at(n),
                result={"response": "=cmd|' /C calc'!A0", "success": False},
                definition={
                    "type": vocab.ACTIVITY_TYPES["check"],
                    "description": {"en": "@SUM(1+1)"},
                    "interactionType": "fill-in",
                },
                context={"contextActivities": {"grouping": [{"id": course.id}]}},
            )
        )
    rows = list(csv.DictReader(io.StringIO(render_items_csv(aggregator.report(generated_at=NOW)))))
    gone = rows[-1]
    assert (gone["question"], gone["question_in_course"]) == ("'@SUM(1+1)", "no")
    assert gone["most_chosen_wrong"] == "'=cmd|' /c calc'!a0"  # two learners typed it
