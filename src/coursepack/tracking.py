"""The runtime configuration: what the packaged JS knows about the course and its target.

Built here from the course model and the xAPI vocabulary and written into every package as
``coursepack-config.js`` (``window.COURSEPACK_CONFIG = {...}``), so that Python and the
runtime share one definition of ids, verbs and activity types.
"""

from __future__ import annotations

import json
from typing import Any

from coursepack import __version__
from coursepack.completion import counted_keys
from coursepack.i18n import strings_for
from coursepack.ids import short_hash
from coursepack.model import Course
from coursepack.xapi import vocab

CONFIG_FILE = "coursepack-config.js"


def runtime_config(
    course: Course,
    target: dict[str, Any],
    lrs: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The configuration object of the runtime.

    ``target`` holds the per-standard settings of the target class (adapter name, data-model
    limits, ...). ``lrs`` is set only for dual tracking (endpoint, auth, actorHomePage).
    """
    modules = []
    for module in course.modules:
        sections = []
        for section in module.sections:
            items = []
            for item in section.items:
                entry: dict[str, Any] = {
                    "id": item.id,
                    "key": vocab.item_key(module, item),
                    "kind": item.kind.value,
                    "title": item.title,
                    "iri": vocab.item_iri(course, module, item),
                    "definition": vocab.item_definition(course, item),
                }
                if item.url:
                    entry["url"] = item.url
                items.append(entry)
            sections.append(
                {
                    "id": section.id,
                    "key": f"{module.id}/{section.id}",
                    "title": section.title,
                    "iri": vocab.section_iri(course, module, section),
                    "definition": vocab.section_definition(course, section),
                    "items": items,
                }
            )
        modules.append(
            {
                "id": module.id,
                # what completes the module when a package is scoped to it (a cmi5 AU)
                "counted": counted_keys(course, [module]),
                "title": module.title,
                "iri": vocab.module_iri(course, module),
                "definition": vocab.module_definition(course, module),
                "sections": sections,
            }
        )
    return {
        "schema": 1,
        "generator": f"coursepack {__version__}",
        "course": {
            "id": course.id,
            "title": course.title,
            "description": course.description,
            "language": course.language,
            "version": course.version,
            "completion": course.completion.value,
            # the items whose completion completes the course (coursepack.completion)
            "counted": counted_keys(course),
            "iri": vocab.course_iri(course),
            "definition": vocab.course_definition(course),
            # localStorage key namespace: stable per course IRI, not per version, so that
            # a learner's progress survives a republished package.
            "storageKey": "coursepack:" + short_hash(course.id, 12),
        },
        "modules": modules,
        "strings": strings_for(course.language),
        "target": target,
        "xapi": {
            "version": vocab.XAPI_VERSION,
            "platform": f"coursepack {__version__}",
            "verbs": dict(vocab.VERBS),
            "activityTypes": dict(vocab.ACTIVITY_TYPES),
            "taskInteractionType": vocab.TASK_INTERACTION_TYPE,
            "stateId": vocab.STATE_ID,
            "registrationNamespace": vocab.REGISTRATION_NAMESPACE,
            "cmi5": {
                "category": vocab.CMI5_CATEGORY,
                "moveOnCategory": vocab.CMI5_MOVEON_CATEGORY,
                "sessionExtension": vocab.CMI5_SESSION_EXT,
                "masteryExtension": vocab.CMI5_MASTERY_EXT,
                "progressExtension": vocab.CMI5_PROGRESS_EXT,
            },
            "lrs": lrs,
        },
    }


def config_script(config: dict[str, Any]) -> bytes:
    """Serialise deterministically as a script; '<' is escaped so no text can close the tag."""
    body = json.dumps(config, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    body = body.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return f"window.COURSEPACK_CONFIG = {body};\n".encode()
