"""The aggregation of a graded course: each learner's score and result, and the item analysis
of every question (statements in, in any order)."""

from __future__ import annotations

import random
from typing import Any

from coursepack.model import CompletionRule
from coursepack.report.aggregate import Aggregator
from coursepack.report.model import (
    FAILED,
    IN_PROGRESS,
    NOT_STARTED,
    PASSED,
    LearnerRow,
    QuestionSummary,
    Report,
)
from coursepack.xapi import vocab
from tests.report.helpers import (
    ADA,
    BOB,
    DAN,
    NOW,
    answered,
    at,
    course_result,
    graded_course,
    graded_statements,
    learner_statements,
    sample_course,
    statement,
    voiding,
)

COURSE = graded_course()


def aggregate(statements: list[dict[str, Any]], **kw: Any) -> Report:
    aggregator = Aggregator(kw.pop("course", COURSE), **kw)
    for found in statements:
        aggregator.add(found)
    return aggregator.report(generated_at=NOW)


def learner(report: Report, display: str) -> LearnerRow:
    return next(row for row in report.learners if row.display == display)


def question(report: Report, item_id: str) -> QuestionSummary:
    summaries = (*report.question_summaries, *report.removed_question_summaries)
    return next(s for s in summaries if s.column.item_id == item_id)


def scenario(**kw: Any) -> Report:
    statements, _ = graded_statements(COURSE)
    return aggregate(statements, **kw)


def test_questions_are_the_course_checks_in_order_with_plain_text_titles_and_options() -> None:
    report = aggregate([])
    assert report.graded and report.pass_mark == 75
    assert [(q.item_id, q.title, q.interaction, q.multiple) for q in report.questions] == [
        ("port", "Which port does HTTPS use?", "choice", False),
        ("colours", "Which of these are <primary> colours?", "choice", True),
        ("flat", "The Earth is flat.", "true-false", False),
        ("capital", "Capital of France", "fill-in", False),
    ]
    assert report.questions[0].options == (("p80", "80"), ("p443", "443"), ("p8080", "8080"))
    assert report.questions[1].correct == ("red", "blue")


def test_each_learner_has_the_result_of_their_latest_passed_or_failed() -> None:
    report = scenario()
    ada, bob, dan = (learner(report, n) for n in ("Ada Lovelace", "Bob <b>Builder</b>", "Dan"))
    assert ada.score is not None and bob.score is not None and dan.score is not None
    assert (ada.score.status, ada.score.scaled, ada.score.raw, ada.score.max) == (
        PASSED,
        1.0,
        4.0,
        4.0,
    )
    # Bob failed (1/4), then passed on his second go: the latest wins
    assert (bob.score.status, bob.score.scaled, bob.score.at) == (PASSED, 1.0, at(2, 5))
    assert (dan.score.status, dan.score.scaled, dan.score.correct) == (FAILED, 0.0, 0)
    assert report.results(PASSED) == 2 and report.results(FAILED) == 1


def test_a_later_failure_after_a_pass_is_the_result() -> None:
    report = aggregate(
        [course_result(COURSE, ADA, False, 1, at(3)), course_result(COURSE, ADA, True, 4, at(1))]
    )
    score = learner(report, "Ada Lovelace").score
    assert score is not None and (score.status, score.scaled) == (FAILED, 0.25)


def test_a_learner_without_a_result_is_in_progress_with_what_they_answered() -> None:
    report = scenario()
    eve = learner(report, "Eve").score
    assert eve is not None
    assert (eve.status, eve.scaled, eve.answered, eve.correct) == (IN_PROGRESS, None, 1, 1)
    chloe = learner(report, "https://id.example.org/chloe").score
    # a removed question does not count among the course's questions answered
    assert chloe is not None and (chloe.status, chloe.answered) == (IN_PROGRESS, 1)
    only_sessions = aggregate([statement(COURSE, DAN, "initialized", COURSE.id, at(0))])
    dan = learner(only_sessions, "Dan").score
    assert dan is not None and dan.status == NOT_STARTED


def test_item_analysis_right_first_time_and_in_the_end_and_attempts() -> None:
    report = scenario()
    figures = [
        (
            q.column.item_id,
            q.answered,
            q.correct_first,
            q.correct_last,
            round(q.average_attempts, 2),
        )
        for q in report.question_summaries
    ]
    assert figures == [
        ("port", 5, 3, 4, 1.2),
        ("colours", 3, 1, 2, 1.33),
        ("flat", 3, 2, 2, 1.0),
        ("capital", 3, 1, 2, 1.33),
    ]
    assert question(report, "port").first_rate == 0.6


def test_most_chosen_wrong_option_is_named_by_its_text_on_first_attempts() -> None:
    report = scenario()
    port = question(report, "port")
    # 80 and 8080 were each chosen once: the tie goes to the option written first
    assert (port.top_wrong, port.top_wrong_count) == ("80", 1)
    assert port.choices == (("80", 1, False), ("443", 3, True), ("8080", 1, False))
    # Dan's "red" alone is wrong without ticking a wrong option: only Bob's green counts
    colours = question(report, "colours")
    assert (colours.top_wrong, colours.top_wrong_count) == ("Green", 1)
    assert (question(report, "flat").top_wrong, question(report, "flat").top_wrong_count) == (
        "True",
        1,
    )


def test_a_wrong_option_chosen_by_more_learners_wins_over_course_order() -> None:
    others = [{"mbox": f"mailto:l{n}@example.org"} for n in range(3)]
    statements = [answered(COURSE, ADA, "port", "p80", False, 1, at(0))]
    statements += [answered(COURSE, who, "port", "p8080", False, 1, at(1)) for who in others]
    port = question(aggregate(statements), "port")
    assert (port.top_wrong, port.top_wrong_count) == ("8080", 3)


def test_most_common_wrong_text_forgives_case_and_spacing_and_needs_two_learners() -> None:
    report = scenario()
    capital = question(report, "capital")
    assert (capital.top_wrong, capital.top_wrong_count) == ("london", 2)
    assert capital.choices == (("right", 1, True), ("london", 2, False))
    # one learner's text alone is not shown (it may say who they are) unless --responses
    lone = [answered(COURSE, ADA, "capital", "My name is Ada", False, 1, at(0))]
    assert question(aggregate(lone), "capital").top_wrong is None
    assert question(aggregate(lone), "capital").choices == (
        ("right", 0, True),
        ("other wrong answers", 1, False),
    )
    shown = question(aggregate(lone, include_responses=True), "capital")
    assert (shown.top_wrong, shown.top_wrong_count) == ("my name is ada", 1)


def test_an_answer_without_success_is_graded_against_the_course() -> None:
    statements = [
        answered(COURSE, ADA, "capital", " PARIS ", None, 1, at(0)),
        answered(COURSE, ADA, "colours", "blue[,]red", None, 1, at(0)),
        answered(COURSE, BOB, "colours", "blue", None, 1, at(0)),
        answered(COURSE, BOB, "flat", "false", None, 1, at(0)),
    ]
    report = aggregate(statements)
    assert learner(report, "Ada Lovelace").answers[3].last_correct  # capital
    assert learner(report, "Ada Lovelace").answers[1].last_correct  # colours, any order
    assert not learner(report, "Bob <b>Builder</b>").answers[1].last_correct
    assert learner(report, "Bob <b>Builder</b>").answers[2].last_correct


def test_the_same_answer_served_twice_counts_once() -> None:
    first = answered(COURSE, ADA, "port", "p80", False, 1, at(0))
    report_once = aggregate([first])
    aggregator = Aggregator(COURSE)
    aggregator.add_all([first, first, dict(first)])
    report = aggregator.report(generated_at=NOW)
    assert aggregator.duplicates == 2
    assert question(report, "port").average_attempts == 1
    assert learner(report, "Ada Lovelace").answers == learner(report_once, "Ada Lovelace").answers


def test_order_of_statements_does_not_change_the_item_analysis() -> None:
    statements, _ = graded_statements(COURSE)
    voids = [s for s in statements if s["verb"]["id"] == vocab.VERBS["voided"]]
    rest = [s for s in statements if s not in voids]
    expected = aggregate(voids + rest)
    shuffled = list(rest)
    random.Random(7).shuffle(shuffled)
    again = aggregate(voids + shuffled)
    assert again.question_summaries == expected.question_summaries
    assert [r.score for r in again.learners] == [r.score for r in expected.learners]


def test_voided_answers_are_left_out_whether_voided_before_or_after() -> None:
    statements, _ = graded_statements(COURSE)
    late = scenario()  # the voiding statement comes last
    early = aggregate([statements[-1], *statements[:-1]])
    for report in (late, early):
        chloe = learner(report, "https://id.example.org/chloe")
        port = chloe.answers[0]
        assert (port.attempts, port.first_correct, port.last_correct) == (1, True, True)
    assert late.stats.voided_skipped == early.stats.voided_skipped == 1


def test_a_voided_result_falls_back_to_the_earlier_one() -> None:
    fail = course_result(COURSE, ADA, False, 1, at(1))
    passed = course_result(COURSE, ADA, True, 4, at(2))
    report = aggregate([fail, passed, voiding(passed["id"], at(3))])
    score = learner(report, "Ada Lovelace").score
    assert score is not None and score.status == FAILED
    report = aggregate([passed, voiding(passed["id"], at(3))])
    score = learner(report, "Ada Lovelace").score
    assert score is not None and score.status == NOT_STARTED


def test_a_question_no_longer_in_the_course_shows_as_removed_with_its_options() -> None:
    report = scenario()
    (removed,) = report.removed_questions
    assert (removed.item_id, removed.title, removed.in_course) == (
        "old-question",
        "Which came first?",
        False,
    )
    assert removed.options == (("a", "The egg"), ("b", "The chicken"))
    summary = report.removed_question_summaries[0]
    assert (summary.answered, summary.top_wrong) == (1, "The chicken")
    chloe = learner(report, "https://id.example.org/chloe")
    assert (
        chloe.removed_answers[0].answered and not learner(report, "Dan").removed_answers[0].answered
    )


def test_answers_to_tasks_modules_or_other_courses_are_not_questions() -> None:
    statements = [
        statement(COURSE, ADA, "answered", f"{COURSE.id}/quiz/items/reflect", at(0)),
        statement(COURSE, ADA, "answered", f"{COURSE.id}/quiz", at(0)),
        statement(COURSE, ADA, "answered", "https://other.example.org/c/m/items/q", at(0)),
        statement(
            COURSE,
            ADA,
            "answered",
            f"{COURSE.id}/quiz/items/readme",
            at(0),
            definition={"type": vocab.ACTIVITY_TYPES["read"]},
        ),
    ]
    report = aggregate(statements)
    assert report.removed_questions == ()
    assert [s.answered for s in report.question_summaries] == [0, 0, 0, 0]


def test_a_module_result_is_not_the_course_result_but_a_cmi5_au_result_is() -> None:
    module_pass = statement(
        COURSE,
        ADA,
        "passed",
        f"{COURSE.id}/quiz",
        at(0),
        result={"success": True, "score": {"scaled": 1}},
    )
    au_fail = statement(
        COURSE,
        BOB,
        "failed",
        "https://lms.example.org/cmi5/au/42",
        at(0),
        result={"success": False, "score": {"scaled": 0.5}},
        context={"contextActivities": {"grouping": [{"id": COURSE.id}]}},
    )
    report = aggregate([module_pass, au_fail])
    ada, bob = learner(report, "Ada Lovelace").score, learner(report, "Bob <b>Builder</b>").score
    assert ada is not None and ada.status == NOT_STARTED
    assert bob is not None and (bob.status, bob.scaled) == (FAILED, 0.5)


def test_completion_rules_with_a_pass_derive_the_course_from_the_result() -> None:
    statements, _ = graded_statements(COURSE)
    report = aggregate(statements)  # all-tasks-and-pass: Ada did the task and passed
    assert learner(report, "Ada Lovelace").course_completed_at == at(0, 5)
    assert learner(report, "Bob <b>Builder</b>").course_completed_at is None  # no task
    on_pass = aggregate(statements, course=graded_course(CompletionRule.PASS))
    assert learner(on_pass, "Bob <b>Builder</b>").course_completed_at == at(2, 5)
    assert learner(on_pass, "Dan").course_completed_at is None  # failed


def test_an_ungraded_course_has_no_scores_or_questions() -> None:
    course = sample_course()
    statements, _ = learner_statements(course)
    report = aggregate(statements, course=course)
    assert not report.graded and report.questions == () and report.question_summaries == ()
    assert all(row.score is None and row.answers == () for row in report.learners)


def test_an_ungraded_course_with_answers_to_a_removed_question_is_graded() -> None:
    course = sample_course()
    found = statement(
        course,
        ADA,
        "answered",
        f"{course.id}/basics/items/gone",
        at(0),
        result={"response": "x", "success": True},
        definition={"type": vocab.ACTIVITY_TYPES["check"], "interactionType": "fill-in"},
        context={"contextActivities": {"grouping": [{"id": course.id}]}},
    )
    report = aggregate([found], course=course)
    assert report.graded and report.questions == ()
    assert [q.item_id for q in report.removed_questions] == ["gone"]
    assert report.pass_mark is None


def test_memory_holds_one_record_per_learner_and_question_whatever_the_answers() -> None:
    aggregator = Aggregator(COURSE)
    for n in range(50):
        aggregator.add(answered(COURSE, ADA, "port", "p80", False, n + 1, at(0, n)))
    record = aggregator._learners["mailto:ada@example.org"].answers
    assert record is not None and list(record) == [0]
    report = aggregator.report(generated_at=NOW)
    assert learner(report, "Ada Lovelace").answers[0].attempts == 50
