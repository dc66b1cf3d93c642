"""A test LMS for cmi5 packages: launches an AU the way cmi5 §8 says, with a real LRS behind it.

Typical use (Ralph from the ``lrs`` fixture)::

    launcher = Cmi5Launcher(unpacked_package_dir, lrs)
    launch = launcher.launch(launcher.aus[0], return_url=True)
    page.goto(launch.url)                       # the AU, top-level (launchMethod AnyWindow)
    ...
    statements = lrs.statements(registration=launch.registration)
    launcher.stop()

One HTTP server on 127.0.0.1 plays the LMS, so the AU and its "LRS" share an origin:

    /content/...        the unpacked package (cmi5.xml at its root)
    /fetch/<key>        the one-time fetch URL: POST -> {"auth-token": ...} once; any later
                        call -> HTTP 200 {"error-code": "1", ...} (cmi5 §8.2)
    /lrs/...            the AU's xAPI endpoint. Every request must carry "Basic <token>".
                        activities/state is served here, in memory (Ralph has no State
                        resource): LMS.LaunchData is written before launch and read-only to
                        the AU; the AU's own documents are kept. Everything else (statements,
                        agents/profile, ...) is proxied to the real LRS with its credential.
    /returned           where returnURL points

``requests`` logs every request (method, path, query); ``fetch_calls`` the calls per fetch key.
"""

from __future__ import annotations

import contextlib
import json
import mimetypes
import threading
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
from lxml import etree

from tests.support.lrs import RalphLRS

CMI5_NS = "{https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd}"
SESSION_EXT = "https://w3id.org/xapi/cmi5/context/extensions/sessionid"
LAUNCH_DATA = "LMS.LaunchData"
LMS_HOME_PAGE = "https://lms.example.org"
# The namespace of the LMS-generated activity ids: uuid5(publisher id) under it.
ACTIVITY_NAMESPACE = uuid.UUID("5d0b8b3c-8f0e-4f5e-9a53-6a1c2c7e9f10")


@dataclass(frozen=True)
class AssignableUnit:
    """An <au> of cmi5.xml."""

    id: str  # publisher id
    url: str
    move_on: str
    mastery_score: str | None
    title: str


@dataclass
class Launch:
    url: str
    au: AssignableUnit
    activity_id: str
    registration: str
    session_id: str
    actor: dict[str, Any]
    fetch_key: str
    launch_data: dict[str, Any]
    tokens: list[str] = field(default_factory=list)


def read_aus(package_dir: Path) -> list[AssignableUnit]:
    root = etree.parse(str(package_dir / "cmi5.xml"), etree.XMLParser(no_network=True))
    return [
        AssignableUnit(
            id=au.get("id", ""),
            url=(au.findtext(f"{CMI5_NS}url") or "").strip(),
            move_on=au.get("moveOn", "NotApplicable"),
            mastery_score=au.get("masteryScore"),
            title=(au.findtext(f"{CMI5_NS}title/{CMI5_NS}langstring") or "").strip(),
        )
        for au in root.iter(f"{CMI5_NS}au")
    ]


def _agent_key(raw: str | None) -> str:
    """The identifier of an agent given as JSON (account homePage|name), or the raw text."""
    try:
        agent = json.loads(raw or "")
        account = agent.get("account") or {}
        return f"{account.get('homePage')}|{account.get('name')}"
    except (ValueError, AttributeError):
        return raw or ""


class Cmi5Launcher:
    def __init__(self, package_dir: Path, lrs: RalphLRS) -> None:
        self.package_dir = Path(package_dir)
        self.lrs = lrs
        self.aus = read_aus(self.package_dir)
        self.requests: list[tuple[str, str, dict[str, list[str]]]] = []
        self.fetch_calls: dict[str, int] = {}
        self.launches: list[Launch] = []
        self.launch_data_writes: list[str] = []  # attempts by the AU to change LMS.LaunchData
        # (activityId, agent key, registration, stateId) -> (content type, body)
        self.documents: dict[tuple[str, str, str, str], tuple[str, bytes]] = {}
        self._launch_data_gate: threading.Event | None = None
        self._tokens: dict[str, Launch] = {}
        self._pending: dict[str, Launch] = {}  # fetch key -> launch whose token is not out yet
        self._lock = threading.Lock()
        self._client = httpx.Client(timeout=30)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.port: int = self._server.server_address[1]
        self.origin = f"http://127.0.0.1:{self.port}"
        self.endpoint = f"{self.origin}/lrs/"
        self.return_url = f"{self.origin}/returned"
        self._thread = threading.Thread(
            target=self._server.serve_forever, name=f"cmi5-lms-{self.port}", daemon=True
        )
        self._thread.start()

    # ------------------------------------------------------------------------------------
    # the LMS side

    @staticmethod
    def activity_id(au: AssignableUnit) -> str:
        """The LMS-generated activity id of an AU (cmi5 §8.1.5: not the publisher id)."""
        return f"{LMS_HOME_PAGE}/cmi5/activities/{uuid.uuid5(ACTIVITY_NAMESPACE, au.id)}"

    def launch(
        self,
        au: AssignableUnit,
        *,
        launch_mode: str = "Normal",
        registration: str | None = None,
        learner: str = "learner-1",
        return_url: bool = False,
    ) -> Launch:
        """Prepare a session (LaunchData, one-time fetch URL) and return its launch URL."""
        registration = registration or str(uuid.uuid4())
        session_id = str(uuid.uuid4())
        actor = {
            "objectType": "Agent",
            "name": "Test Learner",
            "account": {"homePage": LMS_HOME_PAGE, "name": learner},
        }
        activity_id = self.activity_id(au)
        launch_data: dict[str, Any] = {
            "contextTemplate": {
                "contextActivities": {"grouping": [{"objectType": "Activity", "id": au.id}]},
                "extensions": {SESSION_EXT: session_id},
            },
            "launchMode": launch_mode,
            "moveOn": au.move_on,
        }
        if au.mastery_score is not None:
            launch_data["masteryScore"] = float(au.mastery_score)
        if return_url:
            launch_data["returnURL"] = self.return_url
        key = (activity_id, _agent_key(json.dumps(actor)), registration, LAUNCH_DATA)
        fetch_key = uuid.uuid4().hex
        params = {
            "endpoint": self.endpoint,
            "fetch": f"{self.origin}/fetch/{fetch_key}",
            "actor": json.dumps(actor, separators=(",", ":")),
            "registration": registration,
            "activityId": activity_id,
        }
        separator = "&" if "?" in au.url else "?"
        url = f"{self.origin}/content/{au.url}{separator}{urlencode(params)}"
        launch = Launch(
            url=url,
            au=au,
            activity_id=activity_id,
            registration=registration,
            session_id=session_id,
            actor=actor,
            fetch_key=fetch_key,
            launch_data=launch_data,
        )
        with self._lock:
            self.documents[key] = ("application/json", json.dumps(launch_data).encode())
            self._pending[fetch_key] = launch
            self.fetch_calls[fetch_key] = 0
            self.launches.append(launch)
        return launch

    def hold_launch_data(self) -> threading.Event:
        """Make reads of LMS.LaunchData wait until the returned event is set (or 10 s)."""
        self._launch_data_gate = threading.Event()
        return self._launch_data_gate

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
        self._client.close()

    def paths(self, prefix: str = "/lrs/") -> list[str]:
        """The paths of the requests under ``prefix``, in order (method + path)."""
        return [f"{m} {p}" for m, p, _ in self.requests if p.startswith(prefix)]

    # ------------------------------------------------------------------------------------
    # the HTTP server

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        launcher = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _send(self, status: int, body: bytes = b"", content_type: str = "") -> None:
                # the page may have gone away (a reload) before the answer
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.send_response(status)
                    if content_type:
                        self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(body)))
                    self.send_header("Cache-Control", "no-store")
                    self.send_header("X-Experience-API-Version", "1.0.3")
                    self.end_headers()
                    if self.command != "HEAD":
                        self.wfile.write(body)

            def _json(self, status: int, value: Any) -> None:
                self._send(status, json.dumps(value).encode(), "application/json")

            def _body(self) -> bytes:
                length = int(self.headers.get("Content-Length") or 0)
                return self.rfile.read(length) if length else b""

            def _route(self) -> None:
                parts = urlsplit(self.path)
                query = parse_qs(parts.query, keep_blank_values=True)
                with launcher._lock:
                    launcher.requests.append((self.command, parts.path, query))
                if parts.path.startswith("/content/"):
                    self._content(parts.path[len("/content/") :])
                elif parts.path.startswith("/fetch/"):
                    self._fetch(parts.path[len("/fetch/") :])
                elif parts.path.startswith("/lrs/"):
                    self._lrs(parts.path[len("/lrs/") :], parts.query, query)
                elif parts.path == "/returned":
                    page = b"<!doctype html><title>LMS</title><h1>Back in the LMS</h1>"
                    self._send(200, page, "text/html; charset=utf-8")
                else:
                    self._send(404)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _route

            def _content(self, relative: str) -> None:
                if self.command not in ("GET", "HEAD"):
                    self._send(405)
                    return
                path = PurePosixPath(relative)
                if ".." in path.parts or path.is_absolute():
                    self._send(404)
                    return
                file = launcher.package_dir.joinpath(*path.parts)
                if not file.is_file():
                    self._send(404)
                    return
                kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
                if kind.startswith("text/") or kind.endswith("javascript"):
                    kind += "; charset=utf-8"
                self._send(200, file.read_bytes(), kind)

            def _fetch(self, key: str) -> None:
                # cmi5 §8.2: POST only; the URL works once; errors are HTTP 200 + error-code
                self._body()
                with launcher._lock:
                    if key in launcher.fetch_calls:
                        launcher.fetch_calls[key] += 1
                    launch = launcher._pending.pop(key, None)
                    if self.command == "POST" and launch is not None:
                        token = uuid.uuid4().hex
                        launch.tokens.append(token)
                        launcher._tokens[token] = launch
                        self._json(200, {"auth-token": token})
                        return
                if self.command != "POST":
                    self._json(200, {"error-code": "3", "error-text": "use POST"})
                else:
                    self._json(200, {"error-code": "1", "error-text": "already used or unknown"})

            def _authorised(self) -> bool:
                value = self.headers.get("Authorization") or ""
                token = value[len("Basic ") :] if value.startswith("Basic ") else ""
                with launcher._lock:
                    return token in launcher._tokens

            def _lrs(self, resource: str, raw_query: str, query: dict[str, list[str]]) -> None:
                if not self._authorised():
                    self._json(401, {"error": "no or unknown cmi5 token"})
                    return
                if resource == "activities/state":
                    self._state(query)
                    return
                body = self._body()
                headers = {
                    "Authorization": launcher.lrs.auth_header,
                    "X-Experience-API-Version": self.headers.get(
                        "X-Experience-API-Version", "1.0.3"
                    ),
                }
                if self.headers.get("Content-Type"):
                    headers["Content-Type"] = self.headers["Content-Type"]
                url = launcher.lrs.endpoint + resource + (f"?{raw_query}" if raw_query else "")
                answer = launcher._client.request(self.command, url, content=body, headers=headers)
                kind = answer.headers.get("Content-Type", "")
                self._send(answer.status_code, answer.content, kind)

            def _state(self, query: dict[str, list[str]]) -> None:
                def one(name: str) -> str:
                    return (query.get(name) or [""])[0]

                key = (one("activityId"), _agent_key(one("agent")), one("registration"), "")
                state_id = one("stateId")
                if not key[0] or not one("agent") or not state_id:
                    self._json(400, {"error": "activityId, agent and stateId are required"})
                    return
                full = (key[0], key[1], key[2], state_id)
                body = self._body()
                gate = launcher._launch_data_gate
                if gate is not None and state_id == LAUNCH_DATA and self.command == "GET":
                    gate.wait(10)
                with launcher._lock:
                    if self.command in ("GET", "HEAD"):
                        found = launcher.documents.get(full)
                        if found is None:
                            self._send(404)
                        else:
                            self._send(200, found[1], found[0])
                        return
                    if state_id == LAUNCH_DATA:
                        launcher.launch_data_writes.append(self.command)
                        self._json(403, {"error": "LMS.LaunchData is read-only for the AU"})
                        return
                    if self.command == "DELETE":
                        launcher.documents.pop(full, None)
                    elif self.command in ("PUT", "POST"):
                        kind = self.headers.get("Content-Type") or "application/octet-stream"
                        launcher.documents[full] = (kind, body)
                    else:
                        self._send(405)
                        return
                self._send(204)

        return Handler
