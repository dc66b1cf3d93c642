"""``coursepack report``: completion of a course, read from any xAPI LRS.

The command only parses options and delegates (``run_report``); exit codes are in
``coursepack.xapi.client`` and docs/report.md.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from coursepack.errors import UserError
from coursepack.model import Course
from coursepack.report.aggregate import Aggregator
from coursepack.report.csvfmt import render_csv
from coursepack.report.fetch import PER_ACTIVITY, Query, fetch
from coursepack.report.html import render_html
from coursepack.report.jsonfmt import render_json
from coursepack.report.model import Report
from coursepack.report.table import print_table, render_table
from coursepack.xapi.client import (
    DEFAULT_PAGE_SIZE,
    DEFAULT_TIMEOUT,
    ENV_AUTH,
    ENV_ENDPOINT,
    ENV_PASSWORD,
    ENV_USERNAME,
    LrsClient,
    auth_from_env,
)

# format name -> (renderer, file suffixes that pick it)
FORMATS: dict[str, tuple[Callable[[Report], str], tuple[str, ...]]] = {
    "table": (render_table, (".txt",)),
    "csv": (render_csv, (".csv",)),
    "json": (render_json, (".json",)),
    "html": (render_html, (".html", ".htm")),
}


@dataclass(frozen=True)
class Options:
    endpoint: str
    auth: str | None
    query: Query
    include_responses: bool = False
    page_size: int = DEFAULT_PAGE_SIZE
    timeout: float = DEFAULT_TIMEOUT


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


def report_time(environ: Mapping[str, str]) -> datetime:
    """Now, or SOURCE_DATE_EPOCH when set (reproducible reports, as for packages)."""
    epoch = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), UTC)
        except (ValueError, OverflowError):
            raise UserError(f"SOURCE_DATE_EPOCH={epoch!r} is not a Unix time") from None
    return datetime.now(UTC)


def pick_format(fmt: str | None, output: Path | None) -> str:
    if fmt:
        return fmt
    if output is not None:
        suffix = output.suffix.lower()
        for name, (_, suffixes) in FORMATS.items():
            if suffix in suffixes:
                return name
    return "table"


def check_output(path: Path) -> Path:
    """The folder that will hold ``path``; a UserError if it cannot."""
    if path.is_dir():
        raise UserError(f"{path}: is a folder (give a file name to -o)")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise UserError(f"{path}: folder {folder} does not exist")
    return folder


def write_atomically(path: Path, text: str, *, bom: bool = False) -> None:
    """Write the whole file or nothing (a temporary file in the same folder, then rename)."""
    folder = check_output(path)
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=folder)
    try:
        with os.fdopen(handle, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as out:
            out.write(text)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _time_option(ctx: click.Context, param: click.Parameter, value: str | None) -> datetime | None:
    """An ISO 8601 date or date-time; without a zone it is UTC."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
        # In UTC now: 0001-01-01T00:00+01:00 has no UTC time (and xAPI wants one).
        return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    except (ValueError, OverflowError):
        raise click.BadParameter(
            f"{value!r} is not an ISO 8601 date or time (e.g. 2024-05-01 or 2024-05-01T12:00:00Z)"
        ) from None


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


@click.command("report")
@click.argument(
    "course_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=".",
    required=False,
)
@click.option(
    "--lrs",
    "endpoint",
    envvar=ENV_ENDPOINT,
    metavar="ENDPOINT",
    help=f"xAPI endpoint of the LRS, e.g. https://lrs.example.org/xAPI/ (or {ENV_ENDPOINT}; "
    "default: the course's tracking.lrs endpoint). Credentials come from the environment: "
    f"{ENV_USERNAME} + {ENV_PASSWORD}, or {ENV_AUTH} (a whole Authorization header value).",
)
@click.option(
    "--since",
    metavar="TIME",
    callback=_time_option,
    help="Only statements stored after this ISO 8601 time (UTC unless a zone is given).",
)
@click.option(
    "--until",
    metavar="TIME",
    callback=_time_option,
    help="Only statements stored up to this ISO 8601 time (UTC unless a zone is given).",
)
@click.option("--registration", type=click.UUID, help="Only statements of this registration.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(sorted(FORMATS)),
    help="Output format (default: from the -o file's suffix, else table).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report to this file (default: standard output).",
)
@click.option(
    "--responses",
    is_flag=True,
    help="Include the learners' reflection texts (personal data: off by default).",
)
@click.option(
    "--page-size",
    type=click.IntRange(1, 100_000),
    default=DEFAULT_PAGE_SIZE,
    show_default=True,
    envvar="COURSEPACK_LRS_PAGE_SIZE",
    help="Statements per request (the LRS may send fewer).",
)
@click.option(
    "--completions-only",
    is_flag=True,
    help="Ask the LRS only for completion statements (faster on a busy LRS; first and last "
    "activity then count completions only).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=1),
    default=DEFAULT_TIMEOUT,
    show_default=True,
    help="Seconds to wait for each answer of the LRS.",
)
def report(
    course_dir: Path,
    endpoint: str | None,
    since: datetime | None,
    until: datetime | None,
    registration: Any,
    fmt: str | None,
    output: Path | None,
    responses: bool,
    page_size: int,
    completions_only: bool,
    timeout: float,
) -> None:
    """Report who completed which TASK of COURSE_DIR (default: the current folder), from an LRS.

    \b
    Exit codes: 0 done, 1 course or usage problem, 2 bad option,
    3 LRS unreachable, 4 credentials refused, 5 unexpected answer from the LRS.
    """
    try:
        _report(
            course_dir,
            endpoint,
            since,
            until,
            str(registration) if registration else None,
            pick_format(fmt, output),
            output,
            responses,
            page_size,
            completions_only,
            timeout,
        )
    except UserError as error:
        click.echo(error.message, err=True)
        sys.exit(error.exit_code)
    except KeyboardInterrupt:
        click.echo("interrupted; nothing was written", err=True)
        sys.exit(130)


def _report(
    course_dir: Path,
    endpoint: str | None,
    since: datetime | None,
    until: datetime | None,
    registration: str | None,
    fmt: str,
    output: Path | None,
    responses: bool,
    page_size: int,
    completions_only: bool,
    timeout: float,
) -> None:
    from coursepack.validate import load_course

    if since and until and since >= until:
        raise UserError("--since must be before --until")
    if output is not None:
        check_output(output)  # before reading the LRS, which may take minutes
    auth = auth_from_env(os.environ)
    course = load_course(course_dir)
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
        query=Query(since, until, registration, completions_only),
        include_responses=responses,
        page_size=page_size,
        timeout=timeout,
    )
    stderr = Console(stderr=True)
    with _progress_bar(stderr) as bar:
        task = bar.add_task("Reading statements", statements=0, pages=0, total=None)

        def progress(statements: int, pages: int) -> None:
            bar.update(task, statements=statements, pages=pages)

        notes: list[str] = []
        result = build_report(
            course, options, now=report_time(os.environ), progress=progress, notes=notes
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

    if output is None and fmt == "table":
        print_table(result, Console())
        return
    text = FORMATS[fmt][0](result)
    if output is None:
        click.echo(text, nl=False)
    else:
        write_atomically(output, text, bom=fmt == "csv")
        click.echo(f"Wrote {output} ({len(result.learners)} learners, {fmt})", err=True)
