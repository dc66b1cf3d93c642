"""Run coursepack on a course folder the way a user does, and classify how it ended.

Shared by the hostile-course tests, the fuzzing suite and ``python -m bench fuzz``:
in-process through click's CliRunner (fast), or in a subprocess (a crash of native code, a
segmentation fault, only shows there) with a time bound.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import traceback
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner

from coursepack.cli import cli

#: exit codes a run may end with: 0 done, 1 problems in the course, 2 a usage error
CLEAN_EXITS = frozenset({0, 1, 2})
#: files and folders of a course: text (str) or bytes; a value of None makes a folder
CourseFiles = Mapping[str, "str | bytes | None"]


@dataclass(frozen=True)
class Outcome:
    command: str  # "validate" | "build"
    code: int | None  # None: killed by the time bound
    stdout: str
    stderr: str
    seconds: float
    traceback: str = ""  # an exception that escaped the command (a bug)
    signal: int = 0  # the subprocess was killed by this signal (a crash)

    @property
    def timed_out(self) -> bool:
        return self.code is None

    @property
    def crashed(self) -> bool:
        return self.signal != 0

    @property
    def clean(self) -> bool:
        """Ended as a user expects: exit 0, 1 or 2, no traceback, no crash, in time."""
        return (
            self.code in CLEAN_EXITS
            and not self.traceback
            and not self.crashed
            and "Traceback (most recent call last)" not in self.stderr
        )

    def describe(self) -> str:
        if self.timed_out:
            return f"{self.command}: no end within {self.seconds:.0f} s"
        if self.crashed:
            return f"{self.command}: killed by signal {self.signal}"
        if self.traceback or "Traceback" in self.stderr:
            return f"{self.command}: traceback\n{self.traceback or self.stderr}"
        return f"{self.command}: exit {self.code}"


def write_course(root: Path, files: CourseFiles) -> Path:
    """Write ``files`` (relative path -> text, bytes, or None for a folder) under ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    for rel, content in files.items():
        path = root / rel
        if content is None:
            path.mkdir(parents=True, exist_ok=True)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_bytes(content.encode("utf-8", "surrogatepass"))
    return root


def _args(command: str, course: Path, out: Path) -> list[str]:
    if command == "build":
        return ["build", str(course), "-o", str(out)]
    return ["validate", str(course)]


class _TimeUp(BaseException):
    """Raised by the alarm of :func:`run_in_process` (not an Exception: CliRunner lets it by)."""


def _time_up(signum: int, frame: object) -> None:
    raise _TimeUp


def run_in_process(command: str, course: Path, out: Path, timeout: float = 60.0) -> Outcome:
    """``coursepack COMMAND COURSE`` through CliRunner: exit code, output and any traceback;
    a run still going after ``timeout`` seconds is stopped (when Python code runs again)."""
    started = time.perf_counter()
    previous = signal.signal(signal.SIGALRM, _time_up)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        result = CliRunner().invoke(
            cli, _args(command, course, out), env={"SOURCE_DATE_EPOCH": "1700000000"}
        )
    except _TimeUp:
        return Outcome(command, None, "", "", time.perf_counter() - started)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    seconds = time.perf_counter() - started
    tb = ""
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        assert result.exc_info is not None
        tb = "".join(traceback.format_exception(*result.exc_info))
    code = result.exit_code if isinstance(result.exit_code, int) else 1
    return Outcome(command, code, result.stdout, result.stderr, seconds, traceback=tb)


def run_subprocess(command: str, course: Path, out: Path, timeout: float = 60.0) -> Outcome:
    """``python -m coursepack.cli``-like run in a child process, killed after ``timeout``."""
    env = dict(os.environ, SOURCE_DATE_EPOCH="1700000000")
    code = "import sys; from coursepack.cli import main; sys.argv[0] = 'coursepack'; main()"
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", code, *_args(command, course, out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        start_new_session=True,
    )
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        return Outcome(command, None, "", "", timeout)
    seconds = time.perf_counter() - started
    returncode = proc.returncode
    text_out = stdout.decode("utf-8", "replace")
    text_err = stderr.decode("utf-8", "replace")
    if returncode < 0:
        return Outcome(command, returncode, text_out, text_err, seconds, signal=-returncode)
    return Outcome(command, returncode, text_out, text_err, seconds)


@dataclass(frozen=True)
class Verdict:
    """How one course fared: the failures found (empty when all is well), by kind."""

    outcomes: tuple[Outcome, ...]
    failures: tuple[tuple[str, str], ...]  # (kind, detail); kind in FAILURE_KINDS

    @property
    def ok(self) -> bool:
        return not self.failures

    def kinds(self) -> set[str]:
        return {kind for kind, _ in self.failures}


FAILURE_KINDS = ("traceback", "crash", "timeout", "exit", "disagree", "leak")
SECRET = "do-not-ship"


def check_course(
    course: Path, out: Path, *, subprocess_run: bool = False, timeout: float = 60.0
) -> Verdict:
    """Run ``validate`` then ``build`` on ``course``: both must end with exit 0, 1 or 2, no
    traceback, no crash, within ``timeout``; they must agree (validate exit 0 <=> build exit
    0); and no package may hold the secret that links try to bring in."""
    run = run_subprocess if subprocess_run else run_in_process
    outcomes = (run("validate", course, out, timeout), run("build", course, out, timeout))
    failures: list[tuple[str, str]] = []
    for outcome in outcomes:
        if outcome.timed_out:
            failures.append(("timeout", outcome.describe()))
        elif outcome.crashed:
            failures.append(("crash", outcome.describe()))
        elif outcome.traceback or "Traceback (most recent call last)" in outcome.stderr:
            failures.append(("traceback", outcome.describe()))
        elif outcome.code not in CLEAN_EXITS:
            failures.append(("exit", outcome.describe()))
    validate, build = outcomes
    if not failures and (validate.code == 0) != (build.code == 0):
        failures.append(
            ("disagree", f"validate exit {validate.code}, build exit {build.code}\n"
             f"validate: {validate.stderr[-2000:]}\nbuild: {build.stderr[-2000:]}")
        )  # fmt: skip
    if build.code == 0:
        import zipfile

        for package in sorted(out.glob("*.zip")):
            with zipfile.ZipFile(package) as zf:
                for name in zf.namelist():
                    if SECRET.encode() in zf.read(name):
                        failures.append(("leak", f"{package.name}:{name} holds the secret"))
    return Verdict(outcomes, tuple(failures))
