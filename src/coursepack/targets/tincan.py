"""xAPI / Tin Can: ``tincan.xml`` (Rustici launch convention) and the tincan runtime adapter.

The package holds one ``tincan.xml`` at the zip root listing the course's activities as a flat
list: the course (the only one with a ``launch``; its id is the course IRI), then every module,
section and item with its name in the course language, TASKs as ``cmi.interaction`` activities
of type long-fill-in. Hierarchy is expressed at run time with ``contextActivities``.

At run time ``runtime/adapter-tincan.js`` reads the launch parameters (``endpoint``, ``auth``,
``actor``, ``registration``, ``activity_id``) and sends statements through ``runtime/xapi.js``;
see docs/xapi.md.
"""

from __future__ import annotations

from typing import Any, ClassVar

from lxml import etree

from coursepack.model import Course
from coursepack.output import OutputFile
from coursepack.render import LAUNCH_FILE, RenderedCourse
from coursepack.targets.base import BuildContext, Target, invariant, register
from coursepack.xapi import vocab
from coursepack.xmlutil import parse_xml, xml_bytes

TINCAN_NS = "http://projecttincan.com/tincan.xsd"


def _q(tag: str) -> str:
    return f"{{{TINCAN_NS}}}{tag}"


def _langstrings(parent: etree._Element, tag: str, value: object) -> None:
    """One element per language of an xAPI language map, each with a ``lang`` attribute."""
    if not isinstance(value, dict):
        return
    for lang, text in sorted(value.items()):
        element = etree.SubElement(parent, _q(tag), lang=str(lang))
        element.text = str(text)


def tincan_xml(course: Course, launch: str = LAUNCH_FILE) -> bytes:
    """The package's tincan.xml: the launchable course activity, then every other activity."""
    root = etree.Element(_q("tincan"), nsmap={None: TINCAN_NS})
    activities = etree.SubElement(root, _q("activities"))
    for level, iri, definition in vocab.iter_activities(course):
        activity = etree.SubElement(
            activities, _q("activity"), id=iri, type=str(definition["type"])
        )
        _langstrings(activity, "name", definition.get("name"))
        _langstrings(activity, "description", definition.get("description"))
        if level == "course":
            etree.SubElement(activity, _q("launch"), lang=course.language).text = launch
        interaction = definition.get("interactionType")
        if interaction:
            etree.SubElement(activity, _q("interactionType")).text = str(interaction)
    return xml_bytes(root)


@register
class TinCan(Target):
    name = "xapi"
    title = "xAPI (Tin Can)"
    manifest_file = "tincan.xml"
    sends_statements = True
    runtime: ClassVar[dict[str, Any]] = {
        "adapter": "tincan",
        "standard": "xAPI 1.0.3 (Tin Can launch)",
        # xAPI keeps a reflection whole (no 255-character limit); the State document that
        # holds saved progress has no fixed size either.
        "suspendDataLimit": None,
        "responseLimit": None,
    }

    def adapters(self, course: Course) -> list[str]:
        return ["xapi", str(self.runtime["adapter"])]

    def manifest(self, course: Course, files: list[OutputFile], ctx: BuildContext) -> bytes:
        return tincan_xml(course)

    def build(
        self, course: Course, rendered: RenderedCourse, ctx: BuildContext
    ) -> list[OutputFile]:
        """The package, with the launch convention's rules held as invariants."""
        files = super().build(course, rendered, ctx)
        manifest = next(f for f in files if f.path == self.manifest_file)
        assert manifest.data is not None
        root = parse_xml(manifest.data)
        launches = root.findall(f"{_q('activities')}/{_q('activity')}/{_q('launch')}")
        ids = [a.get("id") for a in root.iter(_q("activity"))]
        invariant(len(launches) == 1, f"tincan.xml has {len(launches)} launchable activities")
        invariant(
            launches[0].getparent().get("id") == course.id,
            "the launchable activity of tincan.xml is not the course",
        )
        invariant(len(ids) == len(set(ids)), "an activity id is used twice in tincan.xml")
        return files
