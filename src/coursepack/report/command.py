"""``coursepack report``: completion of a course, read from any xAPI LRS.

The command only parses options into a ``ReportRequest`` and calls ``report.run.run``; exit
codes are in ``coursepack.xapi.client`` and docs/report.md.
"""

from __future__ import annotations

import os
import re
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from coursepack.credentials import ENV_AUTH, ENV_ENDPOINT, ENV_PASSWORD, ENV_USERNAME
from coursepack.report.fetch import Query
from coursepack.report.run import FORMATS, ReportRequest, pick_format, run
from coursepack.xapi.client import (
    DEFAULT_MAX_ANSWER_BYTES,
    DEFAULT_MAX_PAGES,
    DEFAULT_PAGE_SIZE,
    DEFAULT_TIMEOUT,
)

_SIZE = re.compile(r"^(\d+)\s*(|k|ki|m|mi|g|gi)b?$")
_UNITS = {"": 1, "k": 1024, "ki": 1024, "m": 1024**2, "mi": 1024**2, "g": 1024**3, "gi": 1024**3}


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


def _size_option(ctx: click.Context, param: click.Parameter, value: str | int) -> int:
    """A number of bytes, with an optional binary unit: 500000, 512KiB, 64MiB, 1GiB."""
    found = _SIZE.match(str(value).strip().lower())
    size = int(found[1]) * _UNITS[found[2]] if found else 0
    if size < 1024:
        raise click.BadParameter(
            f"{value!r} is not a size of at least 1 KiB (e.g. 500000, 512KiB, 64MiB, 1GiB)"
        )
    return size


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
    help="Seconds for each whole answer of the LRS (connecting, and every byte of it).",
)
@click.option(
    "--max-pages",
    type=click.IntRange(min=1),
    default=DEFAULT_MAX_PAGES,
    show_default=True,
    help="Pages to read from the LRS at most, for the whole report.",
)
@click.option(
    "--max-answer-bytes",
    "max_answer_bytes",
    metavar="SIZE",
    type=str,
    default=str(DEFAULT_MAX_ANSWER_BYTES),
    show_default=f"{DEFAULT_MAX_ANSWER_BYTES // 1024**2}MiB",
    callback=_size_option,
    help="Largest answer (one page) to accept, counted after decompression "
    "(e.g. 500000, 512KiB, 64MiB).",
)
@click.option(
    "--items",
    is_flag=True,
    help="CSV: the item analysis of the course's questions (one row per question) instead of "
    "one row per learner and task.",
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
    max_pages: int,
    max_answer_bytes: int,
    items: bool,
) -> None:
    """Report who completed which TASK of COURSE_DIR (default: the current folder), from an LRS.

    \b
    Exit codes: 0 done, 1 course problem, 2 usage error,
    3 LRS unreachable or too slow, 4 credentials refused or missing,
    5 unexpected answer from the LRS, 6 a limit reached (--max-pages, --max-answer-bytes).
    """
    if since and until and since >= until:
        raise click.UsageError("--since must be before --until")
    chosen = pick_format(fmt, output)
    if items and chosen != "csv":
        raise click.UsageError(
            f"--items is for CSV (the {chosen} report holds the item analysis already; "
            "use --format csv or an -o file ending in .csv)"
        )
    request = ReportRequest(
        course_dir=course_dir,
        endpoint=endpoint,
        query=Query(since, until, str(registration) if registration else None, completions_only),
        fmt=chosen,
        output=output,
        include_responses=responses,
        page_size=page_size,
        timeout=timeout,
        max_pages=max_pages,
        max_answer_bytes=max_answer_bytes,
        items=items,
    )
    try:
        run(request, os.environ)
    except KeyboardInterrupt:
        click.echo("interrupted; nothing was written", err=True)
        sys.exit(130)
