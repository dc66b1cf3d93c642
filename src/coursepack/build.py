"""The build command's work: read and check everything, then write every package.

Like Pelican, nothing is written until the whole course has been read, validated, rendered
and packaged in memory for every target asked for; then the zips are written all or nothing.
``validate`` runs the same :func:`prepare` and stops before writing, so the two commands
always say the same things.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from coursepack.clock import Clock, clock_from_env
from coursepack.errors import CourseInvalid, Problem, UserError
from coursepack.fsio import write_atomically
from coursepack.model import Course
from coursepack.output import OutputFile
from coursepack.package import write_zips
from coursepack.pipeline import Versioned, check_versioned
from coursepack.profiles import PROFILES, Findings, Profile
from coursepack.render import render_course
from coursepack.source.files import MEDIA_DIR
from coursepack.targets import TARGETS, Target
from coursepack.targets.base import BuildContext
from coursepack.versions import LOCK_FILE

ALL = "all"


@dataclass
class BuiltPackage:
    target: Target
    path: Path
    files: list[OutputFile]

    @property
    def file_count(self) -> int:
        return len(self.files)


@dataclass
class BuildResult:
    course: Course
    packages: list[BuiltPackage] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: the course's lock and what changed since it (docs/versions.md); None only when built
    #: by hand
    versioned: Versioned | None = None

    @property
    def version_notes(self) -> list[str]:
        """What changed since the version the lock file records, in plain words."""
        return self.versioned.notes if self.versioned is not None else []

    @property
    def paths(self) -> list[Path]:
        return [p.path for p in self.packages]


def resolve_profile(course: Course, lms: str | None) -> Profile:
    name = lms or course.lms or "generic"
    if name not in PROFILES:
        raise UserError(f"unknown LMS profile '{name}' (use one of: {', '.join(sorted(PROFILES))})")
    return PROFILES[name]


def resolve_targets(names: Sequence[str], profile: Profile) -> list[Target]:
    wanted = list(names) or [profile.default_target]
    if ALL in wanted:
        wanted = sorted(TARGETS)
    targets: list[Target] = []
    for name in dict.fromkeys(wanted):
        if name not in TARGETS:
            raise UserError(
                f"unknown target '{name}' (use one of: {', '.join(sorted(TARGETS))}, or 'all')"
            )
        targets.append(TARGETS[name]())
    return targets


def check_output_folder(course_dir: Path, out_dir: Path) -> None:
    """The output folder may not be (inside) the course's media folder: the next build
    would pack the previous build's zips into every package."""
    try:
        media = (course_dir / MEDIA_DIR).resolve()
        out = out_dir.resolve()
    except (OSError, RuntimeError):
        return
    if out == media or out.is_relative_to(media):
        raise UserError(
            f"{out_dir}: the output folder is inside the course's {MEDIA_DIR}/ folder, whose "
            "files go into every package (choose another folder with -o, e.g. dist)"
        )


#: the collector's thresholds while a build runs (Python's are 700, 10, 10)
BUILD_GC_THRESHOLDS = (50_000, 20, 20)


@contextmanager
def few_collections() -> Iterator[None]:
    """Collect garbage seldom while building. A build makes objects that live until it ends
    (the course, its lock, its page), and with the default thresholds the collector walks
    them again and again: for 20,000 items that was most of why the time per item grew with
    the course. A build makes few reference cycles, so waiting longer costs little memory.
    The thresholds are restored afterwards (a test run or the preview server goes on)."""
    saved = gc.get_threshold()
    gc.set_threshold(*(max(a, b) for a, b in zip(saved, BUILD_GC_THRESHOLDS, strict=True)))
    try:
        yield
    finally:
        gc.set_threshold(*saved)


def prepare(
    course_dir: Path,
    out_dir: Path,
    targets: Sequence[str] = (),
    lms: str | None = None,
    environ: Mapping[str, str] | None = None,
    clock: Clock | None = None,
) -> BuildResult:
    """Everything but writing: the packages' files in memory, or every problem."""
    with few_collections():
        return _prepare(course_dir, out_dir, targets, lms, environ, clock)


def _prepare(
    course_dir: Path,
    out_dir: Path,
    targets: Sequence[str],
    lms: str | None,
    environ: Mapping[str, str] | None,
    clock: Clock | None,
) -> BuildResult:
    env = os.environ if environ is None else environ
    versioned = check_versioned(course_dir, env)
    checked = versioned.checked
    course = checked.course
    profile = resolve_profile(course, lms)
    chosen = resolve_targets(targets, profile)
    ctx = BuildContext(environ=env, profile=profile, clock=clock or clock_from_env(env))
    rendered = render_course(course)
    result = BuildResult(course=course, versioned=versioned)
    findings = Findings(problems=checked.warnings)
    for target in chosen:
        files = target.build(course, rendered, ctx)
        findings = findings + target.check(course, files, ctx)
        result.packages.append(
            BuiltPackage(target=target, path=out_dir / target.package_name(course), files=files)
        )
    problems = list(dict.fromkeys(findings.problems))
    if any(p.is_error for p in problems):
        raise CourseInvalid(problems)
    result.warnings = sorted(problems)
    result.notes = list(findings.notes)
    return result


def build_course(
    course_dir: Path,
    out_dir: Path,
    targets: Sequence[str] = (),
    lms: str | None = None,
    environ: Mapping[str, str] | None = None,
    clock: Clock | None = None,
) -> BuildResult:
    """Build the packages for ``targets`` (default: the LMS profile's) into ``out_dir``."""
    env = os.environ if environ is None else environ
    check_output_folder(Path(course_dir), Path(out_dir))
    result = prepare(course_dir, out_dir, targets, lms, env, clock)
    return write_packages(result, course_dir, out_dir, env)


def write_packages(
    result: BuildResult,
    course_dir: Path,
    out_dir: Path,
    environ: Mapping[str, str] | None = None,
) -> BuildResult:
    """Write what ``prepare`` made: every zip, all or nothing."""
    env = os.environ if environ is None else environ
    check_output_folder(Path(course_dir), Path(out_dir))
    with few_collections():
        write_zips([(p.files, p.path) for p in result.packages], env, on_error=_write_error)
    write_lock(Path(course_dir), result.versioned)
    return result


def write_lock(course_dir: Path, versioned: Versioned | None) -> None:
    """After the packages: the course's lock file, whole or not at all, when it changed."""
    if versioned is None or not versioned.lock_changed:
        return
    dest = course_dir / LOCK_FILE
    try:
        write_atomically(dest, versioned.lock_text.encode("utf-8"))
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise UserError(
            f"cannot write {dest}: {reason} (the packages were written; make the course "
            f"folder writable and build again, so that {LOCK_FILE} keeps this version's ids)"
        ) from None


def _write_error(dest: Path, exc: OSError) -> UserError:
    reason = exc.strerror or str(exc)
    return UserError(f"cannot write {dest}: {reason} (choose another folder with -o)")
