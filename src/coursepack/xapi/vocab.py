"""The one xAPI vocabulary of coursepack: activity ids, activity types and verbs.

Python (reports, tincan.xml, cmi5.xml, tests) and the package runtime (through the generated
runtime configuration) both read these tables, so they never disagree.
"""

from __future__ import annotations

from typing import Final

from coursepack.model import Course, Item, ItemKind, Module, Section

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
}

ACTIVITY_TYPES: Final[dict[str, str]] = {
    "course": ADL_ACTIVITIES + "course",
    "module": ADL_ACTIVITIES + "module",
    "section": ADL_ACTIVITIES + "lesson",
    "read": ADL_ACTIVITIES + "link",
    "watch": ADL_ACTIVITIES + "media",
    "task": ADL_ACTIVITIES + "cmi.interaction",
}

TASK_INTERACTION_TYPE: Final = "long-fill-in"

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
    """An item's activity id; independent of its section, so moving it keeps its history."""
    return f"{course.id}/{module.id}/items/{item.id}"


def item_key(module: Module, item: Item) -> str:
    """The key of an item in saved learner state: unique within the course."""
    return f"{module.id}/{item.id}"


def activity_type(kind: str | ItemKind) -> str:
    key = kind.value if isinstance(kind, ItemKind) else kind
    return ACTIVITY_TYPES[key]


def language_map(course: Course, text: str) -> dict[str, str]:
    return {course.language: text}


def task_definition(course: Course, item: Item) -> dict[str, object]:
    """The activity definition of a TASK (a cmi.interaction of type long-fill-in)."""
    definition: dict[str, object] = {
        "type": ACTIVITY_TYPES["task"],
        "name": language_map(course, item.title),
        "interactionType": TASK_INTERACTION_TYPE,
    }
    if item.prompt:
        definition["description"] = language_map(course, item.prompt)
    return definition


def item_definition(course: Course, item: Item) -> dict[str, object]:
    if item.is_task:
        return task_definition(course, item)
    definition: dict[str, object] = {
        "type": activity_type(item.kind),
        "name": language_map(course, item.title),
    }
    if item.url:
        definition["moreInfo"] = item.url
    return definition


def iter_task_activities(course: Course) -> list[tuple[Module, Section, Item, str]]:
    """Every TASK with its module, section and activity id, in course order."""
    return [
        (module, section, item, item_iri(course, module, item))
        for module in course.modules
        for section in module.sections
        for item in section.items
        if item.is_task
    ]
