"""The build command's work: read and check everything, then write every package.

Like Pelican, nothing is written until the whole course has been read, validated, rendered
and packaged in memory for every target asked for; then each zip is written atomically.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from coursepack.clock import Clock, clock_from_env
from coursepack.errors import CourseInvalid, UserError
from coursepack.model import Course
from coursepack.output import OutputFile
from coursepack.package import write_zips
from coursepack.render import render_course
from coursepack.targets import TARGETS, Target
from coursepack.targets.base import BuildContext
from coursepack.targets.profiles import PROFILES, Profile
from coursepack.validate import load_course

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
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

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


def prepare(
    course_dir: Path,
    out_dir: Path,
    targets: Sequence[str] = (),
    lms: str | None = None,
    environ: Mapping[str, str] | None = None,
    clock: Clock | None = None,
) -> BuildResult:
    """Everything but writing: the packages' files in memory, or every problem."""
    env = os.environ if environ is None else environ
    course = load_course(course_dir, env)
    profile = resolve_profile(course, lms)
    chosen = resolve_targets(targets, profile)
    ctx = BuildContext(environ=env, profile=profile, clock=clock or clock_from_env(env))
    rendered = render_course(course)
    result = BuildResult(course=course)
    problems = []
    for target in chosen:
        files = target.build(course, rendered, ctx)
        problems.extend(target.check(course, files, ctx))
        result.packages.append(
            BuiltPackage(target=target, path=out_dir / target.package_name(course), files=files)
        )
    if problems:
        raise CourseInvalid(problems)
    result.warnings = ctx.warnings
    result.notes = ctx.notes
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
    result = prepare(course_dir, out_dir, targets, lms, env, clock)
    write_zips([(p.files, p.path) for p in result.packages], env, on_error=_write_error)
    return result


def _write_error(dest: Path, exc: OSError) -> UserError:
    reason = exc.strerror or str(exc)
    return UserError(f"cannot write {dest}: {reason} (choose another folder with -o)")
