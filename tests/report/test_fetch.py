"""Which queries a report makes, and what it does when the LRS refuses one (faked transport:
error paths only; the happy paths run against Ralph in test_report_lrs.py)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from coursepack.report.fetch import Query, per_activity_queries, related_queries
from coursepack.report.run import Options, build_report
from coursepack.xapi import vocab
from coursepack.xapi.client import LrsBadResponse
from tests.report.helpers import NOW, learner_statements, sample_course

COURSE = sample_course()
OPTIONS = Options(endpoint="https://lrs.example.org/xapi/", auth=None, query=Query())


def lrs(refuse: str) -> httpx.MockTransport:
    """An LRS that answers 400 to queries having ``refuse`` among their parameters."""
    statements, _ = learner_statements(COURSE)

    def handler(request: httpx.Request) -> httpx.Response:
        params = dict(request.url.params)
        if refuse in params:
            return httpx.Response(400, json={"detail": f"{refuse} is not supported"})
        if params.get("verb") == vocab.VERBS["voided"]:
            found = [s for s in statements if s["verb"]["id"] == vocab.VERBS["voided"]]
        else:
            found = [s for s in statements if s["object"].get("id") == params.get("activity")]
        return httpx.Response(200, json={"statements": found, "more": ""})

    return httpx.MockTransport(handler)


def test_course_query_asks_for_related_activities_with_the_filters() -> None:
    query = Query(registration="2d7f4a0e-8a77-4bcb-9d59-0f4c1c3b7e11", completions_only=True)
    assert related_queries(COURSE, query) == [
        {
            "activity": COURSE.id,
            "related_activities": "true",
            "registration": "2d7f4a0e-8a77-4bcb-9d59-0f4c1c3b7e11",
            "verb": vocab.VERBS["completed"],
        }
    ]


def test_per_activity_queries_cover_course_modules_and_items() -> None:
    activities = [q["activity"] for q in per_activity_queries(COURSE, Query())]
    assert activities[0] == COURSE.id
    assert len(activities) == 1 + len(COURSE.modules) + len(COURSE.items)
    assert all("related_activities" not in q for q in per_activity_queries(COURSE, Query()))


def test_refused_voided_query_is_a_note_not_a_failure() -> None:
    notes: list[str] = []
    report = build_report(COURSE, OPTIONS, now=NOW, transport=lrs("verb"), notes=notes)
    assert len(notes) == 1 and "voiding statements" in notes[0]
    assert report.stats.strategy == "related_activities"


def test_refused_related_activities_falls_back_to_per_activity_queries() -> None:
    report = build_report(COURSE, OPTIONS, now=NOW, transport=lrs("related_activities"))
    assert report.stats.strategy == "per_activity"
    assert [s.completions for s in report.summaries] == [3, 1, 2]


def test_other_refusals_are_errors() -> None:
    def handler(request: httpx.Request) -> Any:
        return httpx.Response(400, json={"detail": "bad query"})

    with pytest.raises(LrsBadResponse, match="400: bad query"):
        build_report(COURSE, OPTIONS, now=NOW, transport=httpx.MockTransport(handler))
