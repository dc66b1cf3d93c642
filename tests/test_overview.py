"""What the start page says a course asks: counts, and a duration given or estimated."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from coursepack.errors import CourseInvalid
from coursepack.i18n import plural_category, words
from coursepack.model import ItemKind
from coursepack.overview import MINUTES_PER_ITEM, duration_text, estimate_minutes, overview
from coursepack.pipeline import load_course

REPO = Path(__file__).resolve().parents[1]
MODULE = """\
# Module

## One

Some words to read before the reading.

READ: https://example.org/a

WATCH: https://www.youtube.com/watch?v=dQw4w9WgXcQ

TASK: What did you learn?

## Two

TASK: And then?
"""


def course_dir(tmp_path: Path, extra: str = "", module: str = MODULE) -> Path:
    (tmp_path / "modules").mkdir(parents=True, exist_ok=True)
    (tmp_path / "course.yaml").write_text(
        "id: https://example.org/c\ntitle: T\ndescription: A short course.\nlanguage: en\n"
        f"version: '1'\n{extra}modules:\n  - modules/m.md\n",
        "utf-8",
    )
    (tmp_path / "modules" / "m.md").write_text(module, "utf-8")
    return tmp_path


def problems(root: Path) -> list[str]:
    with pytest.raises(CourseInvalid) as info:
        load_course(root, environ={})
    return [str(p) for p in info.value.problems if p.is_error]


def test_counts_follow_the_course_and_the_estimate_adds_items_and_prose(tmp_path: Path) -> None:
    course = load_course(course_dir(tmp_path), environ={})
    summary = overview(course)
    assert (summary.modules, summary.sections, summary.readings) == (1, 2, 1)
    assert (summary.videos, summary.tasks, summary.checks) == (1, 2, 0)
    items = sum(MINUTES_PER_ITEM[k] for k in (ItemKind.READ, ItemKind.WATCH, ItemKind.TASK))
    items += MINUTES_PER_ITEM[ItemKind.TASK]
    assert summary.estimated and summary.minutes == estimate_minutes(course)
    assert summary.minutes % 5 == 0 and items < summary.minutes <= items + 5


def test_long_prose_makes_the_estimate_longer(tmp_path: Path) -> None:
    short = load_course(course_dir(tmp_path / "a"), environ={})
    prose = "word " * 2000  # ten minutes at 200 words a minute
    long = load_course(course_dir(tmp_path / "b", module=MODULE + "\n" + prose), environ={})
    assert estimate_minutes(long) - estimate_minutes(short) in (10, 15)


@pytest.mark.parametrize(
    ("written", "minutes"),
    [("45", 45), ("'90 min'", 90), ("1 h 30 min", 90), ("2h", 120), ("1h15", 75)],
)
def test_a_written_duration_is_taken_in_minutes(tmp_path: Path, written: str, minutes: int) -> None:
    course = load_course(course_dir(tmp_path, f"duration: {written}\n"), environ={})
    assert course.duration_minutes == minutes
    assert overview(course).minutes == minutes and not overview(course).estimated


@pytest.mark.parametrize("written", ["soon", "0", "-5", "1 h 30 sec", "9999 h", "''"])
def test_a_duration_that_is_not_a_length_of_time_is_a_located_problem(
    tmp_path: Path, written: str
) -> None:
    (found,) = problems(course_dir(tmp_path, f"duration: {written}\n"))
    assert found.startswith("course.yaml:6:11: ") and "is not a length of time" in found, found


def test_a_duration_that_is_not_text_is_a_located_problem(tmp_path: Path) -> None:
    (found,) = problems(course_dir(tmp_path, "duration: [45]\n"))
    assert found.startswith("course.yaml:6:11: 'duration' must be text"), found


def test_objectives_are_lines_of_text_each_checked_where_it_stands(tmp_path: Path) -> None:
    extra = "objectives:\n  - Name the kinds of collaboration\n  - [not, text]\n  - ''\n"
    found = problems(course_dir(tmp_path / "a", extra))
    assert found == [
        "course.yaml:8:5: objective 2 is not a line of text (write each objective as one line "
        "of text)",
        "course.yaml:9:5: objective 3 is not a line of text (write each objective as one line "
        "of text)",
    ]
    (found_one,) = problems(course_dir(tmp_path / "b", "objectives: Learn things\n"))
    assert found_one.startswith("course.yaml:6:13: 'objectives' must be a list")
    deep = f"objectives:\n  - ok\n  - 'x {'*' * 200}y'\n"
    (too_deep,) = problems(course_dir(tmp_path / "d", deep))
    assert too_deep.startswith("course.yaml:8:5: emphasis, strikethrough and link brackets"), (
        too_deep
    )
    many = "objectives:\n" + "".join(f"  - Objective {n}\n" for n in range(21))
    (too_many,) = problems(course_dir(tmp_path / "c", many))
    assert "the course has 21 objectives; at most 20" in too_many


@pytest.mark.parametrize(
    ("language", "forms"),
    [
        ("fr", ["one", "one", "other"]),
        ("pt-BR", ["one", "one", "other"]),
        ("en", ["other", "one", "other"]),
        ("de", ["other", "one", "other"]),
    ],
)
def test_french_and_portuguese_say_one_for_zero_and_one_the_others_for_one_only(
    language: str, forms: list[str]
) -> None:
    assert [plural_category(language, n) for n in (0, 1, 2)] == forms


def test_durations_and_counts_read_in_the_course_language() -> None:
    en, fr = words("en"), words("fr")
    assert duration_text(en, "en", 75) == "1 hour 15 minutes"
    assert duration_text(en, "en", 120) == "2 hours"
    assert duration_text(en, "en", 1) == "1 minute"
    assert duration_text(fr, "fr", 61) == "1 heure 1 minute"
    assert duration_text(fr, "fr", 0) == "0 minute"
    assert duration_text(en, "en", 0) == "0 minutes"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "one",
        "Item 3 of section 1.2 with *emphasis*, a [link](https://example.org/a_b/1) and `code`.",
        "snake_case and kebab-case\tand\nlines\x1c\x1fcontrols",
        "café, naïve and 漢字 are words too",
        "___ ... 42",
    ],
)
def test_words_are_counted_as_runs_of_word_characters(text: str) -> None:
    from coursepack.overview import _words

    assert _words(text) == len(re.findall(r"\w+", text))
