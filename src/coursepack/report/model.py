"""The completion report: what the aggregation produces and every renderer reads.

Plain frozen data; times are aware UTC datetimes. The JSON renderer documents the public shape
(``docs/report.md``); these classes are the Python side of it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any


@dataclass(frozen=True)
class TaskColumn:
    """A TASK of the course (in course order), or one no longer in it (``in_course`` False)."""

    iri: str
    module_id: str
    module_title: str
    item_id: str
    title: str
    in_course: bool = True


@dataclass(frozen=True, slots=True)
class TaskCell:
    completed_at: datetime | None = None
    response: str | None = None  # only with --responses
    #: the latest completion answered an earlier wording of the TASK: the course version that
    #: had it (from the course's lock file, docs/versions.md); None: the current wording
    version: str | None = None

    @property
    def completed(self) -> bool:
        return self.completed_at is not None


EMPTY_CELL = TaskCell()  # shared by every task a learner has not completed (most cells)


@dataclass(frozen=True, slots=True)
class ModuleStatus:
    module_id: str
    title: str
    completed_at: datetime | None
    source: str | None  # "statement" (a completed statement for the module) | "derived" | None

    @property
    def completed(self) -> bool:
        return self.completed_at is not None


@dataclass(frozen=True)
class QuestionColumn:
    """A CHECK of the course (in course order), or one no longer in it (``in_course`` False)."""

    iri: str
    module_id: str
    module_title: str
    item_id: str
    title: str  # the question as plain text
    #: the xAPI interactionType: "choice", "true-false", "fill-in" ("" when a removed
    #: question's statements did not say)
    interaction: str
    options: tuple[tuple[str, str], ...] = ()  # (id, plain text) of choice and true/false
    correct: tuple[str, ...] = ()  # the ids of the correct options
    in_course: bool = True
    multiple: bool = False  # several correct options (checkboxes)


@dataclass(frozen=True, slots=True)
class AnswerCell:
    """One learner's answers to one question: the first and the latest, and how many."""

    attempts: int = 0  # answers read (at least the runtime's highest attempt number)
    first_correct: bool = False
    last_correct: bool = False
    first_response: str | None = None  # result.response, in the xAPI response format
    last_at: datetime | None = None

    @property
    def answered(self) -> bool:
        return self.attempts > 0


EMPTY_ANSWER = AnswerCell()  # shared by every question a learner has not answered


@dataclass(frozen=True)
class QuestionSummary:
    """Item analysis of one question, over the learners who answered it."""

    column: QuestionColumn
    answered: int  # learners who answered it
    correct_first: int  # ... right on their first attempt
    correct_last: int  # ... right on their latest attempt
    average_attempts: float  # answers per learner who answered (0 when none did)
    #: the most chosen wrong option (its text) or most common wrong text, on first attempts;
    #: None when no wrong answer names one
    top_wrong: str | None
    top_wrong_count: int
    #: first attempts per option: (text, learners who chose it, whether it is correct), in the
    #: question's order; fill-in: ("correct", n, True) then the most common wrong texts
    choices: tuple[tuple[str, int, bool], ...]

    @property
    def first_rate(self) -> float:
        return self.correct_first / self.answered if self.answered else 0.0

    @property
    def last_rate(self) -> float:
        return self.correct_last / self.answered if self.answered else 0.0


#: a learner's result in a graded course
PASSED, FAILED, IN_PROGRESS, NOT_STARTED = "passed", "failed", "in_progress", "not_started"


@dataclass(frozen=True, slots=True)
class ScoreStatus:
    """The course's latest ``passed`` / ``failed`` for a learner, else how far they got."""

    status: str  # PASSED | FAILED (from the latest statement) | IN_PROGRESS | NOT_STARTED
    scaled: float | None = None  # 0..1, from the latest passed/failed (None without one)
    raw: float | None = None
    max: float | None = None
    at: datetime | None = None  # when the latest passed/failed was made
    answered: int = 0  # questions of the course answered
    correct: int = 0  # ... right on the latest attempt


@dataclass(frozen=True, slots=True)
class LearnerRow:
    key: str  # the IFI as one string, e.g. "mbox:mailto:ada@example.org"
    ifi: dict[str, Any]  # the IFI as in xAPI, e.g. {"mbox": "mailto:ada@example.org"}
    name: str | None
    tasks: tuple[TaskCell, ...]  # aligned with Report.tasks
    removed_tasks: tuple[TaskCell, ...]  # aligned with Report.removed_tasks
    modules: tuple[ModuleStatus, ...]  # aligned with the course's modules
    course_completed_at: datetime | None
    course_completion_source: str | None
    progress: float  # 0..1, by the course's completion rule
    first_activity: datetime
    last_activity: datetime
    # graded courses only (docs/report.md, "Scores and item analysis")
    answers: tuple[AnswerCell, ...] = ()  # aligned with Report.questions
    removed_answers: tuple[AnswerCell, ...] = ()  # aligned with Report.removed_questions
    score: ScoreStatus | None = None

    @property
    def display(self) -> str:
        """The name if the statements gave one, else a readable form of the IFI."""
        if self.name:
            return self.name
        return ifi_display(self.ifi)

    @property
    def course_completed(self) -> bool:
        return self.course_completed_at is not None

    @property
    def tasks_completed(self) -> int:
        return sum(1 for cell in self.tasks if cell.completed_at is not None)

    @property
    def only_removed_tasks(self) -> bool:
        """True when every completion this learner has is of a task no longer in the course."""
        return not self.tasks_completed and any(c.completed for c in self.removed_tasks)


@dataclass(frozen=True)
class TaskSummary:
    column: TaskColumn
    completions: int
    rate: float  # completions / learners (0 when there are no learners)


@dataclass(frozen=True)
class Stats:
    statements_received: int = 0  # as the LRS sent them, including skipped ones
    malformed_skipped: int = 0
    voided_skipped: int = 0  # voided statements left out (seen before or after their voiding)
    duplicates_ignored: int = 0  # completion statements seen again under the same id
    pages: int = 0
    strategy: str = "related_activities"  # or "per_activity" (LRS rejected related_activities)


@dataclass(frozen=True)
class Report:
    course_id: str
    course_title: str
    completion_rule: str
    modules: tuple[tuple[str, str], ...]  # (id, title) in course order
    tasks: tuple[TaskColumn, ...]
    removed_tasks: tuple[TaskColumn, ...]
    learners: tuple[LearnerRow, ...]
    summaries: tuple[TaskSummary, ...]  # aligned with tasks
    removed_summaries: tuple[TaskSummary, ...]  # aligned with removed_tasks
    completions_by_day: tuple[tuple[date, int], ...]  # TASK completions of course tasks per day
    generated_at: datetime
    since: datetime | None = None
    until: datetime | None = None
    registration: str | None = None
    responses_included: bool = False
    stats: Stats = Stats()
    #: whether the report has scores and item analysis: the course has CHECKs, or statements
    #: answered questions no longer in it or passed / failed the course
    graded: bool = False
    pass_mark: int | None = None  # percent; None when the course has no ``assessment:``
    questions: tuple[QuestionColumn, ...] = ()
    removed_questions: tuple[QuestionColumn, ...] = ()
    question_summaries: tuple[QuestionSummary, ...] = ()  # aligned with questions
    removed_question_summaries: tuple[QuestionSummary, ...] = ()  # with removed_questions

    @property
    def courses_completed(self) -> int:
        return sum(1 for learner in self.learners if learner.course_completed)

    @property
    def average_progress(self) -> float:
        if not self.learners:
            return 0.0
        return sum(learner.progress for learner in self.learners) / len(self.learners)

    def results(self, status: str) -> int:
        """Learners whose score status is ``status`` (``PASSED``, ``FAILED``, ...)."""
        return sum(1 for row in self.learners if row.score and row.score.status == status)


def time_format(separator: str, end: str = "") -> Callable[[datetime], str]:
    """A function writing a time as ``YYYY-MM-DD<separator>HH:MM:SS<end>``: the same text as
    ``strftime`` would, in about half the time (a report of 300,000 learners writes millions)."""
    fast = f"%04d-%02d-%02d{separator}%02d:%02d:%02d{end}"
    slow = f"%Y-%m-%d{separator}%H:%M:%S{end}"

    def text(value: datetime) -> str:
        if value.year < 1000:  # strftime's %Y does not pad such a year: kept as it was
            return value.strftime(slow)
        return fast % (
            value.year,
            value.month,
            value.day,
            value.hour,
            value.minute,
            value.second,
        )

    return text


def ifi_display(ifi: dict[str, Any]) -> str:
    if "mbox" in ifi:
        return str(ifi["mbox"]).removeprefix("mailto:")
    if "account" in ifi:
        account = ifi["account"]
        return f"{account.get('name', '')} ({account.get('homePage', '')})"
    if "openid" in ifi:
        return str(ifi["openid"])
    if "mbox_sha1sum" in ifi:
        return f"sha1:{str(ifi['mbox_sha1sum'])[:12]}"
    return "?"
