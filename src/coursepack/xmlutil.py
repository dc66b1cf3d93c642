"""XML written and read the one way: fixed serialisation, no entities, no network."""

from __future__ import annotations

from lxml import etree

XSI = "http://www.w3.org/2001/XMLSchema-instance"


def qname(namespace: str, tag: str) -> str:
    """Clark notation: ``{namespace}tag``."""
    return f"{{{namespace}}}{tag}"


def xml_bytes(root: etree._Element) -> bytes:
    """Fixed serialisation: UTF-8, declaration, two-space indentation, trailing newline."""
    etree.indent(root, space="  ")
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return data


def parse_xml(data: bytes) -> etree._Element:
    """Parse XML we wrote or read, resolving no entity and fetching nothing."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return etree.fromstring(data, parser)


def local_name(element: etree._Element) -> str:
    return str(etree.QName(element).localname)
