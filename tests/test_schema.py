"""The JSON Schemas and the validator agree: same keys, same types, same allowed values.

Checked by behaviour, through ``coursepack.validate.load_course`` on small courses: every key
and value of a schema is accepted by the validator; every key the validator names as allowed
(its "allowed: ..." hint for an unknown key) is in the schema, and nothing else is accepted.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from coursepack.cli import cli
from coursepack.errors import CourseInvalid, Problem
from coursepack.pipeline import load_course
from coursepack.schema import load_schema

REPO = Path(__file__).resolve().parents[1]
COURSE_SCHEMA = load_schema("course")
MODULE_SCHEMA = load_schema("module")
NOT_A_KEY = "zqxjkv"  # close to no allowed key: the validator's hint then lists them all

BASE_COURSE: dict[str, Any] = {
    "id": "https://courses.example.org/schema-test",
    "title": "Schema test",
    "description": "A course that tries every key.",
    "language": "en",
    "version": "1.0.0",
    "completion": "all-tasks",
    "modules": ["modules/m.yaml"],
}
CHECK_ITEM: dict[str, Any] = {
    "check": "Which is right?",
    "options": [{"text": "This one", "correct": True}, {"text": "That one"}],
}
BASE_MODULE: dict[str, Any] = {
    "title": "Module",
    # a CHECK, so that the pass rules have a score to read
    "sections": [{"title": "Section", "items": [{"read": "https://example.org/a"}, CHECK_ITEM]}],
}

# one or more valid values for every key of the schemas, by where the key lives
COURSE_SAMPLES: dict[str, list[Any]] = {
    "id": ["https://courses.example.org/other", "http://example.org/a/b"],
    "title": ["Another title"],
    "description": ["Another description."],
    "language": ["fr", "en-GB", "pt-BR"],
    "version": ["2.0.1-beta+3", 3, 1.5],
    "completion": COURSE_SCHEMA["properties"]["completion"]["enum"],
    "modules": [["modules/m.yaml"], [{"file": "modules/m.yaml", "id": "mod", "title": "M"}]],
    "lms": COURSE_SCHEMA["properties"]["lms"]["enum"],
    "tracking": [
        {"lrs": {"endpoint": "https://lrs.example.org/xapi/", "actor_homepage": "https://lms.x"}}
    ],
    "cmi5": [{"au_per": v} for v in ("module", "course")],
    "score": COURSE_SCHEMA["properties"]["score"]["enum"],
    "words": [{"saveExit": "Pause"}, {"task.heading": "Exercise {number}"}],
    "theme": [{"primary": "#0b5cad", "accent": "#8a4b00", "footer": False}, {"footer": "(c) Acme"}],
    "assessment": [
        {"pass_mark": 0},
        {"pass_mark": 100, "attempts": 0, "shuffle": True, "retry": False},
        {"attempts": 3},
    ],
    "duration": [45, "90 min", "1 h 30 min", "2h"],
    "objectives": [["Name three *kinds* of collaboration", "Plan a first step"]],
}
MODULE_SAMPLES: dict[str, list[Any]] = {
    "title": ["Another module"],
    "id": ["mod-a"],
    "intro": ["Intro *text*."],
    "sections": [[{"title": "S", "items": [{"task": "Why?"}]}]],
}
SECTION_SAMPLES: dict[str, list[Any]] = {
    "title": ["Other"],
    "id": ["sec-a"],
    "intro": ["Before."],
    "outro": ["After."],
    "items": [[{"watch": "https://www.youtube.com/watch?v=abc"}]],
}
ITEM_SAMPLES: dict[str, list[Any]] = {
    "read": ["https://example.org/b"],
    "watch": ["https://vimeo.com/1234"],
    "task": ["What did you learn?"],
    "check": ["Which is right?"],
    "options": [
        CHECK_ITEM["options"],
        [{"text": True, "correct": True, "feedback": "Yes."}, {"text": False}],
        [{"text": "a", "correct": True}, {"text": "b", "correct": True}, {"text": "c"}],
    ],
    "answers": [["Paris", "paris, France"], [1789]],
    "feedback": [{"correct": "Well done.", "incorrect": "Look again."}, {"correct": "Yes."}],
    "id": ["item-a"],
    "intro": ["Read this."],
    "title": ["A title"],
}


def write_course(root: Path, course: dict[str, Any], module: dict[str, Any]) -> Path:
    (root / "modules").mkdir(parents=True, exist_ok=True)
    (root / "course.yaml").write_text(yaml.safe_dump(course, sort_keys=False), "utf-8")
    (root / "modules" / "m.yaml").write_text(yaml.safe_dump(module, sort_keys=False), "utf-8")
    return root


def problems_of(root: Path) -> list[Problem]:
    try:
        load_course(root, environ={})
    except CourseInvalid as invalid:
        return [p for p in invalid.problems if p.is_error]
    return []


def schema_errors(schema: dict[str, Any], data: Any) -> list[str]:
    return [e.message for e in Draft202012Validator(schema).iter_errors(data)]


def allowed_by_validator(root: Path, course: dict[str, Any], module: dict[str, Any]) -> set[str]:
    """The keys the validator lists in its hint for the unknown key NOT_A_KEY."""
    write_course(root, course, module)
    found = problems_of(root)
    hints = [p.hint for p in found if f"'{NOT_A_KEY}'" in p.message]
    assert len(hints) == 1, [str(p) for p in found]
    match = re.fullmatch(r"allowed: (.*)", hints[0])
    assert match, hints[0]
    return set(match.group(1).split(", "))


def props(schema: dict[str, Any], *path: str) -> dict[str, Any]:
    node = schema
    for part in path:
        node = node[part]
    properties: dict[str, Any] = node["properties"]
    return properties


def with_key(base: dict[str, Any], path: list[str | int], key: str, value: Any) -> dict[str, Any]:
    data = copy.deepcopy(base)
    node: Any = data
    for part in path:
        node = node[part]
    node[key] = value
    return data


COURSE_LEVELS: list[tuple[str, list[str | int], tuple[str, ...]]] = [
    ("course", [], ()),
    ("module entry", ["modules", 0], ("properties", "modules", "items", "oneOf", "1")),
    ("tracking", ["tracking"], ("properties", "tracking")),
    ("tracking.lrs", ["tracking", "lrs"], ("properties", "tracking", "properties", "lrs")),
    ("cmi5", ["cmi5"], ("properties", "cmi5")),
    ("assessment", ["assessment"], ("properties", "assessment")),
]
MODULE_LEVELS: list[tuple[str, list[str | int], tuple[str, ...]]] = [
    ("module", [], ()),
    ("section", ["sections", 0], ("$defs", "section")),
    ("item", ["sections", 0, "items", 0], ("$defs", "item")),
]
FULL_COURSE = {
    **BASE_COURSE,
    "assessment": {"pass_mark": 50},
    "modules": [{"file": "modules/m.yaml"}],
    "tracking": {"lrs": {"endpoint": "https://lrs.example.org/", "actor_homepage": "https://l.x"}},
    "cmi5": {"au_per": "module"},
    "score": "progress",
    "words": {"saveExit": "Pause"},
    "theme": {"primary": "#0b5cad", "accent": "#8a4b00", "logo_alt": "Acme", "footer": "Acme"},
}


def _schema_node(schema: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    node: Any = schema
    for part in path:
        node = node[int(part)] if isinstance(node, list) else node[part]
    return dict(node)


def test_base_course_is_valid_for_validator_and_schemas(tmp_path: Path) -> None:
    write_course(tmp_path, FULL_COURSE, BASE_MODULE)
    assert problems_of(tmp_path) == []
    assert schema_errors(COURSE_SCHEMA, FULL_COURSE) == []
    assert schema_errors(MODULE_SCHEMA, BASE_MODULE) == []


@pytest.mark.parametrize(("where", "path", "schema_path"), COURSE_LEVELS, ids=lambda x: str(x))
def test_course_yaml_keys_accepted_by_validator_are_exactly_the_schema_keys(
    tmp_path: Path, where: str, path: list[str | int], schema_path: tuple[str, ...]
) -> None:
    course = with_key(FULL_COURSE, path, NOT_A_KEY, "x")
    allowed = allowed_by_validator(tmp_path, course, BASE_MODULE)
    assert allowed == set(_schema_node(COURSE_SCHEMA, schema_path)["properties"]), where
    assert schema_errors(COURSE_SCHEMA, course), f"the schema accepts an unknown key in {where}"


@pytest.mark.parametrize(("where", "path", "schema_path"), MODULE_LEVELS, ids=lambda x: str(x))
def test_yaml_module_keys_accepted_by_validator_are_exactly_the_schema_keys(
    tmp_path: Path, where: str, path: list[str | int], schema_path: tuple[str, ...]
) -> None:
    module = with_key(BASE_MODULE, path, NOT_A_KEY, "x")
    allowed = allowed_by_validator(tmp_path, BASE_COURSE, module)
    assert allowed == set(_schema_node(MODULE_SCHEMA, schema_path)["properties"]), where
    assert schema_errors(MODULE_SCHEMA, module), f"the schema accepts an unknown key in {where}"


def test_every_schema_key_has_samples_in_this_test() -> None:
    assert set(COURSE_SAMPLES) == set(props(COURSE_SCHEMA))
    assert set(MODULE_SAMPLES) == set(props(MODULE_SCHEMA))
    assert set(SECTION_SAMPLES) == set(props(MODULE_SCHEMA, "$defs", "section"))
    assert set(ITEM_SAMPLES) == set(props(MODULE_SCHEMA, "$defs", "item"))


def _module_cases() -> list[tuple[str, dict[str, Any]]]:
    cases: list[tuple[str, dict[str, Any]]] = []
    for key, values in MODULE_SAMPLES.items():
        cases += [(f"module.{key}={v!r}", with_key(BASE_MODULE, [], key, v)) for v in values]
    for key, values in SECTION_SAMPLES.items():
        cases += [
            (f"section.{key}={v!r}", with_key(BASE_MODULE, ["sections", 0], key, v)) for v in values
        ]
    for key, values in ITEM_SAMPLES.items():
        for v in values:
            item: dict[str, Any] = {key: v}
            if key == "check":
                item["options"] = CHECK_ITEM["options"]
            elif key in ("options", "answers", "feedback"):
                item["check"] = "Which?"
                if key == "feedback":
                    item["options"] = CHECK_ITEM["options"]
            elif key not in ("read", "watch", "task"):
                item["task"] = "Why?"
            module = copy.deepcopy(BASE_MODULE)
            module["sections"][0]["items"] = [item]
            cases.append((f"item.{key}={v!r}", module))
    return cases


@pytest.mark.parametrize(
    ("key", "value"),
    [(k, v) for k, values in COURSE_SAMPLES.items() for v in values],
    ids=lambda x: str(x)[:40],
)
def test_every_course_schema_key_and_value_is_accepted_by_the_validator(
    tmp_path: Path, key: str, value: Any
) -> None:
    course = {**BASE_COURSE, key: value}
    assert schema_errors(COURSE_SCHEMA, course) == []
    write_course(tmp_path, course, BASE_MODULE)
    assert [str(p) for p in problems_of(tmp_path)] == []


@pytest.mark.parametrize(("case", "module"), _module_cases(), ids=lambda x: str(x)[:40])
def test_every_module_schema_key_and_value_is_accepted_by_the_validator(
    tmp_path: Path, case: str, module: dict[str, Any]
) -> None:
    assert schema_errors(MODULE_SCHEMA, module) == [], case
    write_course(tmp_path, BASE_COURSE, module)
    assert [str(p) for p in problems_of(tmp_path)] == [], case


ENUM_KEYS: list[tuple[list[str | int], str, tuple[str, ...]]] = [
    ([], "completion", ("properties", "completion")),
    ([], "lms", ("properties", "lms")),
    (["cmi5"], "au_per", ("properties", "cmi5", "properties", "au_per")),
]


@pytest.mark.parametrize(("path", "key", "schema_path"), ENUM_KEYS, ids=lambda x: str(x))
def test_allowed_values_are_the_same_in_schema_and_validator(
    tmp_path: Path, path: list[str | int], key: str, schema_path: tuple[str, ...]
) -> None:
    enum = _schema_node(COURSE_SCHEMA, schema_path)["enum"]
    for value in enum:
        write_course(tmp_path, with_key(FULL_COURSE, path, key, value), BASE_MODULE)
        assert problems_of(tmp_path) == [], value
    course = with_key(FULL_COURSE, path, key, "not-a-value")
    write_course(tmp_path, course, BASE_MODULE)
    (problem,) = problems_of(tmp_path)
    named = set(re.findall(r"[a-z][a-z0-9-]+", problem.hint.split(":", 1)[-1])) - {"use", "or"}
    assert named == set(enum)
    assert schema_errors(COURSE_SCHEMA, course)


def _typed_paths(
    schema: dict[str, Any], node: dict[str, Any], path: list[str | int]
) -> list[tuple[list[str | int], str]]:
    """(path to a key, its JSON type) for every typed property under ``node``."""
    found: list[tuple[list[str | int], str]] = []
    for key, spec in node.get("properties", {}).items():
        spec = _resolve(schema, spec)
        kind = spec.get("type")
        if isinstance(kind, str):
            found.append(([*path, key], kind))
        if kind == "object":
            found += _typed_paths(schema, spec, [*path, key])
    return found


def _resolve(schema: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    ref = spec.get("$ref")
    if ref:
        return _schema_node(schema, tuple(ref.removeprefix("#/").split("/")))
    return spec


WRONG = {
    "string": ["a", "list"],
    "object": "text",
    "array": "text",
    "integer": "many",
    "boolean": "maybe",
}


@pytest.mark.parametrize(
    ("path", "kind"), _typed_paths(COURSE_SCHEMA, COURSE_SCHEMA, []), ids=lambda x: str(x)
)
def test_course_value_of_the_wrong_type_is_refused_by_schema_and_validator(
    tmp_path: Path, path: list[str | int], kind: str
) -> None:
    *parents, key = path
    course = with_key(FULL_COURSE, parents, str(key), WRONG[kind])
    assert schema_errors(COURSE_SCHEMA, course)
    write_course(tmp_path, course, BASE_MODULE)
    assert problems_of(tmp_path), f"{'.'.join(map(str, path))} accepted a wrong {kind}"


MODULE_TYPED = [
    ([], "title", "string"),
    ([], "id", "string"),
    ([], "intro", "string"),
    ([], "sections", "array"),
    (["sections", 0], "title", "string"),
    (["sections", 0], "id", "string"),
    (["sections", 0], "intro", "string"),
    (["sections", 0], "outro", "string"),
    (["sections", 0], "items", "array"),
    (["sections", 0, "items", 0], "read", "string"),
    (["sections", 0, "items", 0], "id", "string"),
    (["sections", 0, "items", 0], "intro", "string"),
    (["sections", 0, "items", 0], "title", "string"),
    (["sections", 0, "items", 1], "options", "array"),
    (["sections", 0, "items", 1], "answers", "array"),
    (["sections", 0, "items", 1], "feedback", "object"),
]


def test_module_typed_keys_in_this_test_are_every_typed_key_of_the_schema() -> None:
    typed = {k for _, k, _ in MODULE_TYPED}
    every = set(props(MODULE_SCHEMA)) | set(props(MODULE_SCHEMA, "$defs", "section"))
    every |= set(props(MODULE_SCHEMA, "$defs", "item")) - {"watch", "task", "check"}  # as read
    assert typed == every


@pytest.mark.parametrize(("path", "key", "kind"), MODULE_TYPED, ids=lambda x: str(x))
def test_module_value_of_the_wrong_type_is_refused_by_schema_and_validator(
    tmp_path: Path, path: list[str | int], key: str, kind: str
) -> None:
    module = with_key(BASE_MODULE, path, key, WRONG[kind])
    assert schema_errors(MODULE_SCHEMA, module)
    write_course(tmp_path, BASE_COURSE, module)
    assert problems_of(tmp_path), f"{key} accepted a wrong {kind}"


def test_schema_command_prints_each_schema_as_2020_12_json() -> None:
    for name in ("course", "module"):
        result = CliRunner().invoke(cli, ["schema", name])
        assert result.exit_code == 0, result.output
        schema = json.loads(result.output)
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        Draft202012Validator.check_schema(schema)


def test_schema_command_refuses_an_unknown_schema_name() -> None:
    result = CliRunner().invoke(cli, ["schema", "lesson"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_example_course_yaml_matches_the_schema() -> None:
    data = yaml.safe_load((REPO / "course" / "course.yaml").read_text("utf-8"))
    assert schema_errors(COURSE_SCHEMA, data) == []
