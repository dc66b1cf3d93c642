"""The `lrs` fixture: Ralph with the filesystem backend, patched for its two upstream bugs."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page

from tests.support.lrs import RalphLRS
from tests.support.static_server import StaticServer

pytestmark = pytest.mark.e2e

COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
ATTEMPTED = "http://adlnet.gov/expapi/verbs/attempted"
COURSE = "https://example.org/courses/c1"
OTHER = "https://example.org/courses/c2"


def statement(verb: str = COMPLETED, activity: str = COURSE) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "actor": {"mbox": "mailto:ada@example.org", "name": "Ada"},
        "verb": {"id": verb, "display": {"en-US": verb.rsplit("/", 1)[-1]}},
        "object": {"objectType": "Activity", "id": activity},
    }


def test_the_endpoint_is_ralphs_xapi_prefix_with_basic_auth(lrs: RalphLRS) -> None:
    assert lrs.endpoint == f"http://127.0.0.1:{lrs.port}/xAPI/"
    assert lrs.auth_header.startswith("Basic ")
    assert httpx.get(lrs.endpoint + "statements").status_code == 401
    answer = httpx.get(lrs.endpoint + "statements", headers={"Authorization": lrs.auth_header})
    assert answer.status_code == 200


def test_separate_posts_are_all_stored(lrs: RalphLRS) -> None:
    first, second = [statement(), statement(ATTEMPTED)], [statement(activity=OTHER)]

    assert lrs.post(first).json() == [s["id"] for s in first]
    assert lrs.post(second).json() == [s["id"] for s in second]  # 500 without the APPEND fix

    assert [s["id"] for s in lrs.statements()] == [s["id"] for s in first + second]


def test_each_test_starts_with_an_empty_lrs(lrs: RalphLRS) -> None:
    assert lrs.statements() == []


def test_verb_and_activity_filters_match(lrs: RalphLRS) -> None:
    completed, attempted, other = statement(), statement(ATTEMPTED), statement(activity=OTHER)
    assert lrs.post([completed, attempted, other]).status_code == 200

    assert [s["id"] for s in lrs.statements(verb=COMPLETED)] == [completed["id"], other["id"]]
    assert [s["id"] for s in lrs.statements(activity=OTHER)] == [other["id"]]
    assert [s["id"] for s in lrs.statements(verb=ATTEMPTED, activity=COURSE)] == [attempted["id"]]


def test_statements_follows_relative_more_links(lrs: RalphLRS) -> None:
    sent = [statement() for _ in range(5)]
    assert lrs.post(sent).status_code == 200

    page = httpx.get(lrs.endpoint + "statements", params={"limit": 2}, headers=lrs.headers).json()
    assert page["more"].startswith("/xAPI/statements?")
    assert [s["id"] for s in lrs.statements(limit=2)] == [s["id"] for s in sent]


def test_a_resent_id_with_another_body_is_a_conflict(lrs: RalphLRS) -> None:
    original = statement()
    assert lrs.post(original).status_code == 200

    changed = {**original, "verb": {"id": ATTEMPTED}}
    assert lrs.post(changed).status_code == 409
    # Without a timestamp of its own, even an identical re-send differs from the stored copy
    # (Ralph stamps each with the time it arrived).
    assert lrs.post(original).status_code == 409
    assert [s["verb"]["id"] for s in lrs.statements()] == [COMPLETED]


def test_stop_and_start_keep_the_port_and_the_statements(lrs: RalphLRS) -> None:
    sent = statement()
    assert lrs.post(sent).status_code == 200
    endpoint = lrs.endpoint

    lrs.stop()
    assert not lrs.running
    with pytest.raises(httpx.ConnectError):
        lrs.post(statement())
    lrs.start()

    assert lrs.endpoint == endpoint
    assert [s["id"] for s in lrs.statements()] == [sent["id"]]


def test_cors_preflight_is_answered_for_a_loopback_origin(lrs: RalphLRS) -> None:
    origin = "http://127.0.0.1:8765"
    answer = httpx.options(
        lrs.endpoint + "statements",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type,x-experience-api-version",
        },
    )

    assert answer.status_code == 200
    assert answer.headers["access-control-allow-origin"] == origin
    allowed = answer.headers["access-control-allow-headers"].lower()
    assert {"authorization", "content-type", "x-experience-api-version"} <= {
        h.strip() for h in allowed.split(",")
    }
    assert "PUT" in answer.headers["access-control-allow-methods"]


def test_a_page_on_another_origin_can_post_and_read(
    tmp_path: Path, page: Page, http_server: Callable[[Path], StaticServer], lrs: RalphLRS
) -> None:
    (tmp_path / "index.html").write_text("<!doctype html><title>x</title>", encoding="utf-8")
    page.goto(http_server(tmp_path).url)
    sent = statement()

    status = page.evaluate(
        """async ([endpoint, auth, statement]) => {
            const headers = {"Authorization": auth, "X-Experience-API-Version": "1.0.3",
                             "Content-Type": "application/json"};
            const post = await fetch(endpoint + "statements",
                {method: "POST", headers, body: JSON.stringify(statement)});
            const get = await fetch(endpoint + "statements", {headers});
            return [post.status, get.status, (await get.json()).statements.length];
        }""",
        [lrs.endpoint, lrs.auth_header, sent],
    )

    assert status == [200, 200, 1]
    assert [s["id"] for s in lrs.statements()] == [sent["id"]]
