"""``coursepack validate``: run what a build runs (all but writing) and tell the problems as
text, as JSON for tools, or as GitHub Actions annotations.

The JSON document (``--format json``; docs/problems.md has its schema)::

    {"valid": false, "course": "course", "errors": 1, "warnings": 2,
     "problems": [{"file": "modules/intro.md", "line": 3, "column": 1, "severity": "error",
                   "code": "CP206", "message": "...", "hint": "..."}]}
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path

import click

from coursepack.errors import CourseInvalid, Problem
from coursepack.model import Course, ItemKind, Position


def link_places(course_dir: Path, course: Course) -> list[tuple[str, Position]]:
    """Every web address of the course with where it is written: READ/WATCH items and the
    links of the prose."""
    from coursepack.render.markdown import is_external_link, is_safe_link
    from coursepack.source import read_course

    places: list[tuple[str, Position]] = []
    for item in course.items:
        if item.kind is not ItemKind.TASK and item.url and is_external_link(item.url):
            places.append((item.url, item.pos))
    for loaded in read_course(course_dir).modules.values():
        for url, pos in loaded.raw.links if loaded.raw else ():
            if is_external_link(url) and is_safe_link(url):
                places.append((url, pos))
    return places


def as_json(course_dir: Path, problems: Sequence[Problem]) -> str:
    errors = sum(1 for p in problems if p.is_error)
    document = {
        "valid": errors == 0,
        "course": str(course_dir),
        "errors": errors,
        "warnings": len(problems) - errors,
        "problems": [
            {
                "file": p.pos.file,
                "line": p.pos.line or None,
                "column": (p.pos.col or 1) if p.pos.line else None,
                "severity": p.severity,
                "code": p.code,
                "message": p.message,
                "hint": p.hint,
            }
            for p in problems
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _github_escape(text: str, *, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def as_github(course_dir: Path, problems: Sequence[Problem]) -> str:
    """One workflow command per problem: ``::error file=…,line=…,col=…,title=CP206::…``."""
    lines = []
    for p in problems:
        level = "error" if p.is_error else "warning"
        props = [f"file={_github_escape((course_dir / p.pos.file).as_posix(), prop=True)}"]
        if p.pos.line:
            props += [f"line={p.pos.line}", f"col={p.pos.col or 1}"]
        props.append(f"title={p.code}")
        text = p.message + (f" ({p.hint})" if p.hint else "")
        lines.append(f"::{level} {','.join(props)}::{_github_escape(text)}")
    return "\n".join(lines) + ("\n" if lines else "")


def run_validate(
    course_dir: Path,
    targets: tuple[str, ...],
    lms: str | None,
    *,
    strict: bool,
    fmt: str,
    check_links: bool,
) -> None:
    from coursepack.build import prepare
    from coursepack.linkcheck import check_links as fetch_links

    course: Course | None = None
    notes: list[str] = []
    try:
        result = prepare(course_dir, Path("dist"), targets, lms)
        course = result.course
        notes = list(result.version_notes)
        problems: list[Problem] = list(result.warnings)
    except CourseInvalid as invalid:
        problems = list(invalid.problems)
    if check_links and course is not None:
        problems += fetch_links(link_places(course_dir, course))
    problems = sorted({p.as_warning(strict) for p in problems})
    errors = [p for p in problems if p.is_error]
    if fmt == "json":
        click.echo(as_json(course_dir, problems), nl=False)
    elif fmt == "github":
        click.echo(as_github(course_dir, problems), nl=False)
    elif errors:
        raise CourseInvalid(problems, writes=False)
    else:
        for warning in problems:
            click.secho(str(warning), fg="yellow", err=True)
        assert course is not None
        click.echo(
            f"{course_dir}: valid: '{course.title}' ({len(course.modules)} module(s), "
            f"{len(course.items)} items, {len(course.tasks)} tasks)"
        )
        for note in notes:  # what changed since coursepack.lock (docs/versions.md)
            click.echo(f"version: {note}")
    if errors:
        sys.exit(1)
