"""The shape of the statements coursepack emits, checked with the ``tincan`` library's models.

Used by the tests on statements read back from a real LRS (and by anyone who wants to check a
statement dump). Two layers:

* :func:`to_model` parses a statement with ``tincan.Statement``: unknown properties, bad UUIDs,
  timestamps, durations, language maps and wrong types raise :class:`StatementShapeError`.
* :func:`statement_problems` adds the xAPI 1.0.3 rules the library does not enforce (exactly one
  actor identifier, absolute IRIs, UTC timestamps, the ``contextActivities`` keys, ...) and the
  house rules (verbs from :mod:`coursepack.xapi.vocab`, arrays in ``contextActivities``).

:func:`activity_index` says, from the course model, where each activity sits, so a test can
compare a statement's ``contextActivities`` with the course structure.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

import tincan

from coursepack.model import Course
from coursepack.xapi import vocab

UUID_RE: Final = re.compile(
    r"^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"
)
UTC_TIMESTAMP_RE: Final = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|\+00:00)$")
DURATION_RE: Final = re.compile(
    r"^P(?=.)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$"
)
LANGUAGE_TAG_RE: Final = re.compile(r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$")
IRI_RE: Final = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")
INTERACTION_TYPES: Final = frozenset(
    [
        "true-false",
        "choice",
        "fill-in",
        "long-fill-in",
        "matching",
        "performance",
        "sequencing",
        "likert",
        "numeric",
        "other",
    ]
)
CONTEXT_ACTIVITY_KEYS: Final = frozenset({"parent", "grouping", "category", "other"})
IFI_KEYS: Final = ("mbox", "mbox_sha1sum", "openid", "account")


class StatementShapeError(ValueError):
    """A statement the ``tincan`` models refuse."""


def to_model(statement: Mapping[str, Any]) -> Any:
    """The statement as a ``tincan.Statement``; raises :class:`StatementShapeError`.

    The library renames keys in the dicts it is given (``objectType`` -> ``object_type``), so
    it gets a deep copy: the caller's statement is left as it was.
    """
    try:
        return tincan.Statement(copy.deepcopy(dict(statement)))
    except Exception as error:  # the library raises bare Exception, ValueError, TypeError...
        message = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
        raise StatementShapeError(message) from error


def _language_map_problems(where: str, value: object) -> list[str]:
    if not isinstance(value, dict) or not value:
        return [f"{where} is not a non-empty language map"]
    return [
        f"{where} has a bad language tag {key!r}"
        for key in value
        if not (isinstance(key, str) and LANGUAGE_TAG_RE.match(key))
    ]


def _actor_problems(actor: object) -> list[str]:
    if not isinstance(actor, dict):
        return ["actor is not an object"]
    problems = []
    if actor.get("objectType", "Agent") != "Agent":
        problems.append(f"actor.objectType is {actor.get('objectType')!r}, not 'Agent'")
    ifis = [key for key in IFI_KEYS if key in actor]
    if len(ifis) != 1:
        problems.append(f"actor has {len(ifis)} identifiers ({', '.join(ifis) or 'none'}), not 1")
    mbox = actor.get("mbox")
    if mbox is not None and not (isinstance(mbox, str) and mbox.startswith("mailto:")):
        problems.append(f"actor.mbox {mbox!r} does not start with 'mailto:'")
    account = actor.get("account")
    if account is not None:
        if not isinstance(account, dict) or set(account) != {"homePage", "name"}:
            problems.append("actor.account must have exactly homePage and name")
        elif not (
            isinstance(account["homePage"], str) and vocab.is_absolute_iri(account["homePage"])
        ):
            problems.append(f"actor.account.homePage {account['homePage']!r} is not a URL")
        elif not (isinstance(account["name"], str) and account["name"]):
            problems.append("actor.account.name is empty")
    return problems


def _activity_problems(where: str, activity: object) -> list[str]:
    if not isinstance(activity, dict):
        return [f"{where} is not an object"]
    problems = []
    if activity.get("objectType", "Activity") != "Activity":
        problems.append(f"{where}.objectType is {activity.get('objectType')!r}, not 'Activity'")
    ident = activity.get("id")
    if not (isinstance(ident, str) and IRI_RE.match(ident)):
        problems.append(f"{where}.id {ident!r} is not an absolute IRI")
    definition = activity.get("definition")
    if definition is not None:
        if not isinstance(definition, dict):
            return [*problems, f"{where}.definition is not an object"]
        for key in ("name", "description"):
            if key in definition:
                problems += _language_map_problems(f"{where}.definition.{key}", definition[key])
        kind = definition.get("type")
        if kind is not None and not (isinstance(kind, str) and IRI_RE.match(kind)):
            problems.append(f"{where}.definition.type {kind!r} is not an absolute IRI")
        more = definition.get("moreInfo")
        if more is not None and not (isinstance(more, str) and vocab.is_absolute_iri(more)):
            problems.append(f"{where}.definition.moreInfo {more!r} is not a URL")
        interaction = definition.get("interactionType")
        if kind == vocab.ACTIVITY_TYPES["task"] and interaction is None:
            problems.append(f"{where}.definition has no interactionType")
        if interaction is not None and interaction not in INTERACTION_TYPES:
            problems.append(f"{where}.definition.interactionType {interaction!r} is unknown")
    return problems


def _context_problems(context: object) -> list[str]:
    if not isinstance(context, dict):
        return ["context is not an object"]
    problems = []
    registration = context.get("registration")
    if registration is not None and not (
        isinstance(registration, str) and UUID_RE.match(registration)
    ):
        problems.append(f"context.registration {registration!r} is not a lower-case UUID")
    language = context.get("language")
    if language is not None and not (isinstance(language, str) and LANGUAGE_TAG_RE.match(language)):
        problems.append(f"context.language {language!r} is not a language tag")
    platform = context.get("platform")
    if platform is not None and not (isinstance(platform, str) and platform):
        problems.append("context.platform is empty")
    activities = context.get("contextActivities")
    if activities is not None:
        if not isinstance(activities, dict):
            return [*problems, "context.contextActivities is not an object"]
        for key, value in activities.items():
            if key not in CONTEXT_ACTIVITY_KEYS:
                problems.append(f"context.contextActivities has an unknown key {key!r}")
            elif not isinstance(value, list) or not value:
                problems.append(f"context.contextActivities.{key} is not a non-empty array")
            else:
                for i, activity in enumerate(value):
                    problems += _activity_problems(
                        f"context.contextActivities.{key}[{i}]", activity
                    )
    return problems


def _result_problems(result: object) -> list[str]:
    if not isinstance(result, dict):
        return ["result is not an object"]
    problems = []
    duration = result.get("duration")
    if duration is not None and not (isinstance(duration, str) and DURATION_RE.match(duration)):
        problems.append(f"result.duration {duration!r} is not an ISO 8601 duration")
    for key in ("completion", "success"):
        if key in result and not isinstance(result[key], bool):
            problems.append(f"result.{key} is not a boolean")
    if "response" in result and not isinstance(result["response"], str):
        problems.append("result.response is not a string")
    return problems


def statement_problems(statement: Mapping[str, Any]) -> list[str]:
    """Everything wrong with one statement's shape (empty when it is a good statement)."""
    problems: list[str] = []
    try:
        to_model(statement)
    except StatementShapeError as error:
        problems.append(f"tincan model: {error}")
    ident = statement.get("id")
    if not (isinstance(ident, str) and UUID_RE.match(ident)):
        problems.append(f"id {ident!r} is not a lower-case UUID")
    timestamp = statement.get("timestamp")
    if not (isinstance(timestamp, str) and UTC_TIMESTAMP_RE.match(timestamp)):
        problems.append(f"timestamp {timestamp!r} is not a UTC RFC 3339 timestamp")
    version = statement.get("version")
    if version is not None and not (isinstance(version, str) and version.startswith("1.0.")):
        problems.append(f"version {version!r} is not 1.0.x")
    problems += _actor_problems(statement.get("actor"))
    verb = statement.get("verb")
    if not isinstance(verb, dict) or verb.get("id") not in vocab.VERBS.values():
        problems.append(f"verb {verb!r} is not a verb of the coursepack vocabulary")
    elif "display" in verb:
        problems += _language_map_problems("verb.display", verb["display"])
    problems += _activity_problems("object", statement.get("object"))
    if "result" in statement:
        problems += _result_problems(statement["result"])
    if "context" in statement:
        problems += _context_problems(statement["context"])
    return problems


def check_statements(statements: Iterable[Mapping[str, Any]]) -> list[str]:
    """:func:`statement_problems` for many statements, each prefixed with its index."""
    return [
        f"statements[{i}]: {problem}"
        for i, statement in enumerate(statements)
        for problem in statement_problems(statement)
    ]


@dataclass(frozen=True)
class ActivityInfo:
    """Where an activity sits: ``ancestors`` runs from its direct parent up to the course."""

    level: str  # "course", "module", "section", "read", "watch", "task"
    iri: str
    definition: dict[str, object]
    ancestors: tuple[str, ...]

    @property
    def parent(self) -> list[str]:
        """The ids expected in ``contextActivities.parent``."""
        return list(self.ancestors[:1])

    @property
    def grouping(self) -> list[str]:
        """The ids expected in ``contextActivities.grouping`` (up to the course)."""
        return list(self.ancestors[1:])


def activity_index(course: Course) -> dict[str, ActivityInfo]:
    """Every activity of the course by IRI, with its definition and its ancestors."""
    index: dict[str, ActivityInfo] = {}
    course_id = vocab.course_iri(course)
    index[course_id] = ActivityInfo("course", course_id, vocab.course_definition(course), ())
    for module in course.modules:
        module_id = vocab.module_iri(course, module)
        index[module_id] = ActivityInfo(
            "module", module_id, vocab.module_definition(course, module), (course_id,)
        )
        for section in module.sections:
            section_id = vocab.section_iri(course, module, section)
            index[section_id] = ActivityInfo(
                "section",
                section_id,
                vocab.section_definition(course, section),
                (module_id, course_id),
            )
            for item in section.items:
                item_id = vocab.item_iri(course, module, item)
                index[item_id] = ActivityInfo(
                    item.kind.value,
                    item_id,
                    vocab.item_definition(course, item),
                    (section_id, module_id, course_id),
                )
    return index


def context_activity_ids(statement: Mapping[str, Any], key: str) -> list[str]:
    """The ids in ``context.contextActivities[key]`` of a statement (empty when absent)."""
    context = statement.get("context") or {}
    activities = (context.get("contextActivities") or {}).get(key) or []
    if isinstance(activities, dict):
        activities = [activities]
    return [str(a.get("id")) for a in activities if isinstance(a, dict)]
