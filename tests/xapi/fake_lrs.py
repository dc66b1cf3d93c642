"""A bare page holding the xAPI runtime scripts (no core, no adapter) and a scripted fake LRS.

For the unit tests of the tracker (tests/runtime/test_xapi_*.py): the page is served from
127.0.0.1 and the fake LRS answers, through Playwright routing, at ``<page origin>/lrs/`` (same
origin, so no CORS in the way); every request is recorded.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from coursepack.render import runtime_file, runtime_path, runtime_scripts

if TYPE_CHECKING:
    from playwright.sync_api import Page, Route

COURSE_IRI = "https://courses.example.org/c1"
CONFIG = {
    "course": {
        "id": COURSE_IRI,
        "iri": COURSE_IRI,
        "language": "en",
        "storageKey": "coursepack:unit",
        "definition": {"type": "http://adlnet.gov/expapi/activities/course", "name": {"en": "C"}},
    },
    "modules": [],
    "target": {"adapter": "none"},
    "xapi": {
        "version": "1.0.3",
        "platform": "coursepack test",
        "verbs": {
            "initialized": "http://adlnet.gov/expapi/verbs/initialized",
            "completed": "http://adlnet.gov/expapi/verbs/completed",
            "experienced": "http://adlnet.gov/expapi/verbs/experienced",
        },
        "registrationNamespace": "946453cb-af25-564b-9561-db36350f6320",
        "lrs": None,
    },
}
#: what a TinCan package loads, without core and the adapter: the helpers and the xAPI files
SCRIPTS = [n for n in runtime_scripts(["tincan"]) if n == "util" or n.startswith("xapi-")]
PAGE = (
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>xapi</title></head>\n'
    '<body><script src="config.js"></script>'
    + "".join(f'<script src="{runtime_path(n)}"></script>' for n in SCRIPTS)
    + "</body></html>"
)

Reply = tuple[int, Any] | Callable[["Request"], tuple[int, Any]] | str


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any


@dataclass
class FakeLrs:
    """Answers from ``script`` (one reply per request, then ``default``); records requests.

    A reply is ``(status, body)``, a function of the request, ``"abort"`` (network error) or
    ``"hold"`` (no answer: the request stays in flight).
    """

    script: list[Reply] = field(default_factory=list)
    default: Reply = (200, None)
    requests: list[Request] = field(default_factory=list)

    def handle(self, route: Route) -> None:
        req = route.request
        parts = urlsplit(req.url)
        body: Any = None
        if req.post_data:
            try:
                body = json.loads(req.post_data)
            except ValueError:
                body = req.post_data
        request = Request(
            method=req.method,
            path=parts.path.split("/lrs/", 1)[1],
            query={k: v[0] for k, v in parse_qs(parts.query).items()},
            headers=dict(req.headers),
            body=body,
        )
        self.requests.append(request)
        reply = self.script.pop(0) if self.script else self.default
        if callable(reply):
            reply = reply(request)
        if reply == "abort":
            route.abort("connectionrefused")
            return
        if reply == "hold":
            return
        assert isinstance(reply, tuple)
        status, payload = reply
        if payload is None and request.method == "POST" and request.path == "statements":
            batch = request.body if isinstance(request.body, list) else [request.body]
            payload = [s["id"] for s in batch] if status == 200 else None
        text = payload if isinstance(payload, str) else json.dumps(payload)
        route.fulfill(
            status=status,
            body="" if status == 204 or payload is None else text,
            headers={"Content-Type": "application/json", "X-Experience-API-Version": "1.0.3"},
        )

    def posted(self) -> list[dict[str, Any]]:
        """Every statement of every accepted POST/PUT, in order."""
        return [
            s
            for r in self.requests
            if r.path == "statements" and r.method in ("POST", "PUT")
            for s in (r.body if isinstance(r.body, list) else [r.body])
        ]


def write_site(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "index.html").write_text(PAGE, "utf-8")
    (root / "config.js").write_text(f"window.COURSEPACK_CONFIG = {json.dumps(CONFIG)};", "utf-8")
    for name in SCRIPTS:
        path = root / runtime_path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(runtime_file(name))
    return root


def open_page(page: Page, url: str, lrs: FakeLrs) -> str:
    """Load the page with the fake LRS routed; return the endpoint to give a tracker."""
    page.route("**/lrs/**", lrs.handle)
    page.goto(url + "index.html")
    page.wait_for_function("() => !!window.CoursepackXAPI")
    return url + "lrs/"
