"""Course versions: ids that follow the content from version 1 to version 2 (coursepack.lock).

Each kind of edit is built as a real course folder (version 1, built: the lock is written;
then version 2) and checked against a golden file holding the change notes, every item's id
and activity IRI, and the new lock; the tests also assert what matters in plain code, and that
no id ever goes to another item. Regenerate the golden files with COURSEPACK_UPDATE_GOLDEN=1.
"""

from __future__ import annotations

import json
import os
import random
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from coursepack.build import build_course
from coursepack.cli import cli
from coursepack.errors import CourseInvalid
from coursepack.model import Course
from coursepack.pipeline import Versioned, check_versioned
from coursepack.source import read_course
from coursepack.titles import task_title
from coursepack.validate import validate
from coursepack.versions import (
    LOCK_FILE,
    SIMILAR,
    dump_lock,
    lock_of,
    parse_lock,
    read_lock,
    similarity,
    stabilise,
)
from coursepack.versions.stabilise import fingerprint, words
from coursepack.xapi import vocab
from tests.golden import check_golden

REPO = Path(__file__).resolve().parents[1]
GOLDEN = REPO / "tests" / "golden" / "versions"
IRI = "https://courses.example.org/versions"

COURSE_YAML = f"""\
id: {IRI}
title: Versions
language: en
version: {{version}}
modules:
  - modules/basics.md
  - modules/more.md
"""

T1 = "What does collaboration mean to you in your daily work?"
T2 = "Who are the partners you collaborate with most often, inside and outside your organisation?"
T3 = "Which skills help you most when you lead people who do not report to you?"
T4 = "Which tool would you try first with your team next week?"
M1 = "How do the two organisations share what they learn from an evaluation?"

BASICS = """\
# Basics

Intro.

## Theory

READ: https://example.org/a

{theory}

## Tools {{#tools}}

WATCH: https://www.youtube.com/watch?v=abcdefghijk

{tools}
"""

MORE = """\
# More

## Partners

{partners}
"""


def tasks(*prompts: str) -> str:
    return "\n\n".join(f"TASK: {p}" for p in prompts)


def write_course(
    root: Path,
    *,
    version: str = "1.0.0",
    theory: tuple[str, ...] = (T1, T2, T3),
    tools: tuple[str, ...] = (T4,),
    partners: tuple[str, ...] = (M1,),
    basics: str = BASICS,
) -> Path:
    (root / "modules").mkdir(parents=True, exist_ok=True)
    (root / "course.yaml").write_text(COURSE_YAML.format(version=version), encoding="utf-8")
    (root / "modules" / "basics.md").write_text(
        basics.format(theory=tasks(*theory), tools=tasks(*tools)), encoding="utf-8"
    )
    (root / "modules" / "more.md").write_text(
        MORE.format(partners=tasks(*partners)), encoding="utf-8"
    )
    return root


def build_lock(root: Path) -> Versioned:
    """What a successful build does about versions: apply the lock, write the new one."""
    versioned = check_versioned(root, {})
    (root / LOCK_FILE).write_text(versioned.lock_text, encoding="utf-8")
    return versioned


def table(versioned: Versioned) -> str:
    course = versioned.checked.course
    lines = ["# notes", *versioned.notes, "# items"]
    for module in course.modules:
        for section in module.sections:
            for item in section.items:
                lines.append(
                    f"{module.id}/{section.id}/{item.id} r{item.revision} "
                    f"{vocab.item_iri(course, module, item)} {item.prompt or item.url}"
                )
    lines.append("# past questions")
    for past in course.past_questions:
        state = "in course" if past.in_course else "removed"
        lines.append(
            f"{vocab.past_question_iri(course, past)} ({state}, since {past.since}) {past.title}"
        )
    return "\n".join(lines) + "\n# lock\n" + versioned.lock_text


def ids(course: Course) -> dict[str, str]:
    """'module/item id' -> the item's prompt or URL."""
    return {f"{m.id}/{i.id}": (i.prompt or i.url or "") for m in course.modules for i in m.items}


def iris(course: Course) -> dict[str, str]:
    """The item's prompt or URL -> its activity IRI."""
    return {
        (i.prompt or i.url or ""): vocab.item_iri(course, m, i)
        for m in course.modules
        for i in m.items
    }


def assert_no_id_reused(v1: Versioned, v2: Versioned) -> None:
    """Every id of version 2 that version 1's lock knew is the same item: the same fingerprint,
    a light edit of it, or the author's explicit id."""
    known = {
        (m.id, i.id): i for m in (*v1.lock.modules, *v1.lock.retired_modules) for i in m.all_items
    }
    for module in v2.checked.course.modules:
        for item in module.items:
            old = known.get((module.id, item.id))
            if old is None:
                continue
            new = fingerprint(item.prompt) if item.is_task else item.url or ""
            assert old.fingerprint == new or similarity(old.fingerprint, new) >= SIMILAR, (
                f"{module.id}/{item.id} went from {old.fingerprint!r} to {new!r}"
            )


def versions(
    tmp_path: Path, name: str, edit: Callable[[Path], None]
) -> tuple[Versioned, Versioned]:
    root = write_course(tmp_path / "course")
    v1 = build_lock(root)
    edit(root)
    v2 = check_versioned(root, {})
    check_golden(GOLDEN / f"{name}.txt", table(v2))
    assert_no_id_reused(v1, v2)
    return v1, v2


# -- the example course and the first version ---------------------------------------------------


def test_example_course_lock_is_the_committed_one_and_keeps_todays_ids() -> None:
    source = read_course(REPO / "course")
    plain = validate(source, {}).course
    stable = stabilise(plain, None)
    check_golden(REPO / "course" / LOCK_FILE, dump_lock(stable.lock))
    assert stable.course == plain  # a first version keeps the ids made as before locks
    again = check_versioned(REPO / "course", {})
    assert again.checked.course == plain  # with its lock: the same ids, nothing changed
    assert again.notes == [] and not again.lock_changed
    tasks_ = [i.id for i in plain.tasks]
    assert tasks_[:2] == ["theory-task-1", "theory-task-2"]
    module = plain.modules[0]
    assert vocab.item_iri(plain, module, plain.tasks[0]) == (
        "https://courses.coursepack.dev/collaborative-impact-leadership/"
        "collaborative-impact-leadership/items/theory-task-1"
    )


def test_first_build_records_the_ids_made_as_today(tmp_path: Path) -> None:
    root = write_course(tmp_path / "course")
    plain = validate(read_course(root), {}).course
    first = check_versioned(root, {})
    assert first.checked.course == plain
    assert first.lock_changed
    assert first.notes == [
        f"{LOCK_FILE}: the first record of this course's ids (commit {LOCK_FILE} with the "
        "course: later versions keep these ids)"
    ]
    check_golden(GOLDEN / "first.txt", table(first))


def test_the_lock_file_reads_back_as_written_and_is_sorted_by_id(tmp_path: Path) -> None:
    v1 = build_lock(write_course(tmp_path / "course"))
    assert parse_lock(v1.lock_text) == v1.lock
    assert dump_lock(parse_lock(v1.lock_text)) == v1.lock_text
    module = v1.lock.modules[0]
    listed = [line.strip() for line in v1.lock_text.splitlines() if "- id: theory-task" in line]
    assert listed == sorted(listed)
    assert module.id == "basics"


def test_the_lock_text_is_what_json_dumps_with_indent_two_writes_for_any_record() -> None:
    from coursepack.versions.lockfile import _indented_json, _lock_json

    record = {
        "empty": {},
        "none": [],
        "nested": [[], [{}], {"a": [1, -2, 0]}],
        "scalars": [True, False, None, 0, 12345678901234567890, 1.5],
        "text": ['quote " backslash \\ tab \t', "\u2028\u2029\x85", "café 🌍", "\x00\x1f"],
    }
    assert _indented_json(record) == json.dumps(record, indent=2, ensure_ascii=False)
    # what the lock is written with: orjson, or level by level for what orjson refuses
    for written in (record, {**record, "scalars": [True, 0, 1.5]}, {"lone": "\ud800"}):
        assert _lock_json(written) == json.dumps(written, indent=2, ensure_ascii=False)
    example = read_course(REPO / "course")
    lock = stabilise(validate(example, {}).course, None).lock
    # dump_lock's only other work is escaping YAML's line breaks, absent here
    assert dump_lock(lock) == (REPO / "course" / LOCK_FILE).read_text("utf-8")


def test_an_unchanged_course_changes_nothing(tmp_path: Path) -> None:
    root = write_course(tmp_path / "course")
    v1 = build_lock(root)
    v2 = check_versioned(root, {})
    assert v2.notes == [] and not v2.lock_changed
    assert v2.checked.course == v1.checked.course


# -- each kind of edit --------------------------------------------------------------------------


def test_deleting_a_task_keeps_every_other_id_and_retires_its_own(tmp_path: Path) -> None:
    _v1, v2 = versions(tmp_path, "delete", lambda root: write_course(root, theory=(T1, T3)))
    new = ids(v2.checked.course)
    assert new["basics/theory-task-1"] == T1
    assert new["basics/theory-task-3"] == T3  # not renumbered onto the deleted one's place
    assert "basics/theory-task-2" not in new
    assert [i.id for i in v2.lock.modules[0].retired_items] == ["theory-task-2"]
    assert v2.notes == [
        "TASK 'Who are the partners you…' removed; answers to it are kept but no longer shown"
    ]
    removed = [p for p in v2.checked.course.past_questions if not p.in_course]
    assert [(p.item_id, p.title) for p in removed] == [("theory-task-2", task_title(T2))]


def test_inserting_a_task_gives_it_an_id_never_used(tmp_path: Path) -> None:
    new_prompt = "What would you change first about the way your team collaborates?"
    _v1, v2 = versions(
        tmp_path, "insert", lambda root: write_course(root, theory=(T1, new_prompt, T2, T3))
    )
    new = ids(v2.checked.course)
    assert new["basics/theory-task-2"] == T2 and new["basics/theory-task-3"] == T3
    assert new["basics/theory-task-4"] == new_prompt
    assert v2.notes == [
        "TASK 'What would you change first…' added to Theory: new id 'theory-task-4'"
    ]


def test_reordering_tasks_keeps_their_ids_and_activity_ids(tmp_path: Path) -> None:
    v1, v2 = versions(tmp_path, "reorder", lambda root: write_course(root, theory=(T3, T1, T2)))
    assert iris(v2.checked.course) == iris(v1.checked.course)
    assert v2.notes == ["Theory: items reordered; each kept its id"]


def test_a_light_rewording_keeps_the_id_but_not_the_activity_id(tmp_path: Path) -> None:
    light = T1.replace("daily", "everyday")
    v1, v2 = versions(
        tmp_path,
        "reword",
        lambda root: write_course(root, version="1.1.0", theory=(light, T2, T3)),
    )
    course = v2.checked.course
    assert ids(course)["basics/theory-task-1"] == light
    assert iris(course)[light] == f"{IRI}/basics/items/theory-task-1~r2"
    assert v2.notes == [
        "TASK 1 of Theory reworded: kept its id; its xAPI activity id is now revision 2, so "
        "answers to each wording stay apart"
    ]
    (earlier,) = course.past_questions
    assert (earlier.item_id, earlier.revision, earlier.since, earlier.in_course) == (
        "theory-task-1",
        1,
        "1.0.0",
        True,
    )
    assert vocab.past_question_iri(course, earlier) == iris(v1.checked.course)[T1]


def test_a_rewrite_gets_a_new_id_and_leaves_the_old_answers_alone(tmp_path: Path) -> None:
    rewrite = "Describe a time a project failed and what you learned from it."
    _v1, v2 = versions(
        tmp_path, "rewrite", lambda root: write_course(root, theory=(T1, T2, rewrite))
    )
    new = ids(v2.checked.course)
    assert new["basics/theory-task-4"] == rewrite
    assert "basics/theory-task-3" not in new
    assert v2.notes == [
        "TASK 'Which skills help you most…' rewritten beyond recognition: it gets a new id "
        "('theory-task-4'), earlier answers stay with the old question"
    ]


def test_renaming_a_heading_without_an_explicit_id_keeps_the_section_id(tmp_path: Path) -> None:
    renamed = BASICS.replace("## Theory", "## Background")
    v1, v2 = versions(tmp_path, "rename-heading", lambda root: write_course(root, basics=renamed))
    module = v2.checked.course.modules[0]
    assert [s.id for s in module.sections] == ["theory", "tools"]
    assert iris(v2.checked.course) == iris(v1.checked.course)
    assert v2.notes == ["section 'Theory' renamed 'Background': kept its id 'theory'"]


def test_renaming_a_heading_with_an_explicit_id_keeps_it(tmp_path: Path) -> None:
    renamed = BASICS.replace("## Tools {{#tools}}", "## Toolbox {{#tools}}")
    assert renamed != BASICS
    v1, v2 = versions(tmp_path, "rename-explicit", lambda root: write_course(root, basics=renamed))
    module = v2.checked.course.modules[0]
    assert [s.id for s in module.sections] == ["theory", "tools"]
    assert iris(v2.checked.course) == iris(v1.checked.course)
    assert v2.notes == ["section 'Tools' renamed 'Toolbox': kept its id 'tools'"]


def test_moving_a_task_to_another_section_keeps_its_id(tmp_path: Path) -> None:
    v1, v2 = versions(
        tmp_path, "move", lambda root: write_course(root, theory=(T1, T3), tools=(T4, T2))
    )
    module = v2.checked.course.modules[0]
    assert [i.id for i in module.sections[1].items if i.is_task] == [
        "tools-task-1",
        "theory-task-2",
    ]
    assert iris(v2.checked.course) == iris(v1.checked.course)
    assert v2.notes == ["TASK 'Who are the partners you…' moved from Theory to Tools: kept its id"]


def test_moving_a_task_to_another_module_gives_it_a_new_id_there(tmp_path: Path) -> None:
    _v1, v2 = versions(
        tmp_path,
        "move-module",
        lambda root: write_course(root, theory=(T1, T3), partners=(M1, T2)),
    )
    new = ids(v2.checked.course)
    assert new["more/partners-task-2"] == T2
    assert v2.notes == [
        "TASK 'Who are the partners you…' moved from module 'Basics' to module 'More': a "
        "module's items have ids of their own, so it gets a new id there ('partners-task-2'); "
        "earlier answers stay with the old question"
    ]


def test_a_deleted_task_put_back_gets_its_id_back(tmp_path: Path) -> None:
    root = write_course(tmp_path / "course")
    build_lock(root)
    write_course(root, theory=(T1, T3))
    build_lock(root)
    write_course(root, theory=(T1, T3, "A new question about something else entirely, today?"))
    build_lock(root)
    write_course(root, theory=(T1, T2, T3))
    v4 = check_versioned(root, {})
    assert ids(v4.checked.course)["basics/theory-task-2"] == T2
    assert "TASK 'Who are the partners you…' restored" in v4.notes[0]


# -- "lightly edited", both sides of the threshold ----------------------------------------------


EIGHT = "alpha bravo charlie delta echo foxtrot golf hotel"


def test_similarity_is_the_ratio_of_normalised_words() -> None:
    assert words("Hero’s  QUEST, again!") == ["hero", "s", "quest", "again"]
    assert similarity(EIGHT, EIGHT.replace("golf hotel", "india juliet")) == 0.75
    assert similarity(EIGHT, EIGHT.replace("foxtrot golf hotel", "india juliet kilo")) == 0.625


@pytest.mark.parametrize(
    ("new", "kept"),
    [
        (EIGHT.replace("golf hotel", "india juliet"), True),  # 6 of 8 words: 0.75
        (EIGHT.replace("foxtrot golf hotel", "india juliet kilo"), False),  # 5 of 8: 0.625
        (EIGHT.upper() + "?!", True),  # case and punctuation: the same fingerprint
    ],
)
def test_a_light_edit_is_a_similarity_of_at_least_the_threshold(
    tmp_path: Path, new: str, kept: bool
) -> None:
    root = write_course(tmp_path / "course", theory=(T1, EIGHT, T3))
    build_lock(root)
    write_course(root, theory=(T1, new, T3))
    course = check_versioned(root, {}).checked.course
    assert (ids(course).get("basics/theory-task-2") == new) is kept


# -- explicit ids -------------------------------------------------------------------------------


def test_an_explicit_id_wins_over_the_lock(tmp_path: Path) -> None:
    root = write_course(tmp_path / "course")
    build_lock(root)
    basics = BASICS.replace("{theory}", "TASK {{#hero}}: " + T1 + "\n\n{theory}")
    write_course(root, theory=(T2, T3), basics=basics)
    v2 = check_versioned(root, {})
    new = ids(v2.checked.course)
    assert new["basics/hero"] == T1
    assert new["basics/theory-task-2"] == T2
    assert "basics/theory-task-1" not in new  # retired, never given to another item


# -- the property: a deleted id never goes to another item ---------------------------------------


VOCABULARY = [f"w{n}" for n in range(400)]


@pytest.mark.parametrize("seed", range(6))
def test_random_edits_never_give_an_id_to_another_item(tmp_path: Path, seed: int) -> None:
    """Each TASK carries a hidden identity; through random versions, an id only ever names
    one identity (a light rewording keeps the identity, a rewrite makes a new one)."""
    rng = random.Random(seed)
    uid = iter(range(10**6))
    sections: list[list[tuple[int, str]]] = [
        [(next(uid), " ".join(rng.sample(VOCABULARY, 10))) for _ in range(4)] for _ in range(2)
    ]
    deleted: list[tuple[int, str]] = []
    owner: dict[str, int] = {}
    root = tmp_path / "course"
    for version in range(1, 12):
        for n, section in enumerate(sections):  # a section keeps a TASK: the same filler
            if not section:
                section.append((-1 - n, f"filler of section {n} w1 w2 w3 w4 w5 w6 w7"))
        theory = tuple(p for _, p in sections[0])
        tools = tuple(p for _, p in sections[1])
        write_course(root, version=f"1.{version}.0", theory=theory, tools=tools)
        versioned = build_lock(root)
        module = versioned.checked.course.modules[0]
        by_prompt = {p: u for section in sections for u, p in section}
        for item in module.items:
            if item.is_task:
                identity = by_prompt[item.prompt or ""]
                assert owner.setdefault(item.id, identity) == identity, (seed, version, item.id)
        for _ in range(rng.randint(1, 3)):
            section = rng.choice(sections)
            op = rng.choice(["delete", "insert", "reorder", "reword", "rewrite", "move", "restore"])
            if op == "delete" and section:
                deleted.append(section.pop(rng.randrange(len(section))))
            elif op == "insert":
                prompt = " ".join(rng.sample(VOCABULARY, 10))
                section.insert(rng.randint(0, len(section)), (next(uid), prompt))
            elif op == "reorder":
                rng.shuffle(section)
            elif op == "reword" and section:
                n = rng.randrange(len(section))
                ident, prompt = section[n]
                parts = prompt.split()
                parts[rng.randrange(len(parts))] = rng.choice(VOCABULARY) + "x"
                section[n] = (ident, " ".join(parts))
            elif op == "rewrite" and section:
                n = rng.randrange(len(section))
                section[n] = (next(uid), " ".join(rng.sample(VOCABULARY, 10)))
            elif op == "move" and section:
                moved = section.pop(rng.randrange(len(section)))
                other = sections[1] if section is sections[0] else sections[0]
                other.insert(rng.randint(0, len(other)), moved)
            elif op == "restore" and deleted:
                section.insert(rng.randint(0, len(section)), deleted.pop())
        prompts = [p for s in sections for _, p in s]
        for s in sections:  # two equal prompts would be one question twice: keep them apart
            s[:] = [(u, p) for u, p in s if prompts.count(p) == 1] or s[:1]


# -- build and validate --------------------------------------------------------------------------


def _version_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("version: ")]


def _snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def test_build_and_validate_print_the_same_notes_and_validate_writes_nothing(
    tmp_path: Path,
) -> None:
    root = write_course(tmp_path / "course")
    runner = CliRunner()
    first = runner.invoke(cli, ["build", str(root), "-o", str(tmp_path / "dist")])
    assert first.exit_code == 0, first.output
    assert (root / LOCK_FILE).exists()
    write_course(root, version="1.1.0", theory=(T1, T3), tools=(T4, T2))
    before = _snapshot(root)
    checked = runner.invoke(cli, ["validate", str(root)])
    assert checked.exit_code == 0, checked.output
    assert _snapshot(root) == before  # validate writes nothing
    built = runner.invoke(cli, ["build", str(root), "-o", str(tmp_path / "dist")])
    assert built.exit_code == 0, built.output
    notes = _version_lines(checked.output)
    assert notes == _version_lines(built.output)
    assert notes == [
        "version: TASK 'Who are the partners you…' moved from Theory to Tools: kept its id"
    ]
    assert read_lock(root) == check_versioned(root, {}).lock
    assert _version_lines(runner.invoke(cli, ["validate", str(root)]).output) == []


def test_a_failed_build_leaves_the_lock_as_it_was(tmp_path: Path) -> None:
    root = write_course(tmp_path / "course")
    build_course(root, tmp_path / "dist", environ={})
    before = (root / LOCK_FILE).read_bytes()
    write_course(root, theory=(T1,), tools=("",))  # a TASK without prompt
    (root / "modules" / "basics.md").write_text(
        (root / "modules" / "basics.md").read_text() + "\nREAD: not-a-url\n"
    )
    with pytest.raises(CourseInvalid):
        build_course(root, tmp_path / "dist", environ={})
    assert (root / LOCK_FILE).read_bytes() == before


def test_an_unchanged_build_does_not_rewrite_the_lock(tmp_path: Path) -> None:
    root = write_course(tmp_path / "course")
    build_course(root, tmp_path / "dist", environ={})
    os.utime(root / LOCK_FILE, (1, 1))
    build_course(root, tmp_path / "dist", environ={})
    assert (root / LOCK_FILE).stat().st_mtime == 1


# -- a damaged lock is a located problem ---------------------------------------------------------


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        (lambda t: t.replace('"place": 1,', '"place": [1,', 1), "coursepack.lock:"),
        (lambda t: t.replace('"kind": "task"', '"kind": "quiz"', 1), "unknown kind 'quiz'"),
        (
            lambda t: t.replace('"id": "theory-task-2"', '"id": "theory-task-1"', 1),
            "listed twice",
        ),
        (lambda t: t.replace('"place": 2', '"place": "two"', 1), "'place' must be a whole"),
        (lambda t: t.replace('"lock": 1', '"lock": 9', 1), "format 9"),
        (lambda t: t.replace(IRI, IRI + "-other", 1), "was written for the course"),
        (lambda t: '"just text"\n', "the lock file must be a mapping"),
        (lambda t: "{{{\n", "not valid JSON"),
    ],
)
def test_a_damaged_lock_is_a_located_problem(
    tmp_path: Path, damage: Callable[[str], str], expected: str
) -> None:
    root = write_course(tmp_path / "course")
    build_lock(root)
    lock = root / LOCK_FILE
    lock.write_text(damage(lock.read_text(encoding="utf-8")), encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(root)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output and result.exception is not None
    assert isinstance(result.exception, SystemExit)
    assert expected in result.output
    assert "coursepack.lock" in result.output.splitlines()[0]


def test_a_lock_that_is_a_link_is_refused(tmp_path: Path) -> None:
    root = write_course(tmp_path / "course")
    build_lock(root)
    shutil.move(root / LOCK_FILE, tmp_path / "elsewhere.lock")
    (root / LOCK_FILE).symlink_to(tmp_path / "elsewhere.lock")
    with pytest.raises(CourseInvalid, match="not a regular file"):
        check_versioned(root, {})


def test_the_lock_of_a_course_is_its_first_version(tmp_path: Path) -> None:
    course = validate(read_course(write_course(tmp_path / "course")), {}).course
    lock = lock_of(course)
    assert [m.id for m in lock.modules] == ["basics", "more"]
    assert all(i.revision == 1 and i.since == "1.0.0" for i in lock.modules[0].items if i.is_task)


def test_the_runtime_configuration_keeps_the_state_key_and_carries_the_revision(
    tmp_path: Path,
) -> None:
    from coursepack.tracking import prompt_hash, runtime_config

    root = write_course(tmp_path / "course")
    v1 = build_lock(root)
    light = T1.replace("daily", "everyday")
    write_course(root, version="1.1.0", theory=(light, T2, T3))
    v2 = build_lock(root)

    def first_task(versioned: Versioned) -> dict[str, object]:
        config = runtime_config(versioned.checked.course, {}).to_json()
        items = config["modules"][0]["sections"][0]["items"]
        task: dict[str, object] = next(i for i in items if i["kind"] == "task")
        return task

    before, after = first_task(v1), first_task(v2)
    assert before["key"] == after["key"] == "basics/theory-task-1"  # saved state stays
    assert (before["revision"], after["revision"]) == (1, 2)
    assert after["iri"] == f"{IRI}/basics/items/theory-task-1~r2"
    assert before["fingerprint"] == prompt_hash(T1) != after["fingerprint"]
    assert after["fingerprint"] == prompt_hash(light.upper())  # case does not count


def test_a_renamed_module_file_keeps_the_module_id_when_its_title_stays(tmp_path: Path) -> None:
    root = write_course(tmp_path / "course")
    v1 = build_lock(root)
    (root / "modules" / "more.md").rename(root / "modules" / "partners.md")
    yaml = (root / "course.yaml").read_text().replace("modules/more.md", "modules/partners.md")
    (root / "course.yaml").write_text(yaml)
    v2 = check_versioned(root, {})
    assert [m.id for m in v2.checked.course.modules] == ["basics", "more"]
    assert iris(v2.checked.course) == iris(v1.checked.course)
    assert v2.notes == [
        "module 'More' now comes from modules/partners.md (was modules/more.md): kept its id 'more'"
    ]


def test_an_explicit_module_id_in_course_yaml_wins(tmp_path: Path) -> None:
    root = write_course(tmp_path / "course")
    build_lock(root)
    yaml = (root / "course.yaml").read_text()
    yaml = yaml.replace("  - modules/more.md", "  - file: modules/more.md\n    id: partners")
    (root / "course.yaml").write_text(yaml)
    v2 = check_versioned(root, {})
    assert [m.id for m in v2.checked.course.modules] == ["basics", "partners"]
    assert "module 'More' removed; answers to its TASKs are kept but no longer shown" in v2.notes
    assert [m.id for m in v2.lock.retired_modules] == ["more"]


def test_an_explicit_id_that_a_removed_task_had_is_said(tmp_path: Path) -> None:
    root = write_course(tmp_path / "course")
    build_lock(root)
    write_course(root, theory=(T1, T3))  # theory-task-2 is retired
    build_lock(root)
    other = "A different question about budgets and who decides them?"
    # first in its section: the validator's place-made ids would otherwise clash with it
    basics = BASICS.replace("{theory}", "TASK {{#theory-task-2}}: " + other + "\n\n{theory}")
    write_course(root, theory=(T1, T3), basics=basics)
    v3 = check_versioned(root, {})
    assert ids(v3.checked.course)["basics/theory-task-2"] == other  # the author's choice
    assert v3.notes == [
        "TASK 'A different question about budgets…' takes the explicit id 'theory-task-2' of "
        "a removed TASK: a learner's saved answer to that one is shown beside it as an answer "
        "to an earlier wording, not as its answer (its xAPI activity id is a new revision)"
    ]
    assert iris(v3.checked.course)[other].endswith("/items/theory-task-2~r2")


def test_an_explicit_id_that_the_lock_gives_an_unchanged_task_is_a_located_error(
    tmp_path: Path,
) -> None:
    root = write_course(tmp_path / "course")
    build_lock(root)
    # T1 takes T2's id while T2, word for word, is still in the course
    write_course(root, theory=(f"{{#theory-task-2}} {T1}", T2, T3))
    basics = (root / "modules" / "basics.md").read_text("utf-8")
    basics = basics.replace("TASK: {#theory-task-2} ", "TASK {#theory-task-2}: ")
    (root / "modules" / "basics.md").write_text(basics, "utf-8")
    with pytest.raises(CourseInvalid) as info:
        check_versioned(root, {})
    assert info.value.message.splitlines() == [
        "modules/basics.md:9:1: item id 'theory-task-2' is the id that the TASK at "
        "modules/basics.md:11:1 keeps in coursepack.lock: the two would share a learner's "
        "saved answers (choose another id, or give that item an explicit id too)",
        "1 problem found; nothing was written.",
    ]
    # an explicit id for a rewritten TASK's own id is the author's choice, as before
    write_course(root, theory=("Something else entirely, about money and budgets?", T2, T3))
    basics = (root / "modules" / "basics.md").read_text("utf-8")
    basics = basics.replace("TASK: Something", "TASK {#theory-task-1}: Something")
    (root / "modules" / "basics.md").write_text(basics, "utf-8")
    assert check_versioned(root, {}).checked.course.modules[0].sections[0].items[1].id == (
        "theory-task-1"
    )


def test_a_lock_saved_with_crlf_and_a_bom_reads_the_same_and_is_not_rewritten(
    tmp_path: Path,
) -> None:
    root = write_course(tmp_path / "course")
    v1 = build_lock(root)
    (root / LOCK_FILE).write_bytes(b"\xef\xbb\xbf" + v1.lock_text.replace("\n", "\r\n").encode())
    again = check_versioned(root, {})
    assert again.lock == v1.lock and not again.lock_changed and again.notes == []
