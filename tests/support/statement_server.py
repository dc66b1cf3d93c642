"""A fast, well-behaved statement source for the client tests: a stdlib HTTP server on 127.0.0.1
that pages a list of statement JSON lines like an LRS's ``GET statements``.

(``bench/report.py`` has its own copy, trimmed for speed; tests do not import the benchmarks.)
The hostile counterpart is ``tests/support/hostile_lrs.py``.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

VOIDED = "http://adlnet.gov/expapi/verbs/voided"
LINK_STYLES = ("host", "endpoint", "absolute")


class StatementServer:
    """Pages a list of statement JSON lines over HTTP, like an LRS's GET statements.

    ``GET /xAPI/statements?verb=<voided>`` answers the voiding statements; any other query the
    rest, paged by ``limit``, with ``more`` links in ``link_style``. Without
    ``related_activities=true`` an ``activity`` filter matches object ids only.
    ``reject_related`` answers 400 to ``related_activities`` (an LRS without it).
    """

    def __init__(
        self,
        lines: list[bytes],
        *,
        link_style: str = "host",
        reject_related: bool = False,
        auth: str | None = None,
    ) -> None:
        assert link_style in LINK_STYLES
        self.link_style = link_style
        self.reject_related = reject_related
        self.auth = auth
        self.voiding: list[bytes] = []
        self.main: list[bytes] = []
        for line in lines:
            (self.voiding if _is_voiding(line) else self.main).append(line)
        self.requests: list[tuple[str, dict[str, str]]] = []  # (path?query, headers)
        self._pages: dict[tuple[str, int], list[bytes]] = {}
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self.origin = f"http://127.0.0.1:{self.port}"
        self.endpoint = f"{self.origin}/xAPI/"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @classmethod
    def from_file(cls, path: Path, **options: Any) -> StatementServer:
        """Serve a JSON-lines file of statements."""
        with path.open("rb") as source:
            return cls([line.rstrip(b"\n") for line in source if line.strip()], **options)

    def __enter__(self) -> StatementServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def pages(self, key: str, limit: int) -> list[bytes]:
        """The bodies of every page of one query (built once, then served as they are)."""
        with self._lock:
            cached = self._pages.get((key, limit))
            if cached is not None:
                return cached
            if key == "voided":
                lines = self.voiding
            elif key == "all":
                lines = self.main
            else:
                lines = [line for line in self.main if json.loads(line)["object"]["id"] == key]
            chunks = [lines[i : i + limit] for i in range(0, len(lines), limit)] or [[]]
            bodies = []
            for number, chunk in enumerate(chunks):
                more = b""
                if number + 1 < len(chunks):
                    query = urlencode({"q": key, "limit": limit, "page": number + 1})
                    more = {
                        "host": f"/xAPI/statements?{query}",
                        "endpoint": f"statements?{query}",
                        "absolute": f"{self.endpoint}statements?{query}",
                    }[self.link_style].encode()
                bodies.append(b'{"statements":[' + b",".join(chunk) + b'],"more":"' + more + b'"}')
            self._pages[(key, limit)] = bodies
            return bodies

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # else each page waits for a delayed ACK

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _send(self, status: int, body: bytes, kind: str = "application/json") -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("X-Experience-API-Version", "1.0.3")
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                server.requests.append((self.path, dict(self.headers.items())))
                parts = urlsplit(self.path)
                if parts.path.rstrip("/") != "/xAPI/statements":
                    return self._send(404, b'{"detail":"not found"}')
                if server.auth and self.headers.get("Authorization") != server.auth:
                    return self._send(401, b'{"detail":"bad credentials"}')
                query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
                if "related_activities" in query and server.reject_related:
                    return self._send(400, b'{"detail":"related_activities is not supported"}')
                if "q" in query:
                    key = query["q"]
                elif query.get("verb") == VOIDED:
                    key = "voided"
                elif "activity" in query and query.get("related_activities") != "true":
                    key = query["activity"]
                else:
                    key = "all"
                limit = int(query.get("limit", "100") or 100)
                pages = server.pages(key, limit)
                number = int(query.get("page", "0"))
                self._send(200, pages[number] if number < len(pages) else pages[-1])

        return Handler


def _is_voiding(line: bytes) -> bool:
    if VOIDED.encode() not in line:
        return False
    data = json.loads(line)
    return bool(data.get("verb", {}).get("id") == VOIDED)


def _is_voiding(line: bytes) -> bool:
    if VOIDED.encode() not in line:
        return False
    data = json.loads(line)
    return bool(data.get("verb", {}).get("id") == VOIDED)
