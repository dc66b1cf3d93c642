"""The JSON report matches the schema documented in docs/report.md (so the doc stays true).

A small validator for the keywords the schema uses (type, const, enum, pattern, minimum,
maximum, required, properties, additionalProperties, items, $ref, oneOf).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from coursepack.report.aggregate import Aggregator
from coursepack.report.jsonfmt import to_json
from tests.report.helpers import NOW, learner_statements, sample_course

REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "docs" / "report.md"
GOLDEN = REPO / "tests" / "golden" / "report"

TYPES: dict[str, Any] = {
    "object": dict,
    "array": list,
    "string": str,
    "boolean": bool,
    "integer": int,
    "number": (int, float),
    "null": type(None),
}


def documented_schema() -> dict[str, Any]:
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## JSON schema", 1)[1]
    match = re.search(r"```json\n(.*?)\n```", section, re.DOTALL)
    assert match, "docs/report.md has no ```json schema block under '## JSON schema'"
    schema: dict[str, Any] = json.loads(match.group(1))
    return schema


def _is(value: Any, name: str) -> bool:
    if name in ("integer", "number") and isinstance(value, bool):
        return False
    return isinstance(value, TYPES[name])


def problems(value: Any, schema: dict[str, Any], root: dict[str, Any], at: str = "$") -> list[str]:
    if "$ref" in schema:
        target: Any = root
        for part in schema["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        return problems(value, target, root, at)
    if "oneOf" in schema:
        matching = [option for option in schema["oneOf"] if not problems(value, option, root, at)]
        if len(matching) != 1:
            return [f"{at}: {value!r} matches {len(matching)} of oneOf, not exactly one"]
    found: list[str] = []
    if "type" in schema:
        names = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(_is(value, name) for name in names):
            return [f"{at}: {value!r} is not {names}"]
    if "const" in schema and value != schema["const"]:
        found.append(f"{at}: {value!r} != {schema['const']!r}")
    if "enum" in schema and value not in schema["enum"]:
        found.append(f"{at}: {value!r} not in {schema['enum']}")
    if isinstance(value, str) and "pattern" in schema and not re.search(schema["pattern"], value):
        found.append(f"{at}: {value!r} does not match {schema['pattern']}")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            found.append(f"{at}: {value} < {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            found.append(f"{at}: {value} > {schema['maximum']}")
    if isinstance(value, dict):
        for key in schema.get("required", []):
            if key not in value:
                found.append(f"{at}: missing {key!r}")
        properties = schema.get("properties", {})
        for key, item in value.items():
            if key in properties:
                found += problems(item, properties[key], root, f"{at}.{key}")
            elif schema.get("additionalProperties") is False:
                found.append(f"{at}: undocumented key {key!r}")
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            found += problems(item, schema["items"], root, f"{at}[{index}]")
    return found


def test_the_schema_catches_an_undocumented_key() -> None:
    schema = documented_schema()
    data = json.loads((GOLDEN / "sample.json").read_text(encoding="utf-8"))
    data["learners"][0]["secret"] = 1
    assert problems(data, schema, schema) == ["$.learners[0]: undocumented key 'secret'"]


@pytest.mark.parametrize("name", ["sample.json", "sample-responses.json", "graded.json"])
def test_golden_reports_match_the_documented_schema(name: str) -> None:
    schema = documented_schema()
    data = json.loads((GOLDEN / name).read_text(encoding="utf-8"))
    assert problems(data, schema, schema) == []


def test_empty_report_matches_the_documented_schema() -> None:
    schema = documented_schema()
    data = to_json(Aggregator(sample_course()).report(generated_at=NOW))
    assert problems(data, schema, schema) == []


def test_key_order_is_the_documented_order() -> None:
    statements, _ = learner_statements(sample_course())
    aggregator = Aggregator(sample_course())
    for found in statements:
        aggregator.add(found)
    data = to_json(aggregator.report(generated_at=NOW))
    assert list(data) == documented_schema()["required"]


def test_a_graded_report_adds_the_assessment_and_questions_last() -> None:
    data = json.loads((GOLDEN / "graded.json").read_text(encoding="utf-8"))
    assert list(data) == [*documented_schema()["required"], "assessment", "questions"]
    assert list(data["learners"][0])[-2:] == ["score", "answers"]


def test_the_schema_catches_a_wrong_score_status_and_a_rate_above_one() -> None:
    schema = documented_schema()
    data = json.loads((GOLDEN / "graded.json").read_text(encoding="utf-8"))
    data["learners"][0]["score"]["status"] = "complete"
    data["questions"][0]["correct_last_rate"] = 1.5
    assert problems(data, schema, schema) == [
        "$.learners[0].score.status: 'complete' not in "
        "['passed', 'failed', 'in_progress', 'not_started']",
        "$.questions[0].correct_last_rate: 1.5 > 1",
    ]
