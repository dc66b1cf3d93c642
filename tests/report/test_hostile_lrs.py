"""``coursepack report`` against a hostile LRS (``tests/support/hostile_lrs.py``), as a user runs
it: in its own process, on the example course. Every case must end within its bound, with
exactly one line on standard error, the right exit code, nothing secret or unprintable in that
line, and (for the floods) bounded memory."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from coursepack.credentials import basic_auth
from coursepack.xapi.client import (
    EXIT_AUTH_REFUSED,
    EXIT_BAD_RESPONSE,
    EXIT_LIMIT,
    EXIT_UNREACHABLE,
    EXIT_USER,
)
from tests.support.env import REPO_ROOT
from tests.support.hostile_lrs import GIB, HostileLRS

EXAMPLE = REPO_ROOT / "course"
USERNAME, PASSWORD = "report-reader", "s3cret-Passw0rd"
AUTH = basic_auth(USERNAME, PASSWORD)
SECRETS = (AUTH, AUTH.split()[1], f"{USERNAME}:{PASSWORD}", PASSWORD)
# Peak memory allowed to a report that is fed a flood: the interpreter, imports and the course
# (about 60-80 MB here) plus one answer at the default limit (64 MiB), with room to spare. Before
# the limits, a 1 GiB body took 2.2 GB and a 1 MiB gzip bomb 2.1 GB.
FLOOD_PEAK_MB = 300


@dataclass
class Ran:
    code: int
    stderr: bytes
    seconds: float
    peak_mb: float
    stdout: bytes = field(repr=False, default=b"")

    @property
    def lines(self) -> list[bytes]:
        return self.stderr.splitlines()


def report(
    endpoint: str, *args: str, credentials: bool = True, bound: float = 60.0, tmp: Path
) -> Ran:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COURSEPACK_")}
    env["SOURCE_DATE_EPOCH"] = "1717243200"
    if credentials:
        env |= {"COURSEPACK_LRS_USERNAME": USERNAME, "COURSEPACK_LRS_PASSWORD": PASSWORD}
    peak = tmp / "peak.txt"
    command = [sys.executable, "-m", "tests.support.run_measured", str(peak), "report"]
    command += [str(EXAMPLE), "--lrs", endpoint, "--format", "json", *args]
    started = time.monotonic()
    proc = subprocess.run(
        command, capture_output=True, env=env, cwd=REPO_ROOT, timeout=bound, check=False
    )
    seconds = time.monotonic() - started
    peak_mb = int(peak.read_text()) / 1024 if peak.exists() else 0.0
    return Ran(proc.returncode, proc.stderr, seconds, peak_mb, proc.stdout)


def check_one_clean_line(ran: Ran, code: int, *words: str) -> str:
    assert ran.code == code, ran
    assert len(ran.lines) == 1, ran.stderr
    assert b"Traceback" not in ran.stderr
    text = ran.stderr.decode("utf-8")
    for secret in SECRETS:
        assert secret not in text, text
    unprintable = [ch for ch in text.rstrip("\n") if not ch.isprintable()]
    assert not unprintable, (unprintable, text)
    for word in words:
        assert word in text, text
    assert ran.stdout == b""
    return text


def test_a_more_link_new_on_every_page_stops_at_the_page_limit(tmp_path: Path) -> None:
    with HostileLRS("endless-more") as lrs:
        ran = report(lrs.endpoint, "--max-pages", "40", tmp=tmp_path)
        requests = lrs.requests
    check_one_clean_line(ran, EXIT_LIMIT, "more than 40 pages", "--max-pages")
    assert requests == 40


def test_empty_pages_with_new_more_links_stop_without_reaching_the_page_limit(
    tmp_path: Path,
) -> None:
    with HostileLRS("endless-empty-more") as lrs:
        ran = report(lrs.endpoint, tmp=tmp_path)
        requests = lrs.requests
    check_one_clean_line(ran, EXIT_BAD_RESPONSE, "pages in a row without a statement")
    assert requests == 100


@pytest.mark.parametrize("behaviour", ["drip", "drip-headers"])
def test_a_server_dripping_one_byte_a_second_is_cut_off_at_the_answer_deadline(
    behaviour: str, tmp_path: Path
) -> None:
    # Each byte comes well within the timeout: only a deadline for the whole answer ends it.
    with HostileLRS(behaviour, interval=1.0, size=10_000) as lrs:
        ran = report(lrs.endpoint, "--timeout", "3", tmp=tmp_path, bound=30)
        dripped = lrs.bytes_sent
    check_one_clean_line(ran, EXIT_UNREACHABLE, "did not answer within 3 s", "--timeout")
    # 3 s of answer, plus starting Python and loading the course; never the 10,000 s drip.
    assert ran.seconds < 3 + 10
    assert dripped <= 5


def test_an_endless_chunked_body_stops_at_the_byte_limit_in_bounded_memory(
    tmp_path: Path,
) -> None:
    with HostileLRS("endless-chunked") as lrs:
        ran = report(lrs.endpoint, "--max-answer-bytes", "8MiB", tmp=tmp_path)
        sent = lrs.bytes_sent
    check_one_clean_line(ran, EXIT_LIMIT, "larger than 8,388,608 bytes", "--max-answer-bytes")
    assert sent < 64 * 1024 * 1024  # stopped reading long before 4 GiB (socket buffers aside)
    assert ran.peak_mb < FLOOD_PEAK_MB


def test_a_declared_1_gib_body_is_refused_before_it_is_read(tmp_path: Path) -> None:
    with HostileLRS("huge-body", size=GIB) as lrs:
        ran = report(lrs.endpoint, tmp=tmp_path)
    check_one_clean_line(ran, EXIT_LIMIT, "1,073,741,824 bytes", "--max-answer-bytes")
    assert ran.peak_mb < FLOOD_PEAK_MB


def test_an_undeclared_1_gib_body_stops_at_the_default_limit_in_bounded_memory(
    tmp_path: Path,
) -> None:
    with HostileLRS("huge-body-unsized", size=GIB) as lrs:
        ran = report(lrs.endpoint, tmp=tmp_path)
    check_one_clean_line(ran, EXIT_LIMIT, "larger than 67,108,864 bytes")
    assert ran.peak_mb < FLOOD_PEAK_MB


def test_a_gzip_bomb_is_counted_after_decompression_in_bounded_memory(tmp_path: Path) -> None:
    with HostileLRS("gzip-bomb", size=GIB) as lrs:
        ran = report(lrs.endpoint, tmp=tmp_path)
    check_one_clean_line(ran, EXIT_LIMIT, "larger than 67,108,864 bytes")
    assert ran.peak_mb < FLOOD_PEAK_MB


def test_a_redirect_to_a_location_with_c1_controls_prints_none_of_them(tmp_path: Path) -> None:
    with HostileLRS("redirect-c1") as lrs:
        ran = report(lrs.endpoint, tmp=tmp_path)
    text = check_one_clean_line(ran, EXIT_BAD_RESPONSE, "redirects to https://lrs.example.org/")
    assert b"\x9b" not in ran.stderr and b"\x1b" not in ran.stderr
    assert "\u202e" not in text


def test_control_characters_and_bidi_overrides_of_an_error_body_are_not_printed(
    tmp_path: Path,
) -> None:
    with HostileLRS("control-error") as lrs:
        ran = report(lrs.endpoint, tmp=tmp_path)
    text = check_one_clean_line(ran, EXIT_BAD_RESPONSE, "500", "boom")
    assert not any(ch in text for ch in "\x1b\x9b\x07\u202e\u2066\u2069\x00")


@pytest.mark.parametrize("behaviour", ["echo-credentials", "echo-credentials-redirect"])
def test_a_credential_echoed_by_the_lrs_is_never_printed(behaviour: str, tmp_path: Path) -> None:
    with HostileLRS(behaviour) as lrs:
        ran = report(lrs.endpoint, tmp=tmp_path)
        sent = lrs.seen_auth
    assert sent == [AUTH]  # it did get the credential, and echoed it
    text = check_one_clean_line(ran, EXIT_BAD_RESPONSE)
    assert "***" in text


def test_401_without_credentials_says_none_were_given_and_how_to_set_them(
    tmp_path: Path,
) -> None:
    with HostileLRS("unauthorized") as lrs:
        ran = report(lrs.endpoint, credentials=False, tmp=tmp_path)
        sent = lrs.seen_auth
    assert sent == [""]
    check_one_clean_line(
        ran,
        EXIT_AUTH_REFUSED,
        "none were given",
        "COURSEPACK_LRS_USERNAME",
        "COURSEPACK_LRS_PASSWORD",
        "COURSEPACK_LRS_AUTH",
    )


def test_401_with_credentials_says_they_were_refused(tmp_path: Path) -> None:
    with HostileLRS("unauthorized") as lrs:
        ran = report(lrs.endpoint, tmp=tmp_path)
    text = check_one_clean_line(ran, EXIT_AUTH_REFUSED, "refused the credentials")
    assert "none were given" not in text


def test_an_endpoint_with_a_query_string_is_refused_without_printing_it(tmp_path: Path) -> None:
    ran = report(f"https://lrs.example.org/xAPI/?password={PASSWORD}&key=k", tmp=tmp_path)
    text = check_one_clean_line(ran, EXIT_USER, "https://lrs.example.org/xAPI/?…", "query string")
    assert "key=k" not in text
