"""Reports read from a real LRS (Ralph) fed with generated statements; golden JSON and CSV.

Regenerate the golden files after an intended change with ``COURSEPACK_UPDATE_GOLDEN=1``
(see ``tests/golden.py``) and review the diff.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from coursepack.report.csvfmt import render_csv
from coursepack.report.fetch import PER_ACTIVITY, RELATED, Query
from coursepack.report.jsonfmt import render_json, to_json
from coursepack.report.run import build_report
from coursepack.xapi.client import LrsClient
from tests import golden
from tests.golden import check_golden
from tests.report.helpers import (
    ADA,
    NOW,
    at,
    feed_sample,
    learner_statements,
    options_for,
    post_statements,
    sample_course,
    statement,
)
from tests.support.lrs import RalphLRS
from tests.support.statement_server import StatementServer

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "report"
COURSE = sample_course()

pytestmark = pytest.mark.e2e


def check_csv_golden(name: str, text: str) -> None:
    """Byte for byte, CRLF row ends included (check_golden reads text with newline translation)."""
    path = GOLDEN / name
    data = text.encode("utf-8")
    if golden.UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return
    assert path.exists(), f"{path} is missing: run with COURSEPACK_UPDATE_GOLDEN=1 to create it"
    assert data == path.read_bytes(), f"output differs from golden file {path.name}"


def without_fetch_stats(data: dict[str, Any]) -> dict[str, Any]:
    data = dict(data)
    data["stats"] = {k: v for k, v in data["stats"].items() if k in ("malformed_skipped",)}
    return data


def test_report_from_ralph_matches_golden_json_and_csv(lrs: RalphLRS) -> None:
    feed_sample(lrs, COURSE)
    report = build_report(COURSE, options_for(lrs), now=NOW)
    assert report.stats.strategy == RELATED
    assert report.stats.malformed_skipped == 1
    assert report.stats.duplicates_ignored == 1
    assert report.stats.voided_skipped == 1
    check_golden(GOLDEN / "sample.json", render_json(report))
    check_csv_golden("sample.csv", render_csv(report))


def test_report_with_responses_matches_golden(lrs: RalphLRS) -> None:
    feed_sample(lrs, COURSE)
    report = build_report(COURSE, options_for(lrs, include_responses=True), now=NOW)
    check_golden(GOLDEN / "sample-responses.json", render_json(report))
    check_csv_golden("sample-responses.csv", render_csv(report))


def test_small_pages_give_the_same_report_as_one_page(lrs: RalphLRS) -> None:
    statements, _ = learner_statements(COURSE)
    post_statements(lrs, statements)
    one = build_report(COURSE, options_for(lrs, page_size=500), now=NOW)
    paged = build_report(COURSE, options_for(lrs, page_size=2), now=NOW)
    assert paged.stats.pages > 10
    assert without_fetch_stats(to_json(paged)) == without_fetch_stats(to_json(one))


def test_since_and_until_are_passed_to_the_lrs(lrs: RalphLRS) -> None:
    # Ralph filters since/until on `timestamp` (the spec says `stored`); either way the
    # statements of Bob's day (2024-05-03) are the only ones in the window.
    statements, _ = learner_statements(COURSE)
    post_statements(lrs, statements)
    query = Query(since=at(1, 23), until=at(2, 23))
    report = build_report(COURSE, options_for(lrs, query=query), now=NOW)
    assert [row.display for row in report.learners] == ["Bob <b>Builder</b>"]
    assert report.since == at(1, 23)
    assert to_json(report)["filters"]["until"] == "2024-05-04T08:00:00Z"


def test_registration_filter_keeps_that_registration_only(lrs: RalphLRS) -> None:
    statements, _ = learner_statements(COURSE)
    post_statements(lrs, statements)
    query = Query(registration="2d7f4a0e-8a77-4bcb-9d59-0f4c1c3b7e11")
    report = build_report(COURSE, options_for(lrs, query=query), now=NOW)
    assert [row.display for row in report.learners] == ["Eve"]


def test_completions_only_asks_for_completed_statements(lrs: RalphLRS) -> None:
    statements, _ = learner_statements(COURSE)
    post_statements(lrs, statements)
    full = build_report(COURSE, options_for(lrs), now=NOW)
    lean = build_report(COURSE, options_for(lrs, query=Query(completions_only=True)), now=NOW)
    assert [s.completions for s in lean.summaries] == [s.completions for s in full.summaries]
    assert lean.stats.statements_received < full.stats.statements_received
    # Eve's cmi5 session statements are not read: her activity is her completion only.
    eve = next(row for row in lean.learners if row.display == "Eve")
    assert eve.first_activity == eve.last_activity == at(6, 2)


def test_voided_statements_are_left_out_though_ralph_returns_them(lrs: RalphLRS) -> None:
    statements, named = learner_statements(COURSE)
    post_statements(lrs, statements)
    target = named["bob_task2"]["id"]
    served = lrs.statements(activity=COURSE.id, related_activities="true")
    assert target in {s["id"] for s in served}  # Ralph does not hide voided statements
    report = build_report(COURSE, options_for(lrs), now=NOW)
    assert report.summaries[1].completions == 1  # only Ada's


def test_learner_runs_posted_later_add_up(lrs: RalphLRS) -> None:
    post_statements(lrs, [statement(COURSE, ADA, "initialized", COURSE.id, at(0))])
    first = build_report(COURSE, options_for(lrs), now=NOW)
    assert first.learners[0].tasks_completed == 0
    statements, _ = learner_statements(COURSE)
    post_statements(lrs, statements)
    second = build_report(COURSE, options_for(lrs), now=NOW)
    assert second.learners[0].tasks_completed == 3


def test_lrs_without_related_activities_is_read_activity_by_activity() -> None:
    statements, _ = learner_statements(COURSE)
    lines = [json.dumps(s).encode() for s in statements]
    with StatementServer(lines, reject_related=True) as server:
        options = replace(options_for_server(server), include_responses=True)
        fallback = build_report(COURSE, options, now=NOW)
    with StatementServer(lines) as server:
        related = build_report(
            COURSE, replace(options_for_server(server), include_responses=True), now=NOW
        )
    assert fallback.stats.strategy == PER_ACTIVITY
    assert related.stats.strategy == RELATED
    # Same completions; only what per-activity queries cannot see differs (cmi5 sessions on an
    # LMS-made activity id, tasks no longer in the course).
    assert [s.completions for s in fallback.summaries] == [s.completions for s in related.summaries]
    assert fallback.removed_tasks == ()
    assert "Dan" not in [row.display for row in fallback.learners]


def options_for_server(server: StatementServer) -> Any:
    from coursepack.report.run import Options

    return Options(endpoint=server.endpoint, auth=None, query=Query())


def test_same_statement_served_twice_across_pages_counts_once() -> None:
    statements, _ = learner_statements(COURSE)
    lines = [json.dumps(s).encode() for s in statements]
    # An LRS re-serving a few statements (Ada's three task and one module completions) later.
    with StatementServer(lines + lines[2:6]) as server:
        report = build_report(COURSE, replace(options_for_server(server), page_size=3), now=NOW)
    with StatementServer(lines) as server:
        once = build_report(COURSE, options_for_server(server), now=NOW)
    assert report.stats.duplicates_ignored == 4
    assert without_fetch_stats(to_json(report)) == without_fetch_stats(to_json(once))


def test_client_reads_what_ralph_stored(lrs: RalphLRS) -> None:
    statements, _ = learner_statements(COURSE)
    post_statements(lrs, statements)
    with LrsClient(lrs.endpoint, auth=lrs.auth_header, page_size=4) as client:
        ids = [
            s["id"]
            for s in client.statements({"activity": COURSE.id, "related_activities": "true"})
        ]
    assert len(ids) == len(set(ids)) == len(statements) - 2  # not the voiding, not other course
