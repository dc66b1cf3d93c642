"""The graded example course (examples/graded) builds for every target with manifests valid
against the official schemas, no mastery score anywhere, and the Moodle notes of a graded
course; its committed lock is the one the build writes."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from coursepack.build import build_course
from coursepack.pipeline import check_versioned, load_course
from coursepack.targets import TARGETS
from coursepack.versions import LOCK_FILE
from tests.schemas import assert_valid, cmi5_schema, scorm12_schema, scorm2004_schema

REPO = Path(__file__).resolve().parents[2]
GRADED = REPO / "examples" / "graded"
SCHEMAS = {
    "scorm12": scorm12_schema,
    "scorm2004-3rd": scorm2004_schema,
    "scorm2004-4th": scorm2004_schema,
    "cmi5": cmi5_schema,
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("graded") / "course"
    shutil.copytree(GRADED, folder)
    result = build_course(folder, folder.parent / "dist", ["all"], environ={})
    return {package.target.name: package.path for package in result.packages}


def test_the_graded_example_has_each_kind_of_check_and_a_task() -> None:
    course = load_course(GRADED, environ={})
    assert course.graded and course.tasks
    kinds = [item.check.kind.value for item in course.checks if item.check]
    assert kinds == ["choice", "choice-multiple", "true-false", "fill-in"]
    assert course.assessment is not None and course.assessment.shuffle


def test_the_committed_lock_is_the_one_the_build_writes() -> None:
    versioned = check_versioned(GRADED, {})
    assert versioned.notes == []
    assert (GRADED / LOCK_FILE).read_text("utf-8") == versioned.lock_text


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_every_target_builds_with_a_valid_manifest_and_no_mastery_score(
    built: dict[str, Path], target: str
) -> None:
    manifest_file = TARGETS[target].manifest_file
    with zipfile.ZipFile(built[target]) as archive:
        manifest = archive.read(manifest_file)
        config = archive.read("coursepack-config.js").decode()
        scripts = set(archive.namelist())
    if target in SCHEMAS:
        assert_valid(SCHEMAS[target](), manifest)
    else:
        etree.fromstring(manifest)  # tincan.xml: no official XSD; well-formed
    text = manifest.decode().lower()
    # a mastery score makes LMSs recompute passed/failed over what the course reports
    assert "masteryscore" not in text and "minnormalizedmeasure" not in text
    assert "satisfiedbymeasure" not in text
    assert '"assessment":{"attempts":2,"needsPass":true,"passMark":75' in config
    assert "runtime/checks.js" in scripts


def test_moodle_notes_for_a_graded_course_ask_for_highest_grade_and_passed(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "course"
    shutil.copytree(GRADED, folder)
    result = build_course(folder, tmp_path / "dist", ["scorm12"], "moodle", environ={})
    (note,) = result.notes
    for setting in ("Highest grade", "Maximum grade 100", "Require status: Passed"):
        assert setting in note
    assert "Learning objects" not in note
