"""Helpers for the target tests: build the example course (or a variant) and read packages."""

from __future__ import annotations

import json
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from coursepack.build import BuildResult, build_course

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "course"
CONFIG_PREFIX = b"window.COURSEPACK_CONFIG = "

SECOND_MODULE = """# Second steps

A second module, so that cmi5 has two AUs to make.

## Practice

READ: https://example.org/practice

TASK: What will you practise first?
"""


class Package:
    """A built zip, read back."""

    def __init__(self, path: Path) -> None:
        self.path = path
        with zipfile.ZipFile(path) as zf:
            self.files = {name: zf.read(name) for name in zf.namelist()}

    @property
    def names(self) -> set[str]:
        return set(self.files)

    def config(self) -> dict[str, Any]:
        """The runtime configuration (coursepack-config.js) as a dict."""
        text = self.files["coursepack-config.js"].strip()
        assert text.startswith(CONFIG_PREFIX) and text.endswith(b";")
        value: dict[str, Any] = json.loads(text[len(CONFIG_PREFIX) : -1])
        return value


@pytest.fixture
def build(tmp_path: Path) -> Callable[..., BuildResult]:
    """build(targets, lms=None, course_dir=EXAMPLE) -> BuildResult, into a fresh folder."""
    count = 0

    def run(targets: list[str], lms: str | None = None, course_dir: Path = EXAMPLE) -> BuildResult:
        nonlocal count
        count += 1
        return build_course(course_dir, tmp_path / f"dist-{count}", targets, lms, environ={})

    return run


@pytest.fixture
def package(build: Callable[..., BuildResult]) -> Callable[..., Package]:
    """package(target, lms=None, course_dir=EXAMPLE) -> the one Package built for target."""

    def make(target: str, lms: str | None = None, course_dir: Path = EXAMPLE) -> Package:
        (path,) = build([target], lms, course_dir).paths
        return Package(path)

    return make


@pytest.fixture
def course_copy(tmp_path: Path) -> Callable[..., Path]:
    """course_copy(yaml_extra="", second_module=False) -> a variant of the example course."""
    count = 0

    def make(yaml_extra: str = "", second_module: bool = False) -> Path:
        nonlocal count
        count += 1
        folder = tmp_path / f"course-{count}"
        shutil.copytree(EXAMPLE, folder)
        yaml = (folder / "course.yaml").read_text(encoding="utf-8")
        if second_module:
            (folder / "modules" / "second-steps.md").write_text(SECOND_MODULE, encoding="utf-8")
            yaml += "  - modules/second-steps.md\n"
        (folder / "course.yaml").write_text(yaml + yaml_extra, encoding="utf-8")
        return folder

    return make
