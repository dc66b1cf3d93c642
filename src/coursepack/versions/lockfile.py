"""The lock file (``coursepack.lock``): every id a course has ever given, with what identifies it.

The build keeps it in the course folder and the author commits it with the course, like a
package lock. It is JSON written by :func:`dump_lock` (entries sorted by id, two-space indent,
the same bytes for the same data) and read back by :func:`parse_lock`, which turns anything a
hand edit can break into located problems (``coursepack.lock:LINE:COL: ...``), never a
traceback. Its shape (``//`` marks a comment here, not in the file)::

    {
      "about": "...",                      // what the file is, for whoever opens it
      "lock": 1,                           // the format
      "course": "https://courses.example.org/my-course",
      "version": "1.1.0",                  // course.yaml's version at the last build
      "modules": [{
        "id": "intro", "file": "modules/intro.md",
        "fingerprint": "introduction",     // its title, normalised
        "title": "Introduction", "place": 1,
        "sections": [{"id", "fingerprint" (the heading, normalised), "title", "place"}],
        "items": [{
          "id": "theory-task-2", "kind": "task",      // read | watch | task | check
          "section": "theory", "place": 4,            // among the items of its section
          "fingerprint": "do any of these reasons ...",  // the prompt, normalised; READ/WATCH: URL
          "title": "Do any of these reasons for collaboration underpin your efforts?",
          "revision": 2,                   // TASK: which wording (its xAPI activity id has it)
          "since": "1.1.0",                // TASK: the course version that first had it
          "earlier": [{"revision": 1, "since": "1.0.0", "fingerprint", "title"}]
        }],
        "retired_sections": [...],         // as sections, with "retired_in": VERSION
        "retired_items": [...]             // as items, with "retired_in": VERSION
      }],
      "retired_modules": [...]             // as modules, with "retired_in": VERSION
    }

Retired ids stay forever: no later item may take one.
"""

from __future__ import annotations

import json
import os
import stat
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

import orjson

from coursepack.errors import Problem
from coursepack.ids import ID_PATTERN
from coursepack.model import Position
from coursepack.source.yamlsrc import YamlList, YamlMap, load_yaml

LOCK_FILE = "coursepack.lock"
LOCK_FORMAT = 1
#: the largest lock file read: a course of 100,000 items needs about 40 MB
MAX_LOCK_BYTES = 64 * 1024 * 1024
KINDS = ("read", "watch", "task", "check")

ABOUT = (
    "The ids of this course's modules, sections and items, kept across versions (see "
    "docs/versions.md). coursepack build writes this file: commit it with the course, and do "
    "not edit it by hand."
)


@dataclass(frozen=True, slots=True)
class Wording:
    """One wording of a TASK: its revision, the course version that first had it, its text."""

    revision: int
    since: str
    fingerprint: str
    title: str


@dataclass(frozen=True, slots=True)
class LockedItem:
    id: str
    kind: str  # read | watch | task | check
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


@dataclass(frozen=True, slots=True)
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
        if len(entry.earlier) < 2:
            return entry
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

Record = dict[str, Any]


def _wording(w: Wording) -> Record:
    return {
        "revision": w.revision,
        "since": w.since,
        "fingerprint": w.fingerprint,
        "title": w.title,
    }


def _item(item: LockedItem) -> Record:
    record: Record = {
        "id": item.id,
        "kind": item.kind,
        "section": item.section,
        "place": item.place,
        "fingerprint": item.fingerprint,
    }
    if item.title:
        record["title"] = item.title
    if item.is_task:
        record["revision"] = item.revision
        record["since"] = item.since
        if item.earlier:
            earlier = sorted(item.earlier, key=lambda w: w.revision)
            record["earlier"] = [_wording(w) for w in earlier]
    if item.retired_in:
        record["retired_in"] = item.retired_in
    return record


def _section(section: LockedSection) -> Record:
    record: Record = {
        "id": section.id,
        "fingerprint": section.fingerprint,
        "title": section.title,
        "place": section.place,
    }
    if section.retired_in:
        record["retired_in"] = section.retired_in
    return record


def _by_id(entries: Any) -> list[Any]:
    return sorted(entries, key=lambda entry: entry.id)


def _module(module: LockedModule) -> Record:
    record: Record = {
        "id": module.id,
        "file": module.file,
        "fingerprint": module.fingerprint,
        "title": module.title,
        "place": module.place,
        "sections": [_section(s) for s in _by_id(module.sections)],
        "items": [_item(i) for i in _by_id(module.items)],
        "retired_sections": [_section(s) for s in _by_id(module.retired_sections)],
        "retired_items": [_item(i) for i in _by_id(module.retired_items)],
    }
    if module.retired_in:
        record["retired_in"] = module.retired_in
    return record


_ENCODE_STRING = json.encoder.encode_basestring  # what json.dumps(ensure_ascii=False) uses
_SCALARS: dict[object, str] = {True: "true", False: "false", None: "null"}


def _indented_json(value: Any, level: int = 0) -> str:
    """``json.dumps(value, indent=2, ensure_ascii=False)``, the same text (tests compare the
    two), made level by level: the standard encoder's Python path holds a piece per token,
    which for a big course is most of the build's memory and a tenth of its time."""
    if isinstance(value, str):
        return _ENCODE_STRING(value)
    if isinstance(value, dict):
        if not value:
            return "{}"
        pad = "\n" + "  " * (level + 1)
        inner = ("," + pad).join(
            _ENCODE_STRING(str(k)) + ": " + _indented_json(v, level + 1) for k, v in value.items()
        )
        return "{" + pad + inner + "\n" + "  " * level + "}"
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        pad = "\n" + "  " * (level + 1)
        inner = ("," + pad).join(_indented_json(v, level + 1) for v in value)
        return "[" + pad + inner + "\n" + "  " * level + "]"
    if value is None or isinstance(value, bool):
        return _SCALARS[value]
    if isinstance(value, int):
        return int.__repr__(value)
    return json.dumps(value, ensure_ascii=False)  # floats and whatever else: as json does


def _lock_json(record: Record) -> str:
    """``json.dumps(record, indent=2, ensure_ascii=False)``: orjson writes the same text for
    what it takes, several times faster; what it refuses (a lone surrogate, a number beyond 64
    bits) is written level by level."""
    try:
        return orjson.dumps(record, option=orjson.OPT_INDENT_2).decode("utf-8")
    except orjson.JSONEncodeError:
        return _indented_json(record)


def dump_lock(lock: Lock) -> str:
    """The lock file's text: entries sorted by id, so a reorder changes only places."""
    record: Record = {
        "about": ABOUT,
        "lock": LOCK_FORMAT,
        "course": lock.course,
        "version": lock.version,
        "modules": [_module(m) for m in _by_id(lock.modules)],
        "retired_modules": [_module(m) for m in _by_id(lock.retired_modules)],
    }
    text = _lock_json(record)
    # JSON is read back as YAML to locate a problem: keep YAML's line breaks out of strings
    for char in ("\u2028", "\u2029", "\u0085"):
        text = text.replace(char, f"\\u{ord(char):04x}")
    return text + "\n"


# -- reading ------------------------------------------------------------------------------------


class LockInvalid(Exception):
    """The lock file cannot be read: every problem found, located."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


_HINT = (
    "restore it from version control, or delete it to start a new record from the ids of "
    "this version"
)

T = TypeVar("T")


class _Reader:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def problem(self, pos: Position, message: str) -> None:
        self.problems.append(Problem(pos, message, _HINT))

    def mapping(self, value: Any, pos: Position, what: str) -> dict[str, Any] | None:
        if isinstance(value, dict):
            return value
        self.problem(pos, f"{what} must be a mapping")
        return None

    def text(self, data: dict[str, Any], key: str, *, required: bool = True) -> str:
        value = data.get(key)
        if value is None:
            if required:
                self.problem(_where(data), f"'{key}' is missing")
            return ""
        if not isinstance(value, str):
            self.problem(_at(data, key), f"'{key}' must be text")
            return ""
        return value

    def ident(self, data: dict[str, Any], key: str) -> str:
        value = self.text(data, key)
        if value and not ID_PATTERN.match(value):
            self.problem(_at(data, key), f"'{value}' is not a valid id")
        return value

    def number(self, data: dict[str, Any], key: str) -> int:
        value = data.get(key)
        if isinstance(value, str) and value.isascii() and value.isdigit():
            value = int(value)  # read back as YAML (to locate a problem), a number is text
        if type(value) is not int or not 0 < value < 10**9:
            self.problem(_at(data, key), f"'{key}' must be a whole number from 1")
            return 1
        return value

    def entries(
        self, data: dict[str, Any], key: str, read: Callable[[dict[str, Any]], T | None], what: str
    ) -> tuple[T, ...]:
        value = data.get(key)
        if value is None:
            return ()
        if not isinstance(value, list):
            self.problem(_at(data, key), f"'{key}' must be a list")
            return ()
        found: list[T] = []
        seen: dict[str, Position] = {}
        for index, entry in enumerate(value):
            mapping = self.mapping(entry, _at_index(value, index), f"each entry of '{key}'")
            if mapping is None:
                continue
            parsed = read(mapping)
            if parsed is None:
                continue
            ident = getattr(parsed, "id", None)
            if isinstance(ident, str) and ident:
                if ident in seen:
                    self.problem(
                        _at(mapping, "id"),
                        f"{what} id '{ident}' is listed twice (also at {seen[ident]})",
                    )
                    continue
                seen[ident] = _at(mapping, "id")
            found.append(parsed)
        return tuple(found)

    def wording(self, data: dict[str, Any]) -> Wording | None:
        return Wording(
            revision=self.number(data, "revision"),
            since=self.text(data, "since"),
            fingerprint=self.text(data, "fingerprint"),
            title=self.text(data, "title", required=False),
        )

    def item(self, data: dict[str, Any], retired: bool) -> LockedItem | None:
        kind = self.text(data, "kind")
        if kind and kind not in KINDS:
            self.problem(_at(data, "kind"), f"unknown kind '{kind}' (one of: {', '.join(KINDS)})")
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
        revisions = [item.revision, *(w.revision for w in item.earlier)]
        if item.earlier and len(set(revisions)) != len(revisions):
            self.problem(_at(data, "earlier"), f"item '{item.id}' lists a revision twice")
        return item

    def section(self, data: dict[str, Any], retired: bool) -> LockedSection | None:
        return LockedSection(
            id=self.ident(data, "id"),
            fingerprint=self.text(data, "fingerprint", required=False),
            title=self.text(data, "title", required=False),
            place=self.number(data, "place"),
            retired_in=self.text(data, "retired_in") if retired else "",
        )

    def module(self, data: dict[str, Any], retired: bool) -> LockedModule | None:
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
                self.problem(_at(data, key), f"{what} id '{ident}' is both kept and retired")
        return module

    def lock(self, data: Any) -> Lock | None:
        top = self.mapping(data, Position(LOCK_FILE, 1, 1), "the lock file")
        if top is None:
            return None
        fmt = top.get("lock")
        if str(fmt) != str(LOCK_FORMAT):
            self.problem(
                _at(top, "lock"),
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
            self.problem(
                _at(top, "retired_modules"), f"module id '{ident}' is both kept and retired"
            )
        return lock


def parse_lock(text: str) -> Lock:
    """The lock of ``text``, or ``LockInvalid`` with every problem located.

    Read as JSON first (fast); a lock with a problem is read again as YAML, of which JSON is a
    part, to tell the line and column of each problem.
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        where = Position(LOCK_FILE, exc.lineno, exc.colno)
        message = f"not valid JSON: {exc.msg}"
        raise LockInvalid([Problem(where, message, _HINT)]) from None
    except (RecursionError, ValueError):
        message = "not valid JSON"
        raise LockInvalid([Problem(Position(LOCK_FILE), message, _HINT)]) from None
    reader = _Reader()
    lock = reader.lock(data)
    if lock is not None and not reader.problems:
        return lock
    located = _Reader()
    positioned = load_yaml(text, LOCK_FILE, located.problems)
    if located.problems:
        located.problems = [_with_hint(p) for p in located.problems]
    else:
        located.lock(positioned)
    raise LockInvalid(located.problems or reader.problems)


def _with_hint(problem: Problem) -> Problem:
    return Problem(problem.pos, problem.message, _HINT)


def _where(data: Any) -> Position:
    return data.pos if isinstance(data, YamlMap | YamlList) else Position(LOCK_FILE)


def _at(data: Any, key: str) -> Position:
    return data.at(key) if isinstance(data, YamlMap) else Position(LOCK_FILE)


def _at_index(data: Any, index: int) -> Position:
    return data.at(index) if isinstance(data, YamlList) else Position(LOCK_FILE)


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
        text = data.decode("utf-8-sig").replace("\r\n", "\n")  # as an editor may save it
    except UnicodeDecodeError:
        raise LockInvalid([Problem(where, "not UTF-8 text", _HINT)]) from None
    return text
