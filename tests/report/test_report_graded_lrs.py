"""Scores and item analysis read from a real LRS: ``answered``, ``passed`` and ``failed``
statements (valid under Learning Locker's ``xapi-validation``) posted to Ralph, then the report
and ``coursepack report`` on what Ralph stored.

The course is built from the model (``tests.report.helpers.graded_course``): the parser of
``CHECK:`` is not needed to read a graded course's statements.
"""

from __future__ import annotations

import codecs
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from coursepack import pipeline
from coursepack.report.aggregate import Aggregator
from coursepack.report.command import report
from coursepack.report.fetch import Query
from coursepack.report.jsonfmt import to_json
from coursepack.report.run import build_report
from coursepack.xapi import vocab
from tests.report.helpers import (
    ADA,
    NOW,
    answered,
    at,
    graded_course,
    graded_statements,
    options_for,
    post_statements,
    statement,
)
from tests.support.lrs import RalphLRS
from tests.support.xapi_validation import validate_statements

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "report"
COURSE = graded_course()

pytestmark = pytest.mark.e2e


def without_fetch_stats(data: dict[str, Any]) -> dict[str, Any]:
    data = dict(data)
    data["stats"] = {k: v for k, v in data["stats"].items() if k == "malformed_skipped"}
    return data


def test_the_statements_are_valid_xapi() -> None:
    statements, _ = graded_statements(COURSE)
    assert validate_statements(statements) == []


def test_report_from_ralph_is_the_report_from_the_same_statements_without_it(
    lrs: RalphLRS,
) -> None:
    statements, named = graded_statements(COURSE)
    post_statements(lrs, statements)
    served = lrs.statements(activity=COURSE.id, related_activities="true")
    assert named["chloe_port_2"]["id"] in {s["id"] for s in served}  # Ralph serves it voided
    from_lrs = build_report(COURSE, options_for(lrs, page_size=7), now=NOW)
    assert from_lrs.stats.pages > 3
    local = Aggregator(COURSE)
    local.add_all(statements)
    expected = local.report(generated_at=NOW)
    assert without_fetch_stats(to_json(from_lrs)) == without_fetch_stats(to_json(expected))
    port = from_lrs.question_summaries[0]
    assert (port.answered, port.correct_first, port.correct_last) == (5, 3, 4)
    assert [row.score.status for row in from_lrs.learners if row.score] == [
        "passed",
        "passed",
        "failed",
        "in_progress",
        "in_progress",
    ]


def test_completions_only_still_reads_answers_and_results(lrs: RalphLRS) -> None:
    statements, _ = graded_statements(COURSE)
    post_statements(lrs, [*statements, statement(COURSE, ADA, "initialized", COURSE.id, at(0))])
    full = build_report(COURSE, options_for(lrs), now=NOW)
    lean = build_report(COURSE, options_for(lrs, query=Query(completions_only=True)), now=NOW)
    assert lean.stats.statements_received < full.stats.statements_received
    assert lean.question_summaries == full.question_summaries
    assert [row.score for row in lean.learners] == [row.score for row in full.learners]


def test_coursepack_report_writes_the_item_analysis_csv(
    lrs: RalphLRS, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    statements, _ = graded_statements(COURSE)
    post_statements(lrs, statements)
    # the course folder is read by coursepack.pipeline; this branch's model holds the course
    monkeypatch.setattr(pipeline, "load_course", lambda folder, environ: COURSE)
    out = tmp_path / "items.csv"
    env = {"COURSEPACK_LRS_AUTH": lrs.auth_header, "SOURCE_DATE_EPOCH": str(int(NOW.timestamp()))}
    args = [str(tmp_path), "--lrs", lrs.endpoint, "--items", "-o", str(out)]
    result = CliRunner().invoke(report, args, env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    assert data.startswith(codecs.BOM_UTF8)
    assert data[len(codecs.BOM_UTF8) :] == (GOLDEN / "graded-items.csv").read_bytes()

    as_json = CliRunner().invoke(
        report, [str(tmp_path), "--lrs", lrs.endpoint, "--format", "json"], env=env
    )
    assert as_json.exit_code == 0, as_json.output
    assert json.loads(as_json.output)["assessment"]["passed"] == 2


def test_items_is_refused_for_formats_that_hold_the_item_analysis(tmp_path: Path) -> None:
    result = CliRunner().invoke(report, [str(tmp_path), "--items", "--format", "json"])
    assert result.exit_code == 2
    assert "--items is for CSV" in result.output


def test_a_retried_answer_posted_later_moves_the_last_attempt(lrs: RalphLRS) -> None:
    post_statements(lrs, [answered(COURSE, ADA, "port", "p80", False, 1, at(0))])
    before = build_report(COURSE, options_for(lrs), now=NOW)
    post_statements(lrs, [answered(COURSE, ADA, "port", "p443", True, 2, at(1))])
    after = build_report(COURSE, options_for(lrs), now=NOW)
    assert (
        before.question_summaries[0].correct_last,
        after.question_summaries[0].correct_last,
    ) == (
        0,
        1,
    )
    assert after.question_summaries[0].average_attempts == 2
    assert vocab.ATTEMPT_EXT in json.dumps(lrs.statements(verb=vocab.VERBS["answered"]))
