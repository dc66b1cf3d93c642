"""SCORM 2004 3rd and 4th Edition: imsmanifest.xml (IMS CP 1.1.4 + ADL CP/SN 1.3) and the
scorm2004 runtime adapter.

The whole course is one SCO (index.html) in one organization. Sequencing is the minimum that
lets the learner move freely: choice and flow on, nothing forward-only, and the SCO (not the
LMS) decides completion and satisfaction. The two editions share everything but the
``schemaversion`` string and the few 4th-Edition-only attributes listed in their tables.
"""

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
from coursepack.targets.scorm12 import SCORM_TEXT_LIMITS
from coursepack.xmlutil import XSI, xml_bytes

IMSCP = "http://www.imsglobal.org/xsd/imscp_v1p1"
ADLCP = "http://www.adlnet.org/xsd/adlcp_v1p3"
ADLSEQ = "http://www.adlnet.org/xsd/adlseq_v1p3"
ADLNAV = "http://www.adlnet.org/xsd/adlnav_v1p3"
IMSSS = "http://www.imsglobal.org/xsd/imsss"

NAMESPACES: dict[str | None, str] = {
    None: IMSCP,
    "adlcp": ADLCP,
    "adlseq": ADLSEQ,
    "adlnav": ADLNAV,
    "imsss": IMSSS,
    "xsi": XSI,
}

SCHEMA_LOCATION = " ".join(
    [
        f"{IMSCP} imscp_v1p1.xsd",
        f"{ADLCP} adlcp_v1p3.xsd",
        f"{ADLSEQ} adlseq_v1p3.xsd",
        f"{ADLNAV} adlnav_v1p3.xsd",
        f"{IMSSS} imsss_v1p0.xsd",
    ]
)

ORG_ID = "ORG-1"
RES_ID = "RES-1"

#: the attribute that marks a launchable resource; 2004 spells it with a capital T (1.2:
#: ``scormtype``). The CP schema's attribute wildcard is lax, so only a check catches a typo.
SCORM_TYPE_ATTRIBUTE = f"{{{ADLCP}}}scormType"

#: minimal sequencing of the organization: the learner may choose and flow freely
ORG_CONTROL_MODE: dict[str, str] = {
    "choice": "true",
    "choiceExit": "true",
    "flow": "true",
    "forwardOnly": "false",
}
#: the SCO reports completion and success itself (the LMS must not assume them on exit)
ITEM_DELIVERY_CONTROLS: dict[str, str] = {
    "tracked": "true",
    "completionSetByContent": "true",
    "objectiveSetByContent": "true",
}
#: the course draws its own navigation; the LMS's previous/continue buttons have nothing to do
HIDE_LMS_UI: tuple[str, ...] = ("previous", "continue")

#: the runtime settings shared by both editions (``config.target`` in the package)
RUNTIME_2004: dict[str, Any] = {
    "adapter": "scorm2004",
    "apiName": "API_1484_11",
    "suspendDataLimit": 64000,
    "locationLimit": 1000,
    "responseLimit": 4000,  # cmi.interactions.n.learner_response, long-fill-in (SPM)
    "interactionIdLimit": 4000,  # long_identifier_type
    "interactionDescriptionLimit": 250,
    "interactionType": "long-fill-in",
    "interactionResult": "neutral",
    # set in this order when they are sent (Cornerstone: a score after the status is lost)
    "statusOrder": ["score", "completion", "success"],
    # cmi.exit when the learner leaves before completing / after completing. "suspend" after
    # completing too: an LMS may drop the suspend_data of an attempt that ended normally and
    # start a new one (Moodle does), and the learner's reflections would be lost with it; the
    # completion the LMS records comes from completion_status, not from cmi.exit.
    "exitIncomplete": "suspend",
    "exitComplete": "suspend",
    # adl.nav.request on the learner's explicit "Exit course", by the cmi.exit value sent
    # (the LMS acts on it after Terminate). Only suspendAll: Moodle rewrites nav requests with
    # regexes in which "exit" matches before "exitAll", sends exit/exitAll/abandon/abandonAll
    # through a sequencer that prints an HTML notice into the Commit answer, and its own API
    # script then throws; a value its patterns do not know (suspendAll) passes untouched, and
    # SCORM Cloud-style LMSs and strict runtimes take it as "leave the course, keep it".
    "navRequestOnExit": {"suspend": "suspendAll"},
}


class Scorm2004(Target):
    """What both editions share; an edition is a subclass with its own table entries."""

    manifest_file = "imsmanifest.xml"
    dual_tracking = True
    limits: ClassVar[Mapping[str, int]] = SCORM_TEXT_LIMITS
    edition: ClassVar[str]
    schema_version: ClassVar[str]
    #: attributes of <organization>, as (namespace, name) -> value
    organization_attributes: ClassVar[dict[tuple[str, str], str]]
    runtime: ClassVar[dict[str, Any]]

    def manifest(self, course: Course, files: list[OutputFile], ctx: BuildContext) -> bytes:
        def q(tag: str, ns: str = IMSCP) -> str:
            return f"{{{ns}}}{tag}"

        root = etree.Element(q("manifest"), nsmap=NAMESPACES)
        root.set("identifier", scorm_identifier("MANIFEST", course.slug))
        root.set("version", course.version)
        root.set(f"{{{XSI}}}schemaLocation", SCHEMA_LOCATION)

        metadata = etree.SubElement(root, q("metadata"))
        etree.SubElement(metadata, q("schema")).text = "ADL SCORM"
        etree.SubElement(metadata, q("schemaversion")).text = self.schema_version

        organizations = etree.SubElement(root, q("organizations"), default=ORG_ID)
        org = etree.SubElement(organizations, q("organization"), identifier=ORG_ID)
        for (ns, name), value in sorted(self.organization_attributes.items()):
            org.set(q(name, ns), value)
        etree.SubElement(org, q("title")).text = course.title

        item = etree.SubElement(
            org,
            q("item"),
            identifier=scorm_identifier("ITEM", course.slug),
            identifierref=RES_ID,
            isvisible="true",
        )
        etree.SubElement(item, q("title")).text = course.title
        # item extensions, in the order of ADL's books: sequencing, then presentation
        item_seq = etree.SubElement(item, q("sequencing", IMSSS))
        etree.SubElement(item_seq, q("deliveryControls", IMSSS), ITEM_DELIVERY_CONTROLS)
        presentation = etree.SubElement(item, q("presentation", ADLNAV))
        interface = etree.SubElement(presentation, q("navigationInterface", ADLNAV))
        for control in HIDE_LMS_UI:
            etree.SubElement(interface, q("hideLMSUI", ADLNAV)).text = control

        # the organization's own sequencing comes after its items
        org_seq = etree.SubElement(org, q("sequencing", IMSSS))
        etree.SubElement(org_seq, q("controlMode", IMSSS), ORG_CONTROL_MODE)

        resources = etree.SubElement(root, q("resources"))
        resource = etree.SubElement(
            resources, q("resource"), identifier=RES_ID, type="webcontent", href=LAUNCH_FILE
        )
        resource.set(SCORM_TYPE_ATTRIBUTE, "sco")
        for f in sorted(files, key=lambda f: f.path):
            etree.SubElement(resource, q("file"), href=f.path)
        return xml_bytes(root)

    def check(self, course: Course, files: list[OutputFile], ctx: BuildContext) -> Findings:
        return super().check(course, files, ctx) + dual_tracking_findings(course, ctx)


@register
class Scorm2004Third(Scorm2004):
    name = "scorm2004-3rd"
    title = "SCORM 2004 3rd Edition"
    edition = "3rd"
    schema_version = "2004 3rd Edition"
    organization_attributes: ClassVar[dict[tuple[str, str], str]] = {
        # keep this course's objectives to itself (3rd Edition already has the attribute)
        (ADLSEQ, "objectivesGlobalToSystem"): "false",
    }
    runtime: ClassVar[dict[str, Any]] = {**RUNTIME_2004, "standard": "SCORM 2004 3rd Edition"}


@register
class Scorm2004Fourth(Scorm2004):
    name = "scorm2004-4th"
    title = "SCORM 2004 4th Edition"
    edition = "4th"
    schema_version = "2004 4th Edition"
    organization_attributes: ClassVar[dict[tuple[str, str], str]] = {
        (ADLSEQ, "objectivesGlobalToSystem"): "false",
        # 4th Edition only: shared data buckets stay within this course
        (ADLCP, "sharedDataGlobalToSystem"): "false",
    }
    runtime: ClassVar[dict[str, Any]] = {**RUNTIME_2004, "standard": "SCORM 2004 4th Edition"}
