"""``coursepack preview`` as a command: it prints its URL, stops cleanly on Ctrl-C, warns for
an address other than loopback; ``build`` never imports any of it."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

from click.testing import CliRunner

from coursepack.cli import cli

URL = re.compile(r"at (http://\S+/)")


def start(course: Path, *args: str) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "coursepack", "preview", str(course), "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    match = URL.search(line)
    assert match, line
    return process, match.group(1)


def test_preview_prints_its_url_serves_and_stops_cleanly_on_ctrl_c(course: Path) -> None:
    process, url = start(course, "--target", "scorm2004-4th")
    try:
        assert url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(url + "_preview/status", timeout=10) as answer:
            assert b'"target": "scorm2004-4th"' in answer.read()
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0
    assert "Traceback" not in err
    assert "Stopping the preview." in out
    assert not (course / "dist").exists()


def test_preview_on_another_host_warns_that_the_course_is_exposed(course: Path) -> None:
    process, _ = start(course, "--host", "0.0.0.0")
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=15)
    assert "warning: listening on 0.0.0.0" in err
    assert process.returncode == 0


def test_preview_of_a_missing_folder_is_one_clean_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["preview", str(tmp_path / "nope"), "--port", "0"])
    assert result.exit_code == 1
    assert "no such course folder" in result.output
    assert result.exc_info is None or result.exc_info[0] is SystemExit


def test_build_never_imports_the_preview_or_watchfiles(course: Path, tmp_path: Path) -> None:
    code = f"""
import sys
from click.testing import CliRunner
from coursepack.cli import cli
result = CliRunner().invoke(cli, ["build", {str(course)!r}, "-o", {str(tmp_path / "out")!r}])
assert result.exit_code == 0, result.output
loaded = sorted(m for m in sys.modules if m.startswith("coursepack.preview") or
                m.split(".")[0] in ("watchfiles", "coursepack.init", "jsonschema"))
print(loaded)
"""
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
