"""The xAPI (TinCan) package: tincan.xml at the root, one launchable activity, the runtime."""

from __future__ import annotations

import base64
import json
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from lxml import etree

from coursepack.build import build_course, prepare
from coursepack.errors import UserError
from coursepack.pipeline import load_course
from coursepack.profiles import PROFILES
from coursepack.render import render_course
from coursepack.targets import TARGETS
from coursepack.targets.base import BuildContext, InvariantBroken
from coursepack.targets.tincan import TINCAN_NS, TinCan, tincan_xml
from coursepack.xapi import vocab

REPO = Path(__file__).resolve().parents[2]
T = f"{{{TINCAN_NS}}}"


def _build(tmp_path: Path, environ: dict[str, str] | None = None) -> Path:
    result = build_course(REPO / "course", tmp_path / "dist", ["xapi"], environ=environ or {})
    (path,) = result.paths
    return path


def _config(zf: zipfile.ZipFile) -> dict[str, object]:
    text = zf.read("coursepack-config.js").decode()
    prefix = "window.COURSEPACK_CONFIG = "
    assert text.startswith(prefix)
    config: dict[str, object] = json.loads(text[len(prefix) :].rstrip().rstrip(";"))
    return config


def test_xapi_target_is_registered_under_the_name_xapi() -> None:
    assert TARGETS["xapi"] is TinCan


def test_package_has_one_tincan_xml_at_the_zip_root_and_the_xapi_runtime(tmp_path: Path) -> None:
    with zipfile.ZipFile(_build(tmp_path)) as zf:
        names = zf.namelist()
        page = zf.read("index.html").decode()
    assert [n for n in names if n.endswith("tincan.xml")] == ["tincan.xml"]
    assert "imsmanifest.xml" not in names
    for script in ("runtime/core.js", "runtime/xapi-tracker.js", "runtime/adapter-tincan.js"):
        assert script in names
    # classic scripts, in order: config, core, the tracker and the emitter, then the adapter
    scripts = ["coursepack-config.js", "core.js", "xapi-tracker.js", "xapi-emitter.js"]
    order = [page.index(s) for s in [*scripts, "adapter-tincan"]]
    assert order == sorted(order)


def test_tincan_xml_has_exactly_one_launchable_activity_the_course(tmp_path: Path) -> None:
    with zipfile.ZipFile(_build(tmp_path)) as zf:
        root = etree.fromstring(zf.read("tincan.xml"))
        names = set(zf.namelist())
    course = load_course(REPO / "course", {})
    assert root.tag == f"{T}tincan"
    activities = root.findall(f"{T}activities/{T}activity")
    launchable = [a for a in activities if a.find(f"{T}launch") is not None]
    assert len(launchable) == 1
    (main,) = launchable
    assert main.get("id") == course.id
    assert main.get("type") == vocab.ACTIVITY_TYPES["course"]
    launch = main.find(f"{T}launch")
    assert launch is not None and launch.text in names
    assert launch.get("lang") == course.language
    name = main.find(f"{T}name")
    description = main.find(f"{T}description")
    assert name is not None and name.text == course.title and name.get("lang") == "en"
    assert description is not None and description.text == course.description
    assert description.get("lang") == "en"
    assert all(a.find(f"{T}resource") is None for a in activities)


def test_tincan_xml_lists_every_module_section_and_item_with_the_vocabulary_ids(
    tmp_path: Path,
) -> None:
    with zipfile.ZipFile(_build(tmp_path)) as zf:
        root = etree.fromstring(zf.read("tincan.xml"))
    course = load_course(REPO / "course", {})
    listed = {a.get("id"): a for a in root.iter(f"{T}activity")}
    expected = vocab.iter_activities(course)
    assert list(listed) == [iri for _level, iri, _definition in expected]
    for level, iri, definition in expected:
        activity = listed[iri]
        assert activity.get("type") == definition["type"]
        name = activity.find(f"{T}name")
        assert name is not None and name.get("lang") == course.language
        assert {name.get("lang"): name.text} == definition["name"]
        if level == "task":
            assert activity.findtext(f"{T}interactionType") == "long-fill-in"
            assert activity.get("type") == "http://adlnet.gov/expapi/activities/cmi.interaction"
            description = activity.find(f"{T}description")
            assert description is not None and description.text
        else:
            assert activity.find(f"{T}interactionType") is None


def test_runtime_config_uses_the_same_ids_and_definitions_as_tincan_xml(tmp_path: Path) -> None:
    with zipfile.ZipFile(_build(tmp_path)) as zf:
        config = _config(zf)
        root = etree.fromstring(zf.read("tincan.xml"))
    listed = [a.get("id") for a in root.iter(f"{T}activity")]
    course_conf = config["course"]
    assert isinstance(course_conf, dict)
    from_config = [course_conf["iri"]]
    modules = config["modules"]
    assert isinstance(modules, list)
    for module in modules:
        from_config.append(module["iri"])
        for section in module["sections"]:
            from_config.append(section["iri"])
            from_config.extend(item["iri"] for item in section["items"])
    assert from_config == listed
    xapi = config["xapi"]
    assert isinstance(xapi, dict)
    assert xapi["verbs"] == vocab.VERBS
    assert xapi["stateId"] == vocab.STATE_ID
    assert xapi["lrs"] is None  # a TinCan package gets its LRS from the launch
    target = config["target"]
    assert isinstance(target, dict)
    assert target["adapter"] == "tincan"
    assert target["responseLimit"] is None


def test_tincan_xml_escapes_text_and_is_byte_identical_across_builds(tmp_path: Path) -> None:
    first = _build(tmp_path / "a", {"SOURCE_DATE_EPOCH": "1700000000"})
    second = _build(tmp_path / "b", {"SOURCE_DATE_EPOCH": "1700000000"})
    assert first.read_bytes() == second.read_bytes()
    course = load_course(REPO / "course", {})
    tricky = replace(course, title='Tags <b> & "quotes"')
    root = etree.fromstring(tincan_xml(tricky))
    name = root.find(f"{T}activities/{T}activity/{T}name")
    assert name is not None and name.text == 'Tags <b> & "quotes"'


def test_xapi_package_never_carries_an_lrs_credential(tmp_path: Path) -> None:
    secret = "build-time-secret-password"
    environ = {"COURSEPACK_LRS_USERNAME": "writer", "COURSEPACK_LRS_PASSWORD": secret}
    with zipfile.ZipFile(_build(tmp_path, environ)) as zf:
        blob = b"".join(zf.read(n) for n in zf.namelist())
        config = _config(zf)
    token = base64.b64encode(f"writer:{secret}".encode())
    assert secret.encode() not in blob
    assert token not in blob
    xapi = config["xapi"]
    assert isinstance(xapi, dict) and xapi["lrs"] is None


def test_a_manifest_without_exactly_one_launchable_course_is_a_bug_not_a_user_problem(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    course = load_course(REPO / "course", {})
    ctx = BuildContext(environ={}, profile=PROFILES["generic"], clock=lambda: None)  # type: ignore[arg-type,return-value]
    rendered = render_course(course)
    assert TinCan().build(course, rendered, ctx)  # the real manifest holds the invariant
    two = tincan_xml(course).replace(
        b"<interactionType>", b"<launch lang='en'>index.html</launch><interactionType>", 1
    )
    monkeypatch.setattr(TinCan, "manifest", lambda self, course, files, ctx: two)
    with pytest.raises(InvariantBroken, match=r"tincan\.xml has 2 launchable activities"):
        TinCan().build(course, rendered, ctx)
    assert not issubclass(InvariantBroken, UserError)


def test_building_every_target_includes_the_xapi_package(tmp_path: Path) -> None:
    result = prepare(REPO / "course", tmp_path, ["all"], environ={})
    assert any(p.target.name == "xapi" for p in result.packages)
