"""SCORM 1.2: imsmanifest.xml (IMS CP 1.1.2 + ADL CP 1.2) and the scorm12 runtime adapter."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from lxml import etree

from coursepack.ids import scorm_identifier
from coursepack.model import Course
from coursepack.output import OutputFile
from coursepack.profiles import Findings
from coursepack.render import LAUNCH_FILE
from coursepack.targets.base import BuildContext, Target, dual_tracking_findings, register
from coursepack.xmlutil import XSI, xml_bytes

#: characters of a SCORM manifest's <title> and of manifest@version that LMSs keep
SCORM_TEXT_LIMITS: Mapping[str, int] = {"title": 200, "version": 20}


@register
class Scorm12(Target):
    name = "scorm12"
    title = "SCORM 1.2"
    manifest_file = "imsmanifest.xml"
    dual_tracking = True
    namespaces: ClassVar[dict[str | None, str]] = {
        None: "http://www.imsproject.org/xsd/imscp_rootv1p1p2",
        "adlcp": "http://www.adlnet.org/xsd/adlcp_rootv1p2",
        "xsi": XSI,
    }
    schema_location = (
        "http://www.imsproject.org/xsd/imscp_rootv1p1p2 imscp_rootv1p1p2.xsd "
        "http://www.imsglobal.org/xsd/imsmd_rootv1p2p1 imsmd_rootv1p2p1.xsd "
        "http://www.adlnet.org/xsd/adlcp_rootv1p2 adlcp_rootv1p2.xsd"
    )
    schema_version = "1.2"
    scorm_type_attribute = "scormtype"  # 1.2 spells it lower-case
    #: <title> and manifest@version (the LMSs' and the schema's limits)
    limits: ClassVar[Mapping[str, int]] = SCORM_TEXT_LIMITS
    runtime: ClassVar[dict[str, Any]] = {
        "adapter": "scorm12",
        "standard": "SCORM 1.2",
        "suspendDataLimit": 4096,
        "locationLimit": 255,
        "responseLimit": 255,
        "interactionIdLimit": 255,
        "interactionType": "fill-in",
        "interactionResult": "neutral",
        # cmi.core.exit while incomplete / once completed: "suspend" both, so that an LMS
        # keeps suspend_data (the reflections) for a completed attempt too (1.2's "" would end
        # the attempt, and Moodle then starts a new one without the saved state)
        "exitIncomplete": "suspend",
        "exitComplete": "suspend",
    }

    def _q(self, tag: str, prefix: str | None = None) -> str:
        return f"{{{self.namespaces[prefix]}}}{tag}"

    def manifest(self, course: Course, files: list[OutputFile], ctx: BuildContext) -> bytes:
        q = self._q
        root = etree.Element(q("manifest"), nsmap=self.namespaces)
        root.set("identifier", scorm_identifier("MANIFEST", course.slug))
        root.set("version", course.version)
        root.set(f"{{{XSI}}}schemaLocation", self.schema_location)
        metadata = etree.SubElement(root, q("metadata"))
        etree.SubElement(metadata, q("schema")).text = "ADL SCORM"
        etree.SubElement(metadata, q("schemaversion")).text = self.schema_version
        organizations = etree.SubElement(root, q("organizations"), default="ORG-1")
        org = etree.SubElement(organizations, q("organization"), identifier="ORG-1")
        etree.SubElement(org, q("title")).text = course.title
        item = etree.SubElement(
            org, q("item"), identifier="ITEM-1", identifierref="RES-1", isvisible="true"
        )
        etree.SubElement(item, q("title")).text = course.title
        resources = etree.SubElement(root, q("resources"))
        resource = etree.SubElement(
            resources,
            q("resource"),
            identifier="RES-1",
            type="webcontent",
            href=LAUNCH_FILE,
        )
        resource.set(q(self.scorm_type_attribute, "adlcp"), "sco")
        for f in sorted(files, key=lambda f: f.path):
            etree.SubElement(resource, q("file"), href=f.path)
        return xml_bytes(root)

    def check(self, course: Course, files: list[OutputFile], ctx: BuildContext) -> Findings:
        return super().check(course, files, ctx) + dual_tracking_findings(course, ctx)
