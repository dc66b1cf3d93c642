"""SCORM 1.2 manifest: valid against the official XSDs, and what LMSs need beyond them."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

from lxml import etree

from coursepack.build import build_course
from coursepack.pipeline import load_course
from tests.schemas import assert_valid, scorm12_schema

REPO = Path(__file__).resolve().parents[2]
CP = "{http://www.imsproject.org/xsd/imscp_rootv1p1p2}"
ADLCP = "{http://www.adlnet.org/xsd/adlcp_rootv1p2}"


def _build(tmp_path: Path) -> Path:
    result = build_course(REPO / "course", tmp_path / "dist", ["scorm12"], environ={})
    (path,) = result.paths
    return path


def test_example_course_manifest_is_valid_against_the_scorm12_xsds(tmp_path: Path) -> None:
    with zipfile.ZipFile(_build(tmp_path)) as zf:
        assert_valid(scorm12_schema(), zf.read("imsmanifest.xml"))


def test_manifest_describes_one_sco_listing_every_file_of_the_package(tmp_path: Path) -> None:
    with zipfile.ZipFile(_build(tmp_path)) as zf:
        names = set(zf.namelist())
        root = etree.fromstring(zf.read("imsmanifest.xml"))
    assert root.findtext(f"{CP}metadata/{CP}schema") == "ADL SCORM"
    assert root.findtext(f"{CP}metadata/{CP}schemaversion") == "1.2"
    (org,) = root.iter(f"{CP}organization")
    assert org.findtext(f"{CP}title") == "Collaborative Impact Leadership"
    items = list(org.iter(f"{CP}item"))
    resources = {r.get("identifier"): r for r in root.iter(f"{CP}resource")}
    assert all(item.get("identifierref") in resources for item in items)
    (sco,) = resources.values()
    assert sco.get(f"{ADLCP}scormtype") == "sco"  # lower-case t in 1.2
    assert sco.get("href") == "index.html"
    listed = {f.get("href") for f in sco.iter(f"{CP}file")}
    assert listed == names - {"imsmanifest.xml"}
    assert "index.html" in names


def test_ungraded_course_has_no_masteryscore(tmp_path: Path) -> None:
    with zipfile.ZipFile(_build(tmp_path)) as zf:
        manifest = zf.read("imsmanifest.xml")
    assert b"masteryscore" not in manifest


def test_building_twice_gives_byte_identical_zips(tmp_path: Path) -> None:
    first = _build(tmp_path / "a").read_bytes()
    second = _build(tmp_path / "b").read_bytes()
    assert first == second


def test_package_ships_no_third_party_schema_files(tmp_path: Path) -> None:
    with zipfile.ZipFile(_build(tmp_path)) as zf:
        assert not [n for n in zf.namelist() if n.endswith((".xsd", ".dtd"))]


def test_zip_is_named_from_course_slug_version_and_target(tmp_path: Path) -> None:
    course = load_course(REPO / "course", environ={})
    path = _build(tmp_path)
    assert path.name == f"collaborative-impact-leadership-{course.version}-scorm12.zip"


def _definitions(config_js: bytes) -> int:
    return config_js.decode().count('"definition":')


def test_only_packages_that_send_statements_carry_the_activities_xapi_definitions(
    tmp_path: Path,
) -> None:
    from tests.runtime.test_script_order import LRS_YAML

    course = tmp_path / "course"
    shutil.copytree(REPO / "course", course)
    targets = ["scorm12", "scorm2004-4th", "xapi"]
    plain = build_course(course, tmp_path / "plain", targets, environ={})
    found = {}
    for path in plain.paths:
        with zipfile.ZipFile(path) as zf:
            found[path.name.rsplit("-", 1)[-1]] = _definitions(zf.read("coursepack-config.js"))
    items = len(load_course(course, environ={}).items)
    # SCORM alone makes no statement: none; the xAPI package: every activity's
    assert found["scorm12.zip"] == found["4th.zip"] == 0
    assert found["xapi.zip"] > items
    yaml = course / "course.yaml"
    yaml.write_text(yaml.read_text("utf-8") + LRS_YAML, "utf-8")
    environ = {"COURSEPACK_LRS_USERNAME": "u", "COURSEPACK_LRS_PASSWORD": "p"}
    (dual,) = build_course(course, tmp_path / "dual", ["scorm12"], environ=environ).paths
    with zipfile.ZipFile(dual) as zf:  # dual tracking sends statements: every definition
        assert _definitions(zf.read("coursepack-config.js")) == found["xapi.zip"]
