"""Ids that follow the content across versions: old lock + validated course -> stable ids.

:func:`stabilise` is pure: it reads no file and writes none. ``validate`` and ``build`` both run
it after validation (``coursepack.pipeline``), so they show the same ids and the same notes;
only a successful build writes the new lock (``coursepack.build``).

Without a lock (a course's first build) the course keeps the ids the validator made, exactly as
before locks existed, and the lock records them. With a lock, within each module:

1. an explicit id (``{#id}``, ``id:``) wins;
2. an item whose fingerprint (a TASK's normalised prompt, a READ/WATCH's URL) is in the lock
   keeps that entry's id, wherever it moved in the module; an earlier wording of a TASK, or a
   retired item, is found the same way (a restored item gets its id back);
3. a TASK in the same place as a TASK of the lock (the same gap between unchanged neighbours of
   the same section, found by aligning the two versions' TASKs) keeps its id if its text is
   lightly edited: a similarity of at least :data:`SIMILAR` between the two lists of normalised
   words (``difflib``'s ratio, 2 * matching words / all words);
4. anything else gets a new id that the lock never held (a TASK: ``<section>-task-<n>`` with
   ``n`` above every number that section prefix ever had), and every lock entry left over is
   retired: its id is never given to another item.

A TASK whose text changed (rule 1, 2 with an earlier wording, or 3) keeps its id, so a learner's
saved state stays with it, but takes another revision, which its xAPI activity id carries.

Sections follow the same rules with their heading; a renamed heading also keeps its id when
most of the section's items come from one section of the lock. Modules are found by explicit
id, then by file, then by title. An item moved to another module gets a new id there: a
module's items have ids of their own (a package may hold one module), so the old question's
answers stay with it.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Final

from coursepack.errors import Problem
from coursepack.ids import short_hash, slugify
from coursepack.model import Course, Item, Module, PastQuestion, Position, Section
from coursepack.source import CourseSource
from coursepack.source.yamlsrc import YamlList, YamlMap
from coursepack.titles import display_title, task_title
from coursepack.versions.lockfile import (
    LOCK_FILE,
    Lock,
    LockedItem,
    LockedModule,
    LockedSection,
    LockInvalid,
    Wording,
    canonical,
)

#: the least similarity (0..1) of two prompts' normalised words for a light edit
SIMILAR: Final = 0.75
#: aligned blocks larger than this (old TASKs x new TASKs) pair by place, not by best match
_MAX_PAIRINGS: Final = 400

_WORD = re.compile(r"[^\W_]+")


def words(text: str) -> list[str]:
    """The words of a text, normalised: NFKC, case-folded, without punctuation or spacing."""
    return _WORD.findall(unicodedata.normalize("NFKC", text).casefold())


def fingerprint(text: str) -> str:
    """What identifies a prompt or a heading: its normalised words, one space between."""
    return " ".join(words(text))


def similarity(a: str, b: str) -> float:
    """How alike two fingerprints are: ``difflib``'s ratio of their word lists (0..1)."""
    return difflib.SequenceMatcher(None, a.split(), b.split(), autojunk=False).ratio()


def lightly_edited(old: str, new: str) -> bool:
    return similarity(old, new) >= SIMILAR


def item_fingerprint(item: Item) -> str:
    if item.is_task:
        return fingerprint(item.prompt or "")
    if item.check is not None:  # a reworded question is another question
        return fingerprint(item.check.question_md)
    return item.url or ""


@dataclass(frozen=True)
class Explicit:
    """Which ids the author wrote: module files, and the places of sections and items."""

    modules: frozenset[str] = frozenset()
    sections: frozenset[Position] = frozenset()
    items: frozenset[Position] = frozenset()


def explicit_ids(source: CourseSource) -> Explicit:
    modules: set[str] = set()
    sections: set[Position] = set()
    items: set[Position] = set()
    entries = source.data.get("modules") if source.data is not None else None
    if isinstance(entries, YamlList):
        for entry in entries:
            if isinstance(entry, YamlMap) and "id" in entry and isinstance(entry.get("file"), str):
                modules.add(entry["file"].strip())
    for rel, loaded in source.modules.items():
        raw = loaded.raw
        if raw is None:
            continue
        if raw.explicit_id is not None:
            modules.add(rel)
        for raw_section in raw.sections:
            if raw_section.explicit_id is not None:
                sections.add(raw_section.pos)
            items.update(i.pos for i in raw_section.items if i.explicit_id is not None)
    return Explicit(frozenset(modules), frozenset(sections), frozenset(items))


@dataclass(frozen=True)
class Change:
    """One thing that changed since the lock's version, in plain words."""

    kind: str  # added, removed, reworded, rewritten, moved, moved-module, restored, ...
    message: str


@dataclass(frozen=True)
class Stabilised:
    course: Course  # with the ids (and revisions) that follow the content
    lock: Lock  # what the build writes
    changes: tuple[Change, ...] = ()

    @property
    def notes(self) -> list[str]:
        return [change.message for change in self.changes]


def stabilise(course: Course, lock: Lock | None, explicit: Explicit = Explicit()) -> Stabilised:
    """The course with ids that follow its content across versions, the new lock, the changes."""
    if lock is None:
        return Stabilised(
            course,
            canonical(lock_of(course)),
            (
                Change(
                    "first",
                    f"{LOCK_FILE}: the first record of this course's ids (commit "
                    f"{LOCK_FILE} with the course: later versions keep these ids)",
                ),
            ),
        )
    if lock.course != course.id:
        raise LockInvalid(
            [
                _lock_problem(
                    f"{LOCK_FILE} was written for the course '{lock.course}', not '{course.id}'",
                    "if this is a new course, delete it; else restore the course's id",
                )
            ]
        )
    return _Stabiliser(course, lock, explicit).run()


def _lock_problem(message: str, hint: str) -> Problem:
    return Problem(Position(LOCK_FILE), message, hint)


# -- the lock of a course as it is -------------------------------------------------------------


def _locked_item(
    course: Course,
    item: Item,
    section_id: str,
    place: int,
    prior: LockedItem | None = None,
    fp: str | None = None,
) -> LockedItem:
    fp = item_fingerprint(item) if fp is None else fp
    if item.is_check:  # its question is its fingerprint; its title names it once removed
        title = display_title(course, item)
        return LockedItem(item.id, item.kind.value, section_id, place, fp, title)
    if not item.is_task:  # its URL is its fingerprint and says what it is
        return LockedItem(item.id, item.kind.value, section_id, place, fp, "")
    title = display_title(course, item)
    since = course.version
    earlier: tuple[Wording, ...] = ()
    if prior is not None and prior.revision == item.revision and prior.fingerprint == fp:
        since, earlier = prior.since, prior.earlier  # the same wording as before
    elif prior is not None:
        wordings = {w.revision: w for w in prior.wordings}
        same = wordings.pop(item.revision, None)
        since = same.since if same is not None and same.fingerprint == fp else course.version
        earlier = tuple(wordings[r] for r in sorted(wordings))
    return LockedItem(item.id, "task", section_id, place, fp, title, item.revision, since, earlier)


def _locked_section(section: Section, place: int) -> LockedSection:
    return LockedSection(section.id, fingerprint(section.title), section.title, place)


def _locked_module(course: Course, module: Module, place: int) -> LockedModule:
    return LockedModule(
        id=module.id,
        file=module.pos.file,
        fingerprint=fingerprint(module.title),
        title=module.title,
        place=place,
        sections=tuple(_locked_section(s, n) for n, s in enumerate(module.sections, 1)),
        items=tuple(
            _locked_item(course, item, section.id, n)
            for section in module.sections
            for n, item in enumerate(section.items, 1)
        ),
    )


def lock_of(course: Course) -> Lock:
    """The lock that records a course's ids as they are (its first version)."""
    return Lock(
        course=course.id,
        version=course.version,
        modules=tuple(_locked_module(course, m, n) for n, m in enumerate(course.modules, 1)),
    )


# -- matching ----------------------------------------------------------------------------------


def _fresh(base: str, used: set[str]) -> str:
    if base not in used:
        return base
    n = 2
    while f"{base}-{n}" in used:
        n += 1
    return f"{base}-{n}"


def _short(title: str, count: int = 5) -> str:
    parts = title.split()
    return " ".join(parts[:count]) + "…" if len(parts) > count else title


def _label(kind: str, title: str) -> str:
    return f"{kind.upper()} '{_short(title)}'"


def _item_label(course: Course, item: Item) -> str:
    title = task_title(item.prompt or "") if item.is_task else display_title(course, item)
    return _label(item.kind.value, title)


def _old_label(item: LockedItem) -> str:
    return _label(item.kind, item.title or item.fingerprint)


@dataclass
class _Removed:
    module: LockedModule
    item: LockedItem
    section_title: str
    note_index: int  # where its note stands in the list of notes (to replace by a move)


@dataclass
class _Added:
    module: Module
    item: Item
    section_title: str
    note_index: int


@dataclass
class _Notes:
    changes: list[Change] = field(default_factory=list)
    removed: list[_Removed] = field(default_factory=list)
    added: list[_Added] = field(default_factory=list)

    def add(self, kind: str, message: str) -> int:
        self.changes.append(Change(kind, message))
        return len(self.changes) - 1


class _Stabiliser:
    def __init__(self, course: Course, lock: Lock, explicit: Explicit) -> None:
        self.course = course
        self.lock = lock
        self.explicit = explicit
        self.notes = _Notes()
        self.problems: list[Problem] = []

    def run(self) -> Stabilised:
        course, lock = self.course, self.lock
        old_by_id = {m.id: m for m in lock.all_modules}
        chosen: dict[int, str] = {}
        matched: dict[int, LockedModule] = {}
        consumed: set[str] = set()

        def take(index: int, old: LockedModule | None, new_id: str) -> None:
            chosen[index] = new_id
            if old is not None:
                matched[index] = old
                consumed.add(old.id)

        for i, module in enumerate(course.modules):
            if module.pos.file in self.explicit.modules:
                take(i, old_by_id.get(module.id), module.id)
        claimed = set(chosen.values())
        pools: list[tuple[str, Iterable[LockedModule]]] = [
            ("file", lock.modules),
            ("title", lock.modules),
            ("title", lock.retired_modules),
        ]
        for how, pool in pools:
            for i, module in enumerate(course.modules):
                if i in chosen:
                    continue
                key = module.pos.file if how == "file" else fingerprint(module.title)
                for old in pool:
                    if old.id in consumed or old.id in claimed:
                        continue
                    if (old.file if how == "file" else old.fingerprint) == key:
                        take(i, old, old.id)
                        break
        used = set(old_by_id) | set(chosen.values())
        for i, module in enumerate(course.modules):
            if i not in chosen:
                chosen[i] = _fresh(module.id, used)
                used.add(chosen[i])

        modules: list[Module] = []
        locked: list[LockedModule] = []
        for i, module in enumerate(course.modules):
            new_module, new_locked = self.module(module, chosen[i], matched.get(i), i + 1)
            modules.append(new_module)
            locked.append(new_locked)
        retired = [m for m in lock.retired_modules if m.id not in consumed]
        for old in lock.modules:
            if old.id not in consumed:
                self.notes.add(
                    "removed-module",
                    f"module '{old.title}' removed; answers to its TASKs are kept but no "
                    "longer shown",
                )
                retired.append(replace(old, retired_in=course.version))
        if self.problems:
            raise LockInvalid(self.problems)
        self.moves_across_modules()
        new_lock = Lock(
            course=course.id,
            version=course.version,
            modules=tuple(locked),
            retired_modules=tuple(retired),
        )
        stable = replace(course, modules=tuple(modules), past_questions=past_questions(new_lock))
        return Stabilised(stable, canonical(new_lock), tuple(self.notes.changes))

    def moves_across_modules(self) -> None:
        """A TASK removed from one module and added to another: one note, not two."""
        removed: dict[str, list[_Removed]] = {}
        for gone in self.notes.removed:
            if gone.item.is_task:
                removed.setdefault(gone.item.fingerprint, []).append(gone)
        drop: set[int] = set()
        for new in self.notes.added:
            if not new.item.is_task:
                continue
            candidates = [
                g
                for g in removed.get(item_fingerprint(new.item), [])
                if g.module.id != new.module.id
            ]
            if not candidates:
                continue
            gone = candidates[0]
            removed[gone.item.fingerprint].remove(gone)
            drop.add(gone.note_index)
            change = Change(
                "moved-module",
                f"{_item_label(self.course, new.item)} moved from module '{gone.module.title}' "
                f"to module '{new.module.title}': a module's items have ids of their own, so "
                f"it gets a new id there ('{new.item.id}'); earlier answers stay with the old "
                "question",
            )
            if new.note_index < 0:
                self.notes.changes.append(change)
            else:
                self.notes.changes[new.note_index] = change
        self.notes.changes = [c for n, c in enumerate(self.notes.changes) if n not in drop]

    # -- one module ----------------------------------------------------------------------------

    def module(
        self, module: Module, module_id: str, old: LockedModule | None, place: int
    ) -> tuple[Module, LockedModule]:
        course = self.course
        fresh_module = old is None
        if old is None:
            old = LockedModule(module_id, module.pos.file, "", module.title, place)
            self.notes.add("added-module", f"module '{module.title}' added")
        else:
            if old.retired_in:
                self.notes.add("restored-module", f"module '{module.title}' restored")
            elif fingerprint(module.title) != old.fingerprint and old.fingerprint:
                self.notes.add(
                    "renamed-module",
                    f"module '{old.title}' renamed '{module.title}': kept its id '{module_id}'",
                )
            if module.pos.file != old.file and not old.retired_in:
                self.notes.add(
                    "moved-file",
                    f"module '{module.title}' now comes from {module.pos.file} (was "
                    f"{old.file}): kept its id '{module_id}'",
                )
        revived = bool(old.retired_in)
        active_items = old.all_items if revived else old.items
        retired_items = () if revived else old.retired_items
        active_sections = old.all_sections if revived else old.sections
        retired_sections = () if revived else old.retired_sections
        work = _ModuleWork(
            course,
            module,
            self.explicit,
            active_items,
            retired_items,
            active_sections,
            retired_sections,
        )
        self.problems.extend(work.explicit_clashes())
        work.match()
        new_module, new_locked = work.result(module_id, place)
        if not fresh_module:
            work.describe(self.notes, new_module, old)
        else:
            for section in new_module.sections:
                for item in section.items:  # no note of its own: "module added" says it
                    self.notes.added.append(_Added(new_module, item, section.title, -1))
        return new_module, replace(new_locked, file=module.pos.file)


_Index = dict[tuple[str, str], list[LockedItem]]


class _ModuleWork:
    """The matching of one module's sections and items against the lock's entries."""

    def __init__(
        self,
        course: Course,
        module: Module,
        explicit: Explicit,
        items: tuple[LockedItem, ...],
        retired_items: tuple[LockedItem, ...],
        sections: tuple[LockedSection, ...],
        retired_sections: tuple[LockedSection, ...],
    ) -> None:
        self.course = course
        self.module = module
        self.explicit = explicit
        self.old_items = sorted(items, key=lambda i: (_place_of(sections, i.section), i.place))
        self.old_retired_items = retired_items
        self.old_sections = sorted(sections, key=lambda s: s.place)
        self.old_retired_sections = retired_sections
        self.old_section_by_id = {s.id: s for s in (*sections, *retired_sections)}
        self.old_item_by_id = {i.id: i for i in (*items, *retired_items)}
        self.new_items = [(j, item) for j, s in enumerate(module.sections) for item in s.items]
        self.new_fps = [item_fingerprint(item) for _, item in self.new_items]
        self.old_tasks_of: dict[str, list[LockedItem]] = {}
        for old_item in self.old_items:
            if old_item.is_task:
                self.old_tasks_of.setdefault(old_item.section, []).append(old_item)
        n_sections = len(module.sections)
        self.section_ids: list[str | None] = [None] * n_sections
        self.section_old: list[LockedSection | None] = [None] * n_sections
        self.section_consumed: set[str] = set()
        self.item_ids: dict[int, str] = {}  # index in new_items -> id
        self.item_old: dict[int, LockedItem] = {}
        self.item_consumed: set[str] = set()
        self.rewritten: dict[int, LockedItem] = {}  # a new TASK -> the old one in its place

    def explicit_clashes(self) -> list[Problem]:
        """An explicit id that the lock gives another item of this version, one whose words
        (or URL) it records unchanged: the two would share a learner's saved answers."""
        unchanged: dict[tuple[str, str], Item] = {}
        for k, (_, item) in enumerate(self.new_items):
            if item.pos not in self.explicit.items:
                unchanged.setdefault((item.kind.value, self.new_fps[k]), item)
        problems = []
        for k, (_, item) in enumerate(self.new_items):
            old = self.old_item_by_id.get(item.id)
            if item.pos not in self.explicit.items or old is None or old.retired_in:
                continue
            other = unchanged.get((old.kind, old.fingerprint))
            if other is None or old.fingerprint == self.new_fps[k]:
                continue
            problems.append(
                Problem(
                    item.pos,
                    f"item id '{item.id}' is the id that the {other.kind.value.upper()} at "
                    f"{other.pos} keeps in {LOCK_FILE}: the two would share a learner's saved "
                    "answers",
                    "choose another id, or give that item an explicit id too",
                )
            )
        return problems

    # matching

    def match(self) -> None:
        self.match_sections_exactly()
        self.match_items_exactly()
        self.match_sections_by_content()
        self.assign_section_ids()
        self.match_items_in_place()
        self.assign_item_ids()

    def take_section(self, j: int, section_id: str, old: LockedSection | None) -> None:
        self.section_ids[j] = section_id
        if old is not None:
            self.section_old[j] = old
            self.section_consumed.add(old.id)

    def take_item(self, k: int, item_id: str, old: LockedItem | None) -> None:
        self.item_ids[k] = item_id
        if old is not None:
            self.item_old[k] = old
            self.item_consumed.add(old.id)

    def match_sections_exactly(self) -> None:
        for j, section in enumerate(self.module.sections):
            if section.pos in self.explicit.sections:
                self.take_section(j, section.id, self.old_section_by_id.get(section.id))
        claimed = {s for s in self.section_ids if s}
        for pool in (self.old_sections, self.old_retired_sections):
            for j, section in enumerate(self.module.sections):
                if self.section_ids[j] is not None:
                    continue
                fp = fingerprint(section.title)
                for old in pool:
                    if old.id in self.section_consumed or old.id in claimed:
                        continue
                    if old.fingerprint == fp:
                        self.take_section(j, old.id, old)
                        break

    def match_items_exactly(self) -> None:
        for k, (_, item) in enumerate(self.new_items):
            if item.pos in self.explicit.items:
                old = self.old_item_by_id.get(item.id)
                self.take_item(k, item.id, old if old and old.kind == item.kind.value else None)
                if old is not None:
                    self.item_consumed.add(old.id)
        claimed = set(self.item_ids.values())

        def index(entries: Iterable[LockedItem], current: bool) -> _Index:
            found: _Index = {}
            for entry in entries:
                prints = [entry.fingerprint] if current else [w.fingerprint for w in entry.earlier]
                for fp in prints:
                    found.setdefault((entry.kind, fp), []).append(entry)
            return found

        retired = sorted(self.old_retired_items, key=lambda i: i.id)
        pools = [
            index(self.old_items, True),
            index(self.old_items, False),
            index(retired, True),
            index(retired, False),
        ]
        for pool in pools:
            for k, (_, item) in enumerate(self.new_items):
                if k in self.item_ids:
                    continue
                for old in pool.get((item.kind.value, self.new_fps[k]), ()):
                    if old.id not in self.item_consumed and old.id not in claimed:
                        self.take_item(k, old.id, old)
                        break

    def match_sections_by_content(self) -> None:
        """A renamed heading keeps its section's id: lightly edited in the same place, or
        holding mostly items of one section of the lock."""
        for j, section in enumerate(self.module.sections):
            if self.section_ids[j] is not None:
                continue
            fp = fingerprint(section.title)
            candidates = [s for s in self.old_sections if s.id not in self.section_consumed]
            same_place = [s for s in candidates if s.place == j + 1]
            if same_place and lightly_edited(same_place[0].fingerprint, fp):
                self.take_section(j, same_place[0].id, same_place[0])
                continue
            came_from = Counter(
                self.item_old[k].section
                for k, (jj, _) in enumerate(self.new_items)
                if jj == j and k in self.item_old and not self.item_old[k].retired_in
            )
            ids = {s.id for s in candidates}
            best = [(n, s) for s, n in came_from.most_common() if s in ids]
            if best and best[0][0] * 2 >= sum(came_from.values()):
                self.take_section(j, best[0][1], self.old_section_by_id[best[0][1]])

    def assign_section_ids(self) -> None:
        used = set(self.old_section_by_id) | {s for s in self.section_ids if s}
        for j, section in enumerate(self.module.sections):
            if self.section_ids[j] is None:
                new_id = _fresh(slugify(section.title) or "section", used)
                used.add(new_id)
                self.section_ids[j] = new_id

    def match_items_in_place(self) -> None:
        """Light edits: align each section's TASKs with those of its section in the lock."""
        tasks_of: dict[int, list[int]] = {}  # section index -> its TASKs' indices in new_items
        for k, (jj, item) in enumerate(self.new_items):
            if item.is_task:
                tasks_of.setdefault(jj, []).append(k)
        for j, _section in enumerate(self.module.sections):
            old_section = self.section_old[j]
            if old_section is None or old_section.retired_in:
                continue
            old_tasks = self.old_tasks_of.get(old_section.id, [])
            new_tasks = tasks_of.get(j, [])
            matcher = difflib.SequenceMatcher(
                None,
                [o.fingerprint for o in old_tasks],
                [self.new_fps[k] for k in new_tasks],
                autojunk=False,
            )
            for tag, i1, i2, j1, j2 in matcher.get_opcodes():
                if tag == "equal":
                    continue
                olds = [o for o in old_tasks[i1:i2] if o.id not in self.item_consumed]
                news = [k for k in new_tasks[j1:j2] if k not in self.item_ids]
                self.pair(olds, news)

    def pair(self, olds: list[LockedItem], news: list[int]) -> None:
        if not olds or not news:
            return
        if len(olds) * len(news) <= _MAX_PAIRINGS:
            scored = sorted(
                (
                    (-similarity(o.fingerprint, self.new_fps[k]), a, b)
                    for a, o in enumerate(olds)
                    for b, k in enumerate(news)
                ),
            )
        else:
            scored = [
                (-similarity(o.fingerprint, self.new_fps[k]), a, a)
                for a, (o, k) in enumerate(zip(olds, news, strict=False))
            ]
        left_old, left_new = set(range(len(olds))), set(range(len(news)))
        for negative, a, b in scored:
            if -negative < SIMILAR:
                break
            if a in left_old and b in left_new:
                self.take_item(news[b], olds[a].id, olds[a])
                left_old.discard(a)
                left_new.discard(b)
        for a, b in zip(sorted(left_old), sorted(left_new), strict=False):
            self.rewritten[news[b]] = olds[a]

    def assign_item_ids(self) -> None:
        used = set(self.old_item_by_id) | set(self.item_ids.values())
        highest: dict[str, int] = {}
        for k, (j, item) in enumerate(self.new_items):
            if k in self.item_ids:
                continue
            section_id = self.section_ids[j] or "section"
            if item.is_task:
                prefix = f"{section_id}-task-"
                if prefix not in highest:
                    numbers = [
                        int(ident[len(prefix) :])
                        for ident in used
                        if ident.startswith(prefix) and ident[len(prefix) :].isdigit()
                    ]
                    highest[prefix] = max(numbers, default=0)
                highest[prefix] += 1
                new_id = _fresh(f"{prefix}{highest[prefix]}", used)
            else:
                base = item.url if item.check is None else item_fingerprint(item)
                new_id = _fresh(f"{item.kind.value}-{short_hash(base or '', 8)}", used)
            used.add(new_id)
            self.item_ids[k] = new_id

    # results

    def revision_of(self, item: Item, fp: str, old: LockedItem | None) -> int:
        if old is None or not item.is_task:
            return 1
        if old.fingerprint == fp:
            return old.revision
        for wording in old.wordings:
            if wording.fingerprint == fp:
                return wording.revision
        return max(w.revision for w in old.wordings) + 1

    def result(self, module_id: str, place: int) -> tuple[Module, LockedModule]:
        course = self.course
        sections: list[Section] = []
        locked_items: list[LockedItem] = []
        k = 0
        for j, section in enumerate(self.module.sections):
            section_id = self.section_ids[j] or section.id
            items: list[Item] = []
            for n, item in enumerate(section.items, 1):
                old = self.item_old.get(k)
                fp = self.new_fps[k]
                revision = self.revision_of(item, fp, old)
                stable = item
                if item.id != self.item_ids[k] or item.revision != revision:
                    stable = replace(item, id=self.item_ids[k], revision=revision)
                items.append(stable)
                locked_items.append(_locked_item(course, stable, section_id, n, old, fp))
                k += 1
            sections.append(replace(section, id=section_id, items=tuple(items)))
        module = replace(self.module, id=module_id, sections=tuple(sections))
        kept_items = {i.id for i in locked_items}
        retired_items = [i for i in self.old_retired_items if i.id not in kept_items] + [
            replace(i, retired_in=i.retired_in or course.version)
            for i in self.old_items
            if i.id not in kept_items
        ]
        kept_sections = {s.id for s in sections}
        retired_sections = [s for s in self.old_retired_sections if s.id not in kept_sections] + [
            replace(s, retired_in=s.retired_in or course.version)
            for s in self.old_sections
            if s.id not in kept_sections
        ]
        locked = LockedModule(
            id=module_id,
            file=self.module.pos.file,
            fingerprint=fingerprint(self.module.title),
            title=self.module.title,
            place=place,
            sections=tuple(_locked_section(s, n) for n, s in enumerate(sections, 1)),
            items=tuple(locked_items),
            retired_sections=tuple(retired_sections),
            retired_items=tuple(retired_items),
        )
        return module, locked

    # notes

    def describe(self, notes: _Notes, module: Module, old_module: LockedModule) -> None:
        course = self.course
        old_titles = {s.id: s.title for s in (*self.old_sections, *self.old_retired_sections)}
        for j, section in enumerate(module.sections):
            old_section = self.section_old[j]
            if old_section is None:
                notes.add("added-section", f"section '{section.title}' added")
            elif old_section.retired_in:
                notes.add("restored-section", f"section '{section.title}' restored")
            elif old_section.fingerprint != fingerprint(section.title):
                notes.add(
                    "renamed-section",
                    f"section '{old_section.title}' renamed '{section.title}': kept its id "
                    f"'{section.id}'",
                )
        k = 0
        for section in module.sections:
            old_places: list[int] = []
            task_number = 0
            for item in section.items:
                task_number += item.is_task
                old = self.item_old.get(k)
                if old is None:
                    gone = self.rewritten.get(k)
                    if gone is not None:
                        notes.add(
                            "rewritten",
                            f"{_old_label(gone)} rewritten beyond recognition: it "
                            f"gets a new id ('{item.id}'), earlier answers stay with the old "
                            "question",
                        )
                    else:
                        label = _item_label(course, item)
                        index = notes.add(
                            "added", f"{label} added to {section.title}: new id '{item.id}'"
                        )
                        notes.added.append(_Added(module, item, section.title, index))
                elif old.retired_in and item.revision > max(w.revision for w in old.wordings):
                    notes.add(
                        "explicit-retired",
                        f"{_item_label(course, item)} takes the explicit id '{item.id}' of a "
                        f"removed {old.kind.upper()}: a learner's saved answer to that one is "
                        "shown beside it as an answer to an earlier wording, not as its answer "
                        "(its xAPI activity id is a new revision)",
                    )
                elif old.retired_in:
                    notes.add(
                        "restored",
                        f"{_item_label(course, item)} restored: it gets back its id "
                        f"'{item.id}' and its earlier answers",
                    )
                else:
                    if old.section != section.id:
                        from_title = old_titles.get(old.section, old.section)
                        notes.add(
                            "moved",
                            f"{_item_label(course, item)} moved from {from_title} to "
                            f"{section.title}: kept its id",
                        )
                    else:
                        old_places.append(old.place)
                    if item.is_task and old.fingerprint != item_fingerprint(item):
                        what = f"TASK {task_number} of {section.title}"
                        if item.revision < old.revision:
                            what += f" given back its wording of version {_since(old, item)}"
                        else:
                            what += " reworded"
                        notes.add(
                            "reworded",
                            f"{what}: kept its id; its xAPI activity id is now revision "
                            f"{item.revision}, so answers to each wording stay apart",
                        )
                k += 1
            if old_places != sorted(old_places):
                notes.add("reordered", f"{section.title}: items reordered; each kept its id")
        rewritten = {o.id for o in self.rewritten.values()}
        kept = set(self.item_consumed)
        for old in self.old_items:
            if old.id in kept or old.id in rewritten or old.retired_in:
                continue
            section_title = old_titles.get(old.section, old.section)
            if old.is_task:
                message = f"{_old_label(old)} removed; answers to it are kept but no longer shown"
            else:
                message = f"{_old_label(old)} removed from {section_title}"
            index = notes.add("removed", message)
            notes.removed.append(_Removed(old_module, old, section_title, index))
        for old_section in self.old_sections:
            if old_section.id not in {s.id for s in module.sections}:
                notes.add("removed-section", f"section '{old_section.title}' removed")


def _since(old: LockedItem, item: Item) -> str:
    for wording in old.wordings:
        if wording.revision == item.revision:
            return wording.since
    return "?"


def _place_of(sections: tuple[LockedSection, ...], section_id: str) -> int:
    for section in sections:
        if section.id == section_id:
            return section.place
    return 0


def past_questions(lock: Lock) -> tuple[PastQuestion, ...]:
    """The TASK wordings the report must still know: earlier wordings of TASKs in the course,
    and every wording of a removed TASK (or of a TASK of a removed module)."""
    found: list[PastQuestion] = []
    for module in lock.modules:
        for item in module.items:
            if item.is_task:
                found.extend(
                    PastQuestion(module.id, item.id, w.revision, w.title, w.since, True)
                    for w in item.earlier
                )
        for item in module.retired_items:
            if item.is_task:
                found.extend(
                    PastQuestion(module.id, item.id, w.revision, w.title, w.since, False)
                    for w in item.wordings
                )
    for module in lock.retired_modules:
        for item in module.all_items:
            if item.is_task:
                found.extend(
                    PastQuestion(module.id, item.id, w.revision, w.title, w.since, False)
                    for w in item.wordings
                )
    return tuple(sorted(found, key=lambda p: (p.module_id, p.item_id, p.revision)))
