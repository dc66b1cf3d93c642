"""The terminal table: text from statements cannot drive the terminal."""

from __future__ import annotations

from coursepack.report.aggregate import Aggregator
from coursepack.report.table import render_table
from tests.report.helpers import NOW, at, completed_task, sample_course, statement

COURSE = sample_course()


def test_control_characters_in_names_and_titles_do_not_reach_the_terminal() -> None:
    actor = {"name": "Mallory\x1b[2J\x1b]0;owned\x07\rX", "mbox": "mailto:m@example.org"}
    removed = f"{COURSE.id}/gone/items/old"
    aggregator = Aggregator(COURSE)
    aggregator.add(completed_task(COURSE, actor, "basics", "task-1", at(0), "x"))
    definition = {"name": {"en": "Old\x1b[31m task"}}
    aggregator.add(statement(COURSE, actor, "completed", removed, at(1), definition=definition))
    text = render_table(aggregator.report(generated_at=NOW))
    assert "Mallory" in text and "Old" in text
    assert not any((ord(ch) < 32 and ch != "\n") or ord(ch) == 127 for ch in text)
