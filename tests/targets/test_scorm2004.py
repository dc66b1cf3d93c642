"""SCORM 2004 3rd and 4th Edition manifests: valid against the official XSDs, and what the
schemas cannot check (attribute spelling, edition-specific constructs, free sequencing)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from lxml import etree

from coursepack.targets.scorm2004 import ADLCP, ADLNAV, ADLSEQ, IMSCP, IMSSS
from tests.schemas import assert_valid, scorm2004_schema
from tests.targets.conftest import Package

CP = f"{{{IMSCP}}}"
SS = f"{{{IMSSS}}}"
EDITIONS = {"scorm2004-3rd": "2004 3rd Edition", "scorm2004-4th": "2004 4th Edition"}

# What the 4th Edition added to the manifest (ADL CAM 4th Ed.; see shared/docs/scorm2004.md
# §3 and §7): a 3rd Edition manifest must use none of it.
FOURTH_ONLY_ATTRIBUTES = {
    f"{{{ADLCP}}}sharedDataGlobalToSystem",
    "completedByMeasure",  # on adlcp:completionThreshold
    "minProgressMeasure",
    "progressWeight",
}
FOURTH_ONLY_ELEMENTS = {f"{{{ADLCP}}}data", f"{{{ADLCP}}}map", f"{{{ADLSEQ}}}objectives"}
FOURTH_ONLY_HIDE_LMS_UI = {"exitAll", "abandonAll", "suspendAll"}


def manifest(package: Package) -> etree._Element:
    return etree.fromstring(package.files["imsmanifest.xml"])


@pytest.mark.parametrize("target", sorted(EDITIONS))
def test_manifest_is_valid_against_the_scorm2004_xsds(
    target: str, package: Callable[..., Package]
) -> None:
    assert_valid(scorm2004_schema(), package(target).files["imsmanifest.xml"])


@pytest.mark.parametrize(("target", "version"), sorted(EDITIONS.items()))
def test_schemaversion_names_the_edition(
    target: str, version: str, package: Callable[..., Package]
) -> None:
    root = manifest(package(target))
    assert root.findtext(f"{CP}metadata/{CP}schema") == "ADL SCORM"
    assert root.findtext(f"{CP}metadata/{CP}schemaversion") == version


@pytest.mark.parametrize("target", sorted(EDITIONS))
def test_sco_resource_spells_adlcp_scormType_with_a_capital_t(
    target: str, package: Callable[..., Package]
) -> None:
    data = package(target).files["imsmanifest.xml"]
    (resource,) = manifest(package(target)).iter(f"{CP}resource")
    assert resource.get(f"{{{ADLCP}}}scormType") == "sco"
    spellings = [
        etree.QName(name).localname
        for name in resource.attrib
        if etree.QName(name).localname.lower() == "scormtype"
    ]
    assert spellings == ["scormType"]
    assert b'adlcp:scormType="sco"' in data
    assert b"scormtype" not in data


def test_xsd_validation_alone_would_not_catch_a_lower_case_scormtype(
    package: Callable[..., Package],
) -> None:
    """Why the spelling test exists: the CP schema's attribute wildcard is lax."""
    data = package("scorm2004-3rd").files["imsmanifest.xml"]
    misspelt = data.replace(b"adlcp:scormType=", b"adlcp:scormtype=")
    assert misspelt != data
    assert_valid(scorm2004_schema(), misspelt)


@pytest.mark.parametrize("target", sorted(EDITIONS))
def test_one_organization_one_sco_listing_every_file(
    target: str, package: Callable[..., Package]
) -> None:
    built = package(target)
    root = manifest(built)
    (organizations,) = root.iter(f"{CP}organizations")
    (org,) = organizations.iter(f"{CP}organization")
    assert organizations.get("default") == org.get("identifier")
    assert org.findtext(f"{CP}title") == "Collaborative Impact Leadership"
    (item,) = org.iter(f"{CP}item")
    (resource,) = root.iter(f"{CP}resource")
    assert item.get("identifierref") == resource.get("identifier")
    assert resource.get("href") == "index.html"
    listed = {f.get("href") for f in resource.iter(f"{CP}file")}
    assert listed == built.names - {"imsmanifest.xml"}
    assert not [n for n in built.names if n.endswith((".xsd", ".dtd"))]


@pytest.mark.parametrize("target", sorted(EDITIONS))
def test_sequencing_lets_the_learner_move_freely_and_the_sco_report_status(
    target: str, package: Callable[..., Package]
) -> None:
    root = manifest(package(target))
    (org,) = root.iter(f"{CP}organization")
    control = org.find(f"{SS}sequencing/{SS}controlMode")
    assert control is not None
    assert control.get("choice") == "true"
    assert control.get("flow") == "true"
    assert control.get("forwardOnly") == "false"
    (item,) = org.iter(f"{CP}item")
    delivery = item.find(f"{SS}sequencing/{SS}deliveryControls")
    assert delivery is not None
    assert delivery.get("completionSetByContent") == "true"
    assert delivery.get("objectiveSetByContent") == "true"
    # nothing that gates, limits or scores: no rules, limits, objectives or mastery
    for tag in ("sequencingRules", "limitConditions", "objectives", "rollupRules"):
        assert not list(root.iter(f"{SS}{tag}")), tag
    assert b"minNormalizedMeasure" not in package(target).files["imsmanifest.xml"]


def test_third_edition_uses_no_fourth_edition_construct(package: Callable[..., Package]) -> None:
    root = manifest(package("scorm2004-3rd"))
    for element in root.iter():
        assert element.tag not in FOURTH_ONLY_ELEMENTS, element.tag
        assert not FOURTH_ONLY_ATTRIBUTES & set(element.attrib), element.attrib
    hidden = {e.text for e in root.iter(f"{{{ADLNAV}}}hideLMSUI")}
    assert hidden and not hidden & FOURTH_ONLY_HIDE_LMS_UI


def test_fourth_edition_keeps_shared_data_to_the_course(package: Callable[..., Package]) -> None:
    (org,) = manifest(package("scorm2004-4th")).iter(f"{CP}organization")
    assert org.get(f"{{{ADLCP}}}sharedDataGlobalToSystem") == "false"
    assert org.get(f"{{{ADLSEQ}}}objectivesGlobalToSystem") == "false"


@pytest.mark.parametrize(
    ("target", "standard"),
    [
        ("scorm2004-3rd", "SCORM 2004 3rd Edition"),
        ("scorm2004-4th", "SCORM 2004 4th Edition"),
    ],
)
def test_runtime_gets_the_2004_data_model_limits_from_the_target_table(
    target: str, standard: str, package: Callable[..., Package]
) -> None:
    built = package(target)
    settings = built.config()["target"]
    assert settings["name"] == target
    assert settings["standard"] == standard
    assert settings["adapter"] == "scorm2004"
    assert settings["apiName"] == "API_1484_11"
    assert settings["suspendDataLimit"] == 64000
    assert settings["locationLimit"] == 1000
    assert settings["responseLimit"] == 4000
    assert settings["interactionType"] == "long-fill-in"
    assert settings["statusOrder"][0] == "score"
    assert {"runtime/core.js", "runtime/adapter-scorm2004.js"} <= built.names
    assert not any(n.startswith("runtime/xapi") for n in built.names)  # no dual tracking asked


@pytest.mark.parametrize("target", sorted(EDITIONS))
def test_building_twice_gives_byte_identical_zips(
    target: str, package: Callable[..., Package]
) -> None:
    assert package(target).path.read_bytes() == package(target).path.read_bytes()
