"""The validated, frozen course model shared by every stage after ``validate``.

Ids are stable: they come from the author (explicit ``id``/``{#id}``) or from something
that survives editing the prose (a section's heading slug, an item's URL, a TASK's place
among the TASKs of its section), and then from the course's lock file, which keeps every id
across versions (``coursepack.versions``). Saved learner state and xAPI activity ids depend
on them.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any


@dataclass(frozen=True, order=True, slots=True)
class Position:
    """A place in a course file; ``file`` is relative to the course folder."""

    file: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        if self.line:
            return f"{self.file}:{self.line}:{self.col or 1}"
        return self.file


class ItemKind(enum.Enum):
    READ = "read"
    WATCH = "watch"
    TASK = "task"
    CHECK = "check"  # a graded question (``Check``)


class ScoreRule(enum.Enum):
    """What a SCORM package reports as its score (``score:`` in course.yaml)."""

    NONE = "none"  # no score at all (an ungraded course)
    PROGRESS = "progress"  # the share of counted items done, 0-100: never passed or failed


class CompletionRule(enum.Enum):
    """When the course (and each module) counts as completed."""

    ALL_TASKS = "all-tasks"  # every TASK marked complete
    ALL_ITEMS = "all-items"  # every TASK complete and every READ/WATCH opened
    PASS = "pass"  # the learner's score reaches the pass mark (``Assessment``)
    ALL_TASKS_AND_PASS = "all-tasks-and-pass"  # every TASK complete and the pass mark reached


class CheckKind(enum.Enum):
    """How a knowledge check is answered; the value is its xAPI ``interactionType``."""

    SINGLE = "choice"  # one correct option: radios
    MULTIPLE = "choice-multiple"  # several correct options: checkboxes (xAPI type "choice")
    TRUE_FALSE = "true-false"
    TEXT = "fill-in"  # a short text answer matched against accepted answers

    @property
    def interaction_type(self) -> str:
        """The xAPI / SCORM 2004 interaction type."""
        return "choice" if self is CheckKind.MULTIPLE else self.value


@dataclass(frozen=True, slots=True)
class CheckOption:
    id: str  # stable within its check ([a-z0-9-]), from the option text; the xAPI choice id
    text_md: str  # inline Markdown
    correct: bool
    feedback_md: str | None = None  # shown after an answer that chose this option


@dataclass(frozen=True, slots=True)
class Check:
    """A graded question: the ``check`` of an Item whose kind is ``ItemKind.CHECK``."""

    kind: CheckKind
    question_md: str  # inline Markdown: the text of the ``CHECK:`` line
    options: tuple[CheckOption, ...]  # choice and true/false ("true", "false"); () for TEXT
    accepted: tuple[str, ...] = ()  # TEXT: accepted answers (case and spacing forgiven)
    feedback_correct_md: str | None = None
    feedback_incorrect_md: str | None = None

    @property
    def correct_ids(self) -> tuple[str, ...]:
        return tuple(option.id for option in self.options if option.correct)


@dataclass(frozen=True)
class Assessment:
    """``assessment:`` in course.yaml: how the CHECKs of a course are graded."""

    pass_mark: int = 80  # percent of the CHECKs answered correctly
    attempts: int = 1  # attempts allowed per question (0: unlimited)
    shuffle: bool = False  # options shuffled, deterministically per learner
    retry: bool = True  # whether a failed course may be taken again


@dataclass(frozen=True, slots=True)
class Item:
    id: str  # unique within its module; identifier-safe ([a-z0-9-])
    kind: ItemKind
    #: the author's title (link text, YAML ``title:``); None: the page, manifests and reports
    #: show a default made from the URL or prompt (``coursepack.titles.item_title``)
    explicit_title: str | None
    intro_md: str  # Markdown: the paragraphs before the item line
    url: str | None  # READ / WATCH
    prompt: str | None  # TASK
    pos: Position
    check: Check | None = None  # CHECK: the question, its options and feedback
    #: which wording of the item this is (``coursepack.versions``): 1 for the wording its id
    #: was made for; a reworded TASK keeps its id but takes the next revision, and its xAPI
    #: activity id carries it (``vocab.item_iri``), so an LRS never mixes two questions
    revision: int = 1

    @property
    def is_task(self) -> bool:
        return self.kind is ItemKind.TASK

    @property
    def is_check(self) -> bool:
        return self.kind is ItemKind.CHECK


@dataclass(frozen=True, slots=True)
class Section:
    id: str  # unique within its module
    title: str
    items: tuple[Item, ...]
    outro_md: str  # Markdown after the last item of the section
    pos: Position


@dataclass(frozen=True, slots=True)
class Module:
    id: str  # unique within the course
    title: str
    intro_md: str
    sections: tuple[Section, ...]
    pos: Position
    title_pos: Position | None = None  # where the title is written (module file or course.yaml)

    @property
    def items(self) -> tuple[Item, ...]:
        return tuple(item for section in self.sections for item in section.items)

    @property
    def tasks(self) -> tuple[Item, ...]:
        return tuple(item for item in self.items if item.is_task)

    @property
    def checks(self) -> tuple[Item, ...]:
        return tuple(item for item in self.items if item.is_check)


@dataclass(frozen=True)
class LrsSettings:
    """Dual tracking: where a SCORM package also sends xAPI statements.

    The credential never comes from the course file; the build reads it from the
    environment and the author must opt in (``tracking.lrs``) before it is embedded.
    """

    endpoint: str
    actor_homepage: str
    pos: Position


@dataclass(frozen=True)
class MediaFile:
    """A file under the course's media folder, copied into every package."""

    path: str  # posix path relative to the course folder, e.g. "media/intro.mp4"
    source: Path


@dataclass(frozen=True)
class PastQuestion:
    """A TASK wording that an earlier version of the course had (from its lock file): an
    earlier wording of a TASK still in the course (``in_course``), or a removed TASK."""

    module_id: str
    item_id: str
    revision: int
    title: str
    since: str  # the course version that first had this wording
    in_course: bool


@dataclass(frozen=True)
class Course:
    id: str  # the course IRI (absolute http(s), no query or fragment, no trailing slash)
    title: str
    description: str
    language: str  # BCP 47, e.g. "en" or "en-GB"
    version: str
    completion: CompletionRule
    modules: tuple[Module, ...]
    root: Path
    lms: str | None = None
    score: ScoreRule = ScoreRule.NONE
    lrs: LrsSettings | None = None
    media: tuple[MediaFile, ...] = field(default_factory=tuple)
    #: each target's own course.yaml options, by target name, as that target parsed them
    #: (``Target.parse_options``); frozen
    target_options: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    #: the course's brand (``theme:``): a ``coursepack.theme.Theme``, or None
    theme: Any = None
    #: the course's own interface words (``words:`` in course.yaml), over its language's table
    words: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    #: where each top-level key of course.yaml stands (for problems about the course)
    positions: Mapping[str, Position] = field(default_factory=lambda: MappingProxyType({}))
    #: the TASK wordings of earlier versions, for the report (``coursepack.versions``)
    past_questions: tuple[PastQuestion, ...] = ()
    #: how CHECKs are graded; None when the course has no ``assessment:`` (defaults apply)
    assessment: Assessment | None = None
    #: ``duration:`` in course.yaml, in minutes; None: the start page shows an estimate
    #: (``coursepack.overview``)
    duration_minutes: int | None = None
    #: ``objectives:``: what the learner will learn, one inline-Markdown line each
    objectives: tuple[str, ...] = ()

    def pos_of(self, key: str) -> Position:
        """Where ``key`` of course.yaml stands; the file's start when it is not written."""
        return self.positions.get(key, Position("course.yaml", 1, 1))

    def options_of(self, target: str) -> Any:
        """The options a target parsed for this course (None when it has none)."""
        return self.target_options.get(target)

    @property
    def items(self) -> tuple[Item, ...]:
        return tuple(item for module in self.modules for item in module.items)

    @property
    def tasks(self) -> tuple[Item, ...]:
        return tuple(item for item in self.items if item.is_task)

    @property
    def checks(self) -> tuple[Item, ...]:
        return tuple(item for item in self.items if item.is_check)

    @property
    def graded(self) -> bool:
        """Whether the course has a score: it holds at least one CHECK."""
        return any(item.is_check for item in self.items)

    @property
    def slug(self) -> str:
        """A file-name-safe slug from the course IRI's last path segment."""
        from coursepack.ids import slugify

        last = self.id.rstrip("/").rsplit("/", 1)[-1]
        return slugify(last) or "course"
