"""``coursepack report`` end to end: the example course, statements in Ralph, every format, and
every failure as one line and an exit code."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from coursepack.cli import cli
from coursepack.model import Course
from coursepack.pipeline import load_course
from coursepack.report.command import report
from coursepack.titles import item_title
from coursepack.xapi import vocab
from tests.report.helpers import (
    ADA,
    BOB,
    CHLOE,
    MALFORMED,
    append_raw,
    at,
    completed_task,
    post_statements,
    statement,
    task_iri,
)
from tests.support.env import REPO_ROOT
from tests.support.lrs import RalphLRS, free_port

EXAMPLE = REPO_ROOT / "course"

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def example() -> Course:
    return load_course(EXAMPLE)


def env_for(lrs: RalphLRS, **extra: str) -> dict[str, str]:
    return {
        "COURSEPACK_LRS_ENDPOINT": lrs.endpoint,
        "COURSEPACK_LRS_USERNAME": lrs.username,
        "COURSEPACK_LRS_PASSWORD": lrs.password,
        "SOURCE_DATE_EPOCH": "1717243200",  # 2024-06-01T12:00:00Z
        **extra,
    }


def run(args: list[str], env: dict[str, str]) -> Any:
    return CliRunner().invoke(report, args, env=env, catch_exceptions=False)


def feed_example(lrs: RalphLRS, course: Course) -> None:
    tasks = [(m.id, i.id) for m, _, i, _ in vocab.iter_task_activities(course)]
    first_read = next((m.id, i.id) for m in course.modules for i in m.items if not i.is_task)
    statements = [statement(course, ADA, "initialized", course.id, at(0))]
    statements += [
        completed_task(course, ADA, module, item, at(0, n + 1), f"Ada on {item}")
        for n, (module, item) in enumerate(tasks)
    ]
    statements += [
        statement(course, ADA, "completed", course.id, at(0, 20), result={"completion": True}),
        statement(course, BOB, "experienced", task_iri(course, *first_read), at(1)),
        completed_task(course, BOB, *tasks[0], at(1, 1), "Bob's = answer"),
        completed_task(course, CHLOE, *tasks[-1], at(2), "Chloé's answer"),
    ]
    post_statements(lrs, statements)


def test_json_report_of_the_example_course(lrs: RalphLRS, example: Course) -> None:
    feed_example(lrs, example)
    result = run([str(EXAMPLE), "--format", "json"], env_for(lrs))
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["generated_at"] == "2024-06-01T12:00:00Z"
    assert data["course"]["id"] == example.id
    assert [t["title"] for t in data["tasks"]] == [item_title(t, "en") for t in example.tasks]
    assert [t["completions"] for t in data["tasks"]] == [2, 1, 1, 1, 1, 1, 2]
    assert [(row["display"], row["tasks_completed"]) for row in data["learners"]] == [
        ("Ada Lovelace", 7),
        ("Bob <b>Builder</b>", 1),
        ("https://id.example.org/chloe", 1),
    ]
    assert all(cell["response"] is None for row in data["learners"] for cell in row["tasks"])


def test_csv_file_with_responses_opens_in_a_spreadsheet(
    lrs: RalphLRS, example: Course, tmp_path: Path
) -> None:
    feed_example(lrs, example)
    out = tmp_path / "completion.csv"
    result = run([str(EXAMPLE), "-o", str(out), "--responses"], env_for(lrs))
    assert result.exit_code == 0, result.output
    assert "Wrote" in result.stderr
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: spreadsheets then read UTF-8
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert len(rows) == 3 * len(example.tasks)  # one row per learner x task
    bob = [r for r in rows if r["learner"] == "Bob <b>Builder</b>" and r["completed"] == "yes"]
    assert [r["response"] for r in bob] == ["Bob's = answer"]
    chloe = [r for r in rows if r["completed"] == "yes" and "chloe" in r["learner_id"]]
    assert chloe[0]["response"] == "Chloé's answer"


def test_table_on_the_terminal(lrs: RalphLRS, example: Course) -> None:
    feed_example(lrs, example)
    result = run([str(EXAMPLE)], env_for(lrs))
    assert result.exit_code == 0, result.output
    assert example.title in result.stdout
    assert "3 learners, 1 completed the course" in result.stdout
    assert "Ada Lovelace" in result.stdout and "100%" in result.stdout


def test_html_file_is_written_atomically_and_self_contained(
    lrs: RalphLRS, example: Course, tmp_path: Path
) -> None:
    feed_example(lrs, example)
    out = tmp_path / "report.html"
    result = run([str(EXAMPLE), "-o", str(out)], env_for(lrs))
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert "Bob &lt;b&gt;Builder&lt;/b&gt;" in html
    assert list(tmp_path.iterdir()) == [out]  # no temporary file left behind


def test_authorization_header_from_the_environment(lrs: RalphLRS, example: Course) -> None:
    feed_example(lrs, example)
    env = env_for(lrs, COURSEPACK_LRS_USERNAME="", COURSEPACK_LRS_PASSWORD="")
    env["COURSEPACK_LRS_AUTH"] = lrs.auth_header
    result = run([str(EXAMPLE), "--format", "json"], env)
    assert result.exit_code == 0, result.output


def test_malformed_statement_is_skipped_with_a_warning(lrs: RalphLRS, example: Course) -> None:
    feed_example(lrs, example)
    malformed = {**MALFORMED, "context": {"contextActivities": {"grouping": [{"id": example.id}]}}}
    append_raw(lrs, [malformed])
    result = run([str(EXAMPLE), "--format", "json"], env_for(lrs))
    assert result.exit_code == 0
    assert "skipped 1 malformed statement" in result.stderr
    assert json.loads(result.stdout)["stats"]["malformed_skipped"] == 1


def one_line_failure(result: Any, code: int, words: str) -> None:
    assert result.exit_code == code, result.output
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert words in lines[0]
    assert "Traceback" not in result.stderr


def test_wrong_password_exits_4(lrs: RalphLRS) -> None:
    result = run([str(EXAMPLE)], env_for(lrs, COURSEPACK_LRS_PASSWORD="wrong"))
    one_line_failure(result, 4, "refused the credentials")


def test_lrs_down_exits_3(lrs: RalphLRS) -> None:
    lrs.stop()
    result = run([str(EXAMPLE)], env_for(lrs))
    one_line_failure(result, 3, "cannot reach the LRS")


def test_nothing_listening_exits_3() -> None:
    env = {"COURSEPACK_LRS_ENDPOINT": f"http://127.0.0.1:{free_port()}/xAPI/"}
    result = run([str(EXAMPLE)], env)
    one_line_failure(result, 3, "cannot reach the LRS")


def test_endpoint_that_is_not_xapi_exits_5(lrs: RalphLRS) -> None:
    result = run([str(EXAMPLE), "--lrs", lrs.origin + "/"], env_for(lrs))
    one_line_failure(result, 5, "xAPI endpoint")


def test_no_lrs_given_exits_1() -> None:
    result = run([str(EXAMPLE)], {"COURSEPACK_LRS_ENDPOINT": ""})
    one_line_failure(result, 1, "no LRS given")


def test_invalid_course_exits_1(tmp_path: Path) -> None:
    result = run([str(tmp_path)], {"COURSEPACK_LRS_ENDPOINT": "http://127.0.0.1:9/xAPI/"})
    assert result.exit_code == 1
    assert "course.yaml" in result.stderr and "Traceback" not in result.stderr


def test_password_is_not_a_command_line_option() -> None:
    result = CliRunner().invoke(report, [str(EXAMPLE), "--password", "x"])
    assert result.exit_code == 2
    assert "No such option" in result.output


def test_bad_time_option_is_a_usage_error() -> None:
    result = CliRunner().invoke(report, [str(EXAMPLE), "--since", "last tuesday"])
    assert result.exit_code == 2
    assert "ISO 8601" in result.output


@pytest.mark.parametrize("when", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"])
def test_time_option_without_a_utc_equivalent_is_a_usage_error(when: str) -> None:
    result = CliRunner().invoke(report, [str(EXAMPLE), "--since", when])
    assert result.exit_code == 2
    assert "ISO 8601" in result.output


def test_output_into_a_missing_folder_fails_before_reading_the_lrs(tmp_path: Path) -> None:
    endpoint = f"http://127.0.0.1:{free_port()}/xAPI/"  # nothing listens: reading would exit 3
    result = run(
        [str(EXAMPLE), "--lrs", endpoint, "-o", str(tmp_path / "missing" / "report.csv")], {}
    )
    one_line_failure(result, 1, "does not exist")


def test_since_after_until_is_a_usage_error_exit_2() -> None:
    result = run([str(EXAMPLE), "--since", "2024-05-02", "--until", "2024-05-01"], {})
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert "Error: --since must be before --until" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_output_file_of_unknown_format_is_a_usage_error_before_reading_the_lrs(
    tmp_path: Path,
) -> None:
    target = tmp_path / "report.xlsx"
    result = run([str(EXAMPLE), "--lrs", "http://127.0.0.1:9/xapi/", "-o", str(target)], {})
    assert result.exit_code == 2, result.output
    assert "cannot tell the format of 'report.xlsx'" in result.stderr
    assert not target.exists()


def test_report_is_a_command_of_coursepack() -> None:
    result = CliRunner().invoke(cli, ["report", "--help"])
    assert result.exit_code == 0
    assert "--responses" in result.output and "--password" not in result.output


def test_piped_run_shows_no_progress_bar(lrs: RalphLRS, example: Course) -> None:
    feed_example(lrs, example)
    proc = subprocess.run(
        [sys.executable, "-m", "coursepack", "report", str(EXAMPLE), "--format", "csv"],
        env={**env_for(lrs), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert proc.stdout.startswith("learner,learner_id,")
