"""Prerequisite handling: skip on a developer's machine, fail under CI; shared/ beside the repo."""

from __future__ import annotations

import pytest

from tests.support.env import REPO_ROOT, require, shared_dir


def test_require_passes_when_the_condition_holds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    require(True, "never shown")


def test_require_skips_without_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="chromium is missing"):
        require(False, "chromium is missing")


@pytest.mark.parametrize("value", ["true", "1", "yes"])
def test_require_fails_under_ci(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("CI", value)
    with pytest.raises(pytest.fail.Exception, match="under CI: chromium is missing"):
        require(False, "chromium is missing")


@pytest.mark.parametrize("value", ["", "0", "false"])
def test_a_false_like_ci_value_still_skips(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("CI", value)
    with pytest.raises(pytest.skip.Exception):
        require(False, "chromium is missing")


def test_shared_dir_stands_beside_the_repository_root() -> None:
    assert shared_dir() == REPO_ROOT.parent / "shared"
    assert (REPO_ROOT / "pyproject.toml").is_file()
