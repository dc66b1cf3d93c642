"""`--target all`: every registered target from one run, with the course rendered once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import coursepack.build
from coursepack.build import build_course
from coursepack.cli import cli
from coursepack.render import render_course
from coursepack.targets import TARGETS
from tests.targets.conftest import EXAMPLE

EXPECTED = {"scorm12", "scorm2004-3rd", "scorm2004-4th", "xapi", "cmi5"}
MANIFESTS = {
    "scorm12": "imsmanifest.xml",
    "scorm2004-3rd": "imsmanifest.xml",
    "scorm2004-4th": "imsmanifest.xml",
    "xapi": "tincan.xml",
    "cmi5": "cmi5.xml",
}


def test_every_standard_is_registered() -> None:
    assert set(TARGETS) == EXPECTED
    assert {name: cls.manifest_file for name, cls in TARGETS.items()} == MANIFESTS


def test_target_all_builds_every_registered_target_rendering_the_course_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[Any] = []

    def counting_render(course: Any) -> Any:
        calls.append(course)
        return render_course(course)

    monkeypatch.setattr(coursepack.build, "render_course", counting_render)
    result = build_course(EXAMPLE, tmp_path, ["all"], environ={})
    assert len(calls) == 1
    assert sorted(p.target.name for p in result.packages) == sorted(TARGETS)
    for package in result.packages:
        assert package.path.is_file()
        assert package.path.name.endswith(f"-{package.target.name}.zip")
        assert MANIFESTS[package.target.name] in {f.path for f in package.files}
    assert len({p.path for p in result.packages}) == len(TARGETS)


def test_cli_build_target_all_writes_one_zip_per_target(tmp_path: Path) -> None:
    answer = CliRunner().invoke(cli, ["build", str(EXAMPLE), "-o", str(tmp_path), "-t", "all"])
    assert answer.exit_code == 0, answer.output
    assert len([line for line in answer.output.splitlines() if line.startswith("Built ")]) == len(
        TARGETS
    )
    assert {p.name for p in tmp_path.glob("*.zip")} == {
        f"collaborative-impact-leadership-1.0.0-{name}.zip" for name in TARGETS
    }
