"""The xAPI runtime scripts in Chromium: ids, durations, actors, launch parameters, statements.

The tracker is exercised here without sending anything (no endpoint, or ``build()`` only); the
transport is in test_xapi_transport.py, whole learner runs against Ralph in tests/xapi/.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

from tests.support.browser import new_context
from tests.support.statements import statement_problems
from tests.support.static_server import StaticServer
from tests.xapi.fake_lrs import COURSE_IRI, FakeLrs, open_page, write_site

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.e2e

NS = "946453cb-af25-564b-9561-db36350f6320"


@pytest.fixture(scope="module")
def xpage(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Page]:
    """One page for the module: these tests only call pure functions and build()."""
    server = StaticServer(write_site(tmp_path_factory.mktemp("xapi-helpers")))
    try:
        with new_context(browser) as context:
            page = context.new_page()
            open_page(page, server.url, FakeLrs())
            yield page
    finally:
        server.stop()


def js(page: Page, expression: str, arg: Any = None) -> Any:
    return page.evaluate(expression, arg)


@pytest.mark.parametrize(
    "name",
    ["", "a", "https://c.example.org/x|https://lms.example.org|s-1", "é🎓" * 40, "x" * 1000],
    ids=["empty", "one-char", "registration-name", "non-ascii", "multi-block"],
)
def test_uuid5_and_sha1_agree_with_python(xpage: Page, name: str) -> None:
    got = js(xpage, "([n, ns]) => CoursepackXAPI.uuid5(n, ns)", [name, NS])
    assert got == str(uuid.uuid5(uuid.UUID(NS), name))
    assert (
        js(xpage, "n => CoursepackXAPI.sha1Hex(n)", name) == hashlib.sha1(name.encode()).hexdigest()
    )


def test_uuid4_is_a_lower_case_random_version_4_uuid(xpage: Page) -> None:
    ids = js(xpage, "() => Array.from({length: 50}, () => CoursepackXAPI.uuid4())")
    assert len(set(ids)) == 50
    for text in ids:
        assert text == str(uuid.UUID(text)) and uuid.UUID(text).version == 4


@pytest.mark.parametrize(
    ("ms", "expected"),
    [(0, "PT0S"), (1234, "PT1.23S"), (61_000, "PT1M1S"), (3_723_450, "PT1H2M3.45S")],
)
def test_iso_duration(xpage: Page, ms: int, expected: str) -> None:
    assert js(xpage, "ms => CoursepackXAPI.isoDuration(ms)", ms) == expected


ACCOUNT = {"homePage": "https://lms.example.org", "name": "a1"}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            '{"name":["Project Tin Can"],"mbox":["mailto:tincan@scorm.com"]}',
            {"objectType": "Agent", "name": "Project Tin Can", "mbox": "mailto:tincan@scorm.com"},
        ),
        (
            {
                "account": [
                    {"accountServiceHomePage": "https://lms.example.org", "accountName": "a1"}
                ]
            },
            {"objectType": "Agent", "account": ACCOUNT},
        ),
        ({"mbox": "ann@example.org"}, {"objectType": "Agent", "mbox": "mailto:ann@example.org"}),
        (
            {"mbox": "MAILTO:ann@example.org"},
            {"objectType": "Agent", "mbox": "mailto:ann@example.org"},
        ),
        (
            {"mbox": "mailto:a@example.org", "account": ACCOUNT, "name": "A"},
            {"objectType": "Agent", "name": "A", "mbox": "mailto:a@example.org"},
        ),
        (
            {"objectType": "Person", "account": ACCOUNT, "extra": 1},
            {"objectType": "Agent", "account": ACCOUNT},
        ),
        (
            {"account": {"homePage": "https://lms.example.org", "name": 42}},
            {"objectType": "Agent", "account": {**ACCOUNT, "name": "42"}},
        ),
        ({"name": "nobody"}, None),
        ({"objectType": "Group", "member": []}, None),
        ("{not json", None),
        (
            {"mbox": "mailto:not-an-address", "account": ACCOUNT},
            {"objectType": "Agent", "account": ACCOUNT},
        ),
        ({"mbox_sha1sum": "x" * 40}, None),
        (
            {"mbox_sha1sum": "ABCDEF0123456789ABCDEF0123456789ABCDEF01"},
            {"objectType": "Agent", "mbox_sha1sum": "abcdef0123456789abcdef0123456789abcdef01"},
        ),
        ({"openid": "not a uri"}, None),
        (
            {"openid": "https://id.example.org/ann"},
            {"objectType": "Agent", "openid": "https://id.example.org/ann"},
        ),
        (
            {
                "account": {
                    "homePage": "",
                    "accountServiceHomePage": "https://lms.example.org",
                    "name": "",
                    "accountName": "a1",
                }
            },
            {"objectType": "Agent", "account": ACCOUNT},
        ),
    ],
    ids=[
        "tincan-0.9-arrays",
        "0.95-account-in-array",
        "bare-mbox",
        "upper-case-mailto",
        "two-identifiers",
        "unknown-keys",
        "numeric-account-name",
        "no-identifier",
        "group",
        "not-json",
        "invalid-mbox-falls-back",
        "invalid-sha1sum",
        "sha1sum-lower-cased",
        "invalid-openid",
        "openid",
        "empty-new-account-keys-fall-back",
    ],
)
def test_normalize_actor(xpage: Page, raw: Any, expected: dict[str, Any] | None) -> None:
    assert js(xpage, "raw => CoursepackXAPI.normalizeActor(raw)", raw) == expected


def test_parse_launch_reads_the_rustici_parameters(xpage: Page) -> None:
    search = (
        "?endpoint=https%3A%2F%2Flrs.example.org%2Fxapi"
        "&auth=Basic%20dXNlcjpw+ss"  # a base64 "+" that was not URL-encoded
        "&actor=%7B%22mbox%22%3A%5B%22mailto%3Aa%40example.org%22%5D%7D"
        "&registration=760E3480-BA55-4991-94B0-01820DBD23A2"
        "&activity_id=https%3A%2F%2Flms.example.org%2Fa%2F1"
        "&activity_platform=LMS&grouping=https%3A%2F%2Flms.example.org%2Fg&custom=1"
    )
    launch = js(xpage, "s => CoursepackXAPI.parseLaunch(s)", search)
    assert launch["endpoint"] == "https://lrs.example.org/xapi/"
    assert launch["auth"] == "Basic dXNlcjpw+ss"
    assert launch["actor"] == {"objectType": "Agent", "mbox": "mailto:a@example.org"}
    assert launch["registration"] == "760e3480-ba55-4991-94b0-01820dbd23a2"
    assert launch["activityId"] == "https://lms.example.org/a/1"
    assert launch["platform"] == "LMS"
    assert launch["grouping"] == "https://lms.example.org/g"
    assert launch["extra"] == {"custom": "1"}
    bare = js(xpage, "s => CoursepackXAPI.parseLaunch(s)", "?auth=OjFjMGY4&registration=nope")
    assert bare["auth"] == "Basic OjFjMGY4"
    plus = js(xpage, "s => CoursepackXAPI.parseLaunch(s)", "?auth=OjFj+MGY4")  # bare, "+" unescaped
    assert plus["auth"] == "Basic OjFj+MGY4"
    assert bare["registration"] == "" and bare["endpoint"] == ""
    assert js(xpage, "() => CoursepackXAPI.parseLaunch('').actor") is None


def build(page: Page, options: dict[str, Any], partials: list[dict[str, Any]]) -> Any:
    return page.evaluate(
        """([o, ps]) => {
            if (o.decorateVerb) o.decorate = (s, p) => {
                if (!s.verb.id.endsWith("/" + o.decorateVerb)) return;
                const extra = {"https://x.org/e": 1};
                s.context.extensions = Object.assign({}, s.context.extensions, extra);
            };
            const t = CoursepackXAPI.createTracker(Object.assign({
                actor: {mbox: "mailto:ann@example.org"}}, o));
            return ps.map(p => t.build(p));
        }""",
        [options, partials],
    )


def test_statements_carry_id_timestamp_actor_and_context(xpage: Page) -> None:
    item = {
        "iri": COURSE_IRI + "/m/items/t1",
        "definition": {
            "type": "http://adlnet.gov/expapi/activities/cmi.interaction",
            "interactionType": "long-fill-in",
            "name": {"en": "T1"},
        },
    }
    (statement,) = build(
        xpage,
        {"registration": "5E1C8A5E-3F2B-4A39-8A86-3A0F5C0E2D11"},
        [
            {
                "verb": "completed",
                "object": item,
                "result": {"completion": True, "response": "r" * 3000},
                "parent": [COURSE_IRI + "/m/sections/s"],
                "grouping": [COURSE_IRI + "/m", COURSE_IRI],
            }
        ],
    )
    assert statement_problems(statement) == []
    assert statement["verb"] == {
        "id": "http://adlnet.gov/expapi/verbs/completed",
        "display": {"en-US": "completed"},
    }
    assert statement["object"] == {
        "objectType": "Activity",
        "id": item["iri"],
        **{"definition": item["definition"]},
    }
    assert statement["result"]["response"] == "r" * 3000
    context = statement["context"]
    assert context["registration"] == "5e1c8a5e-3f2b-4a39-8a86-3a0f5c0e2d11"
    assert context["language"] == "en" and context["platform"] == "coursepack test"
    assert context["contextActivities"] == {
        "parent": [{"objectType": "Activity", "id": COURSE_IRI + "/m/sections/s"}],
        "grouping": [
            {"objectType": "Activity", "id": COURSE_IRI + "/m"},
            {"objectType": "Activity", "id": COURSE_IRI},
        ],
    }


def test_timestamps_increase_strictly_even_within_one_millisecond(xpage: Page) -> None:
    same = "2024-05-01T12:00:00.000Z"
    statements = build(xpage, {}, [{"verb": "initialized", "timestamp": same}] * 3)
    stamps = [s["timestamp"] for s in statements]
    assert stamps == [
        "2024-05-01T12:00:00.000Z",
        "2024-05-01T12:00:00.001Z",
        "2024-05-01T12:00:00.002Z",
    ]
    assert len({s["id"] for s in statements}) == 3


def test_cmi5_reuse_template_override_categories_and_decorate(xpage: Page) -> None:
    """What the cmi5 adapter relies on: the template wins, the root id is replaced."""
    session = "https://w3id.org/xapi/cmi5/context/extensions/sessionid"
    template = {
        "registration": "11111111-1111-4111-8111-111111111111",
        "contextActivities": {
            "grouping": [{"objectType": "Activity", "id": "https://pub.example/au"}]
        },
        "extensions": {session: "s-1"},
    }
    options = {
        "registration": "22222222-2222-4222-8222-222222222222",
        "contextTemplate": template,
        "objectIdOverride": "https://lms.example.org/au/xyz",
        "categories": ["https://x.org/all"],
        "rootCategories": ["https://w3id.org/xapi/cmi5/context/categories/cmi5"],
        "decorateVerb": "completed",
    }
    root, child = build(
        xpage,
        options,
        [
            {"verb": "completed", "result": {"completion": True}},
            {"verb": "experienced", "object": COURSE_IRI + "/m/items/r1", "parent": [COURSE_IRI]},
        ],
    )
    assert root["object"]["id"] == "https://lms.example.org/au/xyz"
    assert root["context"]["registration"] == template["registration"]  # never overwritten
    assert root["context"]["extensions"] == {session: "s-1", "https://x.org/e": 1}
    assert [a["id"] for a in root["context"]["contextActivities"]["category"]] == [
        "https://x.org/all",
        "https://w3id.org/xapi/cmi5/context/categories/cmi5",
    ]
    assert root["context"]["contextActivities"]["grouping"] == [
        {"objectType": "Activity", "id": "https://pub.example/au"}
    ]
    child_ca = child["context"]["contextActivities"]
    assert child_ca["parent"] == [
        {"objectType": "Activity", "id": "https://lms.example.org/au/xyz"}
    ]
    assert [a["id"] for a in child_ca["category"]] == ["https://x.org/all"]
    assert (
        "extensions" in child["context"] and "https://x.org/e" not in child["context"]["extensions"]
    )
    assert statement_problems(root) == [] and statement_problems(child) == []


def test_without_an_endpoint_a_tracker_keeps_and_sends_nothing(xpage: Page) -> None:
    status = js(
        xpage,
        """() => { const t = CoursepackXAPI.createTracker({actor: {mbox: "mailto:a@x.org"}});
                   t.send({verb: "initialized"}); return t.status(); }""",
    )
    assert status["mode"] == "local" and status["pending"] == 0
    assert "no LRS endpoint" in status["note"]
    keys = js(xpage, "() => Object.keys(localStorage).filter(k => k.includes(':xapi:'))")
    assert keys == []
