"""The command line: exit codes, summaries, and that nothing is written for a bad course."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from coursepack.cli import cli

REPO = Path(__file__).resolve().parents[1]


def _run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_build_prints_one_summary_line_naming_the_zip(tmp_path: Path) -> None:
    code, out, err = _run("build", str(REPO / "course"), "-o", str(tmp_path))
    assert code == 0, err
    zips = sorted(tmp_path.glob("*.zip"))
    assert [z.name for z in zips] == ["collaborative-impact-leadership-1.0.0-scorm12.zip"]
    line, *notes = out.splitlines()
    assert line.startswith(f"Built {zips[0]} (SCORM 1.2: 1 module(s), 16 items, 7 tasks;")
    # the default build, the one most admins upload, says what to choose in Moodle
    (note,) = notes
    assert note.startswith("Any LMS: in Moodle") and "Grading method" in note


def test_invalid_course_exits_1_and_writes_nothing(tmp_path: Path) -> None:
    course = REPO / "tests" / "fixtures" / "courses" / "many-problems"
    code, out, err = _run("build", str(course), "-o", str(tmp_path / "dist"))
    assert code == 1
    assert out == ""
    assert err.count("modules/") == 4
    assert not (tmp_path / "dist").exists()


def test_a_broken_course_keeps_the_last_good_zip(tmp_path: Path) -> None:
    shutil.copytree(REPO / "course", tmp_path / "c")
    dist = tmp_path / "dist"
    assert _run("build", str(tmp_path / "c"), "-o", str(dist))[0] == 0
    (good,) = dist.glob("*.zip")
    before = good.read_bytes()
    module = tmp_path / "c" / "modules" / "collaborative-impact-leadership.md"
    module.write_text(module.read_text("utf-8").replace("TASK: How creative", "TASK:\n\nHow"))
    code, _, err = _run("build", str(tmp_path / "c"), "-o", str(dist))
    assert code == 1
    assert "TASK has no prompt" in err
    assert [p.name for p in dist.iterdir()] == [good.name]
    assert good.read_bytes() == before


def test_usage_errors_exit_2() -> None:
    assert _run("build", "--target", "scorm3000")[0] == 2
    assert _run("build", "--no-such-option")[0] == 2


def test_validate_reports_a_valid_course() -> None:
    code, out, _ = _run("validate", str(REPO / "course"))
    assert code == 0
    assert "valid" in out and "7 tasks" in out


def test_missing_course_folder_is_one_clean_line(tmp_path: Path) -> None:
    code, _, err = _run("validate", str(tmp_path / "nope"))
    assert code == 1
    assert err.strip().endswith("no such course folder")
    assert "Traceback" not in err


def test_help_describes_the_commands() -> None:
    code, out, _ = _run("--help")
    assert code == 0
    assert "build" in out and "validate" in out


def test_an_output_folder_that_cannot_be_written_is_one_clean_line(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    code, out, err = _run("build", str(REPO / "course"), "-o", str(tmp_path / "a-file" / "dist"))
    assert code == 1
    assert out == ""
    assert err.startswith(f"cannot write {tmp_path / 'a-file' / 'dist'}/")
    assert "Not a directory" in err
    assert len(err.splitlines()) == 1

    zip_name = "collaborative-impact-leadership-1.0.0-scorm12.zip"
    (tmp_path / "dist" / zip_name).mkdir(parents=True)  # a folder where the zip goes
    code, _, err = _run("build", str(REPO / "course"), "-o", str(tmp_path / "dist"))
    assert code == 1
    assert "Is a directory" in err
    assert [p.name for p in (tmp_path / "dist").iterdir()] == [zip_name]


def test_a_malformed_source_date_epoch_stops_the_build_before_writing(tmp_path: Path) -> None:
    for value in ("now", "253402300800"):  # the second is past year 9999
        code, out, err = _run(
            "build",
            str(REPO / "course"),
            "-o",
            str(tmp_path / "dist"),
            env={"SOURCE_DATE_EPOCH": value},
        )
        assert (code, out) == (1, "")
        assert err.startswith(f"SOURCE_DATE_EPOCH is '{value}': it must be a whole number")
        assert not (tmp_path / "dist").exists()


def test_dash_capital_v_is_an_alias_of_version() -> None:
    code_short, out_short, _ = _run("-V")
    code_long, out_long, _ = _run("--version")
    assert code_short == code_long == 0
    assert out_short == out_long
    assert out_short.startswith("coursepack, version ")


def test_build_and_report_refuse_the_same_source_date_epoch(tmp_path: Path) -> None:
    env = {"SOURCE_DATE_EPOCH": "-1", "COURSEPACK_LRS_ENDPOINT": "http://127.0.0.1:9/xapi/"}
    build = _run("build", str(REPO / "course"), "-o", str(tmp_path), env=env)
    report = _run("report", str(REPO / "course"), env=env)
    assert build[0] == report[0] == 1
    assert "SOURCE_DATE_EPOCH is '-1'" in build[2]
    assert build[2] == report[2]


def test_build_and_report_name_the_same_missing_lrs_password(tmp_path: Path) -> None:
    course = tmp_path / "c"
    shutil.copytree(REPO / "course", course)
    yaml_text = (course / "course.yaml").read_text()
    (course / "course.yaml").write_text(
        yaml_text + "tracking:\n  lrs:\n    endpoint: http://127.0.0.1:9/xapi/\n"
        "    actor_homepage: https://lms.example.org\n"
    )
    env = {"COURSEPACK_LRS_USERNAME": "key"}
    build = _run("build", str(course), "-o", str(tmp_path / "dist"), env=env)
    report = _run("report", str(course), env=env)
    assert build[0] == report[0] == 1
    assert "COURSEPACK_LRS_PASSWORD is not set" in build[2]
    assert "COURSEPACK_LRS_PASSWORD is not set" in report[2]
