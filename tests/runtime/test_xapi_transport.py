"""The tracker's transport in Chromium against a scripted LRS: batches, headers, retries,
dead letters, 409s, a refused credential, the persistent outbox and the State resource.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.support.static_server import StaticServer
from tests.xapi.fake_lrs import FakeLrs, Request, open_page, write_site

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.e2e

ACTOR = {"objectType": "Agent", "account": {"homePage": "https://lms.example.org", "name": "u1"}}
AUTH = "Basic dXNlcjpwYXNz"


class Lab:
    """The page, its fake LRS and a tracker ``window.t`` made with ``options``."""

    def __init__(self, page: Page, url: str, lrs: FakeLrs) -> None:
        self.page = page
        self.url = url
        self.lrs = lrs
        self.endpoint = open_page(page, url, lrs)

    def tracker(self, **options: Any) -> None:
        base = {
            "endpoint": self.endpoint,
            "auth": AUTH,
            "actor": ACTOR,
            "registration": "5e1c8a5e-3f2b-4a39-8a86-3a0f5c0e2d11",
            "maxBackoffMs": 100,
        }
        self.page.evaluate(
            "o => { window.t = CoursepackXAPI.createTracker(o); }", {**base, **options}
        )

    def send(self, n: int, **extra: Any) -> list[str]:
        ids: list[str] = self.page.evaluate(
            """([n, extra]) => Array.from({length: n}, (_, i) => t.send(Object.assign(
                {verb: "experienced", object: "https://courses.example.org/c1/m/items/r" + i},
                extra)).id)""",
            [n, extra],
        )
        return ids

    def status(self) -> dict[str, Any]:
        status: dict[str, Any] = self.page.evaluate("() => t.status()")
        return status

    def wait(self, condition: str) -> None:
        self.page.wait_for_function(f"() => {{ const s = t.status(); return {condition}; }}")

    def idle(self) -> None:
        """Until the tracker has nothing in flight and nothing due (its idle signal)."""
        self.page.evaluate("() => t.idle()")


@pytest.fixture
def lab(page: Page, tmp_path: Path, http_server: Callable[[Path], StaticServer]) -> Lab:
    server = http_server(write_site(tmp_path / "site"))
    return Lab(page, server.url, FakeLrs())


def posts(lrs: FakeLrs) -> list[Request]:
    return [r for r in lrs.requests if r.method == "POST" and r.path == "statements"]


def test_statements_go_in_batches_with_the_xapi_headers_and_never_with_cookies(lab: Lab) -> None:
    lab.page.context.add_cookies([{"name": "session", "value": "secret", "url": lab.url}])
    lab.tracker()
    ids = lab.send(60)
    lab.wait("s.pending === 0")
    batches = posts(lab.lrs)
    assert [len(b.body) for b in batches] == [25, 25, 10]
    assert [s["id"] for b in batches for s in b.body] == ids  # in order, each once
    for request in batches:
        assert request.headers["x-experience-api-version"] == "1.0.3"
        assert request.headers["authorization"] == AUTH
        assert request.headers["content-type"] == "application/json"
        assert "cookie" not in request.headers
    assert lab.status()["sent"] == 60


def test_server_errors_rate_limits_and_network_errors_are_retried_until_sent(lab: Lab) -> None:
    lab.lrs.script = [(503, {"error": "busy"}), (429, None), "abort", (500, None)]
    lab.tracker()
    ids = lab.send(3)
    lab.wait("s.pending === 0")
    batches = posts(lab.lrs)
    assert len(batches) == 5
    assert all([s["id"] for s in b.body] == ids for b in batches)  # the same batch each time
    status = lab.status()
    assert status["lastError"] is None and status["sent"] == 3 and status["dead"] == 0


def test_a_rejected_batch_is_split_down_to_the_bad_statement_which_is_kept_aside(
    lab: Lab,
) -> None:
    def is_bad(statement: dict[str, Any]) -> bool:
        return bool(statement["object"]["id"].endswith("/r5"))

    def reply(request: Request) -> tuple[int, Any]:
        return (400, "invalid statement") if any(map(is_bad, request.body)) else (200, None)

    lab.lrs.default = reply
    lab.tracker()
    ids = lab.send(8)
    lab.wait("s.pending === 0")
    accepted = [b.body for b in posts(lab.lrs) if not any(map(is_bad, b.body))]
    assert [s["id"] for batch in accepted for s in batch] == ids[:5] + ids[6:]  # in order
    # r0-7 refused; r0-3 taken, r4-7 refused; r4-5 refused; r4 taken, r5 dead; r6-7 taken
    assert [len(b.body) for b in posts(lab.lrs)] == [8, 4, 4, 2, 1, 1, 2]
    (dead,) = lab.page.evaluate("() => t.deadLetters()")
    assert dead["statement"]["id"] == ids[5]
    assert dead["status"] == 400 and dead["message"] == "invalid statement"
    later = lab.send(2)
    lab.wait("s.pending === 0")
    assert [s["id"] for s in posts(lab.lrs)[-1].body] == later  # not blocked
    assert lab.status()["dead"] == 1


def test_a_409_batch_is_resent_one_by_one_with_put_and_the_stored_one_counts_as_sent(
    lab: Lab,
) -> None:
    def stored_before(statement: dict[str, Any]) -> bool:
        return bool(statement["object"]["id"].endswith("/r1"))

    def reply(request: Request) -> tuple[int, Any]:
        if request.method == "POST":
            conflict = any(stored_before(s) for s in request.body)
            return (409, "conflict") if conflict else (200, None)
        return (409, None) if stored_before(request.body) else (204, None)

    lab.lrs.default = reply
    lab.tracker()
    ids = lab.send(4)
    lab.wait("s.pending === 0")
    assert [r.method for r in lab.lrs.requests] == ["POST", "PUT", "PUT", "PUT", "PUT"]
    puts = lab.lrs.requests[1:]
    assert [r.query["statementId"] for r in puts] == ids
    assert all(r.body["id"] == r.query["statementId"] for r in puts)
    status = lab.status()
    assert status["sent"] == 4 and status["dead"] == 0


def test_a_refused_credential_stops_sending_and_keeps_the_outbox(lab: Lab) -> None:
    lab.lrs.script = [(401, {"detail": "Invalid authentication credentials"})]
    lab.tracker()
    lab.send(2)
    lab.wait("s.mode === 'stopped'")
    lab.send(3)
    lab.idle()
    assert len(lab.lrs.requests) == 1
    status = lab.status()
    assert status["pending"] == 5 and status["stopped"]["status"] == 401


def test_the_outbox_survives_a_reload_and_goes_first_at_the_next_launch(lab: Lab) -> None:
    lab.lrs.default = "abort"
    lab.tracker()
    waiting = lab.send(4)
    lab.wait("s.lastError !== null")
    lab.page.reload()  # the LRS is still unreachable: nothing got through
    lab.page.wait_for_function("() => !!window.CoursepackXAPI")
    lab.lrs.default = (200, None)
    lab.tracker()
    lab.wait("s.pending === 0 && s.sent === 4")
    later = lab.send(1)
    lab.wait("s.pending === 0")
    accepted = [s["id"] for b in posts(lab.lrs)[-2:] for s in b.body]
    assert accepted == waiting + later


def test_the_state_resource_get_put_and_a_lrs_without_it(lab: Lab) -> None:
    doc = {"format": "x", "state": "{}"}
    lab.lrs.script = [(200, doc), (204, None), (404, {"detail": "Not Found"}), (404, None)]
    lab.tracker(objectIdOverride="https://lms.example.org/a/1")
    got = lab.page.evaluate("() => t.state.get('coursepack-state')")
    assert got == {"status": "ok", "value": doc}
    put = lab.page.evaluate("() => t.state.put('coursepack-state', {a: 1})")
    assert put == {"status": "ok"}
    missing = lab.page.evaluate("() => t.state.get('coursepack-state')")
    assert missing["status"] == "missing"
    gone = lab.page.evaluate("() => t.state.put('coursepack-state', {a: 2})")
    assert gone["status"] == "unavailable"
    assert lab.status()["stateResource"] == "unavailable"
    again = lab.page.evaluate("() => t.state.get('coursepack-state')")
    assert again["status"] == "unavailable"
    requests = [r for r in lab.lrs.requests if r.path == "activities/state"]
    assert [r.method for r in requests] == ["GET", "PUT", "GET", "PUT"]  # none after that
    for r in requests:
        assert r.query["activityId"] == "https://lms.example.org/a/1"
        assert json.loads(r.query["agent"]) == ACTOR
        assert r.query["registration"] == "5e1c8a5e-3f2b-4a39-8a86-3a0f5c0e2d11"
        assert r.query["stateId"] == "coursepack-state"
        assert r.headers["x-experience-api-version"] == "1.0.3"
    assert requests[1].body == {"a": 1}


def test_an_outbox_over_the_storage_quota_is_kept_in_memory_and_still_sent(lab: Lab) -> None:
    lab.lrs.default = "abort"
    lab.page.evaluate(
        """() => { window.full = {getItem: () => null, removeItem: () => {},
                    setItem: () => { throw new DOMException("full", "QuotaExceededError"); }}; }"""
    )
    lab.page.evaluate(
        """o => { window.t = CoursepackXAPI.createTracker(Object.assign(o, {storage: full})); }""",
        {"endpoint": lab.endpoint, "auth": AUTH, "actor": ACTOR, "maxBackoffMs": 100},
    )
    ids = lab.send(3)
    lab.wait("s.lastError !== null && s.pending === 3")
    assert "does not fit in localStorage" in lab.page.evaluate("() => CoursepackXAPI.debug.text()")
    lab.lrs.default = (200, None)
    lab.wait("s.pending === 0")
    assert [s["id"] for s in lab.lrs.posted()][-3:] == ids


def keepalive_lab(lab: Lab) -> None:
    """A tracker whose fetch records every request the browser itself refused, and how many
    statements went with keepalive."""
    lab.lrs.default = "hold"  # no answer: every request stays in flight
    lab.page.evaluate(
        """o => {
            window.refused = [];
            window.keptAlive = 0;
            const f = (url, init) => {
                if (init.keepalive && init.method === "POST") {
                    window.keptAlive += JSON.parse(init.body).length;
                }
                return window.fetch(url, init).catch(err => {
                    window.refused.push([init.method, !!init.keepalive, String(err)]);
                    throw err;
                });
            };
            window.t = CoursepackXAPI.createTracker(Object.assign(o, {fetch: f}));
        }""",
        {"endpoint": lab.endpoint, "auth": AUTH, "actor": ACTOR, "maxBackoffMs": 100000},
    )


SEND_LONG = """n => { for (let i = 0; i < n; i++) t.send({verb: "completed",
    object: "https://courses.example.org/c1/m/items/t" + i,
    result: {response: "x".repeat(1800)}}); }"""


def test_keepalive_state_and_statements_together_stay_within_the_browsers_64_kib(
    lab: Lab,
) -> None:
    keepalive_lab(lab)
    # Closing a tab: the State document is saved when the page is hidden and again on
    # pagehide, and the statements go in between and after (all with keepalive).
    lab.page.evaluate(
        """send => {
            t.state.put("coursepack-state", "s".repeat(8000), {keepalive: true});
            t.state.put("coursepack-state", "s".repeat(8000), {keepalive: true});
            eval(send)(30);
            t.flush({keepalive: true});
            t.state.put("coursepack-state", "s".repeat(8000), {keepalive: true});
        }""",
        SEND_LONG,
    )
    lab.page.wait_for_timeout(300)
    assert lab.page.evaluate("() => window.refused") == []
    assert len([r for r in lab.lrs.requests if r.path == "activities/state"]) == 3
    assert lab.lrs.posted()  # statements went too, within what was left


def test_a_state_document_over_8_kib_in_utf8_leaves_the_keepalive_budget_to_statements(
    lab: Lab,
) -> None:
    keepalive_lab(lab)
    lab.page.evaluate(
        """send => {
            Object.defineProperty(document, "visibilityState", {get: () => "hidden"});
            const store = CoursepackXAPI.createProgressStore(t, {
                stateId: "coursepack-state", localKey: "k", now: () => Date.now()});
            store.save("é".repeat(5000));  // 5,000 characters, 10,000 bytes
            eval(send)(30);  // about 2.2 KiB each
            t.flush({keepalive: true});
        }""",
        SEND_LONG,
    )
    lab.page.wait_for_timeout(300)
    assert lab.page.evaluate("() => window.refused") == []
    # the statements had the whole 56 KiB (not what a 10 KB State document would leave)
    assert lab.page.evaluate("() => window.keptAlive") >= 24
    assert len([r for r in lab.lrs.requests if r.path == "activities/state"]) == 1
