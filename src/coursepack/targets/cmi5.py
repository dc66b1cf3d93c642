"""cmi5: cmi5.xml (CourseStructure.xsd) and the cmi5 runtime adapter over the xAPI runtime.

One assignable unit (AU) per module, or one for the whole course (``cmi5: {au_per: course}``).
Every AU launches the same index.html; a per-module AU adds ``?module=<module id>`` so that the
runtime shows, tracks and completes only that module. An AU's publisher id is the activity id
of what it covers, from the xAPI vocabulary, so reports find its statements by the ids they
already know (the LMS puts the publisher id in ``context.contextActivities.grouping``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import urlencode

from lxml import etree

from coursepack.completion import needs_pass
from coursepack.errors import Problems
from coursepack.model import CompletionRule, Course, Module, Position
from coursepack.output import OutputFile
from coursepack.render import LAUNCH_FILE
from coursepack.render.markdown import plain_first_paragraph
from coursepack.source.modules import unknown_keys
from coursepack.source.yamlsrc import YamlMap, text_of
from coursepack.targets.base import BuildContext, Target, register
from coursepack.xapi import vocab
from coursepack.xmlutil import xml_bytes

CMI5_NS = "https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"

#: the query parameter that scopes the runtime to one module (read by runtime/core.js)
MODULE_PARAM = "module"

#: moveOn of an AU, from the course's completion rule: an ungraded rule moves on when the AU
#: sends ``completed``; a rule that needs a pass waits for ``passed`` (and ``completed``).
MOVE_ON: dict[CompletionRule, str] = {
    CompletionRule.ALL_TASKS: "Completed",
    CompletionRule.ALL_ITEMS: "Completed",
    CompletionRule.PASS: "Passed",
    CompletionRule.ALL_TASKS_AND_PASS: "CompletedAndPassed",
}


def move_on(course: Course, module_id: str | None = None) -> str:
    """The moveOn of an AU scoped to ``module_id`` (None: the whole course). An AU without
    CHECKs has nothing to pass (``coursepack.completion``): it moves on when completed."""
    scope = None if module_id is None else [m for m in course.modules if m.id == module_id]
    if not needs_pass(course, scope):
        return "Completed"
    return MOVE_ON[course.completion]


@dataclass(frozen=True)
class AssignableUnit:
    id: str  # publisher id (IRI)
    title: str
    description: str
    url: str  # relative to the package root
    activity_type: str
    module: str | None  # the module it is scoped to; None: the whole course


@dataclass(frozen=True)
class AuLayout:
    """How a course is cut into AUs (``cmi5: {au_per: ...}``)."""

    activity_type: str
    units: Callable[[Course], list[AssignableUnit]]


def au_url(module: Module | None) -> str:
    if module is None:
        return LAUNCH_FILE
    return f"{LAUNCH_FILE}?{urlencode({MODULE_PARAM: module.id})}"


def module_units(course: Course) -> list[AssignableUnit]:
    return [
        AssignableUnit(
            id=vocab.module_iri(course, module),
            title=module.title,
            description=plain_first_paragraph(module.intro_md) or module.title,
            url=au_url(module),
            activity_type=vocab.ACTIVITY_TYPES["module"],
            module=module.id,
        )
        for module in course.modules
    ]


def course_unit(course: Course) -> list[AssignableUnit]:
    # The course element of cmi5.xml already has the course IRI, and ids must be unique
    # within the structure: the AU gets its own id under the course IRI.
    return [
        AssignableUnit(
            id=f"{vocab.course_iri(course)}/au",
            title=course.title,
            description=course.description or course.title,
            url=au_url(None),
            activity_type=vocab.ACTIVITY_TYPES["course"],
            module=None,
        )
    ]


AU_LAYOUTS: dict[str, AuLayout] = {
    "module": AuLayout(vocab.ACTIVITY_TYPES["module"], module_units),
    "course": AuLayout(vocab.ACTIVITY_TYPES["course"], course_unit),
}


@dataclass(frozen=True)
class Cmi5Options:
    """``cmi5:`` in course.yaml."""

    au_per: str = "module"  # one AU per "module", or one for the whole "course"


CMI5_KEYS = {"au_per"}


def options_of(course: Course) -> Cmi5Options:
    options = course.options_of(Cmi5.name)
    return options if isinstance(options, Cmi5Options) else Cmi5Options()


def assignable_units(course: Course) -> list[AssignableUnit]:
    return AU_LAYOUTS[options_of(course).au_per].units(course)


@register
class Cmi5(Target):
    name = "cmi5"
    title = "cmi5"
    manifest_file = "cmi5.xml"
    sends_statements = True
    options_key = "cmi5"
    runtime: ClassVar[dict[str, Any]] = {
        "adapter": "cmi5",
        "standard": "cmi5",
        "moduleParam": MODULE_PARAM,
        "interactionType": vocab.TASK_INTERACTION_TYPE,
        "launchDataStateId": "LMS.LaunchData",
        "learnerPreferencesProfileId": "cmi5LearnerPreferences",
        # launchMode -> whether result-bearing statements (completed, items, TASKs) are sent
        "launchModes": {"Normal": True, "Browse": False, "Review": False},
    }

    @classmethod
    def parse_options(cls, value: Any, pos: Position, problems: Problems) -> Cmi5Options:
        if value is None:
            return Cmi5Options()
        if not isinstance(value, YamlMap):
            problems.add(pos, "'cmi5' must be a mapping", "e.g. 'au_per: module'")
            return Cmi5Options()
        unknown_keys(value, CMI5_KEYS, "cmi5", problems)
        au_per = text_of(value, "au_per", problems).strip() or "module"
        if au_per not in AU_LAYOUTS:
            problems.add(
                value.at("au_per"),
                f"au_per '{au_per}'",
                "use " + " or ".join(f"'{name}'" for name in AU_LAYOUTS),
            )
            return Cmi5Options()
        return Cmi5Options(au_per=au_per)

    def adapters(self, course: Course) -> list[str]:
        return ["xapi", str(self.runtime["adapter"])]

    def runtime_settings(self, course: Course, ctx: BuildContext) -> dict[str, Any]:
        settings = super().runtime_settings(course, ctx)
        settings["auPer"] = options_of(course).au_per
        settings["moveOn"] = move_on(course)
        return settings

    def manifest(self, course: Course, files: list[OutputFile], ctx: BuildContext) -> bytes:
        def q(tag: str) -> str:
            return f"{{{CMI5_NS}}}{tag}"

        def text(parent: etree._Element, tag: str, value: str) -> None:
            element = etree.SubElement(parent, q(tag))
            etree.SubElement(element, q("langstring"), lang=course.language).text = value

        root = etree.Element(q("courseStructure"), nsmap={None: CMI5_NS})
        course_el = etree.SubElement(root, q("course"), id=vocab.course_iri(course))
        text(course_el, "title", course.title)
        text(course_el, "description", course.description or course.title)
        for au in assignable_units(course):
            au_el = etree.SubElement(
                root,
                q("au"),
                id=au.id,
                moveOn=move_on(course, au.module),
                launchMethod="AnyWindow",
                activityType=au.activity_type,
            )
            text(au_el, "title", au.title)
            text(au_el, "description", au.description)
            etree.SubElement(au_el, q("url")).text = au.url
        return xml_bytes(root)
