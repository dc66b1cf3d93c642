"""The validator: every kind of bad course gets located messages, all at once, exit 1."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from coursepack.errors import CourseInvalid, UserError
from coursepack.model import CompletionRule, ItemKind, ScoreRule
from coursepack.pipeline import load_course
from coursepack.titles import item_title
from coursepack.tracking import runtime_config
from tests.golden import check_golden

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures" / "courses"
FAILURE_KINDS = sorted(p.name for p in FIXTURES.iterdir() if (p / "course.yaml").exists())
# a minimal course.yaml: add the module list
COURSE_YAML = "id: https://example.org/c\ntitle: T\nlanguage: en\nversion: '1'\nmodules:\n"


def _problems(course_dir: Path) -> str:
    with pytest.raises(CourseInvalid) as info:
        load_course(course_dir, environ={})
    return info.value.message + "\n"


@pytest.mark.parametrize("kind", FAILURE_KINDS)
def test_each_failure_kind_lists_every_problem_with_its_location(kind: str) -> None:
    listing = _problems(FIXTURES / kind)
    check_golden(FIXTURES / kind / "expected.txt", listing)
    for line in listing.splitlines()[:-1]:
        location = line.split(": ", 1)[0]
        file, line_no, col = location.rsplit(":", 2)
        assert (FIXTURES / kind / file).exists(), line
        assert int(line_no) >= 1 and int(col) >= 1, line


@pytest.mark.parametrize("kind", FAILURE_KINDS)
def test_cli_validate_exits_1_without_traceback(kind: str) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "coursepack", "validate", str(FIXTURES / kind)],
        capture_output=True,
        text=True,
        env={"PATH": "", "PYTHONPATH": str(REPO / "src")},
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert proc.stdout == ""
    # validate never writes, so it does not say that nothing was written
    assert proc.stderr.rstrip().endswith("found.")
    assert "nothing was written" not in proc.stderr


def test_example_course_loads_the_whole_seed_module() -> None:
    course = load_course(REPO / "course", environ={})
    assert course.id == "https://courses.coursepack.dev/collaborative-impact-leadership"
    assert course.completion is CompletionRule.ALL_TASKS
    (module,) = course.modules
    assert [s.title for s in module.sections] == ["Theory", "Tools and tips"]
    kinds = [item.kind for item in course.items]
    assert kinds.count(ItemKind.READ) == 5
    assert kinds.count(ItemKind.WATCH) == 4
    assert kinds.count(ItemKind.TASK) == 7
    seed = (REPO.parent / "shared" / "seeds" / "000_bdfd777807278e38.txt").read_text("utf-8")
    seed_urls = [
        line.split(":", 1)[1].strip()
        for line in seed.splitlines()
        if line.startswith(("READ:", "WATCH:"))
    ]
    assert [item.url for item in course.items if item.url] == seed_urls
    seed_prompts = [line[5:].strip() for line in seed.splitlines() if line.startswith("TASK:")]
    assert [item.prompt for item in course.tasks] == seed_prompts


def test_item_ids_survive_editing_the_prose(tmp_path: Path) -> None:
    shutil.copytree(REPO / "course", tmp_path / "c")
    before = load_course(tmp_path / "c", environ={})
    module_file = tmp_path / "c" / "modules" / "collaborative-impact-leadership.md"
    text = module_file.read_text("utf-8")
    text = text.replace("This comprehensive blog", "This long and thorough blog")
    text = text.replace("When do you have to collaborate", "When must you collaborate")
    module_file.write_text(text, "utf-8")
    after = load_course(tmp_path / "c", environ={})
    assert [i.id for i in before.items] == [i.id for i in after.items]
    assert before.tasks[0].prompt != after.tasks[0].prompt


def test_explicit_ids_override_derived_ones(tmp_path: Path) -> None:
    (tmp_path / "modules").mkdir()
    (tmp_path / "course.yaml").write_text(COURSE_YAML + "  - file: modules/m.md\n    id: intro\n")
    (tmp_path / "modules" / "m.md").write_text(
        "# M\n\n## Getting started {#start}\n\nREAD {#the-read}: [A title](https://example.org/a)\n"
        "\nTASK {#first-thoughts}: Why?\n"
    )
    course = load_course(tmp_path, environ={})
    module = course.modules[0]
    assert module.id == "intro"
    assert module.sections[0].id == "start"
    assert [i.id for i in module.items] == ["the-read", "first-thoughts"]
    assert item_title(module.items[0], "en") == "A title"


def test_an_explicit_id_another_task_gets_from_its_place_is_a_located_error(
    tmp_path: Path,
) -> None:
    """Before or after it, in its section or another: the two would share saved answers."""
    (tmp_path / "modules").mkdir()
    (tmp_path / "course.yaml").write_text(COURSE_YAML + "  - modules/m.md\n")
    module = tmp_path / "modules" / "m.md"
    module.write_text(
        "# M\n\n## Theory\n\nTASK {#theory-task-2}: First?\n\nTASK: Second?\n"
        "\nTASK {#practice-task-1}: Third?\n\n## Practice\n\nTASK: Fourth?\n"
    )
    assert _problems(tmp_path).splitlines() == [
        "modules/m.md:5:1: item id 'theory-task-2' is the id that the TASK at modules/m.md:7:1 "
        "gets from its place: the two would share a learner's saved answers (choose another "
        "id, or give that item an explicit id too)",
        "modules/m.md:9:1: item id 'practice-task-1' is the id that the TASK at modules/m.md:13:1 "
        "gets from its place: the two would share a learner's saved answers (choose another "
        "id, or give that item an explicit id too)",
        "2 problems found; nothing was written.",
    ]
    # an explicit id on the other TASK too, or one nobody derives, is fine
    module.write_text(
        "# M\n\n## Theory\n\nTASK {#theory-task-2}: First?\n\nTASK {#second}: Second?\n"
    )
    assert [i.id for i in load_course(tmp_path, environ={}).modules[0].items] == [
        "theory-task-2",
        "second",
    ]


def test_yaml_module_gives_the_same_model_as_markdown(tmp_path: Path) -> None:
    (tmp_path / "modules").mkdir()
    (tmp_path / "course.yaml").write_text(COURSE_YAML + "  - modules/m.md\n  - modules/y.yaml\n")
    (tmp_path / "modules" / "m.md").write_text(
        "# Same\n\nIntro.\n\n## Part\n\nBefore.\n\nREAD: https://example.org/a\n\nTASK: Why?\n"
    )
    (tmp_path / "modules" / "y.yaml").write_text(
        "title: Same\nintro: Intro.\nsections:\n  - title: Part\n    items:\n"
        "      - read: https://example.org/a\n        intro: Before.\n      - task: Why?\n"
    )
    md, yml = load_course(tmp_path, environ={}).modules
    assert (md.title, md.intro_md) == (yml.title, yml.intro_md)
    strip = [(i.id, i.kind, i.url, i.prompt, i.intro_md, i.explicit_title) for i in md.items]
    assert strip == [
        (i.id, i.kind, i.url, i.prompt, i.intro_md, i.explicit_title) for i in yml.items
    ]


def test_a_missing_course_folder_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match=r"no course\.yaml"):
        load_course(tmp_path, environ={})


def test_dual_tracking_endpoint_may_come_from_the_environment(tmp_path: Path) -> None:
    shutil.copytree(REPO / "course", tmp_path / "c")
    course_file = tmp_path / "c" / "course.yaml"
    course_file.write_text(
        course_file.read_text() + "tracking:\n  lrs:\n    actor_homepage: https://lms.example.org\n"
    )
    course = load_course(
        tmp_path / "c", environ={"COURSEPACK_LRS_ENDPOINT": "https://lrs.example.org/xapi"}
    )
    assert course.lrs is not None
    assert course.lrs.endpoint == "https://lrs.example.org/xapi/"


def test_items_may_name_files_of_the_media_folder_and_nothing_else(tmp_path: Path) -> None:
    (tmp_path / "modules").mkdir()
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "clip.mp4").write_bytes(b"\x00" * 64)
    (tmp_path / "media" / "notes.pdf").write_bytes(b"%PDF-1.4")
    (tmp_path / "course.yaml").write_text(COURSE_YAML + "  - modules/m.md\n")
    module = tmp_path / "modules" / "m.md"
    module.write_text(
        "# M\n\n## S\n\nWATCH: media/clip.mp4\n\nREAD: media/notes.pdf\n\nTASK: Why?\n"
    )
    course = load_course(tmp_path, environ={})
    assert [i.url for i in course.items if i.url] == ["media/clip.mp4", "media/notes.pdf"]
    assert [m.path for m in course.media] == ["media/clip.mp4", "media/notes.pdf"]

    module.write_text(
        "# M\n\n## S\n\nWATCH: media/Clip.mp4\n\nREAD: media/../course.yaml\n\nTASK: Why?\n"
    )
    listing = _problems(tmp_path)
    assert "modules/m.md:5:8: WATCH names 'media/Clip.mp4', which is not a file" in listing
    assert "modules/m.md:7:7: READ names 'media/../course.yaml', which is not a file" in listing


def test_a_version_written_as_a_number_keeps_its_text(tmp_path: Path) -> None:
    shutil.copytree(REPO / "course", tmp_path / "c")
    course_file = tmp_path / "c" / "course.yaml"
    course_file.write_text(course_file.read_text().replace("version: 1.0.0", "version: 1.10"))
    assert load_course(tmp_path / "c", environ={}).version == "1.10"


def _course(tmp_path: Path, course_yaml: str, modules: dict[str, str]) -> Path:
    (tmp_path / "modules").mkdir(exist_ok=True)
    (tmp_path / "course.yaml").write_bytes(course_yaml.encode("utf-8"))
    for name, text in modules.items():
        (tmp_path / "modules" / name).write_bytes(text.encode("utf-8"))
    return tmp_path


def test_a_byte_order_mark_at_the_start_of_a_module_is_ignored(tmp_path: Path) -> None:
    _course(
        tmp_path,
        "\ufeff" + COURSE_YAML + "  - modules/m.md\n",
        {"m.md": "\ufeff# Welcome {#welcome}\r\n\r\nTASK: Why?\r\n"},
    )
    (module,) = load_course(tmp_path, environ={}).modules
    assert (module.id, module.title) == ("welcome", "Welcome")


def test_yaml_values_keep_the_text_as_written(tmp_path: Path) -> None:
    _course(
        tmp_path,
        COURSE_YAML.replace("title: T", "title: true") + "  - modules/m.yaml\n",
        {
            "m.yaml": "title: 2024-01-01\nsections:\n  - title: .inf\n    items:\n"
            "      - task: 1.10\n"
        },
    )
    course = load_course(tmp_path, environ={})
    assert course.title == "true"
    (module,) = course.modules
    assert (module.title, module.sections[0].title) == ("2024-01-01", ".inf")
    assert module.items[0].prompt == "1.10"


def test_a_list_or_mapping_where_text_belongs_is_a_located_problem(tmp_path: Path) -> None:
    _course(
        tmp_path,
        COURSE_YAML.replace("title: T", "title: [a, b]")
        + "  - file: modules/m.yaml\n    title: {x: 1}\n",
        {"m.yaml": "title: M\nsections:\n  - title: S\n    items:\n      - task: [why]\n"},
    )
    listing = _problems(tmp_path)
    assert "course.yaml:2:8: 'title' must be text, not a list" in listing
    assert "course.yaml:7:12: 'title' must be text, not a mapping" in listing
    assert "modules/m.yaml:5:15: 'task' must be text, not a list" in listing
    assert "['a', 'b']" not in listing


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("!custom T", "unsupported YAML tag '!custom'"),
        ("!!binary aGVsbG8=", "unsupported YAML tag"),
        ("&loop [*loop]", "an alias refers to the value that contains it"),
    ],
)
def test_odd_yaml_is_a_located_problem_not_a_crash(
    tmp_path: Path, value: str, message: str
) -> None:
    _course(
        tmp_path,
        COURSE_YAML.replace("title: T", f"title: {value}") + "  - modules/m.md\n",
        {"m.md": "# M\n\nTASK: Why?\n"},
    )
    assert f"course.yaml:2:8: {message}" in _problems(tmp_path)


def test_yaml_merge_keys_fill_in_the_keys_not_given(tmp_path: Path) -> None:
    _course(
        tmp_path,
        COURSE_YAML + "  - modules/m.yaml\n",
        {
            "m.yaml": "title: M\nsections:\n  - title: S\n    items:\n"
            "      - &base {read: 'https://example.org/a', intro: Shared.}\n"
            "      - <<: *base\n        read: https://example.org/b\n"
        },
    )
    items = load_course(tmp_path, environ={}).items
    assert [(i.url, i.intro_md) for i in items] == [
        ("https://example.org/a", "Shared."),
        ("https://example.org/b", "Shared."),
    ]


def test_a_task_prompt_goes_on_over_the_lines_that_follow_it(tmp_path: Path) -> None:
    _course(
        tmp_path,
        COURSE_YAML + "  - modules/m.md\n",
        {
            "m.md": "# M\n\n## S\n\nTASK: Think of a project\nthat needed many teams.\n"
            "What made it work?\n\nIntro of the next.\n\nTASK:\n  Name one skill.\n"
            "READ: https://example.org/a\nNot part of a READ.\n\nTASK: Last\n"
        },
    )
    first, second, read, last = load_course(tmp_path, environ={}).items
    assert first.prompt == "Think of a project\nthat needed many teams.\nWhat made it work?"
    assert item_title(first, "en") == "Think of a project that needed many teams."
    assert first.intro_md == ""
    assert (second.intro_md, second.prompt) == ("Intro of the next.", "Name one skill.")
    assert read.url == "https://example.org/a"
    assert (last.intro_md, last.prompt) == ("Not part of a READ.", "Last")


def test_link_items_take_markdown_link_forms_and_parentheses_in_urls(tmp_path: Path) -> None:
    _course(
        tmp_path,
        COURSE_YAML + "  - modules/m.md\n",
        {
            "m.md": "# M\n\n"
            "READ: [Leadership](https://en.wikipedia.org/wiki/Leadership_(disambiguation))\n\n"
            "READ: [The [draft] guide](https://example.org/guide)\n\n"
            "WATCH: <https://example.org/talk>\n\n"
            "READ: [Angle](<https://example.org/angle>)\n\nTASK: Why?\n"
        },
    )
    links = [(i.url, item_title(i, "en")) for i in load_course(tmp_path, environ={}).items if i.url]
    assert links == [
        ("https://en.wikipedia.org/wiki/Leadership_(disambiguation)", "Leadership"),
        ("https://example.org/guide", "The [draft] guide"),
        ("https://example.org/talk", "Talk"),
        ("https://example.org/angle", "Angle"),
    ]


@pytest.mark.parametrize("course_id", ["https://example.org/c?", "https://example.org/c#"])
def test_a_course_id_with_an_empty_query_or_fragment_is_refused(
    tmp_path: Path, course_id: str
) -> None:
    _course(
        tmp_path,
        COURSE_YAML.replace("https://example.org/c", course_id) + "  - modules/m.md\n",
        {"m.md": "# M\n\nTASK: Why?\n"},
    )
    assert f"course.yaml:1:5: course id '{course_id}' is not an absolute" in _problems(tmp_path)


def test_control_characters_are_located_problems_not_a_crash_in_the_manifest(
    tmp_path: Path,
) -> None:
    _course(
        tmp_path,
        COURSE_YAML.replace("title: T", 'title: "T\\x01"') + "  - modules/m.md\n",
        {"m.md": "# M\x1b[1m\n\n## S\n\nTASK: Why\x0c?\n"},
    )
    listing = _problems(tmp_path)
    assert "course.yaml:2:8: control character U+0001 in the text" in listing
    assert "modules/m.md:1:4: control character U+001B in the text" in listing
    assert "modules/m.md:5:10: control character U+000C in the text" in listing


def test_headings_need_a_space_after_the_hashes_and_may_close_with_hashes(
    tmp_path: Path,
) -> None:
    _course(
        tmp_path,
        COURSE_YAML + "  - modules/m.md\n",
        {
            "m.md": "# Leading teams #\n\n## Theory ##\n\n#1 priority: listen.\n\nTASK: Why?\n\n"
            "## C# and F#\n\n#hashtag\n\nTASK: How?\n"
        },
    )
    (module,) = load_course(tmp_path, environ={}).modules
    assert module.title == "Leading teams"
    assert [s.title for s in module.sections] == ["Theory", "C# and F#"]
    assert [i.intro_md for i in module.items] == ["#1 priority: listen.", "#hashtag"]


def test_a_module_entry_naming_a_folder_says_so(tmp_path: Path) -> None:
    (tmp_path / "modules" / "intro").mkdir(parents=True)
    (tmp_path / "course.yaml").write_text(COURSE_YAML + "  - modules/intro\n")
    listing = _problems(tmp_path)
    assert "course.yaml:6:5: 'modules/intro' is a folder, not a module file" in listing


def test_an_item_link_may_carry_a_markdown_link_title(tmp_path: Path) -> None:
    (tmp_path / "modules").mkdir()
    (tmp_path / "course.yaml").write_text(COURSE_YAML + "  - modules/m.md\n")
    (tmp_path / "modules" / "m.md").write_text(
        '# M\n\n## S\n\nREAD: [The guide](https://example.org/guide "Our guide")\n\nTASK: Why?\n'
    )
    (item, _) = load_course(tmp_path, environ={}).items
    assert (item.url, item.explicit_title) == ("https://example.org/guide", "The guide")


def test_score_progress_reaches_the_runtime_and_an_unknown_rule_is_located(
    tmp_path: Path,
) -> None:
    _course(
        tmp_path,
        COURSE_YAML + "  - modules/m.md\nscore: progress\n",
        {"m.md": "# M\n\nTASK: Why?\n"},
    )
    course = load_course(tmp_path, environ={})
    assert course.score is ScoreRule.PROGRESS
    assert runtime_config(course, {}).to_json()["course"]["score"] == "progress"
    (tmp_path / "course.yaml").write_text(COURSE_YAML + "  - modules/m.md\nscore: percent\n")
    listing = _problems(tmp_path)
    assert "course.yaml:7:8: unknown score rule 'percent' (use one of: none, progress)" in listing
    (tmp_path / "course.yaml").write_text(COURSE_YAML + "  - modules/m.md\n")
    assert runtime_config(load_course(tmp_path, environ={}), {}).to_json()["course"]["score"] == (
        "none"
    )
