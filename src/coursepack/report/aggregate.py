"""Statements -> completion report, one statement at a time, against the course definition.

Memory does not grow with the statements read: per learner we keep a few times, the items they
opened (bounded by the course) and their completion statements (keyed by statement id, so a
duplicate counts once and a voiding statement that arrives later can retract one: a few per
learner and task). Everything else a statement contributes (first/last activity, items opened)
is a min, a max or a set, which repeated statements cannot change.

What the statements mean (see ``coursepack.xapi.vocab``, the runtime sends them):

- TASK completed: verb ``completed``, object id = ``vocab.item_iri(...)`` (result.completion not
  false; result.response = the reflection). Matched by object id whatever the standard (cmi5
  puts the course IRI in context, but the task's object id is ours).
- module / course completed: verb ``completed`` with the module / course IRI.
- READ / WATCH opened: verb ``experienced`` with the item IRI.
- anything else about the course (sessions, ...) only counts as activity.
- a voiding statement (verb ``voided``, StatementRef object) removes its target; it is not
  activity of its actor (usually an administrator).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

from coursepack.completion import counted
from coursepack.model import Course
from coursepack.report.model import (
    LearnerRow,
    ModuleStatus,
    Report,
    Stats,
    TaskCell,
    TaskColumn,
    TaskSummary,
)
from coursepack.titles import item_title
from coursepack.xapi import vocab

_COMPLETED = vocab.VERBS["completed"]
_EXPERIENCED = vocab.VERBS["experienced"]
_VOIDED = vocab.VERBS["voided"]
_TASK_TYPE = vocab.ACTIVITY_TYPES["task"]
_IFI_KEYS = ("mbox", "mbox_sha1sum", "openid", "account")
_DIGITS = re.compile(r"(\d+)")

# What a completed statement's object is, by activity id.
_TASK, _MODULE, _COURSE = 1, 2, 3


class _Learner:
    __slots__ = (
        "completions",
        "experienced",
        "first",
        "ifi",
        "key",
        "last",
        "name",
        "name_at",
    )

    def __init__(self, key: str, ifi: dict[str, Any], at: datetime) -> None:
        self.key = key
        self.ifi = ifi
        self.name: str | None = None
        self.name_at = at
        self.first = at
        self.last = at
        # activity iri (task, module or course) -> statement id -> (when, response)
        self.completions: dict[str, dict[str, tuple[datetime, str | None]]] = {}
        # READ/WATCH item iri -> first time opened
        self.experienced: dict[str, datetime] = {}


class Aggregator:
    """Feed it raw statements (``add``) in any order, then ask for the ``report``."""

    def __init__(self, course: Course, *, include_responses: bool = False) -> None:
        self.course = course
        self.include_responses = include_responses
        self._kind: dict[str, int] = {course.id: _COURSE}
        self._tasks: list[TaskColumn] = []
        self._items: set[str] = set()  # READ/WATCH item iris
        for module in course.modules:
            self._kind[vocab.module_iri(course, module)] = _MODULE
            for item in module.items:
                iri = vocab.item_iri(course, module, item)
                if item.is_task:
                    self._kind[iri] = _TASK
                    self._tasks.append(
                        TaskColumn(
                            iri, module.id, module.title, item.id, item_title(item, course.language)
                        )
                    )
                else:
                    self._items.add(iri)
        self._course_prefix = course.id + "/"
        # from the course's lock file (coursepack.versions): a TASK's earlier wordings count
        # for it, marked with the version they come from; removed TASKs keep their titles
        self._earlier: dict[str, list[tuple[str, str]]] = {}  # task iri -> [(older iri, version)]
        self._known_removed: dict[str, str] = {}  # iri -> title
        current = {
            (m.id, i.id): vocab.item_iri(course, m, i) for m in course.modules for i in m.tasks
        }
        for past in course.past_questions:
            iri = vocab.past_question_iri(course, past)
            now = current.get((past.module_id, past.item_id)) if past.in_course else None
            if now is None:
                self._known_removed[iri] = past.title
            elif iri != now:
                self._kind[iri] = _TASK
                self._earlier.setdefault(now, []).append((iri, past.since))
        # what completes the course (coursepack.completion, as the page counts it)
        self._course_needs = [
            (vocab.item_iri(course, module, item), item.is_task) for module, item in counted(course)
        ]
        self._learners: dict[str, _Learner] = {}
        self._removed: dict[str, str] = {}  # iri of a task no longer in the course -> title
        self._voided: set[str] = set()
        self.received = 0
        self.malformed = 0
        self.voided_skipped = 0
        self.duplicates = 0

    # -- feeding ------------------------------------------------------------------------------

    def add_voiding(self, raw: Any) -> None:
        """A statement from the separate query for voiding statements (any course)."""
        if isinstance(raw, dict):
            verb, obj = raw.get("verb"), raw.get("object")
            if (
                isinstance(verb, dict)
                and verb.get("id") == _VOIDED
                and isinstance(obj, dict)
                and obj.get("objectType") == "StatementRef"
                and isinstance(obj.get("id"), str)
            ):
                self._void(obj["id"])

    def add(self, raw: Any) -> None:
        """One statement as the LRS sent it. Malformed ones are counted and skipped."""
        self.add_all((raw,))

    def add_all(self, statements: Iterable[Any]) -> None:
        """Statements as the LRS sent them (a page). The hot path: one flat loop, locals only."""
        learners = self._learners
        voided = self._voided
        kinds = self._kind
        items = self._items
        include_responses = self.include_responses
        fromisoformat = datetime.fromisoformat
        for raw in statements:
            self.received += 1
            try:
                sid = raw["id"]
                actor = raw["actor"]
                verb_id = raw["verb"]["id"]
                obj = raw["object"]
                object_id = obj.get("id")
                key = _ifi_key(actor)
            except (KeyError, TypeError, AttributeError):
                self.malformed += 1
                continue
            if type(sid) is not str or type(verb_id) is not str:
                self.malformed += 1
                continue
            if verb_id == _VOIDED:
                if obj.get("objectType") == "StatementRef" and type(object_id) is str:
                    self._void(object_id)
                else:
                    self.malformed += 1
                continue
            if sid in voided:
                self.voided_skipped += 1
                continue
            try:
                at = fromisoformat(raw.get("timestamp") or raw["stored"])
                if at.tzinfo is None:
                    at = at.replace(tzinfo=UTC)
                elif at.utcoffset():  # to UTC now: 0001-01-01T00:30+01:00 has no UTC time
                    at = at.astimezone(UTC)
            except (KeyError, TypeError, ValueError, OverflowError):
                self.malformed += 1
                continue
            if key is None or (object_id is not None and type(object_id) is not str):
                self.malformed += 1
                continue

            learner = learners.get(key)
            if learner is None:
                learner = learners[key] = _Learner(key, _ifi(actor), at)
            elif at < learner.first:
                learner.first = at
            elif at > learner.last:
                learner.last = at
            name = actor.get("name")
            if type(name) is str and name and (name[0].isspace() or name[-1].isspace()):
                name = name.strip()  # a name of spaces alone is no name: the IFI shows instead
            if (
                name
                and type(name) is str
                and (
                    learner.name is None
                    or at > learner.name_at
                    or (at == learner.name_at and name > learner.name)  # same time: any order
                )
            ):
                learner.name, learner.name_at = name, at

            if object_id is None:
                continue
            if verb_id == _COMPLETED:
                result = raw.get("result")
                if type(result) is not dict:
                    result = None
                elif result.get("completion") is False:
                    continue
                kind = kinds.get(object_id)
                if kind is None and (
                    object_id in items or not self._is_removed_task(object_id, obj)
                ):
                    continue  # a READ/WATCH of the course is not a task, removed or not
                response = None
                if result is not None and include_responses and kind in (_TASK, None):
                    value = result.get("response")
                    response = value if type(value) is str else None
                records = learner.completions.get(object_id)
                if records is None:
                    records = learner.completions[object_id] = {}
                if sid in records:
                    self.duplicates += 1
                    continue
                records[sid] = (at, response)
            elif verb_id == _EXPERIENCED and object_id in items:
                seen = learner.experienced.get(object_id)
                if seen is None or at < seen:
                    learner.experienced[object_id] = at

    def _void(self, target: str) -> None:
        if target in self._voided:
            return
        self._voided.add(target)
        # Seen before its voiding statement? Retract it. A search rather than an index by id:
        # the voiding statements are read first (fetch.py), so this almost never finds anything,
        # and an index would cost memory for every completion statement.
        for learner in self._learners.values():
            for iri, records in learner.completions.items():
                if target in records:
                    del records[target]
                    if not records:
                        del learner.completions[iri]
                    self.voided_skipped += 1
                    return

    def _is_removed_task(self, object_id: str, obj: dict[str, Any]) -> bool:
        """A completed TASK of this course that is no longer in it (kept, titled).

        Its id has the shape of ``vocab.item_iri`` under the course IRI, and its type, if the
        statement gives one, is the TASK type.
        """
        if object_id in self._removed:
            return True
        if object_id in self._known_removed:
            self._removed[object_id] = self._known_removed[object_id]
            return True
        definition = obj.get("definition")
        definition = definition if isinstance(definition, dict) else {}
        rest = object_id.removeprefix(self._course_prefix)
        parts = rest.split("/")
        looks_like_item = (
            rest != object_id and len(parts) == 3 and parts[1] == "items" and all(parts)
        )
        if not looks_like_item or definition.get("type", _TASK_TYPE) != _TASK_TYPE:
            return False
        title = _language_value(definition.get("name"), self.course.language)
        self._removed[object_id] = title or parts[-1]
        return True

    # -- the report ---------------------------------------------------------------------------

    def report(
        self,
        *,
        generated_at: datetime,
        since: datetime | None = None,
        until: datetime | None = None,
        registration: str | None = None,
        pages: int = 0,
        strategy: str = "related_activities",
    ) -> Report:
        """The report of everything added so far; the keywords describe how it was fetched."""
        course = self.course
        tasks = tuple(self._tasks)
        removed = tuple(self._removed_columns())
        requirements = self._requirements()
        learners = tuple(
            sorted(
                (self._row(learner, removed, requirements) for learner in self._learners.values()),
                key=lambda row: (_natural(row.display), row.key),
            )
        )
        per_day: Counter[date] = Counter()
        for row in learners:
            for cell in row.tasks:
                if cell.completed_at is not None:
                    per_day[cell.completed_at.date()] += 1
        return Report(
            course_id=course.id,
            course_title=course.title,
            completion_rule=course.completion.value,
            modules=tuple((m.id, m.title) for m in course.modules),
            tasks=tasks,
            removed_tasks=removed,
            learners=learners,
            summaries=_summaries(tasks, [row.tasks for row in learners]),
            removed_summaries=_summaries(removed, [row.removed_tasks for row in learners]),
            completions_by_day=tuple(sorted(per_day.items())),
            generated_at=_utc(generated_at),
            responses_included=self.include_responses,
            stats=Stats(
                statements_received=self.received,
                malformed_skipped=self.malformed,
                voided_skipped=self.voided_skipped,
                duplicates_ignored=self.duplicates,
                pages=pages,
                strategy=strategy,
            ),
            since=_utc(since) if since else None,
            until=_utc(until) if until else None,
            registration=registration,
        )

    def _removed_columns(self) -> list[TaskColumn]:
        columns = []
        for iri, title in sorted(self._removed.items()):
            rest = iri.removeprefix(self._course_prefix).split("/")
            module_id = rest[0] if iri.startswith(self._course_prefix) and len(rest) == 3 else ""
            item_id = rest[-1] if module_id else iri
            module_title = next((m.title for m in self.course.modules if m.id == module_id), "")
            columns.append(
                TaskColumn(iri, module_id, module_title, item_id, title, in_course=False)
            )
        return columns

    def _cell(self, learner: _Learner, iri: str) -> TaskCell:
        records = learner.completions.get(iri)
        came_from: dict[str, str] = {}  # statement id -> version, for an earlier wording's
        for older, version in self._earlier.get(iri, ()):
            more = learner.completions.get(older)
            if more:
                records = {**(records or {}), **more}
                came_from.update(dict.fromkeys(more, version))
        if not records:
            return TaskCell()
        first = min(at for at, _ in records.values())
        # The latest completion's; at the same time, the statement id decides (any order).
        sid, (_, latest_response) = max(records.items(), key=lambda pair: (pair[1][0], pair[0]))
        return TaskCell(_utc(first), latest_response, came_from.get(sid))

    def _requirements(self) -> list[tuple[str, str, str, list[tuple[str, bool]]]]:
        """Per module: (id, title, IRI, [(item IRI, is_task)] that its completion needs)."""
        course = self.course
        return [
            (
                module.id,
                module.title,
                vocab.module_iri(course, module),
                [
                    (vocab.item_iri(course, module, item), item.is_task)
                    for _, item in counted(course, [module])
                ],
            )
            for module in course.modules
        ]

    def _row(
        self,
        learner: _Learner,
        removed: tuple[TaskColumn, ...],
        requirements: list[tuple[str, str, str, list[tuple[str, bool]]]],
    ) -> LearnerRow:
        course = self.course
        cells = tuple(self._cell(learner, column.iri) for column in self._tasks)
        by_iri = {column.iri: cell for column, cell in zip(self._tasks, cells, strict=True)}

        def met(needed: list[tuple[str, bool]]) -> list[datetime | None]:
            times: list[datetime | None] = []
            for iri, is_task in needed:
                if is_task:
                    times.append(by_iri[iri].completed_at)
                else:
                    opened = learner.experienced.get(iri)
                    times.append(_utc(opened) if opened else None)
            return times

        def last_if_all(times: list[datetime | None]) -> datetime | None:
            done = [t for t in times if t is not None]
            return max(done) if done and len(done) == len(times) else None

        modules = []
        for module_id, title, iri, needed in requirements:
            times = met(needed)
            stated = self._stated(learner, iri)
            modules.append(_status(module_id, title, stated, last_if_all(times)))
        all_times = met(self._course_needs)
        course_status = _status(
            course.id, course.title, self._stated(learner, course.id), last_if_all(all_times)
        )
        done, total = sum(1 for t in all_times if t is not None), len(all_times)
        progress = done / total if total else 1.0 if course_status.completed else 0.0
        return LearnerRow(
            key=learner.key,
            ifi=learner.ifi,
            name=learner.name,
            tasks=cells,
            removed_tasks=tuple(self._cell(learner, column.iri) for column in removed),
            modules=tuple(modules),
            course_completed_at=course_status.completed_at,
            course_completion_source=course_status.source,
            progress=progress,
            first_activity=_utc(learner.first),
            last_activity=_utc(learner.last),
        )

    @staticmethod
    def _stated(learner: _Learner, iri: str) -> datetime | None:
        records = learner.completions.get(iri)
        return _utc(min(at for at, _ in records.values())) if records else None


def _status(
    ident: str, title: str, stated: datetime | None, derived: datetime | None
) -> ModuleStatus:
    if stated is not None:
        return ModuleStatus(ident, title, stated, "statement")
    if derived is not None:
        return ModuleStatus(ident, title, derived, "derived")
    return ModuleStatus(ident, title, None, None)


def _summaries(
    columns: tuple[TaskColumn, ...], rows: list[tuple[TaskCell, ...]]
) -> tuple[TaskSummary, ...]:
    summaries = []
    for index, column in enumerate(columns):
        count = sum(1 for cells in rows if cells[index].completed)
        summaries.append(TaskSummary(column, count, count / len(rows) if rows else 0.0))
    return tuple(summaries)


def _ifi_key(actor: dict[str, Any]) -> str | None:
    """The actor's inverse functional identifier as one string; None unless exactly one."""
    mbox = actor.get("mbox")
    if (
        type(mbox) is str
        and mbox.startswith("mailto:")
        and "account" not in actor
        and "openid" not in actor
        and "mbox_sha1sum" not in actor
    ):  # the usual case, first
        return "mbox:" + mbox
    found = None
    for name in _IFI_KEYS:
        value = actor.get(name)
        if value is None:
            continue
        if found is not None:
            return None  # two IFIs: invalid xAPI
        if name == "account":
            if not isinstance(value, dict):
                return None
            home, user = value.get("homePage"), value.get("name")
            if not (isinstance(home, str) and isinstance(user, str) and home and user):
                return None
            found = f"account:{home}|{user}"
        elif isinstance(value, str) and value:
            if name == "mbox" and not value.startswith("mailto:"):
                return None
            found = f"{name}:{value}"
        else:
            return None
    return found


def _ifi(actor: dict[str, Any]) -> dict[str, Any]:
    for name in _IFI_KEYS:
        value = actor.get(name)
        if value is not None:
            if name == "account":
                return {"account": {"homePage": value["homePage"], "name": value["name"]}}
            return {name: value}
    raise AssertionError("actor without IFI passed _ifi_key")  # pragma: no cover


def _natural(text: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key: case-insensitive, numbers by value ("Learner 9" before "Learner 10")."""
    return tuple(
        (0, int(part)) if part.isdecimal() else (1, part)
        for part in _DIGITS.split(text.casefold())
        if part
    )


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC) if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _language_value(value: Any, language: str) -> str:
    """The best string of an xAPI language map: the course language, its base, en, any."""
    if not isinstance(value, dict) or not value:
        return ""
    base = language.split("-")[0].lower()
    for key in (language, *(k for k in value if k.split("-")[0].lower() == base), "en-US", "en"):
        text = value.get(key)
        if isinstance(text, str) and text:
            return text
    first = next(iter(value.values()))
    return first if isinstance(first, str) else ""
