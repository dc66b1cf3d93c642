"""The preview session (preview/session.py): what it tells the page about the package's LMS."""

from __future__ import annotations

from pathlib import Path

from coursepack.preview.session import PreviewSession


def test_the_moodle_profiles_emulated_lms_keeps_64000_characters_of_suspend_data(
    course: Path,
) -> None:
    session = PreviewSession(course, target="scorm12", lms="moodle", environ={})
    session.rebuild()
    assert session.status()["suspendDataLimit"] == 64000  # standards mode off, as installed
    session.configure(None, "generic")
    assert session.status()["suspendDataLimit"] == 0  # the standard's 4,096
    session.configure("xapi", "moodle")
    assert session.status()["suspendDataLimit"] == 0  # no SCORM API at all
