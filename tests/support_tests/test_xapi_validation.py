"""Learning Locker's xapi-validation, run by node on the statements we give it."""

from __future__ import annotations

from typing import Any

from tests.support.xapi_validation import validate_statements

VALID: dict[str, Any] = {
    "id": "6690e6c9-3ef0-4ed3-8b37-7f3964730bee",
    "actor": {"objectType": "Agent", "name": "Ada", "mbox": "mailto:ada@example.org"},
    "verb": {
        "id": "http://adlnet.gov/expapi/verbs/completed",
        "display": {"en-US": "completed"},
    },
    "object": {
        "objectType": "Activity",
        "id": "https://example.org/courses/c1",
        "definition": {"name": {"en": "Course"}},
    },
    "result": {"completion": True, "score": {"scaled": 0.8, "raw": 8, "min": 0, "max": 10}},
    "context": {"registration": "ec531277-b57b-4c15-8d91-d292c5b2b8f7"},
    "timestamp": "2024-05-01T10:00:00.000Z",
}


def test_a_valid_statement_has_no_error() -> None:
    assert validate_statements([VALID]) == []


def test_errors_name_the_statement_and_the_property() -> None:
    bad_actor = {**VALID, "actor": {"mbox": "ada@example.org"}}
    bad_score = {**VALID, "result": {"score": {"scaled": 2}}}

    errors = validate_statements([VALID, bad_actor, bad_score])

    assert len(errors) == 2
    assert errors[0].startswith("statements[1]: statement.actor.mbox is not a valid Mailto")
    assert errors[1].startswith("statements[2]: statement.result.score.scaled")


def test_an_actor_with_two_identifiers_is_rejected() -> None:
    two_ifis = {**VALID, "actor": {"mbox": "mailto:a@example.org", "openid": "https://a.example"}}

    assert validate_statements([two_ifis]) == [
        "statements[0]: statement.actor must use exactly one identifier, uses mbox, openid "
        '(IfiCountWarning; got {"mbox":"mailto:a@example.org","openid":"https://a.example"})'
    ]
