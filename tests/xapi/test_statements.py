"""Statement shape checks (tincan models + xAPI rules) and the vocabulary they rely on."""

from __future__ import annotations

import copy
import uuid
from pathlib import Path
from typing import Any

import pytest

from coursepack.model import Course
from coursepack.tracking import runtime_config
from coursepack.xapi import vocab
from tests.support.statements import (
    StatementShapeError,
    activity_index,
    check_statements,
    context_activity_ids,
    statement_problems,
    to_model,
)

REPO = Path(__file__).resolve().parents[2]


def task_statement(course: Course) -> dict[str, Any]:
    module = course.modules[0]
    section = module.sections[0]
    task = next(i for i in section.items if i.is_task)
    return {
        "id": "0f8e2b38-7a46-4c5e-9a43-2f1f3c1b9b1e",
        "timestamp": "2024-05-01T12:34:56.789Z",
        "actor": {
            "objectType": "Agent",
            "name": "Ann",
            "account": {"homePage": "https://lms.example.org", "name": "ann42"},
        },
        "verb": {"id": vocab.VERBS["completed"], "display": {"en-US": "completed"}},
        "object": {
            "objectType": "Activity",
            "id": vocab.item_iri(course, module, task),
            "definition": vocab.item_definition(course, task),
        },
        "result": {"completion": True, "response": "x" * 5000, "duration": "PT1M2.5S"},
        "context": {
            "registration": "5e1c8a5e-3f2b-4a39-8a86-3a0f5c0e2d11",
            "language": "en",
            "platform": "coursepack 0.1.0",
            "contextActivities": {
                "parent": [
                    {"objectType": "Activity", "id": vocab.section_iri(course, module, section)}
                ],
                "grouping": [
                    {"objectType": "Activity", "id": vocab.module_iri(course, module)},
                    {"objectType": "Activity", "id": course.id},
                ],
            },
        },
    }


def test_a_well_formed_task_statement_has_no_problem(course: Course) -> None:
    statement = task_statement(course)
    assert statement_problems(statement) == []
    model = to_model(statement)
    assert model.result.response == "x" * 5000  # no 255-character limit in xAPI
    assert model.object.definition.interaction_type == "long-fill-in"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda s: s["actor"].update(mbox="mailto:a@example.org"), "actor has 2 identifiers"),
        (lambda s: s["actor"].pop("account"), "actor has 0 identifiers"),
        (lambda s: s.update(id="not-a-uuid"), "is not a lower-case UUID"),
        (lambda s: s.update(timestamp="2024-05-01T12:34:56+02:00"), "not a UTC RFC 3339"),
        (lambda s: s["result"].update(duration="01:02:03"), "tincan model"),
        (lambda s: s["result"].update(completion="true"), "result.completion is not a boolean"),
        (lambda s: s["verb"].update(id="http://example.org/liked"), "not a verb of the coursepack"),
        (lambda s: s["object"].update(id="relative/id"), "object.id 'relative/id' is not"),
        (lambda s: s["object"]["definition"].pop("interactionType"), "has no interactionType"),
        (lambda s: s["context"].update(registration="abc"), "tincan model"),
        (lambda s: s["context"]["contextActivities"].update(siblings=[]), "tincan model"),
        (lambda s: s.update(extra=1), "tincan model: Property 'extra' cannot be set"),
        (lambda s: s["object"]["definition"].update(moreInfo="media/x.mp4"), "not a URL"),
    ],
    ids=[
        "two-ifis",
        "no-ifi",
        "bad-id",
        "non-utc-timestamp",
        "bad-duration",
        "string-boolean",
        "foreign-verb",
        "relative-object-id",
        "task-without-interaction-type",
        "bad-registration",
        "unknown-context-activities-key",
        "unknown-property",
        "relative-more-info",
    ],
)
def test_each_broken_rule_is_reported(course: Course, change: Any, expected: str) -> None:
    statement = copy.deepcopy(task_statement(course))
    change(statement)
    problems = statement_problems(statement)
    assert any(expected in p for p in problems), problems


def test_checking_leaves_the_statement_unchanged(course: Course) -> None:
    statement = task_statement(course)
    before = copy.deepcopy(statement)
    assert statement_problems(statement) == []
    assert statement == before


def test_to_model_raises_a_shape_error_with_a_one_line_message() -> None:
    with pytest.raises(StatementShapeError) as raised:
        to_model({"id": "nope"})
    assert "\n" not in str(raised.value)


def test_check_statements_prefixes_problems_with_the_index(course: Course) -> None:
    good = task_statement(course)
    bad = copy.deepcopy(good)
    bad["timestamp"] = "2024-05-01T14:34:56.789+02:00"
    assert check_statements([good, bad]) == [
        f"statements[1]: timestamp {bad['timestamp']!r} is not a UTC RFC 3339 timestamp"
    ]


def test_activity_index_gives_parents_and_grouping_up_to_the_course(course: Course) -> None:
    index = activity_index(course)
    module = course.modules[0]
    section = module.sections[0]
    task = section.items[1]
    info = index[vocab.item_iri(course, module, task)]
    assert info.level == "task"
    assert info.parent == [vocab.section_iri(course, module, section)]
    assert info.grouping == [vocab.module_iri(course, module), course.id]
    assert index[vocab.section_iri(course, module, section)].grouping == [course.id]
    assert index[vocab.module_iri(course, module)].parent == [course.id]
    assert index[course.id].parent == [] and index[course.id].grouping == []
    assert len(index) == len(vocab.iter_activities(course))


def test_context_activity_ids_reads_arrays_and_single_objects() -> None:
    statement = {"context": {"contextActivities": {"parent": {"id": "https://x.org/a"}}}}
    assert context_activity_ids(statement, "parent") == ["https://x.org/a"]
    assert context_activity_ids(statement, "grouping") == []
    assert context_activity_ids({}, "parent") == []


def test_scorm_registration_is_a_stable_uuid5_per_learner_and_course(course: Course) -> None:
    first = vocab.scorm_registration(course, "https://lms.example.org", "s-1")
    assert first == vocab.scorm_registration(course, "https://lms.example.org", "s-1")
    assert first != vocab.scorm_registration(course, "https://lms.example.org", "s-2")
    assert first != vocab.scorm_registration(course, "https://other.example.org", "s-1")
    assert uuid.UUID(first).version == 5
    namespace = uuid.uuid5(uuid.NAMESPACE_URL, "https://coursepack.dev/xapi/registration")
    assert str(namespace) == vocab.REGISTRATION_NAMESPACE
    name = f"{course.id}|https://lms.example.org|s-1"
    assert first == str(uuid.uuid5(namespace, name))


def test_more_info_is_only_given_for_absolute_urls(course: Course) -> None:
    from dataclasses import replace

    read = next(i for i in course.items if i.url)
    local = replace(read, url="media/clip.mp4")
    assert vocab.item_definition(course, read)["moreInfo"] == read.url
    assert "moreInfo" not in vocab.item_definition(course, local)


def test_runtime_config_carries_the_vocabulary_definitions(course: Course) -> None:
    config = runtime_config(course, {"adapter": "tincan"}).to_json()
    assert config["course"]["iri"] == course.id
    assert config["course"]["definition"] == vocab.course_definition(course)
    module = course.modules[0]
    (module_conf,) = config["modules"]
    assert module_conf["definition"] == vocab.module_definition(course, module)
    assert module_conf["sections"][0]["definition"] == vocab.section_definition(
        course, module.sections[0]
    )
    assert config["xapi"]["stateId"] == vocab.STATE_ID
    assert config["xapi"]["registrationNamespace"] == vocab.REGISTRATION_NAMESPACE
    assert config["xapi"]["activityTypes"]["task"].endswith("/cmi.interaction")
