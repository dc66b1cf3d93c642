"""What the xAPI end-to-end tests check on the statements a learner run leaves in the LRS."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from coursepack.model import Course
from coursepack.xapi import vocab
from tests.support.statements import activity_index, check_statements, context_activity_ids
from tests.support.xapi_validation import validate_statements

if TYPE_CHECKING:
    from playwright.sync_api import Frame, Page

V = vocab.VERBS


def wait_sent(frame: Page | Frame, timeout_ms: float = 15_000) -> None:
    """Wait until every tracker of the page has an empty outbox."""
    frame.wait_for_function(
        """() => window.CoursepackXAPI && CoursepackXAPI.trackers.length > 0
            && CoursepackXAPI.trackers.every(t => t.status().pending === 0)""",
        timeout=timeout_ms,
    )


def wait_idle(frame: Page | Frame) -> None:
    """Until every tracker of the page has nothing in flight and nothing due (their idle
    signal): what the page was going to send has been answered."""
    frame.evaluate("() => Promise.all(CoursepackXAPI.trackers.map(t => t.idle()))")


def tracker_status(frame: Page | Frame, index: int = 0) -> dict[str, Any]:
    status: dict[str, Any] = frame.evaluate("i => CoursepackXAPI.trackers[i].status()", index)
    return status


def by_verb(statements: list[dict[str, Any]], verb: str) -> list[dict[str, Any]]:
    return [s for s in statements if s["verb"]["id"] == V[verb]]


def verb_object_counts(statements: list[dict[str, Any]]) -> Counter[tuple[str, str]]:
    return Counter((s["verb"]["id"].rsplit("/", 1)[-1], s["object"]["id"]) for s in statements)


def assert_valid_statements(statements: list[dict[str, Any]]) -> None:
    """Learning Locker's validator and the tincan models accept every statement."""
    # What the LRS added (stored, authority, version) is the LRS's business; check ours.
    ours = [
        {k: v for k, v in s.items() if k not in ("stored", "authority", "version")}
        for s in statements
    ]
    assert validate_statements(ours) == []
    assert check_statements(statements) == []


def assert_contexts(
    statements: list[dict[str, Any]],
    course: Course,
    *,
    registration: str,
    root_id: str | None = None,
) -> None:
    """Every statement: registration, language, platform, the course version that sent it,
    and parent/grouping up to the root."""
    index = activity_index(course)
    root = root_id or course.id
    for s in statements:
        context = s["context"]
        assert context["registration"] == registration, s
        assert context["language"] == course.language, s
        assert context["platform"].startswith("coursepack "), s
        assert context["extensions"][vocab.COURSE_VERSION_EXT] == course.version, s
        object_id = s["object"]["id"]
        info = index[course.id if object_id == root else object_id]
        swap = {course.id: root}
        assert context_activity_ids(s, "parent") == [swap.get(i, i) for i in info.parent], s
        assert context_activity_ids(s, "grouping") == [swap.get(i, i) for i in info.grouping], s
        if object_id != root:
            assert s["object"]["definition"] == info.definition, s


def expected_run(course: Course, *, root_id: str | None = None) -> Counter[tuple[str, str]]:
    """(verb, object) of one complete run in one session, every item opened once."""
    root = root_id or course.id
    expected: Counter[tuple[str, str]] = Counter()
    expected[("initialized", root)] += 1
    for level, iri, _definition in vocab.iter_activities(course):
        if level in ("read", "watch"):
            expected[("experienced", iri)] += 1
        elif level in ("task", "section", "module"):
            expected[("completed", iri)] += 1
    expected[("completed", root)] += 1
    return expected
