"""An update is a first-class case against the LRS: learners take version 1 and version 2 of a
course as xAPI packages in Chromium against Ralph, and one ``coursepack report`` of version 2
shows every answer under the question it was written for.

Version 2 rewords one TASK lightly (same id, new activity id ``~r2``), removes another, adds a
new one, moves one to another section and rewrites one beyond recognition (a new question).
Every reflection names the prompt it answers, so the test can check each answer's place.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import pytest
from click.testing import CliRunner

from coursepack.build import build_course
from coursepack.model import Course
from coursepack.pipeline import load_course
from coursepack.report.command import report
from coursepack.xapi import vocab
from tests.runtime.learner import do_section, go_to, section_keys, wait_started
from tests.support.lrs import RalphLRS
from tests.support.scorm_harness import unzip_package
from tests.support.static_server import StaticServer
from tests.test_versions import M1, T1, T2, T3, T4, write_course
from tests.xapi.helpers import assert_valid_statements, wait_sent

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.e2e

ANN = {"objectType": "Agent", "name": "Ann Version One", "mbox": "mailto:ann@example.org"}
BEN = {"objectType": "Agent", "name": "Ben Version Two", "mbox": "mailto:ben@example.org"}
T1_REWORDED = T1.replace("daily", "everyday")
T_NEW = "Which question would you ask a partner before your next evaluation starts?"
M1_REWRITTEN = "Name one habit your team will drop after reading this module, and say why."


def prompts(course: Course) -> dict[str, str]:
    """Item key (as the page names it) -> the TASK's prompt."""
    return {
        vocab.item_key(module, item): item.prompt or ""
        for module in course.modules
        for item in module.items
        if item.is_task
    }


def take(
    page: Page, url: str, lrs: RalphLRS, actor: dict[str, Any], course: Course
) -> dict[str, str]:
    """A learner answers every TASK of the package at ``url``: prompt -> their answer."""
    launch = {
        "endpoint": lrs.endpoint,
        "auth": lrs.auth_header,
        "actor": json.dumps(actor),
        "registration": str(uuid.uuid4()),
    }
    page.goto(f"{url}?{urlencode(launch)}")
    wait_started(page)
    by_key = prompts(course)
    answers: dict[str, str] = {}

    def answer(key: str) -> str:
        prompt = by_key[key]
        answers[prompt] = f"{actor['name']} answers: {prompt}"
        return answers[prompt]

    for key in section_keys(page):
        go_to(page, key)
        do_section(page, page, answer)
    page.locator("[data-cp-exit]").click()
    wait_sent(page)
    return answers


def build_site(
    root: Path, dest: Path, http_server: Callable[[Path], StaticServer]
) -> tuple[Course, str]:
    result = build_course(root, dest / "dist", ["xapi"], environ={})
    (package,) = result.paths
    site = unzip_package(package, dest / "site" / "tincan")
    assert site.is_dir()
    return load_course(root, {}), http_server(dest / "site").url + "tincan/index.html"


def test_one_report_over_two_versions_keeps_every_answer_with_its_question(
    page: Page,
    lrs: RalphLRS,
    tmp_path: Path,
    http_server: Callable[[Path], StaticServer],
) -> None:
    root = write_course(tmp_path / "course")
    v1, v1_url = build_site(root, tmp_path / "v1", http_server)
    ann = take(page, v1_url, lrs, ANN, v1)

    write_course(  # T1 reworded, T2 removed, T3 moved to another section, M1 rewritten
        root,
        version="2.0.0",
        theory=(T1_REWORDED, T_NEW),
        tools=(T3, T4),
        partners=(M1_REWRITTEN,),
    )
    v2, v2_url = build_site(root, tmp_path / "v2", http_server)
    ben = take(page, v2_url, lrs, BEN, v2)
    assert T2 in ann and T2 not in ben and T_NEW in ben

    statements = lrs.statements()
    assert_valid_statements(statements)
    env = {
        "COURSEPACK_LRS_ENDPOINT": lrs.endpoint,
        "COURSEPACK_LRS_USERNAME": lrs.username,
        "COURSEPACK_LRS_PASSWORD": lrs.password,
    }
    result = CliRunner().invoke(report, [str(root), "--format", "json", "--responses"], env=env)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["stats"]["malformed_skipped"] == 0

    titles = {column["iri"]: column for column in data["tasks"]}
    by_prompt = {item.prompt: vocab.item_iri(v2, m, item) for m in v2.modules for item in m.tasks}
    reworded = by_prompt[T1_REWORDED]
    assert reworded.endswith("~r2")  # a new activity id: the LRS never mixes the two wordings
    rows = {row["display"]: row for row in data["learners"]}
    cells = {
        name: {cell["iri"]: cell for cell in row["tasks"] if cell["completed"]}
        for name, row in rows.items()
    }

    # Ann answered version 1: each answer sits under its own question, marked with its version
    assert cells[ANN["name"]][reworded]["response"] == ann[T1]
    assert cells[ANN["name"]][reworded]["answered_version"] == "1.0.0"
    assert cells[ANN["name"]][by_prompt[T3]]["response"] == ann[T3]
    assert by_prompt[T_NEW] not in cells[ANN["name"]]  # never someone else's question
    removed = {c["iri"]: c for c in data["tasks"] if not c["in_course"]}
    assert len(removed) == 2  # T2 and the rewritten M1: their answers stay theirs
    for iri in removed:
        answered = cells[ANN["name"]][iri]["response"].split(" answers: ", 1)[1]
        assert answered in (T2, M1)
        assert answered.startswith(removed[iri]["title"].rstrip("…"))
    assert by_prompt[M1_REWRITTEN] not in cells[ANN["name"]]

    # Ben answered version 2: the current wording, no version mark, nothing under the removed one
    assert cells[BEN["name"]][reworded]["response"] == ben[T1_REWORDED]
    assert "answered_version" not in cells[BEN["name"]][reworded]
    assert cells[BEN["name"]][by_prompt[T_NEW]]["response"] == ben[T_NEW]
    assert not set(removed) & set(cells[BEN["name"]])

    # every answer the report shows names the prompt it was written for (or its earlier wording)
    for name, row_cells in cells.items():
        for iri, cell in row_cells.items():
            shown = titles[iri]["title"].rstrip("…")
            written_for = cell["response"].split(" answers: ", 1)[1]
            assert written_for.startswith(shown[:20]) or iri == reworded, (name, iri)
