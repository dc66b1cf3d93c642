"""Which statement queries a report makes, and streaming their pages into the aggregation.

1. ``verb=voided`` (no other filter): the voiding statements, read first. A standard LRS already
   leaves voided statements out of every query, but not every LRS does (Ralph returns them),
   and a voiding statement's object is a StatementRef, which the course filter below does not
   match on such an LRS. Knowing the voided ids up front means nothing voided is ever counted.
2. ``activity=<course IRI>&related_activities=true`` (+ since/until/registration, and a verb
   when only some verbs are wanted): every statement about the course, whatever the standard
   (cmi5 statements carry the course IRI in context, not as object).
3. If the LRS rejects ``related_activities`` (400), one query per activity of the course
   (course, modules, items) instead: slower, and it cannot find statements about tasks that
   are no longer in the course, but correct on any standard LRS.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from coursepack.completion import counted
from coursepack.model import Course
from coursepack.report.aggregate import Aggregator
from coursepack.xapi import vocab
from coursepack.xapi.client import LrsBadResponse, LrsClient, Page

RELATED = "related_activities"
PER_ACTIVITY = "per_activity"

# Called after each page with (statements so far, pages so far).
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Query:
    """What the admin asked for."""

    since: datetime | None = None
    until: datetime | None = None
    registration: str | None = None
    completions_only: bool = False  # ask only for the verbs that change completion

    def filters(self) -> dict[str, str]:
        params: dict[str, str] = {}
        if self.since is not None:
            params["since"] = xapi_time(self.since)
        if self.until is not None:
            params["until"] = xapi_time(self.until)
        if self.registration:
            params["registration"] = self.registration
        return params


def xapi_time(value: datetime) -> str:
    value = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def verbs_wanted(course: Course, query: Query) -> list[str | None]:
    """One entry per query: None = all verbs."""
    if not query.completions_only:
        return [None]
    verbs: list[str | None] = [vocab.VERBS["completed"]]
    if any(not item.is_task for _, item in counted(course)):  # READ/WATCH count too
        verbs.append(vocab.VERBS["experienced"])
    if course.graded:  # the answers and the course's result: scores and item analysis
        verbs += [vocab.VERBS["answered"], vocab.VERBS["passed"], vocab.VERBS["failed"]]
    return verbs


def related_queries(course: Course, query: Query) -> list[dict[str, str]]:
    queries = []
    for verb in verbs_wanted(course, query):
        params = {"activity": vocab.course_iri(course), "related_activities": "true"}
        params.update(query.filters())
        if verb:
            params["verb"] = verb
        queries.append(params)
    return queries


def per_activity_queries(course: Course, query: Query) -> list[dict[str, str]]:
    activities = [vocab.course_iri(course)]
    for module in course.modules:
        activities.append(vocab.module_iri(course, module))
        activities.extend(vocab.item_iri(course, module, item) for item in module.items)
    # earlier wordings of TASKs and removed TASKs that the course's lock file knows
    activities.extend(vocab.past_question_iri(course, past) for past in course.past_questions)
    queries = []
    for activity in activities:
        for verb in verbs_wanted(course, query):
            params = {"activity": activity, **query.filters()}
            if verb:
                params["verb"] = verb
            queries.append(params)
    return queries


@dataclass
class FetchResult:
    pages: int = 0
    strategy: str = RELATED
    notes: list[str] = field(default_factory=list)


def fetch(
    client: LrsClient,
    course: Course,
    aggregator: Aggregator,
    query: Query,
    progress: Progress | None = None,
) -> FetchResult:
    """Stream every statement of the report's queries into ``aggregator``."""
    result = FetchResult()

    def counting(pages: Iterator[Page]) -> Iterator[Page]:
        for page in pages:
            result.pages += 1
            yield page
            if progress is not None:
                progress(aggregator.received, result.pages)

    try:
        for page in counting(client.pages({"verb": vocab.VERBS["voided"]})):
            for statement in page.statements:
                aggregator.add_voiding(statement)
    except LrsBadResponse as error:
        if error.status != 400:
            raise
        result.notes.append(
            "note: the LRS refused the query for voiding statements (400); voided statements "
            "are left out only as far as the LRS hides them or they come with the course"
        )

    def stream(params: dict[str, str]) -> None:
        for page in counting(client.pages(params)):
            aggregator.add_all(page.statements)

    queries = related_queries(course, query)
    for index, params in enumerate(queries):
        pages_before = result.pages
        try:
            stream(params)
        except LrsBadResponse as error:
            # Rejected before any page was read: this LRS does not take related_activities.
            if index or error.status != 400 or result.pages != pages_before:
                raise
            result.strategy = PER_ACTIVITY
            for fallback in per_activity_queries(course, query):
                stream(fallback)
            break
    return result
