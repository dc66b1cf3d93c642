"""The aggregation alone: statements in (in any order), the completion report out."""

from __future__ import annotations

import copy
import random
from typing import Any

import pytest

from coursepack.model import CompletionRule
from coursepack.report.aggregate import Aggregator
from coursepack.report.jsonfmt import to_json
from coursepack.report.model import Report
from coursepack.xapi import vocab
from tests.report.helpers import (
    ADA,
    BOB,
    CHLOE,
    DAN,
    EVE,
    NOW,
    at,
    completed_task,
    learner_statements,
    sample_course,
    statement,
    task_iri,
    voiding,
)

COURSE = sample_course()


def aggregate(statements: list[dict[str, Any]], **kw: Any) -> tuple[Aggregator, Report]:
    aggregator = Aggregator(kw.pop("course", COURSE), **kw)
    for found in statements:
        aggregator.add(found)
    return aggregator, aggregator.report(generated_at=NOW)


def learner(report: Report, display: str) -> Any:
    return next(row for row in report.learners if row.display == display)


def completed_ids(report: Report, display: str) -> list[str]:
    row = learner(report, display)
    return [
        col.item_id for col, cell in zip(report.tasks, row.tasks, strict=True) if cell.completed
    ]


def test_every_course_task_appears_titled_even_when_nobody_completed_it() -> None:
    _, report = aggregate([statement(COURSE, ADA, "initialized", COURSE.id, at(0))])
    assert [(t.item_id, t.title) for t in report.tasks] == [
        ("task-1", "Describe your team"),
        ("task-2", "List your partners"),
        ("task-3", "Plan a meeting"),
    ]
    assert [s.completions for s in report.summaries] == [0, 0, 0]
    assert learner(report, "Ada Lovelace").progress == 0


def test_scenario_gives_each_learner_their_completions() -> None:
    statements, _ = learner_statements(COURSE)
    _, report = aggregate(statements)
    assert [row.display for row in report.learners] == [
        "Ada Lovelace",
        "Bob <b>Builder</b>",
        "Dan",
        "Eve",
        "https://id.example.org/chloe",
    ]
    assert completed_ids(report, "Ada Lovelace") == ["task-1", "task-2", "task-3"]
    assert completed_ids(report, "Bob <b>Builder</b>") == ["task-1"]  # task-2 was voided
    assert completed_ids(report, "https://id.example.org/chloe") == ["task-3"]
    assert completed_ids(report, "Eve") == ["task-1"]  # cmi5: matched by object id
    assert [(s.completions, round(s.rate, 2)) for s in report.summaries] == [
        (3, 0.6),
        (1, 0.2),
        (2, 0.4),
    ]


def test_task_completion_time_is_the_first_and_the_response_the_latest() -> None:
    statements, _ = learner_statements(COURSE)
    _, report = aggregate(statements, include_responses=True)
    chloe = learner(report, "https://id.example.org/chloe")
    cell = chloe.tasks[2]
    assert cell.completed_at == at(3, 2)
    assert cell.response == "Second plan, better"


def test_responses_are_left_out_unless_asked_for() -> None:
    statements, _ = learner_statements(COURSE)
    _, report = aggregate(statements)
    assert all(cell.response is None for row in report.learners for cell in row.tasks)
    assert not report.responses_included


def test_learner_with_only_removed_tasks_is_reported_not_dropped() -> None:
    statements, _ = learner_statements(COURSE)
    _, report = aggregate(statements)
    dan = learner(report, "Dan")
    assert dan.only_removed_tasks
    assert [(c.item_id, c.title, c.in_course, c.module_title) for c in report.removed_tasks] == [
        ("old-task", "An old task", False, "Basics")
    ]
    assert dan.removed_tasks[0].completed
    assert report.removed_summaries[0].completions == 1


def test_learner_is_grouped_by_ifi_and_shown_by_latest_name() -> None:
    renamed = {**ADA, "name": "Ada King"}
    _, report = aggregate(
        [
            statement(COURSE, renamed, "initialized", COURSE.id, at(2)),
            statement(COURSE, ADA, "initialized", COURSE.id, at(1)),
            statement(COURSE, {"mbox": ADA["mbox"]}, "terminated", COURSE.id, at(3)),
        ]
    )
    assert len(report.learners) == 1
    row = report.learners[0]
    assert row.name == "Ada King"
    assert (row.first_activity, row.last_activity) == (at(1), at(3))


def test_learner_without_name_is_shown_by_identifier() -> None:
    _, report = aggregate(
        [
            statement(COURSE, CHLOE, "initialized", COURSE.id, at(0)),
            statement(COURSE, BOB | {"name": ""}, "initialized", COURSE.id, at(0)),
            statement(COURSE, {"mbox": "mailto:zoe@example.org"}, "initialized", COURSE.id, at(0)),
            statement(COURSE, {"mbox_sha1sum": "a" * 40}, "initialized", COURSE.id, at(0)),
        ]
    )
    assert sorted(row.display for row in report.learners) == [
        "bob-42 (https://lms.example.org)",
        "https://id.example.org/chloe",
        "sha1:aaaaaaaaaaaa",
        "zoe@example.org",
    ]


def test_duplicate_statement_id_counts_once() -> None:
    first = completed_task(COURSE, ADA, "basics", "task-1", at(0), "x")
    aggregator, report = aggregate([first, copy.deepcopy(first), copy.deepcopy(first)])
    assert report.summaries[0].completions == 1
    assert aggregator.duplicates == 2


@pytest.mark.parametrize("voiding_first", [True, False], ids=["void-before", "void-after"])
def test_voided_completion_is_left_out_whatever_the_order(voiding_first: bool) -> None:
    target = completed_task(COURSE, BOB, "basics", "task-2", at(1), "to void")
    kept = completed_task(COURSE, BOB, "basics", "task-1", at(1), "kept")
    void = voiding(target["id"], at(2))
    order = [void, target, kept] if voiding_first else [target, kept, void]
    aggregator, report = aggregate(order)
    assert completed_ids(report, "Bob <b>Builder</b>") == ["task-1"]
    assert aggregator.voided_skipped == 1
    assert "Admin" not in [row.display for row in report.learners]  # voiding is not activity


def test_voided_ids_from_the_separate_query_are_applied() -> None:
    target = completed_task(COURSE, BOB, "basics", "task-2", at(1), "to void")
    aggregator = Aggregator(COURSE)
    aggregator.add_voiding(voiding(target["id"], at(2)))
    aggregator.add(target)
    assert aggregator.report(generated_at=NOW).summaries[1].completions == 0


def test_report_does_not_depend_on_statement_order() -> None:
    statements, _ = learner_statements(COURSE)
    _, expected = aggregate(statements, include_responses=True)
    rng = random.Random(1)
    for _ in range(20):
        shuffled = statements[:]
        rng.shuffle(shuffled)
        _, report = aggregate(shuffled, include_responses=True)
        assert to_json(report) == to_json(expected)


def test_completed_with_completion_false_does_not_count() -> None:
    found = completed_task(COURSE, ADA, "basics", "task-1", at(0), "x")
    found["result"]["completion"] = False
    _, report = aggregate([found])
    assert report.summaries[0].completions == 0
    assert len(report.learners) == 1  # still activity


def test_other_courses_completions_are_ignored() -> None:
    other = sample_course(course_id="https://courses.example.org/other")
    found = completed_task(other, ADA, "basics", "task-1", at(0), "x")
    _, report = aggregate([found])
    assert report.removed_tasks == ()
    assert report.summaries[0].completions == 0


def _malformed_cases() -> dict[str, Any]:
    good = completed_task(COURSE, ADA, "basics", "task-1", at(0), "x")
    cases: dict[str, Any] = {"not-an-object": ["a", "list"], "a-string": "statement"}
    for key in ("actor", "verb", "object", "id"):
        broken = copy.deepcopy(good)
        del broken[key]
        cases[f"no-{key}"] = broken
    two_ifis = copy.deepcopy(good)
    two_ifis["actor"]["openid"] = "https://id.example.org/ada"
    cases["two-ifis"] = two_ifis
    no_ifi = copy.deepcopy(good)
    no_ifi["actor"] = {"name": "Nobody"}
    cases["no-ifi"] = no_ifi
    bad_mbox = copy.deepcopy(good)
    bad_mbox["actor"]["mbox"] = "ada@example.org"
    cases["mbox-without-mailto"] = bad_mbox
    bad_time = copy.deepcopy(good)
    bad_time["timestamp"] = "yesterday"
    cases["bad-timestamp"] = bad_time
    no_verb_id = copy.deepcopy(good)
    no_verb_id["verb"] = {"display": {"en": "completed"}}
    cases["verb-without-id"] = no_verb_id
    number_id = copy.deepcopy(good)
    number_id["object"]["id"] = 42
    cases["object-id-not-a-string"] = number_id
    actor_list = copy.deepcopy(good)
    actor_list["actor"] = [ADA]
    cases["actor-not-an-object"] = actor_list
    bad_void = voiding("x", at(0))
    bad_void["object"] = {"objectType": "Activity", "id": COURSE.id}
    cases["voiding-without-statementref"] = bad_void
    return cases


MALFORMED = _malformed_cases()


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_statement_is_skipped_and_counted(name: str) -> None:
    good = completed_task(COURSE, EVE, "basics", "task-2", at(0), "fine")
    aggregator, report = aggregate([MALFORMED[name], good])
    assert aggregator.malformed == 1
    assert aggregator.received == 2
    assert [row.display for row in report.learners] == ["Eve"]


def test_module_and_course_completion_derived_from_tasks_without_statements() -> None:
    statements = [
        completed_task(COURSE, EVE, "basics", "task-1", at(0), "a"),
        completed_task(COURSE, EVE, "basics", "task-2", at(1), "b"),
    ]
    _, report = aggregate(statements)
    eve = report.learners[0]
    basics, practice = eve.modules
    assert (basics.completed_at, basics.source) == (at(1), "derived")
    assert not practice.completed
    assert not eve.course_completed
    _, report = aggregate(
        [*statements, completed_task(COURSE, EVE, "practice", "task-3", at(2), "c")]
    )
    eve = report.learners[0]
    assert (eve.course_completed_at, eve.course_completion_source) == (at(2), "derived")
    assert eve.progress == 1


def test_stated_course_completion_wins_over_derived() -> None:
    statements, _ = learner_statements(COURSE)
    _, report = aggregate(statements)
    ada = learner(report, "Ada Lovelace")
    assert ada.course_completion_source == "statement"
    assert ada.course_completed_at == at(1, 4)
    assert [m.source for m in ada.modules] == ["statement", "statement"]


def test_all_items_rule_counts_opened_reads_and_watches() -> None:
    course = sample_course(completion=CompletionRule.ALL_ITEMS)
    statements = [
        completed_task(course, EVE, "basics", "task-1", at(0), "a"),
        completed_task(course, EVE, "basics", "task-2", at(0, 1), "b"),
        statement(course, EVE, "experienced", task_iri(course, "basics", "read-brief"), at(0, 2)),
    ]
    _, report = aggregate(statements, course=course)
    eve = report.learners[0]
    assert eve.progress == pytest.approx(3 / 5)
    assert eve.modules[0].completed_at == at(0, 2)  # the READ was the last requirement
    assert not eve.modules[1].completed


def test_completions_by_day_counts_course_tasks_per_utc_day() -> None:
    statements, _ = learner_statements(COURSE)
    _, report = aggregate(statements)
    assert [(d.isoformat(), n) for d, n in report.completions_by_day] == [
        ("2024-05-01", 2),
        ("2024-05-02", 1),
        ("2024-05-03", 1),
        ("2024-05-04", 1),
        ("2024-05-07", 1),
    ]
    assert sum(n for _, n in report.completions_by_day) == sum(
        s.completions for s in report.summaries
    )


def test_time_zones_are_compared_as_instants() -> None:
    early = statement(COURSE, ADA, "initialized", COURSE.id, at(0))
    early["timestamp"] = "2024-05-01T11:00:00+02:00"  # 09:00 UTC
    late = statement(COURSE, ADA, "terminated", COURSE.id, at(0))
    late["timestamp"] = "2024-05-01T09:30:00"  # no zone: UTC
    _, report = aggregate([late, early])
    row = report.learners[0]
    assert row.first_activity.isoformat() == "2024-05-01T09:00:00+00:00"
    assert row.last_activity.isoformat() == "2024-05-01T09:30:00+00:00"


def test_statement_without_timestamp_uses_stored() -> None:
    found = statement(COURSE, DAN, "initialized", COURSE.id, at(0))
    del found["timestamp"]
    found["stored"] = "2024-05-03T00:00:00Z"
    _, report = aggregate([found])
    assert report.learners[0].first_activity == at(1, 15)


def test_vocabulary_ids_are_used_for_tasks() -> None:
    module = COURSE.modules[0]
    item = module.items[1]
    assert Aggregator(COURSE)._tasks[0].iri == vocab.item_iri(COURSE, module, item)


def test_learners_are_sorted_by_name_with_numbers_by_value() -> None:
    statements = [
        statement(
            COURSE,
            {"name": name, "mbox": f"mailto:l{n}@example.org"},
            "initialized",
            COURSE.id,
            at(0),
        )
        for n, name in enumerate(["Learner 10", "learner 9", "Ada²", "Learner 100", "ada"])
    ]
    _, report = aggregate(statements)
    assert [row.display for row in report.learners] == [
        "ada",
        "Ada²",
        "learner 9",
        "Learner 10",
        "Learner 100",
    ]


def test_shown_name_is_the_latest_whatever_the_order() -> None:
    names = [("Ada", at(1)), ("Ada L.", at(3)), ("A. Lovelace", at(2)), ("Ada", at(0))]
    statements = [
        statement(COURSE, {"name": name, "mbox": ADA["mbox"]}, "initialized", COURSE.id, when)
        for name, when in names
    ]
    rng = random.Random(3)
    for _ in range(10):
        rng.shuffle(statements)
        _, report = aggregate(statements)
        assert report.learners[0].name == "Ada L."


def test_same_time_recompletions_show_the_same_response_whatever_the_order() -> None:
    first = completed_task(COURSE, ADA, "basics", "task-1", at(1), "one", name="same-time-1")
    second = completed_task(COURSE, ADA, "basics", "task-1", at(1), "two", name="same-time-2")
    _, forward = aggregate([first, second], include_responses=True)
    _, backward = aggregate([second, first], include_responses=True)
    assert forward.learners[0].tasks[0].response == backward.learners[0].tasks[0].response


def test_a_completed_read_of_the_course_is_not_a_removed_task() -> None:
    read = task_iri(COURSE, "basics", "read-brief")
    found = statement(COURSE, ADA, "completed", read, at(0), definition={})
    _, report = aggregate([found])
    assert report.removed_tasks == ()
    assert [row.display for row in report.learners] == ["Ada Lovelace"]


def test_a_time_with_no_utc_equivalent_is_malformed_not_a_crash() -> None:
    found = completed_task(COURSE, ADA, "basics", "task-1", at(0), "x")
    found["timestamp"] = "0001-01-01T00:30:00+01:00"
    good = completed_task(COURSE, EVE, "basics", "task-2", at(0), "fine")
    aggregator, report = aggregate([found, good])
    assert aggregator.malformed == 1
    assert [row.display for row in report.learners] == ["Eve"]


def test_a_name_of_spaces_alone_shows_the_learner_by_identifier() -> None:
    blank = {"name": "   ", "mbox": "mailto:blank@example.org"}
    padded = {"name": "  Zoe  ", "mbox": "mailto:zoe@example.org"}
    module = COURSE.modules[0]
    task = module.tasks[0]
    statements = [
        completed_task(COURSE, blank, module.id, task.id, at(1, 1), "x"),
        completed_task(COURSE, padded, module.id, task.id, at(1, 2), "y"),
    ]
    _, report = aggregate(statements)
    assert completed_ids(report, "blank@example.org") == [task.id]
    assert completed_ids(report, "Zoe") == [task.id]


# -- scale: voiding in one pass, memory by learners not statements ------------------------------


class CountingDict(dict[str, Any]):
    """The aggregator's learners, counting how often all of them are walked through."""

    walks = 0

    def values(self) -> Any:
        CountingDict.walks += 1
        return super().values()

    def items(self) -> Any:
        CountingDict.walks += 1
        return super().items()


def test_voiding_statements_read_after_their_targets_are_applied_in_one_pass() -> None:
    # 2,000 learners' completions, then 4,000 voiding statements (half of them for unknown
    # ids): retracting by searching every learner per voiding statement was quadratic (20,000
    # completions and 40,000 voiding statements took more than 90 s).
    learners = [{"mbox": f"mailto:l{n}@example.org"} for n in range(2000)]
    completions = [completed_task(COURSE, a, "basics", "task-1", at(0), "x") for a in learners]
    aggregator = Aggregator(COURSE)
    aggregator._learners = CountingDict()
    CountingDict.walks = 0
    aggregator.add_all(completions)
    for found in completions:
        aggregator.add(voiding(found["id"], at(1)))
        aggregator.add(voiding(found["id"] + "-unknown", at(1)))
    assert CountingDict.walks == 0  # no search per voiding statement
    report = aggregator.report(generated_at=NOW)
    assert CountingDict.walks <= 2  # one pass to retract, one to make the rows
    assert report.summaries[0].completions == 0
    assert aggregator.voided_skipped == 2000


def test_a_late_voiding_of_the_first_of_several_completions_keeps_the_latest() -> None:
    first = completed_task(COURSE, ADA, "basics", "task-1", at(0), "first")
    latest = completed_task(COURSE, ADA, "basics", "task-1", at(2), "latest")
    _, report = aggregate([first, latest, voiding(first["id"], at(3))], include_responses=True)
    cell = report.learners[0].tasks[0]
    assert (cell.completed_at, cell.response) == (at(2), "latest")
    _, report = aggregate([first, latest, voiding(latest["id"], at(3))], include_responses=True)
    cell = report.learners[0].tasks[0]
    assert (cell.completed_at, cell.response) == (at(0), "first")


def test_a_completion_resent_after_later_ones_counts_as_a_duplicate() -> None:
    first = completed_task(COURSE, ADA, "basics", "task-1", at(0), "a")
    again = completed_task(COURSE, ADA, "basics", "task-1", at(1), "b")
    aggregator, report = aggregate([first, again, copy.deepcopy(first), copy.deepcopy(again)])
    assert aggregator.duplicates == 2
    assert report.learners[0].tasks[0].completed_at == at(0)


def test_learner_state_has_no_dict_of_attributes() -> None:
    from coursepack.report.aggregate import _Learner
    from coursepack.report.model import LearnerRow, ModuleStatus, TaskCell

    for kind in (_Learner, LearnerRow, TaskCell, ModuleStatus):
        assert "__slots__" in vars(kind) and "__dict__" not in dir(kind), kind


def sessions(learners: int, repeats: int) -> list[dict[str, Any]]:
    """Each learner opens the READ and completes every task, ``repeats`` times over."""
    read = statement(COURSE, ADA, "experienced", task_iri(COURSE, "basics", "read-brief"), at(0))
    tasks = [
        completed_task(COURSE, ADA, module, task, at(0), "")
        for module, task in (("basics", "task-1"), ("basics", "task-2"), ("practice", "task-3"))
    ]
    found = []
    for n in range(learners):
        actor = {"name": f"Learner {n}", "mbox": f"mailto:learner{n}@example.org"}
        for r in range(repeats):
            stamp = at(r, n % 24).strftime("%Y-%m-%dT%H:%M:%S.000Z")
            for number, template in enumerate([read, *tasks]):
                made = {**template, "id": f"{n}-{r}-{number}", "actor": actor, "timestamp": stamp}
                if "result" in template:
                    made["result"] = {"completion": True, "response": f"answer {r}"}
                found.append(made)
    return found


def aggregator_memory(statements: list[dict[str, Any]]) -> int:
    import gc
    import tracemalloc

    gc.collect()
    tracemalloc.start()
    try:
        aggregator = Aggregator(COURSE, include_responses=True)
        for start in range(0, len(statements), 500):
            aggregator.add_all(statements[start : start + 500])
        gc.collect()
        size = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert aggregator.received == len(statements)
    return size


def test_memory_grows_with_learners_not_with_statements() -> None:
    # Twice over, every record holds a distinct first and latest completion: from there on,
    # more statements of the same learners must not take more memory.
    twice = aggregator_memory(sessions(500, 2))
    many = aggregator_memory(sessions(500, 12))  # 6x the statements, same learners
    assert many < twice * 1.05, (twice, many)
    assert twice / 500 < 2000, twice  # bytes per learner (3 tasks completed twice, 1 READ)
