"""The lock file (``coursepack.lock``): every id a course has ever given, with what identifies it.

The build keeps it in the course folder and the author commits it with the course, like a
package lock. It is YAML written by :func:`dump_lock` (sorted by id, one value a line, the
same bytes for the same data) and read back by :func:`parse_lock`, which turns anything a hand
edit can break into located problems (``coursepack.lock:LINE:COL: ...``), never a traceback.

    lock: 1
    course: https://courses.example.org/my-course
    version: 1.1.0                   # course.yaml's version when the lock was last written
    modules:
      - id: intro                    # module id
        file: modules/intro.md
        fingerprint: introduction    # its title, normalised
        title: Introduction
        place: 1
        sections:
          - {id, fingerprint (the heading, normalised), title, place}
        items:
          - id: theory-task-2
            kind: task               # read | watch | task
            section: theory
            place: 4                 # among the items of its section, from 1
            fingerprint: do any of these reasons ...   # the prompt, normalised (READ/WATCH: URL)
            title: Do any of these reasons for collaboration underpin your collaborative efforts?
            revision: 2              # TASK: which wording (the xAPI activity id carries it)
            since: 1.1.0             # TASK: the course version that first had this wording
            earlier:                 # TASK: its earlier wordings
              - {revision: 1, since: 1.0.0, fingerprint, title}
        retired_sections: [...]      # as sections, with retired_in: VERSION
        retired_items: [...]         # as items, with retired_in: VERSION
    retired_modules: [...]           # as modules, with retired_in: VERSION

Retired ids stay forever: no later item may take one.
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

from coursepack.errors import Problem
from coursepack.ids import ID_PATTERN
from coursepack.model import Position
from coursepack.source.yamlsrc import YamlList, YamlMap, load_yaml

LOCK_FILE = "coursepack.lock"
LOCK_FORMAT = 1
#: the largest lock file read: a course of 100,000 items needs about 40 MB
MAX_LOCK_BYTES = 64 * 1024 * 1024
KINDS = ("read", "watch", "task")

HEADER = (
    "# coursepack.lock: the ids of this course's modules, sections and items, kept across\n"
    "# versions (see docs/versions.md). `coursepack build` writes it; commit it with the course.\n"
    "# Do not edit it by hand: learners' saved answers and the report depend on these ids.\n"
)


@dataclass(frozen=True)
class Wording:
    """One wording of a TASK: its revision, the course version that first had it, its text."""

    revision: int
    since: str
    fingerprint: str
    title: str


@dataclass(frozen=True)
class LockedItem:
    id: str
    kind: str  # read | watch | task
    section: str
    place: int
    fingerprint: str
    title: str
    revision: int = 1  # TASK only
    since: str = ""  # TASK only
    earlier: tuple[Wording, ...] = ()  # TASK only: the other wordings it had
    retired_in: str = ""  # a retired item: the course version that no longer had it

    @property
    def is_task(self) -> bool:
        return self.kind == "task"

    @property
    def wordings(self) -> tuple[Wording, ...]:
        """Every wording, the current one included, by revision."""
        current = Wording(self.revision, self.since, self.fingerprint, self.title)
        return tuple(sorted((*self.earlier, current), key=lambda w: w.revision))


@dataclass(frozen=True)
class LockedSection:
    id: str
    fingerprint: str
    title: str
    place: int
    retired_in: str = ""


@dataclass(frozen=True)
class LockedModule:
    id: str
    file: str
    fingerprint: str
    title: str
    place: int
    sections: tuple[LockedSection, ...] = ()
    items: tuple[LockedItem, ...] = ()
    retired_sections: tuple[LockedSection, ...] = ()
    retired_items: tuple[LockedItem, ...] = ()
    retired_in: str = ""

    @property
    def all_items(self) -> tuple[LockedItem, ...]:
        return (*self.items, *self.retired_items)

    @property
    def all_sections(self) -> tuple[LockedSection, ...]:
        return (*self.sections, *self.retired_sections)


@dataclass(frozen=True)
class Lock:
    course: str
    version: str
    modules: tuple[LockedModule, ...] = ()
    retired_modules: tuple[LockedModule, ...] = ()

    @property
    def all_modules(self) -> tuple[LockedModule, ...]:
        return (*self.modules, *self.retired_modules)


def canonical(lock: Lock) -> Lock:
    """The same lock with every list in the order the file keeps: by id (wordings by
    revision), so that a lock read back equals the lock written."""

    def item(entry: LockedItem) -> LockedItem:
        return replace(entry, earlier=tuple(sorted(entry.earlier, key=lambda w: w.revision)))

    def module(entry: LockedModule) -> LockedModule:
        return replace(
            entry,
            sections=tuple(_by_id(entry.sections)),
            items=tuple(item(i) for i in _by_id(entry.items)),
            retired_sections=tuple(_by_id(entry.retired_sections)),
            retired_items=tuple(item(i) for i in _by_id(entry.retired_items)),
        )

    return replace(
        lock,
        modules=tuple(module(m) for m in _by_id(lock.modules)),
        retired_modules=tuple(module(m) for m in _by_id(lock.retired_modules)),
    )


# -- writing ------------------------------------------------------------------------------------

_PLAIN = re.compile(r"^[a-z][a-z0-9-]*$")
# plain scalars that YAML 1.1 would read as something other than text
_YAML_WORDS = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false", "null"})


def _scalar(value: str | int) -> str:
    if isinstance(value, int):
        return str(value)
    if _PLAIN.match(value) and value not in _YAML_WORDS:
        return value
    text = json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML double-quoted one
    for char in ("\u2028", "\u2029", "\u0085", "\ufeff"):  # line breaks and a BOM in YAML
        text = text.replace(char, f"\\u{ord(char):04x}")
    return text


Record = list[tuple[str, "str | int | list[Record]"]]


def _emit(record: Record, indent: int) -> Iterator[str]:
    """A mapping as block YAML; the first key follows ``- `` (the caller writes it)."""
    pad = " " * indent
    for index, (key, value) in enumerate(record):
        lead = "" if index == 0 else pad
        if isinstance(value, list):
            if not value:
                yield f"{lead}{key}: []"
                continue
            yield f"{lead}{key}:"
            for child in value:
                lines = list(_emit(child, indent + 4))
                yield f"{pad}  - {lines[0]}"
                yield from lines[1:]
        else:
            yield f"{lead}{key}: {_scalar(value)}"


def _wording(w: Wording) -> Record:
    return [
        ("revision", w.revision),
        ("since", w.since),
        ("fingerprint", w.fingerprint),
        ("title", w.title),
    ]


def _item(item: LockedItem) -> Record:
    record: Record = [
        ("id", item.id),
        ("kind", item.kind),
        ("section", item.section),
        ("place", item.place),
        ("fingerprint", item.fingerprint),
        ("title", item.title),
    ]
    if item.is_task:
        record += [("revision", item.revision), ("since", item.since)]
        if item.earlier:
            earlier = sorted(item.earlier, key=lambda w: w.revision)
            record.append(("earlier", [_wording(w) for w in earlier]))
    if item.retired_in:
        record.append(("retired_in", item.retired_in))
    return record


def _section(section: LockedSection) -> Record:
    record: Record = [
        ("id", section.id),
        ("fingerprint", section.fingerprint),
        ("title", section.title),
        ("place", section.place),
    ]
    if section.retired_in:
        record.append(("retired_in", section.retired_in))
    return record


def _by_id(entries: Any) -> list[Any]:
    return sorted(entries, key=lambda entry: entry.id)


def _module(module: LockedModule) -> Record:
    record: Record = [
        ("id", module.id),
        ("file", module.file),
        ("fingerprint", module.fingerprint),
        ("title", module.title),
        ("place", module.place),
        ("sections", [_section(s) for s in _by_id(module.sections)]),
        ("items", [_item(i) for i in _by_id(module.items)]),
        ("retired_sections", [_section(s) for s in _by_id(module.retired_sections)]),
        ("retired_items", [_item(i) for i in _by_id(module.retired_items)]),
    ]
    if module.retired_in:
        record.append(("retired_in", module.retired_in))
    return record


def dump_lock(lock: Lock) -> str:
    """The lock file's text: entries sorted by id, so a reorder changes only places."""
    record: Record = [
        ("lock", LOCK_FORMAT),
        ("course", lock.course),
        ("version", lock.version),
        ("modules", [_module(m) for m in _by_id(lock.modules)]),
        ("retired_modules", [_module(m) for m in _by_id(lock.retired_modules)]),
    ]
    lines = list(_emit(record, 0))
    return HEADER + "\n".join(lines) + "\n"


# -- reading ------------------------------------------------------------------------------------


class LockInvalid(Exception):
    """The lock file cannot be read: every problem found, located."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


_HINT = (
    f"restore {LOCK_FILE} from version control; if it cannot be restored, delete it "
    "(the next build starts a new one from the ids of this version)"
)

T = TypeVar("T")


class _Reader:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def problem(self, pos: Position, message: str) -> None:
        self.problems.append(Problem(pos, f"{LOCK_FILE}: {message}", _HINT))

    def mapping(self, value: Any, pos: Position, what: str) -> YamlMap | None:
        if isinstance(value, YamlMap):
            return value
        self.problem(pos, f"{what} must be a mapping")
        return None

    def text(self, data: YamlMap, key: str, *, required: bool = True) -> str:
        value = data.get(key)
        if value is None:
            if required:
                self.problem(data.pos, f"'{key}' is missing")
            return ""
        if not isinstance(value, str):
            self.problem(data.at(key), f"'{key}' must be text")
            return ""
        return value

    def ident(self, data: YamlMap, key: str) -> str:
        value = self.text(data, key)
        if value and not ID_PATTERN.match(value):
            self.problem(data.at(key), f"'{value}' is not a valid id")
        return value

    def number(self, data: YamlMap, key: str) -> int:
        value = self.text(data, key)
        if value and not (value.isascii() and value.isdigit() and 0 < int(value) < 10**9):
            self.problem(data.at(key), f"'{key}' must be a whole number from 1")
            return 1
        return int(value) if value else 1

    def entries(
        self, data: YamlMap, key: str, read: Callable[[YamlMap], T | None], what: str
    ) -> tuple[T, ...]:
        value = data.get(key)
        if value is None:
            return ()
        if not isinstance(value, YamlList):
            self.problem(data.at(key), f"'{key}' must be a list")
            return ()
        found: list[T] = []
        seen: dict[str, Position] = {}
        for index, entry in enumerate(value):
            mapping = self.mapping(entry, value.at(index), f"each entry of '{key}'")
            if mapping is None:
                continue
            parsed = read(mapping)
            if parsed is None:
                continue
            ident = getattr(parsed, "id", None)
            if isinstance(ident, str) and ident:
                if ident in seen:
                    self.problem(
                        mapping.at("id"),
                        f"{what} id '{ident}' is listed twice (also at {seen[ident]})",
                    )
                    continue
                seen[ident] = mapping.at("id")
            found.append(parsed)
        return tuple(found)

    def wording(self, data: YamlMap) -> Wording | None:
        return Wording(
            revision=self.number(data, "revision"),
            since=self.text(data, "since"),
            fingerprint=self.text(data, "fingerprint"),
            title=self.text(data, "title", required=False),
        )

    def item(self, data: YamlMap, retired: bool) -> LockedItem | None:
        kind = self.text(data, "kind")
        if kind and kind not in KINDS:
            self.problem(data.at("kind"), f"unknown kind '{kind}' (one of: {', '.join(KINDS)})")
            return None
        item = LockedItem(
            id=self.ident(data, "id"),
            kind=kind,
            section=self.text(data, "section"),
            place=self.number(data, "place"),
            fingerprint=self.text(data, "fingerprint"),
            title=self.text(data, "title", required=False),
            revision=self.number(data, "revision") if kind == "task" else 1,
            since=self.text(data, "since") if kind == "task" else "",
            earlier=self.entries(data, "earlier", self.wording, "wording"),
            retired_in=self.text(data, "retired_in") if retired else "",
        )
        revisions = [w.revision for w in item.wordings]
        if len(set(revisions)) != len(revisions):
            self.problem(data.at("earlier"), f"item '{item.id}' lists a revision twice")
        return item

    def section(self, data: YamlMap, retired: bool) -> LockedSection | None:
        return LockedSection(
            id=self.ident(data, "id"),
            fingerprint=self.text(data, "fingerprint", required=False),
            title=self.text(data, "title", required=False),
            place=self.number(data, "place"),
            retired_in=self.text(data, "retired_in") if retired else "",
        )

    def module(self, data: YamlMap, retired: bool) -> LockedModule | None:
        module = LockedModule(
            id=self.ident(data, "id"),
            file=self.text(data, "file"),
            fingerprint=self.text(data, "fingerprint", required=False),
            title=self.text(data, "title", required=False),
            place=self.number(data, "place"),
            sections=self.entries(data, "sections", lambda d: self.section(d, False), "section"),
            items=self.entries(data, "items", lambda d: self.item(d, False), "item"),
            retired_sections=self.entries(
                data, "retired_sections", lambda d: self.section(d, True), "section"
            ),
            retired_items=self.entries(data, "retired_items", lambda d: self.item(d, True), "item"),
            retired_in=self.text(data, "retired_in") if retired else "",
        )
        for what, ids, key in (
            ("item", [i.id for i in module.all_items], "retired_items"),
            ("section", [s.id for s in module.all_sections], "retired_sections"),
        ):
            for ident in sorted(ident for ident, n in Counter(ids).items() if n > 1):
                self.problem(data.at(key), f"{what} id '{ident}' is both kept and retired")
        return module

    def lock(self, data: Any) -> Lock | None:
        top = self.mapping(data, Position(LOCK_FILE, 1, 1), "the lock file")
        if top is None:
            return None
        fmt = self.text(top, "lock")
        if fmt and fmt != str(LOCK_FORMAT):
            self.problem(
                top.at("lock"),
                f"format {fmt} is not one this coursepack reads (it reads {LOCK_FORMAT})",
            )
            return None
        lock = Lock(
            course=self.text(top, "course"),
            version=self.text(top, "version"),
            modules=self.entries(top, "modules", lambda d: self.module(d, False), "module"),
            retired_modules=self.entries(
                top, "retired_modules", lambda d: self.module(d, True), "module"
            ),
        )
        ids = [m.id for m in lock.all_modules]
        for ident in sorted(ident for ident, n in Counter(ids).items() if n > 1):
            self.problem(top.at("retired_modules"), f"module id '{ident}' is both kept and retired")
        return lock


def parse_lock(text: str) -> Lock:
    """The lock of ``text``, or ``LockInvalid`` with every problem located."""
    reader = _Reader()
    data = load_yaml(text, LOCK_FILE, reader.problems)
    if reader.problems:
        raise LockInvalid([_with_hint(p) for p in reader.problems])
    lock = reader.lock(data)
    if reader.problems or lock is None:
        raise LockInvalid(reader.problems)
    return lock


def _with_hint(problem: Problem) -> Problem:
    return Problem(problem.pos, f"{LOCK_FILE}: {problem.message}", _HINT)


def read_lock(course_dir: Path) -> Lock | None:
    """The course folder's lock, None when it has none; ``LockInvalid`` when it is damaged."""
    text = read_lock_text(course_dir)
    return None if text is None else parse_lock(text)


def read_lock_text(course_dir: Path) -> str | None:
    """The text of the course folder's lock, None when it has none; ``LockInvalid`` when it
    cannot be read. Like every course file it must be a regular file (a link is refused)."""
    path = Path(course_dir) / LOCK_FILE
    where = Position(LOCK_FILE)
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise LockInvalid([Problem(where, f"cannot read: {exc.strerror}", _HINT)]) from None
    if not stat.S_ISREG(info.st_mode):
        raise LockInvalid([Problem(where, "not a regular file (a link, folder or device)", _HINT)])
    if info.st_size > MAX_LOCK_BYTES:
        raise LockInvalid(
            [Problem(where, f"the file is {info.st_size:,} bytes; at most {MAX_LOCK_BYTES:,}")]
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LockInvalid([Problem(where, f"cannot read: {exc.strerror}", _HINT)]) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise LockInvalid([Problem(where, "not UTF-8 text", _HINT)]) from None
    return text
