"""A small course built in Python (no loader needed) for the render tests."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from coursepack.model import (
    CompletionRule,
    Course,
    Item,
    ItemKind,
    MediaFile,
    Module,
    Position,
    Section,
)


def item(
    kind: ItemKind,
    id: str,
    title: str,
    url: str | None = None,
    prompt: str | None = None,
    intro: str = "",
) -> Item:
    return Item(
        id=id,
        kind=kind,
        explicit_title=title,
        intro_md=intro,
        url=url,
        prompt=prompt,
        pos=Position("modules/m.md", 1, 1),
    )


def make_course(
    root: Path,
    *,
    language: str = "en",
    modules: tuple[Module, ...] | None = None,
    completion: CompletionRule = CompletionRule.ALL_TASKS,
) -> Course:
    media_dir = root / "media"
    media_dir.mkdir(parents=True, exist_ok=True)
    (media_dir / "diagram.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (media_dir / "clip.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42")
    if modules is None:
        modules = (
            Module(
                id="basics",
                title="Basics",
                intro_md="Welcome to **basics**. ![A diagram](media/diagram.png)",
                pos=Position("modules/01-basics.md", 1, 1),
                sections=(
                    Section(
                        id="reading",
                        title="Reading",
                        outro_md="That's the *reading* part.",
                        pos=Position("modules/01-basics.md", 3, 1),
                        items=(
                            item(
                                ItemKind.READ,
                                "guide",
                                "The guide",
                                "https://example.org/guide",
                                intro="Start with [the guide](https://example.org/guide).",
                            ),
                            item(
                                ItemKind.WATCH,
                                "talk",
                                "A talk",
                                "https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=1m5s",
                            ),
                            item(
                                ItemKind.TASK,
                                "task-1",
                                "What did you learn?",
                                prompt="What did you learn from *the guide*?",
                            ),
                        ),
                    ),
                    Section(
                        id="practice",
                        title="Practice",
                        outro_md="",
                        pos=Position("modules/01-basics.md", 20, 1),
                        items=(
                            item(
                                ItemKind.WATCH, "vimeo", "Vimeo talk", "https://vimeo.com/76979871"
                            ),
                            item(ItemKind.WATCH, "local", "Local clip", "media/clip.mp4"),
                            item(ItemKind.WATCH, "other", "Other video", "https://example.com/v/1"),
                            item(ItemKind.TASK, "task-1", "Try it", prompt="Try it and report."),
                        ),
                    ),
                ),
            ),
        )
    return Course(
        id="https://courses.example.org/sample",
        title="Sample course",
        description="A sample.",
        language=language,
        version="1.0",
        completion=completion,
        modules=modules,
        root=root,
        media=(
            MediaFile("media/clip.mp4", media_dir / "clip.mp4"),
            MediaFile("media/diagram.png", media_dir / "diagram.png"),
        ),
    )


@pytest.fixture
def course(tmp_path: Path) -> Course:
    return make_course(tmp_path)


def with_module_intro(course: Course, text: str) -> Course:
    module = replace(course.modules[0], intro_md=text)
    return replace(course, modules=(module, *course.modules[1:]))


def shown_tree(page: str) -> Any:
    """A shown page (tests.support.shown: every section's content in its place) as lxml
    sees it."""
    from lxml import html

    return html.fromstring(page)
