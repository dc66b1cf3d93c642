"""The completion rule is decided once (coursepack.completion): the page and the report agree,
for courses with TASKs and without, under both rules."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from coursepack.build import build_course
from coursepack.completion import counted, counted_keys, progress_unit
from coursepack.model import Course
from coursepack.pipeline import load_course
from coursepack.report.aggregate import Aggregator
from coursepack.tracking import runtime_config
from coursepack.xapi import vocab
from tests.runtime.learner import cards, complete_task, go_to, open_item, section_keys, wait_started
from tests.support.scorm_harness import unzip_package

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.support.static_server import StaticServer

READINGS = """# Readings

## One

READ: https://example.org/a
WATCH: https://example.org/talk.mp4

## Two

READ: https://example.org/b
"""
MIXED = READINGS + "\n## Three\n\nTASK: What did you learn?\n"


def make_course(root: Path, module: str, completion: str) -> Path:
    (root / "modules").mkdir(parents=True)
    (root / "course.yaml").write_text(
        "id: https://example.org/completion\ntitle: C\nlanguage: en\nversion: '1'\n"
        f"completion: {completion}\nmodules:\n  - modules/m.md\n",
        "utf-8",
    )
    (root / "modules" / "m.md").write_text(module, "utf-8")
    return root


CASES = {
    "readings-all-tasks": (READINGS, "all-tasks", 3, "items"),
    "readings-all-items": (READINGS, "all-items", 3, "items"),
    "mixed-all-tasks": (MIXED, "all-tasks", 1, "tasks"),
    "mixed-all-items": (MIXED, "all-items", 4, "items"),
}


def report_progress(course: Course, done: list[str]) -> tuple[float, bool]:
    """What the report says of a learner who completed the items with these keys."""
    aggregator = Aggregator(course)
    at = datetime(2024, 5, 1, tzinfo=UTC)
    actor = {"account": {"homePage": "https://lms.example.org", "name": "ada"}}
    aggregator.add(  # the learner started: a row, whatever they did next
        {
            "id": "00000000-0000-4000-8000-ffffffffffff",
            "actor": actor,
            "verb": {"id": vocab.VERBS["initialized"]},
            "object": {"id": course.id},
            "timestamp": at.isoformat(),
        }
    )
    for n, (module, item) in enumerate((m, i) for m in course.modules for i in m.items):
        if vocab.item_key(module, item) not in done:
            continue
        verb = "completed" if item.is_task else "experienced"
        aggregator.add(
            {
                "id": f"00000000-0000-4000-8000-{n:012d}",
                "actor": actor,
                "verb": {"id": vocab.VERBS[verb]},
                "object": {"id": vocab.item_iri(course, module, item)},
                "result": {"completion": True, "response": "x"} if item.is_task else {},
                "timestamp": (at + timedelta(minutes=n)).isoformat(),
            }
        )
    (row,) = aggregator.report(generated_at=at + timedelta(days=1)).learners
    return row.progress, row.course_completed_at is not None


@pytest.mark.parametrize("case", sorted(CASES))
def test_config_report_and_progress_unit_count_the_same_items(case: str, tmp_path: Path) -> None:
    module, rule, expected_count, unit = CASES[case]
    course = load_course(make_course(tmp_path, module, rule), {})
    keys = counted_keys(course)
    assert len(keys) == expected_count
    assert progress_unit(course) == unit
    config = runtime_config(course, {"adapter": "scorm12"}).to_json()
    assert config["course"]["counted"] == keys
    assert [m["counted"] for m in config["modules"]] == [counted_keys(course, [course.modules[0]])]
    # the report: everything counted done -> complete; one missing -> not complete
    assert report_progress(course, keys) == (1.0, True)
    progress, complete = report_progress(course, keys[1:])
    assert not complete and progress == pytest.approx((len(keys) - 1) / len(keys))
    # items the rule does not count change nothing
    extra = [vocab.item_key(m, i) for m, i in ((m, i) for m in course.modules for i in m.items)]
    uncounted = [k for k in extra if k not in keys]
    if uncounted:
        assert report_progress(course, uncounted)[1] is False


def test_a_course_without_tasks_is_not_reported_complete_by_nothing(tmp_path: Path) -> None:
    course = load_course(make_course(tmp_path, READINGS, "all-tasks"), {})
    assert [item.is_task for _, item in counted(course)] == [False, False, False]
    assert report_progress(course, []) == (0.0, False)


@pytest.mark.e2e
@pytest.mark.parametrize("case", ["readings-all-tasks", "mixed-all-tasks"])
def test_the_page_counts_what_the_report_counts(
    case: str, page: Page, tmp_path: Path, http_server: Callable[[Path], StaticServer]
) -> None:
    module, rule, expected_count, _ = CASES[case]
    course_dir = make_course(tmp_path / "course", module, rule)
    (zip_path,) = build_course(course_dir, tmp_path / "dist", ["scorm12"], environ={}).paths
    folder = unzip_package(zip_path, tmp_path / "pkg")
    page.goto(http_server(folder).url + "index.html")
    wait_started(page)
    course = load_course(course_dir, {})
    keys = counted_keys(course)
    progress = page.evaluate("() => Coursepack.progress()")
    assert (progress["done"], progress["total"], progress["completed"]) == (0, len(keys), False)
    for section in section_keys(page):
        go_to(page, section)
        for card in cards(page):
            if card.get_attribute("data-kind") == "task":
                complete_task(card, "Done.")
            else:
                open_item(page, card)
    progress = page.evaluate("() => Coursepack.progress()")
    assert progress == {
        "done": expected_count,
        "total": expected_count,
        "progressMeasure": 1,
        "completed": True,
    }
    done = page.evaluate("() => Object.keys(Coursepack.state().opened)")
    assert json.dumps(sorted(done))  # what the learner opened is in the state
    assert report_progress(course, keys) == (1.0, True)
