"""Packages for the learner runs: the example course, and a course of nine TASKs."""

from __future__ import annotations

from pathlib import Path

import pytest

from coursepack.build import build_course

REPO = Path(__file__).resolve().parents[2]

LONG_COURSE_YAML = """\
id: https://courses.example.org/long-reflections
title: Long reflections
description: Nine tasks that ask for long answers.
language: en
version: 1.0.0
completion: all-tasks
modules:
  - modules/reflect.md
"""


def long_course_module() -> str:
    parts = ["# Reflect\n\nNine tasks in three sections.\n"]
    for s in range(1, 4):
        parts.append(f"## Part {s}\n\nRead this first:\n\nREAD: https://example.org/part-{s}\n")
        for t in range(1, 4):
            parts.append(f"TASK: Question {s}.{t}: write at length about part {s}.\n")
    return "\n".join(parts)


@pytest.fixture(scope="session")
def example_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example course in course/, built for SCORM 1.2 with the real build command."""
    out = tmp_path_factory.mktemp("example-build")
    result = build_course(REPO / "course", out, targets=["scorm12"], environ={})
    (path,) = result.paths
    return path


@pytest.fixture(scope="session")
def long_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A course of nine TASKs (three sections of three), built for SCORM 1.2."""
    root = tmp_path_factory.mktemp("long-course")
    (root / "modules").mkdir()
    (root / "course.yaml").write_text(LONG_COURSE_YAML, "utf-8")
    (root / "modules" / "reflect.md").write_text(long_course_module(), "utf-8")
    result = build_course(root, tmp_path_factory.mktemp("long-build"), ["scorm12"], environ={})
    (path,) = result.paths
    return path
