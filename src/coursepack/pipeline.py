"""The stages that every command shares, wired once: read (``source``), validate, then give
the course the ids of its lock file (``versions``)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from coursepack.errors import CourseInvalid, Problem
from coursepack.model import Course
from coursepack.source import read_course
from coursepack.validate import Checked, validate
from coursepack.versions import (
    Change,
    Lock,
    LockInvalid,
    dump_lock,
    explicit_ids,
    parse_lock,
    read_lock_text,
    stabilise,
)


@dataclass(frozen=True)
class Versioned:
    """A checked course with the ids of its lock, the lock to write and what changed."""

    checked: Checked
    lock: Lock
    lock_text: str  # the lock file as the build writes it
    lock_changed: bool  # the lock file does not hold ``lock_text`` yet
    changes: tuple[Change, ...]

    @property
    def notes(self) -> list[str]:
        return [change.message for change in self.changes]


def check_versioned(course_dir: Path, environ: Mapping[str, str] | None = None) -> Versioned:
    """Read and validate a course folder and apply its lock (writes nothing); every problem,
    the lock file's too, as ``CourseInvalid``."""
    env = os.environ if environ is None else environ
    root = Path(course_dir)
    source = read_course(root)
    lock_problems: list[Problem] = []
    old_text: str | None = None
    lock: Lock | None = None
    try:
        old_text = read_lock_text(root)
        lock = parse_lock(old_text) if old_text is not None else None
    except LockInvalid as damaged:
        lock_problems = damaged.problems
    try:
        checked = validate(source, env, ids_from_places=old_text is None)
    except CourseInvalid as invalid:
        raise CourseInvalid([*invalid.problems, *lock_problems]) from None
    try:
        if lock_problems:
            raise LockInvalid(lock_problems)
        stable = stabilise(checked.course, lock, explicit_ids(source))
    except LockInvalid as damaged:
        raise CourseInvalid([*damaged.problems, *checked.warnings]) from None
    text = dump_lock(stable.lock)
    return Versioned(
        checked=Checked(stable.course, checked.warnings),
        lock=stable.lock,
        lock_text=text,
        lock_changed=text != old_text,
        changes=stable.changes,
    )


def check_course(course_dir: Path, environ: Mapping[str, str] | None = None) -> Checked:
    """Read and validate a course folder: the course (with the ids of its lock) and its
    warnings, or ``CourseInvalid`` listing every problem."""
    return check_versioned(course_dir, environ).checked


def load_course(course_dir: Path, environ: Mapping[str, str] | None = None) -> Course:
    """Read and validate a course folder (warnings are dropped; ``check_course`` keeps them)."""
    return check_course(course_dir, environ).course
