"""The stages that every command shares, wired once: read (``source``), then validate."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from coursepack.model import Course
from coursepack.source import read_course
from coursepack.validate import Checked, validate


def check_course(course_dir: Path, environ: Mapping[str, str] | None = None) -> Checked:
    """Read and validate a course folder: the course and its warnings, or ``CourseInvalid``
    listing every problem."""
    env = os.environ if environ is None else environ
    return validate(read_course(Path(course_dir)), env)


def load_course(course_dir: Path, environ: Mapping[str, str] | None = None) -> Course:
    """Read and validate a course folder (warnings are dropped; ``check_course`` keeps them)."""
    return check_course(course_dir, environ).course
