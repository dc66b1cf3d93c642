"""Statements -> completion report, one statement at a time, against the course definition.

Memory is bounded by the course and the number of learners, never by the number of statements
read. Per learner we keep a few times, the READ/WATCH items they opened (first time each) and,
per completed activity, one fixed-size record: the first and the latest completion (time,
statement id, response). Everything a statement contributes is a min, a max or a set, which
repeated statements cannot change; a completion statement served again under the first or the
latest id is counted as a duplicate. Activity ids are mapped to small ints once (the course's),
so no id string is stored per learner.

What the statements mean (see ``coursepack.xapi.vocab``, the runtime sends them):

- TASK completed: verb ``completed``, object id = ``vocab.item_iri(...)`` (result.completion not
  false; result.response = the reflection). Matched by object id whatever the standard (cmi5
  puts the course IRI in context, but the task's object id is ours).
- module / course completed: verb ``completed`` with the module / course IRI.
- READ / WATCH opened: verb ``experienced`` with the item IRI.
- anything else about the course (sessions, ...) only counts as activity.
- a voiding statement (verb ``voided``, StatementRef object) removes its target; it is not
  activity of its actor (usually an administrator).

Voiding: ``fetch`` reads the voiding statements first, so a voided completion is skipped as it
arrives (a set lookup). A voiding statement read after its target (voided while the report
runs) is applied once, when the report is made, in one pass over the kept records: if it voids
the first of several completions, the latest one becomes the first (the ones in between are not
kept).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any, Final

from coursepack.completion import counted
from coursepack.model import Course
from coursepack.report.model import (
    EMPTY_CELL,
    LearnerRow,
    ModuleStatus,
    Report,
    Stats,
    TaskCell,
    TaskColumn,
    TaskSummary,
)
from coursepack.titles import display_title
from coursepack.xapi import vocab

_COMPLETED = vocab.VERBS["completed"]
_EXPERIENCED = vocab.VERBS["experienced"]
_VOIDED = vocab.VERBS["voided"]
_TASK_TYPE = vocab.ACTIVITY_TYPES["task"]
_IFI_KEYS = ("mbox", "mbox_sha1sum", "openid", "account")
_DIGITS = re.compile(r"(\d+)")
# Tasks no longer in the course, told apart by their ids: at most this many are kept (a
# statement can name any id under the course IRI; memory must not follow the statements).
MAX_REMOVED_TASKS: Final = 1000

# A completion record: (first time, first id, first response, latest time, latest id,
# latest response); first and latest by (time, statement id).
_Record = tuple[datetime, str, str | None, datetime, str, str | None]


class _Learner:
    """One learner's state: fixed size, plus one entry per activity they completed or opened."""

    __slots__ = ("account", "done", "first", "last", "name", "name_at", "opened")

    def __init__(self, account: tuple[str, str] | None, at: datetime) -> None:
        self.account = account  # (homePage, name) for an account IFI; else the key says it all
        self.name: str | None = None
        self.name_at = at
        self.first = at
        self.last = at
        self.done: dict[int, _Record] | None = None  # completable slot -> record
        self.opened: dict[int, datetime] | None = None  # READ/WATCH slot -> first time opened


class Aggregator:
    """Feed it raw statements (``add``) in any order, then ask for the ``report``."""

    def __init__(self, course: Course, *, include_responses: bool = False) -> None:
        self.course = course
        self.include_responses = include_responses
        # Completable activities (tasks, modules, the course, then removed tasks as found) and
        # READ/WATCH items, each by IRI -> slot (a small int).
        self._slot: dict[str, int] = {}
        self._read_slot: dict[str, int] = {}
        self._tasks: list[TaskColumn] = []
        for module in course.modules:
            for item in module.items:
                iri = vocab.item_iri(course, module, item)
                if item.is_task:
                    self._slot[iri] = len(self._tasks)
                    self._tasks.append(
                        TaskColumn(
                            iri, module.id, module.title, item.id, display_title(course, item)
                        )
                    )
                else:
                    self._read_slot.setdefault(iri, len(self._read_slot))
        self._module_slots: list[int] = []
        for module in course.modules:
            iri = vocab.module_iri(course, module)
            self._slot.setdefault(iri, len(self._slot))
            self._module_slots.append(self._slot[iri])
        self._slot.setdefault(course.id, len(self._slot))
        self._course_slot = self._slot[course.id]
        self._first_removed = len(self._slot)
        self._course_prefix = course.id + "/"
        # from the course's lock file (coursepack.versions): a TASK's earlier wordings count
        # for it (same slot); removed TASKs keep the titles they had
        self._known_removed: dict[str, str] = {}  # iri -> title
        self._earlier_version: dict[str, str] = {}  # earlier wording's iri -> its version
        current = {
            (m.id, i.id): vocab.item_iri(course, m, i) for m in course.modules for i in m.tasks
        }
        for past in course.past_questions:
            past_iri = vocab.past_question_iri(course, past)
            now = current.get((past.module_id, past.item_id)) if past.in_course else None
            if now is None:
                self._known_removed[past_iri] = past.title
            elif past_iri != now and past_iri not in self._slot:
                self._slot[past_iri] = self._slot[now]
                self._earlier_version[past_iri] = past.since
        # statement id -> the course version whose wording it answered (earlier wordings only)
        self._answered_version: dict[str, str] = {}
        self._removed: dict[str, str] = {}  # iri of a task no longer in the course -> title
        self._learners: dict[str, _Learner] = {}  # IFI key (an mbox as it is) -> state
        self._voided: set[str] = set()
        self._late_voids = False  # a voiding statement came after completions were kept
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
        slots = self._slot
        read_slots = self._read_slot
        include_responses = self.include_responses
        first_removed = self._first_removed
        fromisoformat = datetime.fromisoformat
        count = 0
        try:
            for raw in statements:
                count += 1
                try:
                    sid = raw["id"]
                    actor = raw["actor"]
                    verb_id = raw["verb"]["id"]
                    obj = raw["object"]
                    object_id = obj.get("id")
                    mbox = actor.get("mbox")
                    if (
                        type(mbox) is str
                        and mbox.startswith("mailto:")
                        and "account" not in actor
                        and "openid" not in actor
                        and "mbox_sha1sum" not in actor
                    ):
                        key: str | None = mbox  # the usual case: the mbox is the key
                    else:
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
                    elif at.tzinfo is not UTC:  # to UTC now: 0001-01-01T00:30+01:00 has none
                        at = at.astimezone(UTC)
                except (KeyError, TypeError, ValueError, OverflowError):
                    self.malformed += 1
                    continue
                if key is None or (object_id is not None and type(object_id) is not str):
                    self.malformed += 1
                    continue

                learner = learners.get(key)
                if learner is None:
                    account = actor["account"] if key.startswith("account:") else None
                    learner = learners[key] = _Learner(
                        (account["homePage"], account["name"]) if account else None, at
                    )
                elif at < learner.first:
                    learner.first = at
                elif at > learner.last:
                    learner.last = at
                name = actor.get("name")
                if name == learner.name:  # the usual case: the name they had
                    if name is not None and at > learner.name_at:
                        learner.name_at = at
                elif name and type(name) is str:
                    if name[0].isspace() or name[-1].isspace():
                        name = name.strip()  # a name of spaces alone is no name: the IFI shows
                    if name and (
                        learner.name is None
                        or at > learner.name_at
                        or (at == learner.name_at and name > learner.name)  # same time: any order
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
                    slot = slots.get(object_id)
                    if slot is None:
                        if object_id in read_slots:
                            continue  # a READ/WATCH of the course is not a task
                        slot = self._removed_slot(object_id, obj)
                        if slot is None:
                            continue
                    if object_id in self._earlier_version:
                        self._answered_version[sid] = self._earlier_version[object_id]
                    response = None
                    if (
                        result is not None
                        and include_responses
                        and (slot < len(self._tasks) or slot >= first_removed)
                    ):
                        value = result.get("response")
                        response = value if type(value) is str else None
                    done = learner.done
                    if done is None:
                        learner.done = {slot: (at, sid, response, at, sid, response)}
                        continue
                    record = done.get(slot)
                    if record is None:
                        done[slot] = (at, sid, response, at, sid, response)
                        continue
                    first_at, first_sid, first_response, last_at, last_sid, last_response = record
                    if sid in (first_sid, last_sid):
                        self.duplicates += 1
                        continue
                    if at < first_at or (at == first_at and sid < first_sid):
                        first_at, first_sid, first_response = at, sid, response
                    if at > last_at or (at == last_at and sid > last_sid):
                        last_at, last_sid, last_response = at, sid, response
                    done[slot] = (
                        first_at,
                        first_sid,
                        first_response,
                        last_at,
                        last_sid,
                        last_response,
                    )
                elif verb_id == _EXPERIENCED:
                    slot = read_slots.get(object_id)
                    if slot is None:
                        continue
                    opened = learner.opened
                    if opened is None:
                        learner.opened = {slot: at}
                        continue
                    seen = opened.get(slot)
                    if seen is None or at < seen:
                        opened[slot] = at
        finally:
            self.received += count

    def _void(self, target: str) -> None:
        if target in self._voided:
            return
        self._voided.add(target)
        # Seen before its voiding statement? Retracted when the report is made, in one pass
        # (a search here, per voiding statement, would be quadratic).
        if self._learners:
            self._late_voids = True

    def _apply_late_voids(self) -> None:
        """Retract the kept completions that a voiding statement read after them names."""
        if not self._late_voids:
            return
        self._late_voids = False
        voided = self._voided
        for learner in self._learners.values():
            done = learner.done
            if not done:
                continue
            for slot, record in list(done.items()):
                first_at, first_sid, first_response, last_at, last_sid, last_response = record
                first_gone, last_gone = first_sid in voided, last_sid in voided
                if not (first_gone or last_gone):
                    continue
                if first_sid == last_sid or (first_gone and last_gone):
                    del done[slot]
                    self.voided_skipped += 1 if first_sid == last_sid else 2
                elif first_gone:
                    done[slot] = (
                        last_at,
                        last_sid,
                        last_response,
                        last_at,
                        last_sid,
                        last_response,
                    )
                    self.voided_skipped += 1
                else:
                    done[slot] = (
                        first_at,
                        first_sid,
                        first_response,
                        first_at,
                        first_sid,
                        first_response,
                    )
                    self.voided_skipped += 1

    def _removed_slot(self, object_id: str, obj: dict[str, Any]) -> int | None:
        """The slot of a completed TASK of this course that is no longer in it (kept, titled).

        Its id has the shape of ``vocab.item_iri`` under the course IRI, and its type, if the
        statement gives one, is the TASK type. At most ``MAX_REMOVED_TASKS`` are kept.
        """
        if len(self._removed) >= MAX_REMOVED_TASKS:
            return None
        if object_id in self._known_removed:
            self._removed[object_id] = self._known_removed[object_id]
            slot = self._slot[object_id] = len(self._slot)
            return slot
        definition = obj.get("definition")
        definition = definition if isinstance(definition, dict) else {}
        rest = object_id.removeprefix(self._course_prefix)
        parts = rest.split("/")
        looks_like_item = (
            rest != object_id and len(parts) == 3 and parts[1] == "items" and all(parts)
        )
        if not looks_like_item or definition.get("type", _TASK_TYPE) != _TASK_TYPE:
            return None
        title = _language_value(definition.get("name"), self.course.language)
        self._removed[object_id] = title or parts[-1]
        slot = self._slot[object_id] = len(self._slot)
        return slot

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
        self._apply_late_voids()
        course = self.course
        tasks = tuple(self._tasks)
        removed_columns = self._removed_columns()
        removed = tuple(column for column, _ in removed_columns)
        removed_slots = [slot for _, slot in removed_columns]
        requirements = self._requirements()
        task_count = len(tasks)
        course_needs = [
            (self._slot[iri] if is_task else self._read_slot[iri], is_task)
            for iri, is_task in self._course_needs()
        ]
        empty_modules = tuple(ModuleStatus(m.id, m.title, None, None) for m in course.modules)
        rows = [
            self._row(
                key,
                learner,
                task_count,
                removed_slots,
                requirements,
                course_needs,
                empty_modules,
            )
            for key, learner in self._learners.items()
        ]
        rows.sort(key=lambda row: (_natural(row.display), row.key))
        learners = tuple(rows)
        del rows
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

    def _removed_columns(self) -> list[tuple[TaskColumn, int]]:
        columns = []
        for iri, title in sorted(self._removed.items()):
            rest = iri.removeprefix(self._course_prefix).split("/")
            module_id = rest[0] if iri.startswith(self._course_prefix) and len(rest) == 3 else ""
            item_id = rest[-1] if module_id else iri
            module_title = next((m.title for m in self.course.modules if m.id == module_id), "")
            column = TaskColumn(iri, module_id, module_title, item_id, title, in_course=False)
            columns.append((column, self._slot[iri]))
        return columns

    def _course_needs(self) -> list[tuple[str, bool]]:
        """What completes the course (coursepack.completion, as the page counts it)."""
        course = self.course
        return [
            (vocab.item_iri(course, module, item), item.is_task) for module, item in counted(course)
        ]

    def _requirements(self) -> list[tuple[int, list[tuple[int, bool]]]]:
        """Per module: (its slot, [(item slot, is_task)] that its completion needs)."""
        course = self.course
        out = []
        for module, slot in zip(course.modules, self._module_slots, strict=True):
            needed = []
            for _, item in counted(course, [module]):
                iri = vocab.item_iri(course, module, item)
                needed.append(
                    (self._slot[iri], True) if item.is_task else (self._read_slot[iri], False)
                )
            out.append((slot, needed))
        return out

    def _row(
        self,
        key: str,
        learner: _Learner,
        task_count: int,
        removed_slots: list[int],
        requirements: list[tuple[int, list[tuple[int, bool]]]],
        course_needs: list[tuple[int, bool]],
        empty_modules: tuple[ModuleStatus, ...],
    ) -> LearnerRow:
        course = self.course
        done = learner.done or {}
        opened = learner.opened or {}
        versions = self._answered_version
        cells = tuple(_cell(done.get(slot), versions) for slot in range(task_count))

        def met(needed: list[tuple[int, bool]]) -> list[datetime | None]:
            return [
                cells[slot].completed_at if is_task else opened.get(slot)
                for slot, is_task in needed
            ]

        modules = []
        for (slot, needed), empty in zip(requirements, empty_modules, strict=True):
            stated = done.get(slot)
            derived = _last_if_all(met(needed))
            if stated is None and derived is None:
                modules.append(empty)
            else:
                modules.append(_status(empty.module_id, empty.title, stated and stated[0], derived))
        all_times = met(course_needs)
        course_record = done.get(self._course_slot)
        course_status = _status(
            course.id, course.title, course_record and course_record[0], _last_if_all(all_times)
        )
        met_count, total = sum(1 for t in all_times if t is not None), len(all_times)
        progress = met_count / total if total else 1.0 if course_status.completed else 0.0
        ifi: dict[str, Any]
        if key.startswith("mailto:"):
            key, ifi = "mbox:" + key, {"mbox": key}
        elif learner.account is not None:
            home, name = learner.account
            ifi = {"account": {"homePage": home, "name": name}}
        else:
            kind, _, value = key.partition(":")
            ifi = {kind: value}
        return LearnerRow(
            key=key,
            ifi=ifi,
            name=learner.name,
            tasks=cells,
            removed_tasks=tuple(_cell(done.get(slot)) for slot in removed_slots),
            modules=tuple(modules),
            course_completed_at=course_status.completed_at,
            course_completion_source=course_status.source,
            progress=progress,
            first_activity=learner.first,
            last_activity=learner.last,
        )


def _cell(record: _Record | None, versions: dict[str, str] | None = None) -> TaskCell:
    """The first completion counts; the response is the latest completion's (and, when it
    answered an earlier wording of the TASK, the course version that had it)."""
    if record is None:
        return EMPTY_CELL
    version = versions.get(record[4]) if versions else None
    return TaskCell(record[0], record[5], version)


def _last_if_all(times: list[datetime | None]) -> datetime | None:
    latest = None
    for t in times:
        if t is None:
            return None
        if latest is None or t > latest:
            latest = t
    return latest


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
    """The actor's inverse functional identifier as one string; None unless exactly one.

    An mbox is its own key (``mailto:...``; no other key starts so); the others are
    ``mbox_sha1sum:...``, ``openid:...``, ``account:<homePage>|<name>``.
    """
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
            if name == "mbox":
                if not value.startswith("mailto:"):
                    return None
                found = value
            else:
                found = f"{name}:{value}"
        else:
            return None
    return found


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
