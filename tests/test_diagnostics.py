"""``coursepack validate``: every author mistake named (golden listings), validate says what
build says, ``--strict``, ``--format json|github`` and ``--check-links``."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from coursepack.cli import cli
from coursepack.codes import CATALOGUE, OTHER, code_for
from tests.golden import check_golden

FIXTURES = Path(__file__).parent / "fixtures"
AUTHORING = sorted(p.name for p in (FIXTURES / "authoring").iterdir() if p.is_dir())
EVERY_FIXTURE = [FIXTURES / "authoring" / n for n in AUTHORING] + sorted(
    p for p in (FIXTURES / "courses").iterdir() if (p / "course.yaml").exists()
)
GOLDEN = Path(__file__).parent / "golden" / "authoring"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def problem_lines(stderr: str) -> list[str]:
    """The problem lines of a listing, without the summary (which says whether it wrote)."""
    return [line for line in stderr.splitlines() if re.match(r"^[^ ]+: ", line)]


@pytest.mark.parametrize("name", AUTHORING)
def test_each_author_mistake_is_named_at_its_place(name: str) -> None:
    course = FIXTURES / "authoring" / name
    code, out, err = run("validate", str(course))
    check_golden(GOLDEN / f"{name}.txt", f"exit {code}\n{err}{out.replace(str(course), '.')}")
    assert "Traceback" not in err


@pytest.mark.parametrize("course", EVERY_FIXTURE, ids=lambda p: p.name)
def test_validate_says_what_build_says(course: Path, tmp_path: Path) -> None:
    v_code, _, v_err = run("validate", str(course))
    b_code, _, b_err = run("build", str(course), "-o", str(tmp_path / "dist"))
    assert v_code == b_code
    assert problem_lines(v_err) == problem_lines(b_err)
    if b_code:
        assert not (tmp_path / "dist").exists()
        assert "nothing was written" in b_err and "nothing was written" not in v_err


@pytest.mark.parametrize("course", EVERY_FIXTURE, ids=lambda p: p.name)
def test_every_problem_of_the_fixtures_has_a_code_of_its_own(course: Path) -> None:
    _, out, _ = run("validate", str(course), "--format", "json")
    for problem in json.loads(out)["problems"]:
        assert problem["code"] != OTHER, problem["message"]


def test_strict_turns_warnings_into_errors_for_validate_and_build(tmp_path: Path) -> None:
    course = FIXTURES / "authoring" / "unlisted-module-and-twice-linked"
    assert run("validate", str(course))[0] == 0
    code, _, err = run("validate", str(course), "--strict")
    assert code == 1 and "warning:" not in err
    assert "modules/brouillon.md: 'modules/brouillon.md' is not listed" in err
    code, _, err = run("build", str(course), "--strict", "-o", str(tmp_path / "d"))
    assert code == 1 and not (tmp_path / "d").exists()
    assert run("build", str(course), "-o", str(tmp_path / "d"))[0] == 0


def test_json_format_lists_file_line_column_severity_code_and_hint() -> None:
    course = FIXTURES / "authoring" / "missing-colon"
    code, out, err = run("validate", str(course), "--format", "json")
    assert code == 1 and err == ""
    document = json.loads(out)
    assert (document["valid"], document["errors"], document["warnings"]) == (False, 2, 0)
    first = document["problems"][0]
    assert set(first) == {"file", "line", "column", "severity", "code", "message", "hint"}
    assert (first["file"], first["line"], first["column"]) == ("modules/a.md", 5, 1)
    assert (first["severity"], first["code"]) == ("error", "CP207")
    valid = json.loads(
        run("validate", str(FIXTURES.parent.parent / "course"), "--format", "json")[1]
    )
    assert valid == {
        "valid": True,
        "course": str(FIXTURES.parent.parent / "course"),
        "errors": 0,
        "warnings": 0,
        "problems": [],
    }


def test_github_format_prints_workflow_annotations() -> None:
    course = FIXTURES / "authoring" / "unlisted-module-and-twice-linked"
    code, out, _ = run("validate", str(course), "--format", "github")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith(
        f"::warning file={course.as_posix()}/modules/a.md,line=7,col=1,title=CP214::"
    )
    assert lines[1].startswith(
        f"::warning file={course.as_posix()}/modules/brouillon.md,title=CP213::"
    )


def test_the_catalogue_codes_are_unique_and_documented() -> None:
    codes = [kind.code for kind in CATALOGUE]
    assert len(codes) == len(set(codes))
    docs = (Path(__file__).parents[1] / "docs" / "problems.md").read_text("utf-8")
    for kind in CATALOGUE:
        assert f"| {kind.code} |" in docs, kind.code
        assert code_for(kind.example) == kind.code, (kind.code, kind.example)


def test_an_output_path_ending_in_zip_is_a_usage_error(tmp_path: Path) -> None:
    target = tmp_path / "dist" / "course.zip"
    code, _, err = run("build", str(FIXTURES.parent.parent / "course"), "-o", str(target))
    assert code == 2 and "looks like a zip file's name" in err
    assert not target.exists() and not target.parent.exists()


# -- --check-links ---------------------------------------------------------------------------


class _Links(BaseHTTPRequestHandler):
    """Every kind of answer a link checker meets."""

    def do_HEAD(self) -> None:
        self._answer(head=True)

    def do_GET(self) -> None:
        self._answer(head=False)

    def _answer(self, *, head: bool) -> None:
        path = self.path
        if path == "/ok":
            self._send(200)
        elif path == "/gone":
            self._send(404)
        elif path == "/broken":
            self._send(500)
        elif path == "/no-head":  # a server that refuses HEAD but serves GET
            self._send(405 if head else 200)
        elif path == "/moved":
            self._send(301, location="/ok")
        elif path == "/found":
            self._send(302, location="/ok")
        elif path == "/loop":
            self._send(302, location="/loop")
        else:
            self._send(404)

    def _send(self, status: int, location: str | None = None) -> None:
        self.send_response(status)
        if location:
            self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def link_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Links)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_check_links_reports_dead_and_moved_links_at_their_place(
    link_server: str, tmp_path: Path
) -> None:
    (tmp_path / "modules").mkdir()
    (tmp_path / "course.yaml").write_text(
        "id: https://example.org/c\ntitle: T\nlanguage: en\nversion: '1'\nmodules:\n"
        "  - modules/m.md\n"
    )
    s = link_server
    closed = "http://127.0.0.1:9/closed"  # nothing listens on port 9 (discard)
    (tmp_path / "modules" / "m.md").write_text(
        f"# M\n\nSee [the notes]({s}/gone).\n\n## S\n\nREAD: {s}/ok\n\nREAD: {s}/no-head\n\n"
        f"READ: {s}/broken\n\nREAD: {s}/moved\n\nREAD: {s}/found\n\nREAD: {s}/loop\n\n"
        f"READ: {closed}\n\nTASK: Why?\n"
    )
    assert run("validate", str(tmp_path))[0] == 0  # without --check-links nothing is fetched
    code, _, err = run("validate", str(tmp_path), "--check-links")
    assert code == 1
    lines = problem_lines(err)
    assert lines == [
        f"modules/m.md:3:5: dead link {s}/gone (404 Not Found) "
        "(fix the address or remove the link)",
        f"modules/m.md:11:1: dead link {s}/broken (500 Internal Server Error) "
        "(fix the address or remove the link)",
        f"modules/m.md:13:1: warning: permanent redirect: {s}/moved now lives at {s}/ok "
        "(link the new address)",
        f"modules/m.md:17:1: dead link {s}/loop (too many redirects) "
        "(fix the address or remove the link)",
        f"modules/m.md:19:1: dead link {closed} (cannot connect) "
        "(fix the address or remove the link)",
    ]


def test_check_links_works_where_an_event_loop_is_already_running(link_server: str) -> None:
    import asyncio

    from coursepack.linkcheck import check_links
    from coursepack.model import Position

    async def inside_a_loop() -> list[str]:
        found = check_links([(f"{link_server}/gone", Position("m.md", 1, 1))])
        return [p.message for p in found]

    # in a thread of its own: the test process may already run a loop (the browser's)
    result: list[list[str]] = []
    runner = threading.Thread(target=lambda: result.append(asyncio.run(inside_a_loop())))
    runner.start()
    runner.join(timeout=60)
    assert result == [[f"dead link {link_server}/gone (404 Not Found)"]]
