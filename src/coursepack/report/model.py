"""The completion report: what the aggregation produces and every renderer reads.

Plain frozen data; times are aware UTC datetimes. The JSON renderer documents the public shape
(``docs/report.md``); these classes are the Python side of it.
"""

from __future__ import annotations

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
        return sum(1 for cell in self.tasks if cell.completed)

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

    @property
    def courses_completed(self) -> int:
        return sum(1 for learner in self.learners if learner.course_completed)

    @property
    def average_progress(self) -> float:
        if not self.learners:
            return 0.0
        return sum(learner.progress for learner in self.learners) / len(self.learners)


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
