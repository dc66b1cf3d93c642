"""Fixtures of the preview tests: a fresh course from ``coursepack init``, a running preview
(in this process, on a free port), and a wide page (the course shows its table of contents)."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from coursepack.init import init_course
from coursepack.preview.command import Preview, start_preview
from tests.support.browser import new_context

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Frame, Page

REPO = Path(__file__).resolve().parents[2]
StartPreview = Callable[..., Preview]


@pytest.fixture(scope="session")
def init_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("init") / "course"
    init_course(root, title="Preview test course")
    return root


@pytest.fixture
def course(tmp_path: Path, init_template: Path) -> Path:
    """A fresh copy of the course ``coursepack init`` writes."""
    root = tmp_path / "course"
    shutil.copytree(init_template, root)
    return root


@pytest.fixture
def preview() -> Iterator[StartPreview]:
    """start_preview(course_dir, target=..., ...) -> a running preview, stopped afterwards."""
    running: list[Preview] = []

    def start(course_dir: Path, target: str | None = None, watch: bool = True) -> Preview:
        started = start_preview(course_dir, target, environ={}, watch=watch)
        running.append(started)
        return started

    yield start
    for started in running:
        started.stop()


@pytest.fixture
def wide_page(browser: Browser) -> Iterator[Page]:
    with new_context(browser) as context:
        page = context.new_page()
        page.set_viewport_size({"width": 1920, "height": 1000})
        yield page


def open_preview(page: Page, url: str, loads: int = 1) -> Frame:
    """Open the preview page; return the course frame once the course has started."""
    page.goto(url)
    return course_frame(page, loads)


def course_frame(page: Page, loads: int = 1) -> Frame:
    page.wait_for_function("n => window.previewState && window.previewState.loads >= n", arg=loads)
    frame = page.frame(name="content")
    assert frame is not None
    frame.wait_for_function("() => window.Coursepack && window.Coursepack.started === true")
    return frame
