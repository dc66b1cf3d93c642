"""The official XSDs, read from ``../shared/schemas`` (never copied into this repository).

libxml2 needs two adjustments (see PROVENANCE.md beside the schemas): a wrapper schema that
imports the namespaces a manifest uses, and a resolver that maps the W3C ``xml.xsd`` (and
SCORM 1.2's ``ims_xml.xsd``) to the local copy, so that nothing is fetched from the network.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from lxml import etree

from tests.support.env import require, shared_dir

SCORM2004_IMPORTS = {
    "http://www.imsglobal.org/xsd/imscp_v1p1": "imscp_v1p1.xsd",
    "http://www.adlnet.org/xsd/adlcp_v1p3": "adlcp_v1p3.xsd",
    "http://www.adlnet.org/xsd/adlseq_v1p3": "adlseq_v1p3.xsd",
    "http://www.adlnet.org/xsd/adlnav_v1p3": "adlnav_v1p3.xsd",
    "http://www.imsglobal.org/xsd/imsss": "imsss_v1p0.xsd",
}
SCORM12_IMPORTS = {
    "http://www.imsproject.org/xsd/imscp_rootv1p1p2": "imscp_rootv1p1p2.xsd",
    "http://www.adlnet.org/xsd/adlcp_rootv1p2": "adlcp_rootv1p2.xsd",
}


def schemas_dir() -> Path:
    path = shared_dir() / "schemas"
    require(path.is_dir(), f"the official schemas are not at {path.name} beside the repository")
    return path


class _LocalXml(etree.Resolver):
    def __init__(self, xml_xsd: Path) -> None:
        super().__init__()
        self.xml_xsd = xml_xsd

    def resolve(self, system_url: str, public_id: str, context: object) -> object:
        if system_url.endswith(("/xml.xsd", "ims_xml.xsd")) or system_url == "xml.xsd":
            return self.resolve_filename(str(self.xml_xsd), context)
        return None


def _wrapper(folder: Path, imports: dict[str, str], xml_xsd: Path) -> etree.XMLSchema:
    lines = ['<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">']
    for namespace, file in imports.items():
        location = (folder / file).resolve().as_uri()
        lines.append(f'<xs:import namespace="{namespace}" schemaLocation="{location}"/>')
    lines.append("</xs:schema>")
    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(_LocalXml(xml_xsd))
    doc = etree.fromstring("\n".join(lines).encode(), parser, base_url=folder.as_uri() + "/")
    return etree.XMLSchema(etree.ElementTree(doc))


@cache
def scorm12_schema() -> etree.XMLSchema:
    root = schemas_dir()
    return _wrapper(root / "scorm12", SCORM12_IMPORTS, root / "scorm2004" / "xml.xsd")


@cache
def scorm2004_schema() -> etree.XMLSchema:
    root = schemas_dir()
    return _wrapper(root / "scorm2004", SCORM2004_IMPORTS, root / "scorm2004" / "xml.xsd")


@cache
def cmi5_schema() -> etree.XMLSchema:
    path = schemas_dir() / "cmi5" / "CourseStructure.xsd"
    return etree.XMLSchema(etree.parse(str(path), etree.XMLParser(no_network=True)))


def assert_valid(schema: etree.XMLSchema, xml: bytes) -> etree._Element:
    doc = etree.fromstring(xml, etree.XMLParser(no_network=True))
    if not schema.validate(doc):
        errors = "\n".join(f"{e.line}: {e.message}" for e in schema.error_log)
        raise AssertionError(f"not valid against the official schema:\n{errors}")
    return doc
