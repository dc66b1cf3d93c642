"""The report's text on its way out: in pieces (a report of many learners is never held whole),
and, on a terminal, without control characters or bidi controls from the statements."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from coursepack.report.aggregate import Aggregator
from coursepack.report.csvfmt import _time, iter_csv, render_csv
from coursepack.report.jsonfmt import iso, iter_json, render_json, to_json
from coursepack.report.run import for_terminal, write_report
from tests.report.helpers import NOW, learner_statements, sample_course

COURSE = sample_course()


def report(learners: int) -> object:
    statements, _ = learner_statements(COURSE)
    aggregator = Aggregator(COURSE, include_responses=True)
    for found in statements:
        aggregator.add(found)
    full = aggregator.report(generated_at=NOW)
    return full.__class__(**{**vars_of(full), "learners": full.learners[:learners]})


def vars_of(obj: object) -> dict[str, object]:
    from dataclasses import fields

    return {f.name: getattr(obj, f.name) for f in fields(obj)}  # type: ignore[arg-type]


@pytest.mark.parametrize("learners", [0, 1, 5])
def test_json_in_pieces_is_the_whole_json_dumped_at_once(learners: int) -> None:
    made = report(learners)
    expected = json.dumps(to_json(made), indent=2, ensure_ascii=False) + "\n"  # type: ignore[arg-type]
    pieces = list(iter_json(made))  # type: ignore[arg-type]
    assert "".join(pieces) == expected == render_json(made)  # type: ignore[arg-type]
    assert len(pieces) >= learners


def test_csv_in_pieces_is_the_whole_csv() -> None:
    made = report(5)
    assert "".join(iter_csv(made, rows_per_piece=2)) == render_csv(made)  # type: ignore[arg-type]


def test_write_report_writes_pieces_whole_with_a_bom(tmp_path: Path) -> None:
    out = tmp_path / "r.csv"
    write_report(out, iter(["a,b\r\n", "é,1\r\n"]), bom=True)
    assert out.read_bytes() == b"\xef\xbb\xbfa,b\r\n\xc3\xa9,1\r\n"
    assert [p.name for p in tmp_path.iterdir()] == ["r.csv"]


def test_on_a_terminal_controls_become_json_escapes_or_replacement_characters() -> None:
    text = '{"name": "a\x1b[2J\x9b31m\u202eb\u2066c"}\n'
    escaped = for_terminal(text, json_escapes=True)
    assert json.loads(escaped) == json.loads(text.replace("\x1b", "\\u001b"))
    assert escaped.isascii()
    shown = for_terminal("a\x1bb\x9bc\u202ed\te\r\n")
    assert shown == "a\ufffdb\ufffdc\ufffdd\te\r\n"


@pytest.mark.parametrize(
    "when",
    [
        datetime(2024, 7, 1, 9, 5, 3, 999_999, tzinfo=UTC),
        datetime(1999, 12, 31, 23, 59, 59),
        datetime(2024, 2, 29, 0, 0, 0, tzinfo=timezone(timedelta(hours=-5))),
        datetime(999, 1, 2, 3, 4, 5, tzinfo=UTC),  # strftime does not pad such a year
        datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC),
    ],
)
def test_report_times_are_written_as_strftime_writes_them(when: datetime) -> None:
    assert iso(when) == when.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert _time(when) == when.strftime("%Y-%m-%d %H:%M:%S")
    assert iso(None) is None and _time(None) == ""
