"""cmi5.xml: valid against CourseStructure.xsd; one AU per module or per course; moveOn from the
completion rule; ids from the course IRI; AU urls that select the module."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from lxml import etree

from coursepack.model import CompletionRule
from coursepack.render.markdown import plain_first_paragraph as first_paragraph
from coursepack.targets.cmi5 import MOVE_ON
from coursepack.xapi import vocab
from tests.schemas import assert_valid, cmi5_schema
from tests.targets.conftest import Package

NS = "{https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd}"
COURSE_IRI = "https://courses.coursepack.dev/collaborative-impact-leadership"
GRADED = Path(__file__).resolve().parents[2] / "examples" / "graded"
LMS_PARAMS = {"endpoint", "fetch", "actor", "registration", "activityId"}


def structure(package: Package) -> etree._Element:
    return etree.fromstring(package.files["cmi5.xml"])


def aus(package: Package) -> list[etree._Element]:
    return list(structure(package).iter(f"{NS}au"))


def test_example_course_cmi5_xml_is_valid_against_course_structure_xsd(
    package: Callable[..., Package],
) -> None:
    assert_valid(cmi5_schema(), package("cmi5").files["cmi5.xml"])


@pytest.mark.parametrize("au_per", ["module", "course"])
def test_two_module_course_is_valid_for_either_au_layout(
    au_per: str, package: Callable[..., Package], course_copy: Callable[..., Path]
) -> None:
    course = course_copy(f"cmi5:\n  au_per: {au_per}\n", second_module=True)
    assert_valid(cmi5_schema(), package("cmi5", course_dir=course).files["cmi5.xml"])


def test_one_au_per_module_with_a_url_selecting_the_module(
    package: Callable[..., Package], course_copy: Callable[..., Path]
) -> None:
    built = package("cmi5", course_dir=course_copy(second_module=True))
    root = structure(built)
    assert root.find(f"{NS}course").get("id") == COURSE_IRI
    units = aus(built)
    assert [au.get("id") for au in units] == [
        f"{COURSE_IRI}/collaborative-impact-leadership",
        f"{COURSE_IRI}/second-steps",
    ]
    assert [au.findtext(f"{NS}url") for au in units] == [
        "index.html?module=collaborative-impact-leadership",
        "index.html?module=second-steps",
    ]
    assert [au.findtext(f"{NS}title/{NS}langstring") for au in units] == [
        "Collaborative Impact Leadership",
        "Second steps",
    ]
    for au in units:
        assert au.get("activityType") == vocab.ACTIVITY_TYPES["module"]
        assert au.get("launchMethod") == "AnyWindow"
        url = urlsplit(au.findtext(f"{NS}url") or "")
        assert not url.scheme and url.path in built.names  # relative, in the package
        assert not LMS_PARAMS & set(parse_qs(url.query))


def test_one_au_for_the_whole_course_when_au_per_is_course(
    package: Callable[..., Package], course_copy: Callable[..., Path]
) -> None:
    built = package("cmi5", course_dir=course_copy("cmi5:\n  au_per: course\n", True))
    (au,) = aus(built)
    assert au.get("id") == f"{COURSE_IRI}/au"
    assert au.findtext(f"{NS}url") == "index.html"
    assert au.get("activityType") == vocab.ACTIVITY_TYPES["course"]
    assert built.config()["target"]["auPer"] == "course"


def test_ids_in_the_structure_are_unique_and_under_the_course_iri(
    package: Callable[..., Package], course_copy: Callable[..., Path]
) -> None:
    for au_per in ("module", "course"):
        root = structure(package("cmi5", course_dir=course_copy(f"cmi5:\n  au_per: {au_per}\n")))
        ids = [e.get("id") for e in root.iter() if e.get("id")]
        assert len(ids) == len(set(ids))
        assert all(i.startswith(COURSE_IRI) for i in ids)


def test_move_on_of_an_ungraded_course_is_completed_and_there_is_no_mastery_score(
    package: Callable[..., Package], course_copy: Callable[..., Path]
) -> None:
    assert set(MOVE_ON) == set(CompletionRule)  # every rule has an entry
    for rule in (CompletionRule.ALL_TASKS, CompletionRule.ALL_ITEMS):
        folder = course_copy()
        yaml = (folder / "course.yaml").read_text(encoding="utf-8")
        assert "completion: all-tasks" in yaml
        (folder / "course.yaml").write_text(
            yaml.replace("completion: all-tasks", f"completion: {rule.value}"), encoding="utf-8"
        )
        built = package("cmi5", course_dir=folder)
        for au in aus(built):
            assert au.get("moveOn") == MOVE_ON[rule] == "Completed"
            assert au.get("masteryScore") is None  # ungraded: never passed or failed
        assert built.config()["target"]["moveOn"] == "Completed"


@pytest.mark.parametrize(
    ("rule", "move_on"),
    [
        ("all-tasks", "Completed"),
        ("all-items", "Completed"),
        ("pass", "Passed"),
        ("all-tasks-and-pass", "CompletedAndPassed"),
    ],
)
@pytest.mark.parametrize("au_per", ["module", "course"])
def test_move_on_of_a_graded_course_fits_its_completion_rule(
    package: Callable[..., Package], tmp_path: Path, rule: str, move_on: str, au_per: str
) -> None:
    folder = tmp_path / "graded"
    shutil.copytree(GRADED, folder)
    yaml = (folder / "course.yaml").read_text(encoding="utf-8")
    yaml = yaml.replace("completion: all-tasks-and-pass", f"completion: {rule}")
    # a second module without CHECKs: as its own AU it has nothing to pass
    (folder / "modules" / "more.md").write_text("# More\n\nTASK: What next?\n", "utf-8")
    yaml += f"  - modules/more.md\ncmi5:\n  au_per: {au_per}\n"
    (folder / "course.yaml").write_text(yaml, encoding="utf-8")
    built = package("cmi5", course_dir=folder)
    assert_valid(cmi5_schema(), built.files["cmi5.xml"])
    found = [au.get("moveOn") for au in aus(built)]
    assert found == ([move_on, "Completed"] if au_per == "module" else [move_on])
    assert all(au.get("masteryScore") is None for au in aus(built))
    assert built.config()["target"]["moveOn"] == move_on


def test_au_description_is_the_plain_text_of_the_module_introduction(
    package: Callable[..., Package],
) -> None:
    (au,) = aus(package("cmi5"))
    text = au.findtext(f"{NS}description/{NS}langstring") or ""
    assert text.startswith("Data collection, monitoring, evaluation and impact measurement")
    assert "*" not in text and "\n" not in text


def test_first_paragraph_strips_markdown() -> None:
    assert first_paragraph("Some *emphasis* and `code` and [a link](https://x.org).\n\nMore") == (
        "Some emphasis and code and a link."
    )
    assert first_paragraph("") == ""


def test_package_carries_the_xapi_runtime_and_the_cmi5_adapter(
    package: Callable[..., Package],
) -> None:
    built = package("cmi5")
    runtime = {"runtime/xapi-tracker.js", "runtime/adapter-cmi5.js"}
    assert {"cmi5.xml", "index.html", *runtime} <= built.names
    settings = built.config()["target"]
    assert settings["adapter"] == "cmi5"
    assert settings["moduleParam"] == "module"
    assert settings["launchModes"] == {"Normal": True, "Browse": False, "Review": False}
    assert settings["interactionType"] == "long-fill-in"
    assert not [n for n in built.names if n.endswith(".xsd")]
