"""The preview server over HTTP: it serves what it built and nothing else, writes nothing,
rebuilds on change, and is the LRS (and cmi5 fetch URL) of xAPI and cmi5 packages."""

from __future__ import annotations

import base64
import json
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.preview.conftest import StartPreview

XAPI = {"X-Experience-API-Version": "1.0.3"}
ACTOR = {"objectType": "Agent", "account": {"homePage": "https://lms.x", "name": "a"}}


def request(
    url: str,
    method: str = "GET",
    body: Any = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, bytes]:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=10) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    return {
        p.relative_to(root).as_posix(): (p.stat().st_mtime_ns, p.stat().st_size)
        for p in sorted(root.rglob("*"))
    }


@pytest.mark.parametrize(
    "path",
    [
        "/course/../course.yaml",
        "/course/%2e%2e/course.yaml",
        "/course/..%2fcourse.yaml",
        "/course/course.yaml",
        "/course/modules/getting-started.md",
        "/course//etc/passwd",
        "/course/%2Fetc%2Fpasswd",
        "/_preview/assets/../session.py",
        "/_preview/assets/%2e%2e%2fsession.py",
        "/_preview/assets/__init__.py",
        "/../../etc/passwd",
    ],
)
def test_server_never_serves_a_file_it_did_not_build(
    preview: StartPreview, course: Path, path: str
) -> None:
    running = preview(course, "scorm12", watch=False)
    status, _ = request(running.url.rstrip("/") + path)
    assert status == 404


def test_server_serves_the_built_package_and_writes_nothing(
    preview: StartPreview, course: Path
) -> None:
    before = snapshot(course)
    running = preview(course, "scorm12", watch=False)
    status, body = request(running.url + "course/imsmanifest.xml")
    assert status == 200 and b"<manifest" in body
    status, body = request(running.url + "course/media/welcome.png")
    assert status == 200 and body.startswith(b"\x89PNG")
    status, body = request(running.url + "_preview/launch", "POST", {})
    assert status == 200 and json.loads(body)["url"] == "/course/index.html"
    running.session.configure("cmi5", None)
    running.stop()
    assert snapshot(course) == before
    assert not (course / "dist").exists()


def test_saving_a_file_rebuilds_and_tells_every_page(preview: StartPreview, course: Path) -> None:
    running = preview(course, "scorm12")
    queue = running.session.hub.subscribe()
    module = course / "modules" / "going-further.yaml"
    module.write_text(module.read_text("utf-8").replace("Practise", "Practice"), "utf-8")
    event, text = queue.get(timeout=10) or ("", "")
    assert event == "build"
    status = json.loads(text)
    assert status["ok"] and status["version"] == 2
    index = running.session.file("index.html")
    assert index is not None and index.data is not None and b"Practice" in index.data


def test_invalid_course_reports_every_problem_and_keeps_the_last_good_build(
    preview: StartPreview, course: Path
) -> None:
    running = preview(course, "scorm12", watch=False)
    (course / "course.yaml").write_text(
        (course / "course.yaml").read_text("utf-8").replace("language: en", "language: 12"),
        "utf-8",
    )
    (course / "modules" / "getting-started.md").write_text("# Empty\n", "utf-8")
    build = running.session.rebuild()
    assert not build.ok
    assert len(build.problems) == 2
    assert any(p.startswith("course.yaml:") and "language '12'" in p for p in build.problems)
    assert any(p.startswith("modules/getting-started.md:1:1: ") for p in build.problems)
    assert running.session.file("index.html") is not None
    status, _ = request(running.url + "course/index.html")
    assert status == 200


def lrs_auth(running: Any) -> dict[str, str]:
    return {**XAPI, "Authorization": running.session.credential}


def test_lrs_stores_statements_and_answers_as_xapi_says(
    preview: StartPreview, course: Path
) -> None:
    running = preview(course, "xapi", watch=False)
    lrs = running.url + "_preview/lrs/"
    statement = {
        "id": str(uuid.uuid4()),
        "actor": ACTOR,
        "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
        "object": {"id": "https://courses.example.org/x"},
    }
    url = f"{lrs}statements?statementId={statement['id']}"
    assert request(url, "PUT", statement, XAPI)[0] == 401
    assert request(url, "PUT", statement, lrs_auth(running))[0] == 204
    assert request(url, "PUT", statement, lrs_auth(running))[0] == 204  # the same again
    changed = {**statement, "verb": {"id": "http://adlnet.gov/expapi/verbs/failed"}}
    assert request(url, "PUT", changed, lrs_auth(running))[0] == 409
    bad = {"actor": {"name": "nobody"}, "verb": {"id": "x"}, "object": {"id": "y"}}
    assert request(lrs + "statements", "POST", [bad], lrs_auth(running))[0] == 400
    status, body = request(
        lrs
        + "statements?verb=http://adlnet.gov/expapi/verbs/completed&agent="
        + urllib.request.quote(json.dumps(ACTOR)),
        headers=lrs_auth(running),
    )
    assert status == 200
    (stored,) = json.loads(body)["statements"]
    assert stored["id"] == statement["id"] and stored["stored"]


def test_lrs_state_documents_put_get_merge_delete(preview: StartPreview, course: Path) -> None:
    running = preview(course, "xapi", watch=False)
    query = "activityId=https%3A%2F%2Fx&agent=" + urllib.request.quote(json.dumps(ACTOR))
    doc = running.url + "_preview/lrs/activities/state?stateId=s&" + query
    auth = lrs_auth(running)
    assert request(doc, headers=auth)[0] == 404
    assert request(doc, "PUT", {"a": 1}, auth)[0] == 204
    assert request(doc, "POST", {"b": 2}, auth)[0] == 204
    assert json.loads(request(doc, headers=auth)[1]) == {"a": 1, "b": 2}
    ids = running.url + "_preview/lrs/activities/state?" + query
    assert json.loads(request(ids, headers=auth)[1]) == ["s"]
    assert request(doc, "DELETE", None, auth)[0] == 204
    assert request(doc, headers=auth)[0] == 404


def test_cmi5_launch_writes_launch_data_and_the_fetch_url_answers_once(
    preview: StartPreview, course: Path
) -> None:
    running = preview(course, "cmi5", watch=False)
    status, body = request(running.url + "_preview/launch", "POST", {})
    assert status == 200
    launch = json.loads(body)
    params = dict(urllib.parse.parse_qsl(launch["url"].split("?", 1)[1]))
    assert params["activityId"] == launch["au"]
    status, body = request(params["fetch"], "POST", {})
    token = json.loads(body)["auth-token"]
    assert base64.b64decode(token)
    again = json.loads(request(params["fetch"], "POST", {})[1])
    assert again["error-code"] == "1"
    auth = {**XAPI, "Authorization": "Basic " + token}
    state = (
        running.url
        + "_preview/lrs/activities/state?"
        + urllib.parse.urlencode(
            {
                "stateId": "LMS.LaunchData",
                "activityId": params["activityId"],
                "agent": params["actor"],
                "registration": params["registration"],
            }
        )
    )
    status, body = request(state, headers=auth)
    assert status == 200
    launch_data = json.loads(body)
    assert launch_data["launchMode"] == "Normal" and launch_data["moveOn"] == "Completed"
    session_id = launch_data["contextTemplate"]["extensions"][
        "https://w3id.org/xapi/cmi5/context/extensions/sessionid"
    ]
    (launched,) = running.session.lrs.statements
    assert launched["verb"]["id"] == "http://adlnet.gov/expapi/verbs/launched"
    assert launched["context"]["registration"] == params["registration"]
    assert (
        launched["context"]["extensions"]["https://w3id.org/xapi/cmi5/context/extensions/sessionid"]
        == session_id
    )


def test_offline_network_drops_lrs_requests_without_an_answer(
    preview: StartPreview, course: Path
) -> None:
    running = preview(course, "xapi", watch=False)
    running.session.set_offline(True)
    started = time.perf_counter()
    with pytest.raises((urllib.error.URLError, ConnectionError)):
        urllib.request.urlopen(running.url + "_preview/lrs/about", timeout=5)
    assert time.perf_counter() - started < 5
    running.session.set_offline(False)
    assert request(running.url + "_preview/lrs/about")[0] == 200


def test_controls_refuse_other_sites_and_other_host_names(
    preview: StartPreview, course: Path
) -> None:
    running = preview(course, "scorm12", watch=False)
    # a form or no-cors fetch from another site can only send text/plain: refused
    req = urllib.request.Request(
        running.url + "_preview/reset",
        data=b"{}",
        method="POST",
        headers={"Content-Type": "text/plain"},
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(req, timeout=10)
    assert refused.value.code == 415
    # a page on another host name that resolves here (DNS rebinding): refused
    port = running.server.server_address[1]
    req = urllib.request.Request(running.url, headers={"Host": f"attacker.example:{port}"})
    with pytest.raises(urllib.error.HTTPError) as misdirected:
        urllib.request.urlopen(req, timeout=10)
    assert misdirected.value.code == 421
    assert request(f"http://localhost:{port}/_preview/status")[0] == 200
