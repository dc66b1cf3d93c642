"""The LRS client: paging over real HTTP (a real Ralph, and a local server for the link styles
Ralph does not use); error paths with a faked transport."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from coursepack.credentials import basic_auth
from coursepack.credentials import lrs_authorization as auth_from_env
from coursepack.errors import UserError
from coursepack.xapi.client import (
    EXIT_AUTH_REFUSED,
    EXIT_BAD_RESPONSE,
    EXIT_LIMIT,
    EXIT_UNREACHABLE,
    LrsAuthRefused,
    LrsBadResponse,
    LrsClient,
    LrsLimitExceeded,
    LrsUnreachable,
    normalise_endpoint,
    printable,
    secret_forms,
    shown_url,
)
from tests.report.helpers import ADA, at, post_statements, sample_course, statement
from tests.support.hostile_lrs import HostileLRS
from tests.support.lrs import RalphLRS
from tests.support.statement_server import LINK_STYLES, StatementServer

COURSE = sample_course()


def lines(count: int) -> list[bytes]:
    return [
        json.dumps(statement(COURSE, ADA, "experienced", COURSE.id, at(0, i))).encode()
        for i in range(count)
    ]


@pytest.mark.parametrize("style", LINK_STYLES)
def test_follows_more_links_of_every_style_to_the_end(style: str) -> None:
    with (
        StatementServer(lines(7), link_style=style) as server,
        LrsClient(server.endpoint, page_size=3) as client,
    ):
        pages = list(client.pages({"activity": COURSE.id}))
    assert [len(p.statements) for p in pages] == [3, 3, 1]
    assert len({s["id"] for p in pages for s in p.statements}) == 7


def test_sends_the_xapi_version_header_and_credentials_on_every_page() -> None:
    with (
        StatementServer(lines(5), auth="Basic abc=") as server,
        LrsClient(server.endpoint, auth="Basic abc=", page_size=2) as client,
    ):
        assert len(list(client.statements({}))) == 5
    assert len(server.requests) == 3
    for _, headers in server.requests:
        assert headers["X-Experience-API-Version"] == "1.0.3"
        assert headers["Authorization"] == "Basic abc="


@pytest.mark.e2e
def test_reads_ralph_pages_oldest_first_with_relative_more_links(lrs: RalphLRS) -> None:
    sent = [statement(COURSE, ADA, "experienced", COURSE.id, at(0, i)) for i in range(5)]
    post_statements(lrs, sent)
    with LrsClient(lrs.endpoint, auth=lrs.auth_header, page_size=2) as client:
        pages = list(client.pages({"activity": COURSE.id}))
    assert len(pages) >= 3
    assert pages[0].more is not None and pages[0].more.startswith("/")  # Ralph: host-relative
    assert sorted(s["id"] for p in pages for s in p.statements) == sorted(s["id"] for s in sent)


@pytest.mark.e2e
def test_post_statements_tolerates_a_resent_id(lrs: RalphLRS) -> None:
    found = statement(COURSE, ADA, "initialized", COURSE.id, at(0))
    other = statement(COURSE, ADA, "terminated", COURSE.id, at(1))
    with LrsClient(lrs.endpoint, auth=lrs.auth_header) as client:
        assert client.post_statements([found]) == 1
        changed = {**found, "timestamp": "2024-05-02T00:00:00.000Z"}  # Ralph: 409
        client.post_statements([changed, other])
    assert {s["id"] for s in lrs.statements()} == {found["id"], other["id"]}


@pytest.mark.e2e
def test_wrong_password_on_ralph_is_auth_refused(lrs: RalphLRS) -> None:
    with (
        LrsClient(lrs.endpoint, auth=basic_auth(lrs.username, "wrong")) as client,
        pytest.raises(LrsAuthRefused) as raised,
    ):
        list(client.statements({}))
    assert raised.value.exit_code == EXIT_AUTH_REFUSED


# -- error paths, with a faked transport -------------------------------------------------------


def fake(handler: Any) -> LrsClient:
    return LrsClient("https://lrs.example.org/xapi/", transport=httpx.MockTransport(handler))


def answer(status: int, body: Any = None, **kw: Any) -> Any:
    def handler(request: httpx.Request) -> httpx.Response:
        if isinstance(body, bytes):
            return httpx.Response(status, content=body, **kw)
        return httpx.Response(status, json=body, **kw)

    return handler


@pytest.mark.parametrize(
    ("handler", "error", "code", "words"),
    [
        (answer(401, {"detail": "Invalid credentials"}), LrsAuthRefused, 4, "401"),
        (answer(403, {"detail": "no"}), LrsAuthRefused, 4, "403"),
        (answer(404, b"Not Found"), LrsBadResponse, 5, "xAPI endpoint"),
        (answer(500, {"detail": "boom"}), LrsBadResponse, 5, "500: boom"),
        (answer(302, b"", headers={"Location": "https://x/login"}), LrsBadResponse, 5, "login"),
        (
            answer(200, b"<!DOCTYPE html><html>", headers={"Content-Type": "text/html"}),
            LrsBadResponse,
            5,
            "got text/html, starting '<!DOCTYPE",
        ),
        (answer(200, {"items": []}), LrsBadResponse, 5, "statements"),
        (answer(200, [1, 2]), LrsBadResponse, 5, "statements"),
        (answer(200, {"statements": [], "more": 3}), LrsBadResponse, 5, "more"),
    ],
    ids=[
        "401",
        "403",
        "404",
        "500",
        "redirect",
        "html-page",
        "json-without-statements",
        "json-array",
        "more-not-a-string",
    ],
)
def test_bad_answers_become_one_line_errors_with_exit_codes(
    handler: Any, error: type[Exception], code: int, words: str
) -> None:
    with fake(handler) as client, pytest.raises(error) as raised:
        list(client.statements({}))
    assert isinstance(raised.value, UserError)
    assert raised.value.exit_code == code
    assert "\n" not in raised.value.message
    assert words in raised.value.message


@pytest.mark.parametrize(
    "exception",
    [httpx.ConnectError("Connection refused"), httpx.ReadTimeout("timed out")],
    ids=["refused", "timeout"],
)
def test_transport_failures_are_unreachable(exception: Exception) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exception

    with fake(handler) as client, pytest.raises(LrsUnreachable) as raised:
        list(client.statements({}))
    assert raised.value.exit_code == EXIT_UNREACHABLE


def test_unreachable_port_is_unreachable() -> None:
    from tests.support.lrs import free_port

    with (
        LrsClient(f"http://127.0.0.1:{free_port()}/xAPI/", timeout=5) as client,
        pytest.raises(LrsUnreachable),
    ):
        list(client.statements({}))


def test_more_link_to_another_server_is_not_followed() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"statements": [], "more": "https://evil.example/s?x"})

    with fake(handler) as client, pytest.raises(LrsBadResponse, match="another server"):
        list(client.statements({}))


def test_a_more_link_that_loops_is_an_error_not_a_hang() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"statements": [], "more": "/xapi/statements?page=2"})

    with fake(handler) as client, pytest.raises(LrsBadResponse) as raised:
        list(client.statements({}))
    assert raised.value.exit_code == EXIT_BAD_RESPONSE


def test_limit_is_the_page_size_and_filters_are_passed_on() -> None:
    seen: list[httpx.URL] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url)
        return httpx.Response(200, json={"statements": []})

    with LrsClient(
        "https://lrs.example.org/xapi", transport=httpx.MockTransport(handler), page_size=250
    ) as client:
        list(client.statements({"activity": COURSE.id, "related_activities": "true"}))
    assert seen[0].path == "/xapi/statements"
    assert dict(seen[0].params) == {
        "activity": COURSE.id,
        "related_activities": "true",
        "limit": "250",
    }


# -- configuration -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("https://lrs.example.org/xapi", "https://lrs.example.org/xapi/"),
        ("https://lrs.example.org/xapi/", "https://lrs.example.org/xapi/"),
        ("https://lrs.example.org/xapi/statements", "https://lrs.example.org/xapi/"),
        (" http://127.0.0.1:8100/xAPI/ ", "http://127.0.0.1:8100/xAPI/"),
    ],
)
def test_endpoint_is_normalised(given: str, expected: str) -> None:
    assert normalise_endpoint(given) == expected


@pytest.mark.parametrize("bad", ["lrs.example.org/xapi", "ftp://x/", "https://x/?a=1", ""])
def test_endpoint_that_is_not_an_http_url_is_a_user_error(bad: str) -> None:
    with pytest.raises(UserError) as raised:
        normalise_endpoint(bad)
    assert raised.value.exit_code == 1


def test_auth_from_env() -> None:
    assert auth_from_env({}) is None
    assert auth_from_env({"COURSEPACK_LRS_AUTH": "Basic xyz="}) == "Basic xyz="
    user = {"COURSEPACK_LRS_USERNAME": "key", "COURSEPACK_LRS_PASSWORD": "secret"}
    assert auth_from_env(user) == "Basic a2V5OnNlY3JldA=="
    assert auth_from_env({**user, "COURSEPACK_LRS_AUTH": "Bearer t"}) == "Bearer t"
    with pytest.raises(UserError, match="COURSEPACK_LRS_PASSWORD is not set"):
        auth_from_env({"COURSEPACK_LRS_USERNAME": "key"})


# -- odd answers and endpoints that used to escape as tracebacks or leak -------------------------


def test_a_body_that_cannot_be_decoded_is_a_bad_response_not_a_traceback() -> None:
    handler = answer(200, b"not gzip at all", headers={"Content-Encoding": "gzip"})
    with fake(handler) as client, pytest.raises(LrsBadResponse) as raised:
        list(client.statements({}))
    assert raised.value.exit_code == EXIT_BAD_RESPONSE
    assert "cannot be decoded" in raised.value.message


def test_a_gzipped_page_is_read() -> None:
    import gzip

    body = gzip.compress(json.dumps({"statements": [{"id": "x"}]}).encode())
    handler = answer(200, body, headers={"Content-Encoding": "gzip"})
    with fake(handler) as client:
        assert list(client.statements({})) == [{"id": "x"}]


@pytest.mark.parametrize(
    "more",
    ["http://[::1/xapi/statements?page=2", "/xapi/statements?page=\x002", "/xapi/s?" + "a" * 70000],
    ids=["unclosed-ipv6", "nul-character", "too-long"],
)
def test_a_more_link_that_is_not_a_url_is_a_bad_response(more: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        first = "page" not in str(request.url) and "aaa" not in str(request.url)
        return httpx.Response(200, json={"statements": [], "more": more if first else None})

    with fake(handler) as client, pytest.raises(LrsBadResponse) as raised:
        list(client.statements({}))
    assert raised.value.exit_code == EXIT_BAD_RESPONSE
    assert "'more' link" in raised.value.message


def test_an_error_body_cannot_send_terminal_escape_sequences() -> None:
    handler = answer(500, {"detail": "\x1b]0;pwned\x07\x1b[2Jboom"})
    with fake(handler) as client, pytest.raises(LrsBadResponse) as raised:
        list(client.statements({}))
    assert "boom" in raised.value.message
    assert not any(ord(ch) < 32 or ord(ch) == 127 for ch in raised.value.message)


def test_credentials_in_the_endpoint_are_refused_and_never_printed() -> None:
    with pytest.raises(UserError) as raised:
        normalise_endpoint("https://key:s3cret@lrs.example.org/xapi/")
    assert raised.value.exit_code == 1
    assert "s3cret" not in raised.value.message
    assert "COURSEPACK_LRS_PASSWORD" in raised.value.message


@pytest.mark.parametrize(
    "bad",
    ["http://[::1/xapi/", "ftp://key:s3cret@x/", "https://key:s3cret@[::1/xapi/"],
    ids=["unclosed-ipv6", "not-http-with-credentials", "unclosed-ipv6-with-credentials"],
)
def test_an_unparsable_endpoint_is_a_user_error_without_the_password(bad: str) -> None:
    with pytest.raises(UserError) as raised:
        normalise_endpoint(bad)
    assert raised.value.exit_code == 1
    assert "s3cret" not in raised.value.message


# -- limits, deadline, and what may be printed ----------------------------------------------------


def test_the_page_limit_counts_every_query_of_the_client() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params.get("page", "0"))
        more = f"/xapi/statements?page={page + 1}" if page < 2 else ""
        return httpx.Response(200, json={"statements": [{"id": str(page)}], "more": more})

    with LrsClient(
        "https://lrs.example.org/xapi/", transport=httpx.MockTransport(handler), max_pages=5
    ) as client:
        assert len(list(client.pages({}))) == 3
        with pytest.raises(LrsLimitExceeded) as raised:
            list(client.pages({"verb": "x"}))  # 2 more pages allowed, 3 needed
    assert raised.value.exit_code == EXIT_LIMIT
    assert client.pages_read == 5
    assert "more than 5 pages" in raised.value.message


def test_an_answer_dripping_within_the_read_timeout_is_cut_at_the_deadline() -> None:
    with (
        HostileLRS("drip", interval=0.4, size=1000, lifetime=20) as lrs,
        LrsClient(lrs.endpoint, timeout=1.0) as client,
        pytest.raises(LrsUnreachable) as raised,
    ):
        list(client.pages({}))
    assert raised.value.exit_code == EXIT_UNREACHABLE
    assert "within 1 s" in raised.value.message
    assert lrs.bytes_sent <= 4  # one byte each 0.4 s: cut after about a second


def test_a_gzip_bomb_stops_at_the_limit_after_decompression_in_bounded_memory() -> None:
    import tracemalloc

    limit = 2 * 1024 * 1024
    with HostileLRS("gzip-bomb", size=256 * 1024 * 1024, lifetime=30) as lrs:
        tracemalloc.start()
        try:
            with (
                LrsClient(lrs.endpoint, max_answer_bytes=limit) as client,
                pytest.raises(LrsLimitExceeded) as raised,
            ):
                list(client.pages({}))
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert raised.value.exit_code == EXIT_LIMIT
    assert f"larger than {limit:,} bytes" in raised.value.message
    assert peak < 4 * limit, peak  # the body up to the limit, one step of decompression


@pytest.mark.parametrize("coding", ["gzip", "deflate", "deflate-raw", "identity"])
def test_compressed_pages_are_read_in_every_coding(coding: str) -> None:
    import gzip
    import zlib

    body = json.dumps({"statements": [{"id": "x"}] * 3}).encode()
    if coding == "gzip":
        body = gzip.compress(body)
    elif coding == "deflate":
        body = zlib.compress(body)
    elif coding == "deflate-raw":
        packer = zlib.compressobj(wbits=-zlib.MAX_WBITS)
        body = packer.compress(body) + packer.flush()
    headers = {"Content-Encoding": coding.removesuffix("-raw")}
    with fake(answer(200, body, headers=headers)) as client:
        assert len(list(client.statements({}))) == 3


def test_an_unknown_content_encoding_is_a_bad_response() -> None:
    handler = answer(200, b"\x00\x01", headers={"Content-Encoding": "br"})
    with fake(handler) as client, pytest.raises(LrsBadResponse, match="cannot be decoded"):
        list(client.statements({}))


def test_401_without_credentials_says_none_were_given() -> None:
    with fake(answer(401, {"detail": "no"})) as client, pytest.raises(LrsAuthRefused) as raised:
        list(client.statements({}))
    assert "none were given" in raised.value.message
    assert "COURSEPACK_LRS_USERNAME" in raised.value.message


def test_a_credential_echoed_in_an_error_body_is_redacted_in_every_form() -> None:
    auth = basic_auth("reader", "pa ss:word")
    token = auth.split()[1]

    def handler(request: httpx.Request) -> httpx.Response:
        detail = f"{request.headers['Authorization']} {token} reader:pa ss:word pa%20ss%3Aword"
        return httpx.Response(500, json={"detail": detail})

    client = LrsClient(
        "https://lrs.example.org/xapi/", auth=auth, transport=httpx.MockTransport(handler)
    )
    with client, pytest.raises(LrsBadResponse) as raised:
        list(client.statements({}))
    message = raised.value.message
    for secret in (token, "reader:pa ss", "pa ss:word", "pa%20ss%3Aword"):
        assert secret not in message, message
    assert message.count("***") == 4


def test_secret_forms_of_basic_and_bearer_credentials() -> None:
    forms = secret_forms(basic_auth("key", "secret"))
    assert {"Basic a2V5OnNlY3JldA==", "a2V5OnNlY3JldA==", "key:secret", "secret"} <= set(forms)
    assert "a2V5OnNlY3JldA%3D%3D" in forms
    assert secret_forms("Bearer abcdef") == sorted(
        {"Bearer abcdef", "Bearer%20abcdef", "abcdef"}, key=len, reverse=True
    )
    assert secret_forms(None) == []
    assert "key" not in secret_forms(basic_auth("key", "x"))  # too short to redact alone


def test_printable_removes_c0_c1_and_bidi_controls() -> None:
    assert printable("a\x1b[31mb\x9b2Jc\u202ed\u2066e\u200ff\x00g\nh") == "a [31mb 2Jcdef g h"


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://lrs.example.org/xapi/?password=x", "https://lrs.example.org/xapi/?…"),
        ("https://u:p@lrs.example.org/x#frag", "https://***@lrs.example.org/x?…"),
        ("/login?token=abc", "/login?…"),
    ],
)
def test_shown_url_has_no_credentials_query_or_fragment(url: str, shown: str) -> None:
    assert shown_url(url) == shown


def test_an_endpoint_with_a_query_string_is_refused_without_printing_it() -> None:
    with pytest.raises(UserError) as raised:
        normalise_endpoint("https://lrs.example.org/xapi/?password=hunter22&x=1")
    assert "hunter22" not in raised.value.message
    assert "query string" in raised.value.message


# -- parsing a page with the cyclic collector paused ---------------------------------------------


def test_a_page_is_parsed_without_collections_and_the_collector_is_back_after() -> None:
    import gc

    from coursepack.xapi.client import _parse

    page = json.dumps(
        {"statements": [{"id": str(n), "actor": {"mbox": "mailto:a@b"}} for n in range(5000)]}
    ).encode()
    runs: list[int] = []

    def seen(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            runs.append(info["generation"])

    gc.callbacks.append(seen)
    try:
        data = _parse(page)
    finally:
        gc.callbacks.remove(seen)
    assert len(data["statements"]) == 5000
    assert runs == []  # 15,000 containers made, no collection walked them
    assert gc.isenabled()
    with pytest.raises(ValueError):
        _parse(b"<html>")
    assert gc.isenabled()
    gc.disable()
    try:
        _parse(page)
        assert not gc.isenabled()  # a caller's choice is left as it was
    finally:
        gc.enable()
