"""The SCORM LMS harness: scorm-again in a parent page, recording what a SCO does."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.support.scorm_harness import (
    ScormHarness,
    ScormSite,
    manifest_launch,
    unzip_package,
)

pytestmark = pytest.mark.e2e

FAKE_SCO = Path(__file__).parent / "fake_sco"

# What differs between the standards, for the same hand-written SCO behaviour.
STANDARDS: dict[str, dict[str, Any]] = {
    "1.2": {
        "page": "sco12.html",
        "init": "LMSInitialize",
        "set": "LMSSetValue",
        "commit": "LMSCommit",
        "finish": "LMSFinish",
        "misuse": ["cmi.core.no_such_element", "x"],
        "misuse_error": "401",
        # The fake SCO's calls on load, then on "Complete", then on "Finish".
        "calls": [
            ("LMSInitialize", [""], "true"),
            ("LMSGetValue", ["cmi.core.entry"], "ab-initio"),
            ("LMSGetValue", ["cmi.suspend_data"], ""),
            ("LMSGetValue", ["cmi.core.student_name"], "Learner, Test"),
            ("LMSSetValue", ["cmi.core.score.raw", "80"], "true"),
            ("LMSSetValue", ["cmi.core.lesson_status", "completed"], "true"),
            ("LMSCommit", [""], "true"),
            ("LMSSetValue", ["cmi.core.exit", "suspend"], "true"),
            ("LMSSetValue", ["cmi.suspend_data", "page=4"], "true"),
            ("LMSCommit", [""], "true"),
            ("LMSFinish", [""], "true"),
        ],
        "status": lambda cmi: cmi["core"]["lesson_status"],
        "exit": lambda cmi: cmi["core"]["exit"],
        "resume": {
            "core": {"entry": "resume", "student_name": "Doe, Jane"},
            "suspend_data": "page=3",
        },
    },
    "2004": {
        "page": "sco2004.html",
        "init": "Initialize",
        "set": "SetValue",
        "commit": "Commit",
        "finish": "Terminate",
        "misuse": ["cmi.completion_status", "finished"],
        "misuse_error": "406",
        "calls": [
            ("Initialize", [""], "true"),
            ("GetValue", ["cmi.entry"], "ab-initio"),
            ("GetValue", ["cmi.learner_name"], "Test Learner"),
            ("SetValue", ["cmi.score.scaled", "0.8"], "true"),
            ("SetValue", ["cmi.completion_status", "completed"], "true"),
            ("SetValue", ["cmi.success_status", "passed"], "true"),
            ("Commit", [""], "true"),
            ("SetValue", ["cmi.exit", "suspend"], "true"),
            ("SetValue", ["cmi.suspend_data", "page=4"], "true"),
            ("Commit", [""], "true"),
            ("Terminate", [""], "true"),
        ],
        "status": lambda cmi: cmi["completion_status"],
        "exit": lambda cmi: cmi["exit"],
        "resume": {"entry": "resume", "learner_name": "Jane Doe", "suspend_data": "page=3"},
    },
}
VERSIONS = list(STANDARDS)


@pytest.fixture
def fake(scorm_site: ScormSite) -> str:
    return scorm_site.add_folder(FAKE_SCO, "fake")


@pytest.mark.parametrize("version", VERSIONS)
def test_every_call_is_logged_with_its_result_and_last_error(
    scorm_harness: ScormHarness, fake: str, version: str
) -> None:
    std = STANDARDS[version]
    content = scorm_harness.open(fake + std["page"], version=version)  # type: ignore[arg-type]
    content.get_by_role("button", name="Complete").click()
    content.get_by_role("button", name="Finish").click()

    assert scorm_harness.log() == [
        {"method": method, "args": args, "result": result, "error": "0"}
        for method, args, result in std["calls"]
    ]
    assert scorm_harness.errors() == []
    assert scorm_harness.page_errors == []


@pytest.mark.parametrize("version", VERSIONS)
def test_cmi_is_readable_after_the_sco_sets_values(
    scorm_harness: ScormHarness, fake: str, version: str
) -> None:
    std = STANDARDS[version]
    content = scorm_harness.open(fake + std["page"], version=version)  # type: ignore[arg-type]
    content.get_by_role("button", name="Complete").click()
    content.get_by_role("button", name="Finish").click()

    cmi = scorm_harness.cmi()
    assert std["status"](cmi) == "completed"
    assert std["exit"](cmi) == "suspend"
    assert cmi["suspend_data"] == "page=4"


@pytest.mark.parametrize("version", VERSIONS)
def test_a_failed_call_is_reported_with_its_error_code(
    scorm_harness: ScormHarness, fake: str, version: str
) -> None:
    std = STANDARDS[version]
    content = scorm_harness.open(fake + std["page"], version=version)  # type: ignore[arg-type]
    content.get_by_role("button", name="Misuse").click()

    assert scorm_harness.errors() == [
        {
            "method": std["set"],
            "args": std["misuse"],
            "result": "false",
            "error": std["misuse_error"],
        }
    ]
    # The SCO's own GetLastError call is logged too, without an error of its own.
    assert scorm_harness.log()[-1]["result"] == std["misuse_error"]
    assert scorm_harness.log()[-1]["error"] is None
    assert content.locator("#last-error").inner_text() == std["misuse_error"]
    assert any(std["misuse_error"] in m["message"] for m in scorm_harness.messages())


@pytest.mark.parametrize("version", VERSIONS)
def test_resume_data_is_loaded_before_launch_and_seen_by_the_sco(
    scorm_harness: ScormHarness, fake: str, version: str
) -> None:
    std = STANDARDS[version]
    content = scorm_harness.open(fake + std["page"], version=version, cmi=std["resume"])  # type: ignore[arg-type]

    assert content.locator("#entry").inner_text() == "resume"
    assert content.locator("#suspend").inner_text() == "page=3"
    assert content.locator("#name").inner_text() in ("Doe, Jane", "Jane Doe")
    assert scorm_harness.errors() == []


@pytest.mark.parametrize("version", VERSIONS)
def test_a_first_attempt_starts_ab_initio_without_suspend_data(
    scorm_harness: ScormHarness, fake: str, version: str
) -> None:
    std = STANDARDS[version]
    content = scorm_harness.open(fake + std["page"], version=version)  # type: ignore[arg-type]

    assert content.locator("#entry").inner_text() == "ab-initio"
    assert content.locator("#suspend").inner_text() == ""
    assert scorm_harness.errors() == []


@pytest.mark.parametrize("version", VERSIONS)
def test_closing_the_content_runs_its_pagehide_handler(
    scorm_harness: ScormHarness, fake: str, version: str
) -> None:
    std = STANDARDS[version]
    scorm_harness.open(fake + std["page"], version=version)  # type: ignore[arg-type]
    scorm_harness.close_content()

    finished = scorm_harness.wait_for_call(std["finish"])
    assert finished == [{"method": std["finish"], "args": [""], "result": "true", "error": "0"}]


MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="m" version="1" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
    xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <organizations default="main">
    <organization identifier="other"><item identifier="o" identifierref="r-other"/></organization>
    <organization identifier="main">
      <title>Course</title>
      <item identifier="folder">
        <title>Folder</title>
        <item identifier="i1" identifierref="r-sco" parameters="?mode=test">
          <title>SCO</title>
        </item>
      </item>
    </organization>
  </organizations>
  <resources xml:base="content/">
    <resource identifier="r-other" type="webcontent" adlcp:scormtype="asset" href="other.html"/>
    <resource identifier="r-sco" type="webcontent" adlcp:scormtype="sco" href="sco12.html"/>
  </resources>
</manifest>
"""


def test_manifest_launch_follows_default_organization_base_and_parameters() -> None:
    assert manifest_launch(MANIFEST.encode()) == "content/sco12.html?mode=test"


def test_manifest_without_a_launchable_item_is_reported() -> None:
    manifest = MANIFEST.replace('identifierref="r-sco"', "").replace('identifierref="r-other"', "")
    with pytest.raises(ValueError, match="no <item> with an identifierref"):
        manifest_launch(manifest.encode())


def test_a_package_folder_is_launched_from_its_manifest(
    tmp_path: Path, scorm_site: ScormSite, scorm_harness: ScormHarness
) -> None:
    package = tmp_path / "course.zip"
    with zipfile.ZipFile(package, "w") as archive:
        archive.writestr("imsmanifest.xml", MANIFEST)
        archive.write(FAKE_SCO / "sco12.html", "content/sco12.html")

    folder = scorm_site.add_package(package)
    content = scorm_harness.open(folder, version="1.2")

    assert content.url == f"{scorm_site.url}package/content/sco12.html?mode=test"
    assert scorm_harness.calls("LMSInitialize")[0]["result"] == "true"


def test_unzip_refuses_entries_that_leave_the_folder(tmp_path: Path) -> None:
    package = tmp_path / "evil.zip"
    with zipfile.ZipFile(package, "w") as archive:
        archive.writestr("../outside.html", "x")

    with pytest.raises(ValueError, match="unsafe entry"):
        unzip_package(package, tmp_path / "out")
    assert not (tmp_path / "outside.html").exists()
