"""A course's own interface words (``words:``) and named TASKs (``TASK [Title]: prompt``)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from coursepack.build import build_course
from coursepack.errors import CourseInvalid
from coursepack.i18n import words
from coursepack.pipeline import check_course
from coursepack.titles import display_title, task_heading
from tests.support.shown import shown_in_zip

HEAD = (
    "id: https://example.org/w\ntitle: T\nlanguage: {lang}\nversion: '1'\n"
    "modules:\n  - modules/m.md\n"
)
MODULE = """# M

## S

TASK [Your first project]: Think of a project that needed many teams. What made it work?

TASK {#why} [Why]: Why collaborate at all?

TASK: Describe, in a few sentences, the last time you had to convince a partner to join.
"""


def course(tmp_path: Path, extra: str = "", lang: str = "en") -> Path:
    (tmp_path / "modules").mkdir(exist_ok=True)
    (tmp_path / "course.yaml").write_text(HEAD.format(lang=lang) + extra, "utf-8")
    (tmp_path / "modules" / "m.md").write_text(MODULE, "utf-8")
    return tmp_path


def test_a_task_may_be_named_and_otherwise_is_headed_by_its_first_words(tmp_path: Path) -> None:
    checked = check_course(course(tmp_path), {})
    first, second, third = checked.course.tasks
    assert (first.explicit_title, second.explicit_title, third.explicit_title) == (
        "Your first project",
        "Why",
        None,
    )
    assert second.id == "why"
    assert first.prompt == "Think of a project that needed many teams. What made it work?"
    assert task_heading(third) == "Describe, in a few sentences, the last time…"
    assert display_title(checked.course, first) == "Your first project"


def test_the_page_heads_each_task_with_its_name(tmp_path: Path) -> None:
    (path,) = build_course(course(tmp_path), tmp_path / "d", ["scorm12"], environ={}).paths
    page = shown_in_zip(zipfile.ZipFile(path))
    assert ">Your first project</h3>" in page
    assert ">Describe, in a few sentences, the last time…</h3>" in page
    assert ">Task 3</p>" in page  # the number stays, above the heading


def test_course_words_replace_interface_words_in_the_page_and_the_runtime(tmp_path: Path) -> None:
    extra = "words:\n  task.heading: 'Exercise {number}'\n  saveExit: Pause the course\n"
    (path,) = build_course(course(tmp_path, extra), tmp_path / "d", ["scorm12"], environ={}).paths
    with zipfile.ZipFile(path) as zf:
        page = shown_in_zip(zf)
        config = zf.read("coursepack-config.js").decode()
    assert ">Exercise 1</p>" in page and "Pause the course" in page
    assert '"saveExit":"Pause the course"' in config
    assert '"task.heading":"Exercise {number}"' in config


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            "words:\n  task.headng: X {number}\n",
            "unknown key 'task.headng' in words (did you mean 'task.heading'?)",
        ),
        (
            "words:\n  task.heading: Exercise\n",
            "the word 'task.heading' has the placeholders none; it needs {number}",
        ),
        ("words:\n  saveExit: ''\n", "the word 'saveExit' is empty"),
        ("words: [a]\n", "'words' must be a mapping of interface words"),
        (
            "words:\n  progress.tasks.seven: '{done} {total}'\n",
            "unknown key 'progress.tasks.seven' in words",
        ),
        (
            "words:\n  progress.tasks.two: '{done} and more'\n",
            "the word 'progress.tasks.two' has the placeholders ['done']; it needs {done}, {total}",
        ),
    ],
)
def test_course_words_are_checked_against_the_table(
    tmp_path: Path, extra: str, message: str
) -> None:
    with pytest.raises(CourseInvalid) as invalid:
        check_course(course(tmp_path, extra), {})
    assert message in invalid.value.message


def test_a_language_without_a_table_can_bring_every_word_itself(tmp_path: Path) -> None:
    assert check_course(course(tmp_path, lang="sv"), {}).warnings  # English words: a warning
    own = "".join(f"  {key}: {json.dumps(text)}\n" for key, text in words("en").items())
    checked = check_course(course(tmp_path, "words:\n" + own, lang="sv"), {})
    assert checked.warnings == ()


def test_a_word_with_a_count_may_bring_every_plural_form_of_its_language(tmp_path: Path) -> None:
    extra = (
        "words:\n  progress.tasks.two: '{done} of the two tasks {total}'\n"
        "  progress.tasks.few: '{done} of a few tasks ({total})'\n"
    )
    (path,) = build_course(
        course(tmp_path, extra, lang="ar"), tmp_path / "d", ["scorm12"], {}
    ).paths
    config = zipfile.ZipFile(path).read("coursepack-config.js").decode()
    assert '"progress.tasks.two":"{done} of the two tasks {total}"' in config
    assert '"progress.tasks.few":"{done} of a few tasks ({total})"' in config
