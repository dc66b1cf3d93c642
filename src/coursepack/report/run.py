"""The report's work, apart from the command line: a frozen request in, a file or text out.

``coursepack report`` (``report/command.py``) only turns options into a :class:`ReportRequest`
and calls :func:`run`; tests and other tools call ``run`` directly.
"""

from __future__ import annotations

import codecs
import os
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from coursepack.clock import Clock, clock_from_env
from coursepack.credentials import ENV_ENDPOINT, lrs_authorization
from coursepack.errors import UserError
from coursepack.fsio import staged
from coursepack.model import Course
from coursepack.report.aggregate import Aggregator
from coursepack.report.csvfmt import iter_csv, iter_items_csv
from coursepack.report.fetch import PER_ACTIVITY, Query, fetch
from coursepack.report.html import render_html
from coursepack.report.jsonfmt import iter_json
from coursepack.report.model import Report
from coursepack.report.table import print_table, render_table
from coursepack.xapi.client import (
    DEFAULT_MAX_ANSWER_BYTES,
    DEFAULT_MAX_PAGES,
    DEFAULT_PAGE_SIZE,
    DEFAULT_TIMEOUT,
    LrsClient,
)


@dataclass(frozen=True)
class Format:
    name: str
    render: Callable[[Report], Iterable[str]]  # the text in pieces (a big report is big)
    suffixes: tuple[str, ...]  # an -o file with one of these picks the format
    bom: bool = False  # CSV: a BOM makes spreadsheet programs read UTF-8


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("table", lambda report: (render_table(report),), (".txt",)),
        Format("csv", iter_csv, (".csv",), bom=True),
        Format("json", iter_json, (".json",)),
        Format("html", lambda report: (render_html(report),), (".html", ".htm")),
    )
}


def pick_format(fmt: str | None, output: Path | None) -> str:
    """The format asked for, else the one the -o file's suffix names, else the table.

    An -o file whose suffix names no format (``report.xlsx``) is a usage error: writing a
    text table into it would make a file its program cannot open.
    """
    if fmt:
        return fmt
    if output is None:
        return "table"
    suffix = output.suffix.lower()
    for f in FORMATS.values():
        if suffix in f.suffixes:
            return f.name
    known = ", ".join(s for f in FORMATS.values() for s in f.suffixes)
    raise click.UsageError(
        f"cannot tell the format of {output.name!r} from its suffix (use one of {known}, "
        "or choose one with --format)"
    )


@dataclass(frozen=True)
class ReportRequest:
    """Everything the admin asked for, checked and frozen."""

    course_dir: Path
    endpoint: str | None = None  # default: the course's tracking.lrs endpoint
    query: Query = field(default_factory=Query)
    fmt: str = "table"
    output: Path | None = None
    include_responses: bool = False
    page_size: int = DEFAULT_PAGE_SIZE
    timeout: float = DEFAULT_TIMEOUT  # seconds for each whole answer
    max_pages: int = DEFAULT_MAX_PAGES  # for the whole report
    max_answer_bytes: int = DEFAULT_MAX_ANSWER_BYTES  # per answer, after decompression
    items: bool = False  # CSV: the item analysis (one row per question) instead of learners


@dataclass(frozen=True)
class Options:
    """How to read one LRS (the part of a request that ``build_report`` needs)."""

    endpoint: str
    auth: str | None
    query: Query
    include_responses: bool = False
    page_size: int = DEFAULT_PAGE_SIZE
    timeout: float = DEFAULT_TIMEOUT  # seconds for each whole answer
    max_pages: int = DEFAULT_MAX_PAGES  # for the whole report
    max_answer_bytes: int = DEFAULT_MAX_ANSWER_BYTES  # per answer, after decompression


def build_report(
    course: Course,
    options: Options,
    *,
    now: datetime,
    progress: Callable[[int, int], None] | None = None,
    transport: Any = None,
    notes: list[str] | None = None,
) -> Report:
    """Read the course's statements from the LRS and aggregate them into a Report.

    ``notes`` collects what the user should know about how the LRS was read.
    """
    aggregator = Aggregator(course, include_responses=options.include_responses)
    with LrsClient(
        options.endpoint,
        auth=options.auth,
        page_size=options.page_size,
        timeout=options.timeout,
        max_pages=options.max_pages,
        max_answer_bytes=options.max_answer_bytes,
        transport=transport,
    ) as client:
        fetched = fetch(client, course, aggregator, options.query, progress)
    if notes is not None:
        notes.extend(fetched.notes)
    return aggregator.report(
        generated_at=now,
        since=options.query.since,
        until=options.query.until,
        registration=options.query.registration,
        pages=fetched.pages,
        strategy=fetched.strategy,
    )


# Control characters (but line ends and tabs) and bidi controls: what a terminal would run or
# reorder. In a report they can only come from the statements.
_UNSAFE = [
    *(c for c in range(0x20) if c not in (0x09, 0x0A, 0x0D)),
    *range(0x7F, 0xA0),
    0x061C,
    0x200E,
    0x200F,
    *range(0x202A, 0x202F),
    *range(0x2066, 0x206A),
]
_AS_JSON_ESCAPES = {c: f"\\u{c:04x}" for c in _UNSAFE}
_AS_REPLACEMENT = dict.fromkeys(_UNSAFE, "\ufffd")


def for_terminal(text: str, *, json_escapes: bool = False) -> str:
    """A report for a terminal: no control characters or bidi controls from the statements.

    In JSON they become ``\\uXXXX`` escapes (the same data; they can only be inside strings),
    elsewhere U+FFFD. Written to a file (``-o``) or a pipe, the report is left as it is.
    """
    return text.translate(_AS_JSON_ESCAPES if json_escapes else _AS_REPLACEMENT)


def check_output(path: Path) -> Path:
    """The folder that will hold ``path``; a UserError if it cannot."""
    if path.is_dir():
        raise UserError(f"{path}: is a folder (give a file name to -o)")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise UserError(f"{path}: folder {folder} does not exist")
    return folder


def write_report(path: Path, text: str | Iterable[str], *, bom: bool = False) -> None:
    """Write the whole report or nothing; ``text`` may come in pieces (written as they come)."""
    check_output(path)
    pieces = (text,) if isinstance(text, str) else text
    with staged(path) as (out, tmp):
        if bom:
            out.write(codecs.BOM_UTF8)
        for piece in pieces:
            out.write(piece.encode("utf-8"))
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _progress_bar(console: Console) -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        TextColumn("{task.fields[statements]:,} statements, {task.fields[pages]} pages"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    )


def run(
    request: ReportRequest,
    environ: Mapping[str, str],
    *,
    clock: Clock | None = None,
    transport: Any = None,
    stdout: Console | None = None,
    stderr: Console | None = None,
) -> Report:
    """Read the LRS, aggregate, and write the report where the request says."""
    from coursepack.pipeline import load_course

    if request.output is not None:
        check_output(request.output)  # before reading the LRS, which may take minutes
    auth = lrs_authorization(environ)
    now = (clock or clock_from_env(environ))()
    course = load_course(request.course_dir, environ)
    endpoint = request.endpoint
    if not endpoint and course.lrs is not None:
        endpoint = course.lrs.endpoint
    if not endpoint:
        raise UserError(
            f"no LRS given: pass --lrs ENDPOINT or set {ENV_ENDPOINT} (the xAPI endpoint, "
            "e.g. https://lrs.example.org/xAPI/)"
        )
    options = Options(
        endpoint=endpoint,
        auth=auth,
        query=request.query,
        include_responses=request.include_responses,
        page_size=request.page_size,
        timeout=request.timeout,
        max_pages=request.max_pages,
        max_answer_bytes=request.max_answer_bytes,
    )
    err = stderr or Console(stderr=True)
    notes: list[str] = []
    with _progress_bar(err) as bar:
        task = bar.add_task("Reading statements", statements=0, pages=0, total=None)

        def progress(statements: int, pages: int) -> None:
            bar.update(task, statements=statements, pages=pages)

        result = build_report(
            course, options, now=now, progress=progress, transport=transport, notes=notes
        )
    for note in notes:
        click.secho(note, fg="yellow", err=True)
    stats = result.stats
    if stats.strategy == PER_ACTIVITY:
        click.secho(
            "note: the LRS does not support related_activities; read the course activity by "
            "activity (statements about tasks no longer in the course cannot be found this way)",
            fg="yellow",
            err=True,
        )
    if stats.malformed_skipped:
        click.secho(
            f"warning: skipped {stats.malformed_skipped} malformed statement"
            f"{'s' if stats.malformed_skipped != 1 else ''} (no actor, verb, object, id or time)",
            fg="yellow",
            err=True,
        )

    fmt = FORMATS[request.fmt]
    if request.output is None and fmt.name == "table":
        print_table(result, stdout or Console())
        return result
    pieces = iter_items_csv(result) if request.items else fmt.render(result)
    if request.output is None:
        terminal = sys.stdout.isatty()
        for piece in pieces:
            click.echo(
                for_terminal(piece, json_escapes=fmt.name == "json") if terminal else piece,
                nl=False,
            )
    else:
        write_report(request.output, pieces, bom=fmt.bom)
        click.echo(
            f"Wrote {request.output} ({len(result.learners)} learners, {fmt.name})", err=True
        )
    return result
