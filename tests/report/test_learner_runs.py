"""Reports fed by real learner runs: the xAPI (TinCan) package of the example course, taken in
Chromium against Ralph by two learners, then ``coursepack report`` on what Ralph stored.

Uses the runtime team's package fixtures (``tests/xapi/conftest.py``) and learner steps
(``tests/runtime/learner.py``).
"""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING, Any

import pytest
from click.testing import CliRunner

from coursepack.model import Course
from coursepack.report.command import report
from tests.runtime.learner import do_section, go_to, section_keys, wait_started
from tests.support.env import REPO_ROOT
from tests.support.lrs import RalphLRS
from tests.xapi.conftest import course, tincan_site, xapi_zip  # noqa: F401 - fixtures
from tests.xapi.helpers import wait_sent

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.xapi.conftest import TincanSite

pytestmark = pytest.mark.e2e

ANN = {"objectType": "Agent", "name": "Ann Learner", "mbox": "mailto:ann@example.org"}
BEN = {
    "objectType": "Agent",
    "name": "Ben Partial",
    "account": {"homePage": "https://lms.example.org", "name": "ben7"},
}


def run_learner(
    page: Page, lrs: RalphLRS, site: TincanSite, actor: dict[str, Any], sections: int | None
) -> dict[str, str]:
    """One learner's session: ``sections`` sections done (None: all), then exit."""
    page.goto(site.launch(lrs, registration=str(uuid.uuid4()), actor=actor))
    wait_started(page)
    answers: dict[str, str] = {}

    def answer(key: str) -> str:
        answers[key] = f"{actor['name']} on {key}: <b>bold</b> & “quotes”"
        return answers[key]

    for key in section_keys(page)[:sections]:
        go_to(page, key)
        do_section(page, page, answer)
    page.locator("[data-cp-exit]").click()
    wait_sent(page)
    return answers


def test_report_of_real_learner_runs(
    page: Page,
    lrs: RalphLRS,
    tincan_site: TincanSite,  # noqa: F811
    course: Course,  # noqa: F811
) -> None:
    ann = run_learner(page, lrs, tincan_site, ANN, None)
    ben = run_learner(page, lrs, tincan_site, BEN, 1)
    assert len(ann) == len(course.tasks) and 0 < len(ben) < len(course.tasks)

    env = {
        "COURSEPACK_LRS_ENDPOINT": lrs.endpoint,
        "COURSEPACK_LRS_USERNAME": lrs.username,
        "COURSEPACK_LRS_PASSWORD": lrs.password,
    }
    result = CliRunner().invoke(
        report, [str(REPO_ROOT / "course"), "--format", "json", "--responses"], env=env
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["stats"]["malformed_skipped"] == 0
    rows = {row["display"]: row for row in data["learners"]}
    assert set(rows) == {"Ann Learner", "Ben Partial"}

    keys = {t["iri"]: t["iri"].split("/items/")[0].rsplit("/", 1)[1] + "/" + t["id"]
            for t in data["tasks"]}  # fmt: skip
    for name, answers in (("Ann Learner", ann), ("Ben Partial", ben)):
        row = rows[name]
        done = {keys[c["iri"]]: c["response"] for c in row["tasks"] if c["completed"]}
        assert done == answers
        assert row["progress"] == round(len(answers) / len(course.tasks), 4)
    assert rows["Ann Learner"]["course"]["completed"] is True
    assert rows["Ben Partial"]["course"]["completed"] is False
    assert [t["completions"] for t in data["tasks"]] == [
        1 + any(key.endswith("/" + t["id"]) for key in ben) for t in data["tasks"]
    ]
