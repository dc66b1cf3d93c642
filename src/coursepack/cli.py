"""The command line: commands parse their options and delegate; nothing else lives here."""

from __future__ import annotations

import time
from pathlib import Path
from typing import ClassVar

import click

from coursepack import __version__
from coursepack.errors import Problem
from coursepack.textfmt import human_size

COURSE_DIR = click.argument(
    "course_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=".",
    required=False,
)


class _Commands(click.Group):
    """Commands whose imports are heavy (HTTP client, rich) load only when they are run."""

    lazy: ClassVar[dict[str, tuple[str, str]]] = {
        "report": ("coursepack.report.command", "report"),
        "init": ("coursepack.init", "command"),
        "schema": ("coursepack.schema", "command"),
        "preview": ("coursepack.preview.command", "preview"),
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *self.lazy])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy:
            import importlib

            module, attr = self.lazy[cmd_name]
            command: click.Command = getattr(importlib.import_module(module), attr)
            return command
        return super().get_command(ctx, cmd_name)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="coursepack")
def cli() -> None:
    """Compile a course folder into LMS packages and report completion from an LRS.

    \b
    A course folder holds course.yaml and its module files (Markdown or YAML).
    Start with `coursepack init`, see it with `coursepack preview`, then
    `coursepack build`.
    """


def _target_names() -> list[str]:
    from coursepack.targets import TARGETS

    return [*sorted(TARGETS), "all"]


def _lms_names() -> list[str]:
    from coursepack.profiles import PROFILES

    return sorted(PROFILES)


TARGET_OPTION = click.option(
    "-t",
    "--target",
    "targets",
    multiple=True,
    type=click.Choice(_target_names()),
    help="Package standard to build (repeat for several; 'all' for every one). "
    "Default: the LMS profile's (SCORM 1.2 for generic and Moodle).",
)
LMS_OPTION = click.option(
    "--lms",
    type=click.Choice(_lms_names()),
    help="LMS profile: picks defaults and checks that LMS's rules (overrides course.yaml 'lms').",
)


STRICT_OPTION = click.option(
    "--strict",
    is_flag=True,
    help="Treat warnings as errors (exit 1): for checking courses in your own CI.",
)


def _print_warnings(warnings: list[Problem]) -> None:
    for warning in warnings:
        click.secho(str(warning), fg="yellow", err=True)


def _strict(warnings: list[Problem], strict: bool) -> None:
    """Under --strict the warnings stop the command as errors would."""
    if strict and warnings:
        from coursepack.errors import CourseInvalid

        raise CourseInvalid([w.as_warning(strict=True) for w in warnings], writes=False)


def _output_folder(ctx: click.Context, param: click.Parameter, value: Path) -> Path:
    if value.suffix.lower() == ".zip":
        raise click.BadParameter(
            f"'{value}' looks like a zip file's name; -o names the folder the packages are "
            "written to (their names come from the course id, version and target)"
        )
    return value


def _print_version_notes(notes: list[str]) -> None:
    """What changed since the version coursepack.lock records (docs/versions.md)."""
    for note in notes:
        click.echo(f"version: {note}")


@cli.command()
@COURSE_DIR
@click.option(
    "-o",
    "--output",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("dist"),
    show_default=True,
    callback=_output_folder,
    help="Folder the packages are written to.",
)
@TARGET_OPTION
@LMS_OPTION
@STRICT_OPTION
def build(
    course_dir: Path, out_dir: Path, targets: tuple[str, ...], lms: str | None, strict: bool
) -> None:
    """Build LMS packages from COURSE_DIR (default: the current folder).

    Every problem in the course is listed at once as file:line:col; nothing is written
    unless the whole course is valid.
    """
    from coursepack.build import build_course, prepare, write_packages

    started = time.perf_counter()
    if strict:
        prepared = prepare(course_dir, out_dir, targets, lms)
        _strict(prepared.warnings, strict)
        result = write_packages(prepared, course_dir, out_dir)
    else:
        result = build_course(course_dir, out_dir, targets, lms)
    elapsed = time.perf_counter() - started
    _print_warnings(result.warnings)
    course = result.course
    for package in result.packages:
        size = package.path.stat().st_size
        click.echo(
            f"Built {package.path} ({package.target.title}: {len(course.modules)} module(s), "
            f"{len(course.items)} items, {len(course.tasks)} tasks; {human_size(size)}) "
            f"in {elapsed:.2f} s"
        )
    for note in result.notes:
        click.echo(note)
    _print_version_notes(result.version_notes)


@cli.command()
@COURSE_DIR
@TARGET_OPTION
@LMS_OPTION
@STRICT_OPTION
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "github"]),
    default="text",
    show_default=True,
    help="text: one line per problem; json: a document for tools (docs/problems.md); "
    "github: GitHub Actions annotations.",
)
@click.option(
    "--check-links",
    is_flag=True,
    help="Also fetch every web address of the course and report the dead ones.",
)
def validate(
    course_dir: Path,
    targets: tuple[str, ...],
    lms: str | None,
    strict: bool,
    fmt: str,
    check_links: bool,
) -> None:
    """Check COURSE_DIR exactly as a build would and list every problem as file:line:col;
    writes nothing."""
    from coursepack.diagnostics import run_validate

    run_validate(course_dir, targets, lms, strict=strict, fmt=fmt, check_links=check_links)


def main() -> None:
    cli(prog_name="coursepack")
