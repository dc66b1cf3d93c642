"""LMS profiles: the defaults they pick, the runtime settings they add, the notes they print,
and every rule of their tables, each shown to hold on the example course and to fail on a
package that breaks it."""

from __future__ import annotations

import dataclasses
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from coursepack.build import BuildResult, prepare
from coursepack.cli import cli
from coursepack.errors import CourseInvalid
from coursepack.model import Course
from coursepack.output import OutputFile
from coursepack.pipeline import load_course
from coursepack.profiles import (
    PROFILES,
    PackageFacts,
    Rule,
    estimated_zip_bytes,
)
from tests.targets.conftest import EXAMPLE, Package

DEFAULT_TARGETS = {
    "generic": "scorm12",
    "moodle": "scorm12",
    "cornerstone": "scorm2004-3rd",
    "scorm-cloud": "scorm2004-4th",
}

MANIFEST_2004 = b"""<?xml version="1.0"?>
<manifest xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"><resources>
<resource identifier="R" type="webcontent" href="start.html"/></resources></manifest>"""
TINCAN_TWO_LAUNCHES = b"""<?xml version="1.0"?>
<tincan xmlns="http://projecttincan.com/tincan.xsd"><activities>
<activity id="https://x.org/a"><launch lang="en">index.html</launch></activity>
<activity id="https://x.org/b"><launch lang="en">other.html</launch></activity>
</activities></tincan>"""

# For every rule id in PROFILES: a package that breaks it, as (target, manifest file, files,
# runtime settings). A new rule without an entry here fails test_every_rule_has_a_breach_case.
SCORM12_RUNTIME = {"standard": "SCORM 1.2", "suspendDataLimit": 4096, "exitIncomplete": "suspend"}
BREACHES: dict[str, tuple[str, str, list[OutputFile], dict[str, Any]]] = {
    "zip-size": (
        "scorm12",
        "imsmanifest.xml",
        [OutputFile("media/big.bin", b"\0" * 10)],  # with max_bytes lowered, see the test
        SCORM12_RUNTIME,
    ),
    "manifest-at-root": (
        "scorm12",
        "imsmanifest.xml",
        [OutputFile("content/imsmanifest.xml", MANIFEST_2004)],
        SCORM12_RUNTIME,
    ),
    "launch-file-present": (
        "scorm2004-3rd",
        "imsmanifest.xml",
        [OutputFile("imsmanifest.xml", MANIFEST_2004), OutputFile("index.html", b"")],
        {"standard": "SCORM 2004 3rd Edition"},
    ),
    "resume-needs-suspend": (
        "scorm12",
        "imsmanifest.xml",
        [],
        {**SCORM12_RUNTIME, "exitIncomplete": ""},
    ),
    "suspend-data-1.2": (
        "scorm12",
        "imsmanifest.xml",
        [],
        {**SCORM12_RUNTIME, "suspendDataLimit": 64000},
    ),
    "scorm-2004-3rd": (
        "scorm2004-4th",
        "imsmanifest.xml",
        [],
        {"standard": "SCORM 2004 4th Edition"},
    ),
    "score-before-status": (
        "scorm2004-3rd",
        "imsmanifest.xml",
        [],
        {"standard": "SCORM 2004 3rd Edition", "statusOrder": ["completion", "score"]},
    ),
    "one-tincan-xml": (
        "xapi",
        "tincan.xml",
        [OutputFile("tincan.xml", b"<tincan/>"), OutputFile("media/tincan.xml", b"<tincan/>")],
        {},
    ),
    "one-launchable-activity": (
        "xapi",
        "tincan.xml",
        [OutputFile("tincan.xml", TINCAN_TWO_LAUNCHES)],
        {},
    ),
    "no-completion-on-failed": ("cmi5", "cmi5.xml", [], {"completionOnFailure": True}),
}


def every_rule() -> list[tuple[str, Rule]]:
    return [(name, rule) for name, profile in PROFILES.items() for rule in profile.rules]


@pytest.fixture(scope="module")
def example() -> Course:
    return load_course(EXAMPLE, environ={})


def facts(
    course: Course, target: str, manifest: str, files: list[OutputFile], runtime: dict[str, Any]
) -> PackageFacts:
    return PackageFacts(target, target, manifest, files, runtime, course)


# ----------------------------------------------------------------------------------------
# defaults


@pytest.mark.parametrize(("lms", "target"), sorted(DEFAULT_TARGETS.items()))
def test_profile_picks_its_default_target(
    lms: str, target: str, build: Callable[..., BuildResult]
) -> None:
    assert PROFILES[lms].default_target == target
    (built,) = build([], lms).packages
    assert built.target.name == target


def test_lms_key_in_course_yaml_picks_the_profile(
    build: Callable[..., BuildResult], course_copy: Callable[..., Path]
) -> None:
    result = build([], None, course_copy("lms: cornerstone\n"))
    assert [p.target.name for p in result.packages] == ["scorm2004-3rd"]


def test_lms_option_overrides_course_yaml(
    build: Callable[..., BuildResult], course_copy: Callable[..., Path]
) -> None:
    result = build([], "moodle", course_copy("lms: cornerstone\n"))
    assert [p.target.name for p in result.packages] == ["scorm12"]


def test_moodle_runtime_defaults_keep_resume_working_in_every_scorm_package(
    package: Callable[..., Package],
) -> None:
    for target in ("scorm12", "scorm2004-3rd", "scorm2004-4th"):
        settings = package(target, "moodle").config()["target"]
        assert settings["exitIncomplete"] == "suspend"
        assert settings["exitComplete"] == "suspend"
    # the generic profile is as safe in Moodle: a completed attempt is suspended, not ended,
    # and the only navigation request is one Moodle passes over (suspendAll)
    generic = package("scorm2004-3rd", "generic").config()["target"]
    assert generic["exitComplete"] == "suspend"
    assert generic["navRequestOnExit"] == {"suspend": "suspendAll"}
    assert package("scorm12", "generic").config()["target"]["exitComplete"] == "suspend"


def test_cornerstone_runtime_defaults_put_the_score_first_and_never_complete_a_failure(
    package: Callable[..., Package],
) -> None:
    settings = package("scorm12", "cornerstone").config()["target"]
    assert settings["statusOrder"] == ["score", "completion", "success"]
    for target in ("xapi", "cmi5"):
        assert package(target, "cornerstone").config()["target"]["completionOnFailure"] is False


# ----------------------------------------------------------------------------------------
# notes for the administrator


def test_moodle_build_notes_the_activity_settings_and_the_cli_prints_them(
    build: Callable[..., BuildResult], tmp_path: Path
) -> None:
    result = build(["scorm12"], "moodle")
    (note,) = result.notes
    assert note.startswith("Moodle: ")
    for setting in ("Learning objects", "Force new attempt 'No'", "Require status: Completed"):
        assert setting in note
    answer = CliRunner().invoke(
        cli, ["build", str(EXAMPLE), "-o", str(tmp_path / "cli"), "--lms", "moodle"]
    )
    assert answer.exit_code == 0, answer.output
    assert note in answer.output


def test_notes_are_given_once_per_build_and_only_for_packages_they_concern(
    build: Callable[..., BuildResult],
) -> None:
    notes = build(["scorm12", "scorm2004-3rd", "scorm2004-4th"], "moodle").notes
    assert len(notes) == 1
    assert len(build(["scorm12", "scorm2004-4th"], "generic").notes) == 1
    assert build(["xapi"], "generic").notes == []
    assert build(["scorm12"], "scorm-cloud").notes == []
    xapi_notes = build(["xapi"], "moodle").notes
    assert len(xapi_notes) == 1 and "plugin" in xapi_notes[0]


def _with_score(tmp_path: Path, score: str | None) -> Path:
    """The example course, with ``score: <score>`` in course.yaml (or as it is)."""
    import shutil

    folder = tmp_path / f"course-{score}"
    shutil.copytree(EXAMPLE, folder)
    if score is not None:
        course_file = folder / "course.yaml"
        course_file.write_text(course_file.read_text("utf-8") + f"score: {score}\n", "utf-8")
    return folder


@pytest.mark.parametrize("lms", [None, "moodle"])
def test_the_moodle_grading_advice_follows_the_score_rule_for_the_default_build_too(
    lms: str | None, build: Callable[..., BuildResult], tmp_path: Path
) -> None:
    (ungraded,) = build(["scorm12"], lms, _with_score(tmp_path, None)).notes
    assert "Grading method 'Learning objects'" in ungraded
    assert "'Highest grade' would show 0 / 100" in ungraded
    assert "Force new attempt 'No'" in ungraded and "Require status: Completed" in ungraded
    (progress,) = build(["scorm2004-3rd"], lms, _with_score(tmp_path, "progress")).notes
    assert "Grading method 'Highest grade' and Maximum grade 100" in progress
    assert "100 for a finisher" in progress
    assert "Require status: Completed" in progress
    if lms is None:
        assert ungraded.startswith("Any LMS: in Moodle") and "score: progress" in ungraded
    else:
        assert ungraded.startswith("Moodle: add the zip")


# ----------------------------------------------------------------------------------------
# the rules


@pytest.mark.parametrize(("lms", "target"), [(lms, "all") for lms in sorted(PROFILES)])
def test_example_course_builds_every_target_for_every_profile(
    lms: str, target: str, build: Callable[..., BuildResult]
) -> None:
    result = build([target], lms)
    assert all(p.path.is_file() for p in result.packages)


def test_every_rule_has_an_id_a_rule_text_a_hint_and_a_breach_case() -> None:
    for name, profile in PROFILES.items():
        ids = [rule.id for rule in profile.rules]
        assert len(ids) == len(set(ids)), name
        for rule in profile.rules:
            assert rule.rule and rule.hint, rule.id
            assert rule.id in BREACHES, f"no breach case for {rule.id}: add one to BREACHES"


@pytest.mark.parametrize(("lms", "rule"), every_rule(), ids=lambda v: getattr(v, "id", v))
def test_each_rule_fails_on_a_package_that_breaks_it(lms: str, rule: Rule, example: Course) -> None:
    target, manifest, files, runtime = BREACHES[rule.id]
    if rule.id == "zip-size":
        rule = dataclasses.replace(rule, data={"max_bytes": 100})
    broken = facts(example, target, manifest, files, runtime)
    assert rule.applies(broken)
    messages = rule.check(rule, broken)
    assert messages, f"{lms}: {rule.id} did not notice {files} / {runtime}"
    assert all(isinstance(m, str) and m for m in messages)


def test_zip_size_rule_stops_the_build_with_a_located_message(
    example: Course, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    profile = PROFILES["cornerstone"]
    small = tuple(
        dataclasses.replace(r, data={"max_bytes": 10_000}) if r.id == "zip-size" else r
        for r in profile.rules
    )
    monkeypatch.setitem(PROFILES, "cornerstone", dataclasses.replace(profile, rules=small))
    with pytest.raises(CourseInvalid) as caught:
        prepare(EXAMPLE, tmp_path, ["scorm2004-3rd"], "cornerstone", environ={})
    message = caught.value.message
    assert message.startswith("course.yaml:1:1: Cornerstone (zip-size): SCORM 2004 3rd Edition: ")
    assert "; the limit is 9.8 KB (make the media files smaller" in message
    assert not list(tmp_path.iterdir())  # nothing written


def test_a_second_tincan_xml_in_the_media_folder_breaks_the_cornerstone_rule(
    course_copy: Callable[..., Path], tmp_path: Path
) -> None:
    course = course_copy()
    (course / "media").mkdir()
    (course / "media" / "tincan.xml").write_text("<tincan/>", encoding="utf-8")
    with pytest.raises(CourseInvalid) as caught:
        prepare(course, tmp_path / "out", ["xapi"], "cornerstone", environ={})
    assert "Cornerstone (one-tincan-xml)" in caught.value.message
    assert "media/tincan.xml" in caught.value.message
    # the generic profile has no such rule
    prepare(course, tmp_path / "out", ["xapi"], "generic", environ={})


def test_fourth_edition_for_cornerstone_is_a_warning_not_an_error(
    build: Callable[..., BuildResult],
) -> None:
    result = build(["scorm2004-4th"], "cornerstone")
    (warning,) = result.warnings
    assert warning.severity == "warning"
    assert "Cornerstone (scorm-2004-3rd)" in str(warning)
    assert "--target scorm2004-3rd" in str(warning)
    assert build(["scorm2004-3rd"], "cornerstone").warnings == []


def test_suspend_data_rule_concerns_scorm_12_only(example: Course) -> None:
    (rule,) = [r for r in PROFILES["moodle"].rules if r.id == "suspend-data-1.2"]
    scorm2004 = facts(
        example, "scorm2004-3rd", "imsmanifest.xml", [], {"standard": "SCORM 2004 3rd Edition"}
    )
    assert not rule.applies(scorm2004)


def test_zip_size_estimate_is_an_upper_bound_close_to_the_real_zip(
    build: Callable[..., BuildResult],
) -> None:
    for built in build(["all"]).packages:
        real = built.path.stat().st_size
        estimate = estimated_zip_bytes(built.files)
        assert real <= estimate <= real * 1.05 + 512, (built.target.name, real, estimate)
        with zipfile.ZipFile(built.path) as zf:
            assert len(zf.namelist()) == len(built.files)
