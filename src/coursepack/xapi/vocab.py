"""The one xAPI vocabulary of coursepack: activity ids, activity types and verbs.

Python (reports, tincan.xml, cmi5.xml, tests) and the package runtime (through the generated
runtime configuration) both read these tables, so they never disagree.
"""

from __future__ import annotations

import uuid
from typing import Final

from coursepack.model import CheckKind, Course, Item, ItemKind, Module, PastQuestion, Section
from coursepack.titles import display_title
from coursepack.weburl import split_url

XAPI_VERSION: Final = "1.0.3"

ADL_VERBS: Final = "http://adlnet.gov/expapi/verbs/"
ADL_ACTIVITIES: Final = "http://adlnet.gov/expapi/activities/"

# verb key -> (IRI, English display)
VERBS: Final[dict[str, str]] = {
    "launched": ADL_VERBS + "launched",
    "initialized": ADL_VERBS + "initialized",
    "resumed": ADL_VERBS + "resumed",
    "experienced": ADL_VERBS + "experienced",
    "completed": ADL_VERBS + "completed",
    "passed": ADL_VERBS + "passed",
    "failed": ADL_VERBS + "failed",
    "suspended": ADL_VERBS + "suspended",
    "terminated": ADL_VERBS + "terminated",
    "voided": ADL_VERBS + "voided",
    "answered": ADL_VERBS + "answered",
}

ACTIVITY_TYPES: Final[dict[str, str]] = {
    "course": ADL_ACTIVITIES + "course",
    "module": ADL_ACTIVITIES + "module",
    "section": ADL_ACTIVITIES + "lesson",
    "read": ADL_ACTIVITIES + "link",
    "watch": ADL_ACTIVITIES + "media",
    "task": ADL_ACTIVITIES + "cmi.interaction",
    "check": ADL_ACTIVITIES + "cmi.interaction",
}

# Knowledge checks: the attempt number (1, 2, ...) of an ``answered`` statement, in its
# context extensions; the report's item analysis counts attempts with it.
ATTEMPT_EXT: Final = "https://coursepack.dev/xapi/extensions/attempt"

# Every statement's context extensions: the version of the course (``version`` in course.yaml)
# whose package sent it. Not ``context.revision``, which names the revision of the statement's
# object, and a TASK's wording has its own (``~rN`` in its activity id).
COURSE_VERSION_EXT: Final = "https://coursepack.dev/xapi/extensions/course-version"

TASK_INTERACTION_TYPE: Final = "long-fill-in"

# The xAPI State document (activities/state) holding a learner's saved progress.
STATE_ID: Final = "coursepack-state"

# Dual tracking from a SCORM package: the registration of every statement is a name-based
# UUID (version 5, SHA-1) in this namespace, of the name "<course IRI>|<homePage>|<student_id>".
# One learner (per LMS) and course always get the same registration; the runtime computes it in
# JavaScript (runtime/xapi.js, ``CoursepackXAPI.uuid5``), Python in ``scorm_registration``.
# = uuid5(NAMESPACE_URL, "https://coursepack.dev/xapi/registration"), fixed forever.
REGISTRATION_NAMESPACE: Final = "946453cb-af25-564b-9561-db36350f6320"

# cmi5 profile IRIs
CMI5_CATEGORY: Final = "https://w3id.org/xapi/cmi5/context/categories/cmi5"
CMI5_MOVEON_CATEGORY: Final = "https://w3id.org/xapi/cmi5/context/categories/moveon"
CMI5_SESSION_EXT: Final = "https://w3id.org/xapi/cmi5/context/extensions/sessionid"
CMI5_MASTERY_EXT: Final = "https://w3id.org/xapi/cmi5/context/extensions/masteryscore"
CMI5_PROGRESS_EXT: Final = "https://w3id.org/xapi/cmi5/result/extensions/progress"


def course_iri(course: Course) -> str:
    return course.id


def module_iri(course: Course, module: Module) -> str:
    return f"{course.id}/{module.id}"


def section_iri(course: Course, module: Module, section: Section) -> str:
    return f"{course.id}/{module.id}/sections/{section.id}"


def item_iri(course: Course, module: Module, item: Item) -> str:
    """An item's activity id; independent of its section, so moving it keeps its history.

    A reworded TASK keeps its id (and its saved state) but not its activity id: from its
    second wording on, the revision is part of it (``.../items/theory-task-2~r2``), so an LRS
    never holds answers to two questions under one activity id.
    """
    return revision_iri(f"{course.id}/{module.id}/items/{item.id}", item.revision)


def revision_iri(base: str, revision: int) -> str:
    """The activity id of one wording of an item: ``base`` itself for the first."""
    return base if revision <= 1 else f"{base}~r{revision}"


def past_question_iri(course: Course, past: PastQuestion) -> str:
    """The activity id an earlier wording of a TASK (or a removed TASK) was sent under."""
    return revision_iri(f"{course.id}/{past.module_id}/items/{past.item_id}", past.revision)


def item_key(module: Module, item: Item) -> str:
    """The key of an item in saved learner state: unique within the course."""
    return f"{module.id}/{item.id}"


def activity_type(kind: str | ItemKind) -> str:
    key = kind.value if isinstance(kind, ItemKind) else kind
    return ACTIVITY_TYPES[key]


def language_map(course: Course, text: str) -> dict[str, str]:
    return {course.language: text}


def scorm_registration(course: Course, home_page: str, student_id: str) -> str:
    """A SCORM learner's registration for dual tracking (see REGISTRATION_NAMESPACE)."""
    name = f"{course.id}|{home_page}|{student_id}"
    return str(uuid.uuid5(uuid.UUID(REGISTRATION_NAMESPACE), name))


def is_absolute_iri(value: str) -> bool:
    """An http(s) URL with a host: usable as an activity ``moreInfo`` (an IRL)."""
    try:
        parts = split_url(value)
    except ValueError:  # "http://[x": an unclosed IPv6 host
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def course_definition(course: Course) -> dict[str, object]:
    definition: dict[str, object] = {
        "type": ACTIVITY_TYPES["course"],
        "name": language_map(course, course.title),
    }
    if course.description:
        definition["description"] = language_map(course, course.description)
    return definition


def module_definition(course: Course, module: Module) -> dict[str, object]:
    return {"type": ACTIVITY_TYPES["module"], "name": language_map(course, module.title)}


def section_definition(course: Course, section: Section) -> dict[str, object]:
    return {"type": ACTIVITY_TYPES["section"], "name": language_map(course, section.title)}


def task_definition(course: Course, item: Item) -> dict[str, object]:
    """The activity definition of a TASK (a cmi.interaction of type long-fill-in)."""
    definition: dict[str, object] = {
        "type": ACTIVITY_TYPES["task"],
        "name": language_map(course, display_title(course, item)),
        "interactionType": TASK_INTERACTION_TYPE,
    }
    if item.prompt:
        definition["description"] = language_map(course, item.prompt)
    return definition


#: the separator of a multiple choice in the xAPI response format ("a[,]c")
RESPONSE_SEPARATOR: Final = "[,]"


def check_definition(course: Course, item: Item) -> dict[str, object]:
    """The activity definition of a CHECK: a cmi.interaction with its choices and its
    correct responses in the xAPI response format (docs/xapi.md section 2)."""
    check = item.check
    assert check is not None
    definition: dict[str, object] = {
        "type": ACTIVITY_TYPES["check"],
        "name": language_map(course, display_title(course, item)),
        "description": language_map(course, check.question_md),
        "interactionType": check.kind.interaction_type,
    }
    if check.kind is CheckKind.TEXT:
        definition["correctResponsesPattern"] = list(check.accepted)
    elif check.kind is CheckKind.TRUE_FALSE:
        definition["correctResponsesPattern"] = list(check.correct_ids)
    else:
        definition["choices"] = [
            {"id": option.id, "description": language_map(course, option.text_md)}
            for option in check.options
        ]
        definition["correctResponsesPattern"] = [RESPONSE_SEPARATOR.join(check.correct_ids)]
    return definition


def item_definition(course: Course, item: Item) -> dict[str, object]:
    if item.is_task:
        return task_definition(course, item)
    if item.check is not None:
        return check_definition(course, item)
    definition: dict[str, object] = {
        "type": activity_type(item.kind),
        "name": language_map(course, display_title(course, item)),
    }
    if item.url and is_absolute_iri(item.url):  # a media file in the package has no IRL
        definition["moreInfo"] = item.url
    return definition


def iter_activities(course: Course) -> list[tuple[str, str, dict[str, object]]]:
    """Every activity of the course as (level, IRI, definition), in course order.

    ``level`` is "course", "module", "section" or the item kind ("read", "watch", "task",
    "check").
    """
    found: list[tuple[str, str, dict[str, object]]] = [
        ("course", course_iri(course), course_definition(course))
    ]
    for module in course.modules:
        found.append(("module", module_iri(course, module), module_definition(course, module)))
        for section in module.sections:
            found.append(
                (
                    "section",
                    section_iri(course, module, section),
                    section_definition(course, section),
                )
            )
            for item in section.items:
                found.append(
                    (item.kind.value, item_iri(course, module, item), item_definition(course, item))
                )
    return found


def iter_task_activities(course: Course) -> list[tuple[Module, Section, Item, str]]:
    """Every TASK with its module, section and activity id, in course order."""
    return [
        (module, section, item, item_iri(course, module, item))
        for module in course.modules
        for section in module.sections
        for item in section.items
        if item.is_task
    ]
