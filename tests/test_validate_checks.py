"""CHECK items (knowledge checks): how authors write them in Markdown and YAML, what the
validator makes of them, the assessment settings, and the completion rules that need a pass.

Mistakes are covered, all at once and located, by the fixture
tests/fixtures/courses/check-mistakes (through tests/test_validate.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from coursepack.completion import counted_keys, is_passed, needs_pass, progress_unit
from coursepack.errors import CourseInvalid
from coursepack.model import Assessment, CheckKind, CompletionRule, Course
from coursepack.pipeline import check_versioned, load_course
from coursepack.titles import display_title
from coursepack.tracking import runtime_config
from coursepack.versions import LOCK_FILE
from coursepack.xapi import vocab

COURSE_YAML = (
    "id: https://example.org/checks\ntitle: Checks\nlanguage: en\nversion: '1'\n"
    "{extra}modules:\n  - modules/m.{ext}\n"
)

MARKDOWN = """\
# Checks

## Part

The question below is about items.

CHECK: Which item is graded?
It is asked over two lines.
- [x] A *CHECK*
  > Right: a CHECK has a right answer.
- [ ] A TASK
  > A TASK is a reflection: nobody marks it.
Correct: Well done.
Incorrect: Look again at the kinds of items.

CHECK: Which of these are items?

- [x] READ
- [X] WATCH
- [ ] SECTION

CHECK: The sky is green.
- [ ] True
- [x] False

CHECK: What does MEL stand for?
- Monitoring, evaluation and learning
- monitoring evaluation & learning

A paragraph after the checks.

TASK: Why?
"""

YAML = """\
title: Checks
sections:
  - title: Part
    items:
      - check: |-
          Which item is graded?
          It is asked over two lines.
        intro: The question below is about items.
        options:
          - text: A *CHECK*
            correct: true
            feedback: "Right: a CHECK has a right answer."
          - text: A TASK
            feedback: "A TASK is a reflection: nobody marks it."
        feedback:
          correct: Well done.
          incorrect: Look again at the kinds of items.
      - check: Which of these are items?
        options:
          - {text: READ, correct: true}
          - {text: WATCH, correct: yes}
          - {text: SECTION}
      - check: The sky is green.
        options:
          - text: True
          - text: False
            correct: true
      - check: What does MEL stand for?
        answers:
          - Monitoring, evaluation and learning
          - monitoring evaluation & learning
    outro: A paragraph after the checks.
  - title: More
    items:
      - task: Why?
"""


def write(root: Path, module: str, *, ext: str = "md", extra: str = "") -> Path:
    (root / "modules").mkdir(parents=True, exist_ok=True)
    (root / "course.yaml").write_text(COURSE_YAML.format(extra=extra, ext=ext), "utf-8")
    (root / "modules" / f"m.{ext}").write_text(module, "utf-8")
    return root


def problems(root: Path) -> list[str]:
    with pytest.raises(CourseInvalid) as info:
        load_course(root, environ={})
    return [str(p) for p in info.value.problems if p.is_error]


def test_markdown_checks_give_each_kind_with_its_options_and_feedback(tmp_path: Path) -> None:
    course = load_course(write(tmp_path, MARKDOWN), environ={})
    checks = [item.check for item in course.checks]
    assert [c.kind for c in checks if c] == [
        CheckKind.SINGLE,
        CheckKind.MULTIPLE,
        CheckKind.TRUE_FALSE,
        CheckKind.TEXT,
    ]
    single, multiple, true_false, text = (c for c in checks if c)
    assert single.question_md == "Which item is graded?\nIt is asked over two lines."
    assert [(o.id, o.text_md, o.correct) for o in single.options] == [
        ("a-check", "A *CHECK*", True),
        ("a-task", "A TASK", False),
    ]
    assert single.options[0].feedback_md == "Right: a CHECK has a right answer."
    assert single.options[1].feedback_md == "A TASK is a reflection: nobody marks it."
    assert (single.feedback_correct_md, single.feedback_incorrect_md) == (
        "Well done.",
        "Look again at the kinds of items.",
    )
    assert multiple.correct_ids == ("read", "watch")  # '[X]' counts as marked
    assert [o.id for o in true_false.options] == ["true", "false"]
    assert true_false.correct_ids == ("false",)
    assert text.options == ()
    assert text.accepted == (
        "Monitoring, evaluation and learning",
        "monitoring evaluation & learning",
    )
    items = course.modules[0].items
    assert items[0].intro_md == "The question below is about items."
    assert items[-1].is_task and items[-1].intro_md == "A paragraph after the checks."
    assert display_title(course, items[0]) == "Which item is graded?"


def test_a_yaml_module_gives_the_same_checks_as_markdown(tmp_path: Path) -> None:
    md = load_course(write(tmp_path / "md", MARKDOWN), environ={})
    yml = load_course(write(tmp_path / "yml", YAML, ext="yaml"), environ={})
    assert [(i.id, i.check) for i in md.checks] == [(i.id, i.check) for i in yml.checks]


def test_check_ids_come_from_the_question_and_survive_editing_the_prose(tmp_path: Path) -> None:
    first = load_course(write(tmp_path / "a", MARKDOWN), environ={})
    edited = MARKDOWN.replace("The question below is about items.", "Read this first.")
    edited = edited.replace("## Part", "## Part one\n\nREAD: https://example.org/new\n\n## Two")
    second = load_course(write(tmp_path / "b", edited), environ={})
    assert [i.id for i in first.checks] == [i.id for i in second.checks]
    assert all(i.id.startswith("check-") for i in first.checks)
    assert len({i.id for i in first.checks}) == 4


def test_option_ids_are_slugs_unique_within_their_check(tmp_path: Path) -> None:
    module = "# M\n\nCHECK: Which?\n- [x] C++ (the language)\n- [ ] C#\n- [ ] C\n- [ ] 42\n"
    course = load_course(write(tmp_path, module), environ={})
    (item,) = course.checks
    assert item.check is not None
    assert [o.id for o in item.check.options] == ["c-the-language", "c", "c-2", "s-42"]


def test_the_lock_keeps_check_ids_and_reads_them_back(tmp_path: Path) -> None:
    root = write(tmp_path, MARKDOWN.replace("CHECK: The sky", "CHECK {#sky}: The sky"))
    first = check_versioned(root, {})
    lock = json.loads(first.lock_text)
    kinds = {item["id"]: item["kind"] for m in lock["modules"] for item in m["items"]}
    assert sorted(i for i, k in kinds.items() if k == "check") == sorted(
        i.id for i in first.checked.course.checks
    )
    (root / LOCK_FILE).write_text(first.lock_text, "utf-8")
    again = check_versioned(root, {})
    assert again.notes == [] and again.lock_text == first.lock_text
    reworded = MARKDOWN.replace("CHECK: The sky", "CHECK {#sky}: The grass").replace(
        "Which of these are items?", "Which of these are kinds of item?"
    )
    write(root, reworded)
    third = check_versioned(root, {})
    new_ids = {i.id for i in third.checked.course.checks}
    assert "sky" in new_ids  # an explicit id stays with its question
    # a reworded question with a derived id is another question: a new id, never the old one
    old_ids = {i.id for i in first.checked.course.checks}
    assert len(new_ids - old_ids) == 1


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ("", Assessment()),
        (
            "assessment:\n  pass_mark: 50\n  attempts: 0\n  shuffle: yes\n  retry: false\n",
            Assessment(pass_mark=50, attempts=0, shuffle=True, retry=False),
        ),
    ],
)
def test_assessment_settings_are_read_with_their_defaults(
    tmp_path: Path, extra: str, expected: Assessment
) -> None:
    course = load_course(write(tmp_path, MARKDOWN, extra=extra), environ={})
    assert (course.assessment or Assessment()) == expected


def test_a_pass_rule_without_checks_is_a_located_error(tmp_path: Path) -> None:
    root = write(tmp_path, "# M\n\nTASK: Why?\n", extra="completion: pass\n")
    assert problems(root) == [
        "course.yaml:5:13: completion rule 'pass' needs a pass mark, but the course has no "
        "CHECK to score (add CHECK: questions to a module, or use 'completion: all-tasks')"
    ]


def test_an_assessment_without_checks_is_a_warning_not_an_error(tmp_path: Path) -> None:
    root = write(tmp_path, "# M\n\nTASK: Why?\n", extra="assessment:\n  pass_mark: 50\n")
    course = load_course(root, environ={})
    assert course.assessment == Assessment(pass_mark=50)
    assert not course.graded


def _course_with(tmp_path: Path, rule: str) -> Course:
    return load_course(write(tmp_path, MARKDOWN, extra=f"completion: {rule}\n"), environ={})


@pytest.mark.parametrize(
    ("rule", "counts", "unit", "passing"),
    [
        ("all-tasks", ["task"], "tasks", False),
        ("all-items", ["check"] * 4 + ["task"], "items", False),
        ("pass", ["check"] * 4, "items", True),
        ("all-tasks-and-pass", ["check"] * 4 + ["task"], "items", True),
    ],
)
def test_completion_rules_count_checks_and_say_when_a_pass_is_needed(
    tmp_path: Path, rule: str, counts: list[str], unit: str, passing: bool
) -> None:
    course = _course_with(tmp_path, rule)
    assert course.completion is CompletionRule(rule)
    kinds = {f"{m.id}/{i.id}": i.kind.value for m in course.modules for i in m.items}
    keys = counted_keys(course)
    assert [kinds[k] for k in keys] == counts
    assert progress_unit(course) == unit
    assert needs_pass(course) is passing
    config = runtime_config(course, {}).to_json()
    assert config["course"]["counted"] == keys
    assert config["course"]["assessment"]["needsPass"] is passing


def test_the_pass_mark_is_reached_in_exact_whole_numbers() -> None:
    assert is_passed(4, 5, 80) and not is_passed(3, 5, 80)
    assert not is_passed(79, 100, 80) and is_passed(80, 100, 80)
    assert is_passed(0, 3, 0) and not is_passed(0, 0, 0)  # no CHECK: nothing to pass


def test_runtime_config_grades_checks_without_their_words(tmp_path: Path) -> None:
    course = load_course(write(tmp_path, MARKDOWN), environ={})
    config = runtime_config(course, {}).to_json()
    items = [i for s in config["modules"][0]["sections"] for i in s["items"]]
    checks = [i["check"] for i in items if i["kind"] == "check"]
    assert checks[0] == {
        "kind": "choice",
        "interactionType": "choice",
        "options": ["a-check", "a-task"],
        "correct": ["a-check"],
        "accepted": [],
    }
    assert checks[1]["kind"] == "choice-multiple" and checks[1]["interactionType"] == "choice"
    assert checks[3]["accepted"] == [
        "Monitoring, evaluation and learning",
        "monitoring evaluation & learning",
    ]
    assert "check" not in items[-1]  # the TASK


def test_check_activity_definitions_hold_choices_and_correct_responses(tmp_path: Path) -> None:
    course = load_course(write(tmp_path, MARKDOWN), environ={})
    single, multiple, true_false, text = (vocab.item_definition(course, i) for i in course.checks)
    assert single["type"] == "http://adlnet.gov/expapi/activities/cmi.interaction"
    assert single["interactionType"] == "choice"
    assert single["choices"] == [
        {"id": "a-check", "description": {"en": "A *CHECK*"}},
        {"id": "a-task", "description": {"en": "A TASK"}},
    ]
    assert single["correctResponsesPattern"] == ["a-check"]
    assert multiple["correctResponsesPattern"] == ["read[,]watch"]
    assert true_false["interactionType"] == "true-false"
    assert true_false["correctResponsesPattern"] == ["false"]
    assert "choices" not in true_false
    assert text["interactionType"] == "fill-in"
    assert text["correctResponsesPattern"] == [
        "Monitoring, evaluation and learning",
        "monitoring evaluation & learning",
    ]


def test_a_check_over_the_option_limit_is_a_located_error(tmp_path: Path) -> None:
    options = "".join(f"- [{'x' if n == 0 else ' '}] Option {n}\n" for n in range(40))
    root = write(tmp_path, f"# M\n\nCHECK: Which?\n{options}")
    assert problems(root) == [
        "modules/m.md:40:1: CHECK has 40 options; at most 36 are allowed (split the question, "
        "or make it a text answer)"
    ]


@pytest.mark.parametrize("ext", ["md", "yaml"])
def test_images_in_options_and_feedback_must_be_media_files_in_both_forms(
    tmp_path: Path, ext: str
) -> None:
    if ext == "md":
        module = (
            "# M\n\nCHECK: Which?\n- [x] ![a](media/a.png)\n  > See ![b](media/b.png)\n"
            "- [ ] No\nIncorrect: ![c](media/c.png)\n"
        )
    else:
        module = (
            "title: M\nsections:\n  - title: S\n    items:\n      - check: Which?\n"
            "        options:\n          - {text: '![a](media/a.png)', correct: true,"
            " feedback: 'See ![b](media/b.png)'}\n          - {text: 'No'}\n"
            "        feedback: {incorrect: '![c](media/c.png)'}\n"
        )
    found = problems(write(tmp_path, module, ext=ext))
    assert [p.split(": ", 1)[1].split(" is not", 1)[0] for p in found] == [
        "the image 'media/a.png'",
        "the image 'media/b.png'",
        "the image 'media/c.png'",
    ]
