"""The preview's HTTP server (stdlib, one thread per request).

What it serves, and nothing else: the shell page and its assets (a fixed list, read from the
package), the built files of the current build (looked up by exact name in memory; a request
path is never joined to a folder), the in-memory LRS, cmi5 fetch tokens, the session's
controls and server-sent events.
"""

from __future__ import annotations

import json
import mimetypes
import queue
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from coursepack.errors import UserError
from coursepack.preview.session import PreviewSession

ASSET_NAMES = ("shell.html", "preview.css", "preview.js", "lms-scorm.js")
SSE_KEEPALIVE_S = 15.0
MAX_BODY = 8 * 1024 * 1024


def _assets() -> dict[str, bytes]:
    folder = resources.files("coursepack.preview") / "assets"
    return {name: (folder / name).read_bytes() for name in ASSET_NAMES}


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, session: PreviewSession, host: str, port: int) -> None:
        self.session = session
        self.host = host
        self.assets = _assets()
        self.stopping = threading.Event()
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.address_family = family
        try:
            super().__init__((host, port), _Handler)
        except OSError as exc:
            raise UserError(
                f"cannot listen on {host}:{port}: {exc.strerror or exc} "
                "(choose another port with --port)"
            ) from None

    @property
    def url(self) -> str:
        host, port = str(self.server_address[0]), self.server_address[1]
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{port}/"

    def stop(self) -> None:
        self.stopping.set()
        self.session.hub.close()
        self.shutdown()
        self.server_close()


class _Handler(BaseHTTPRequestHandler):
    server: PreviewServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the preview's terminal stays quiet; the inspector shows what happened

    # -- plumbing -------------------------------------------------------------------------

    def _send(
        self,
        status: int,
        body: bytes = b"",
        content_type: str = "text/plain; charset=utf-8",
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        if status != 204:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)) if status != 204 else "0")
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if body and self.command != "HEAD" and status != 204:
            self.wfile.write(body)

    def _json(self, value: Any, status: int = 200) -> None:
        self._send(status, json.dumps(value, ensure_ascii=False).encode(), "application/json")

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            raise ValueError("request body too large")
        return self.rfile.read(length) if length else b""

    def _host_allowed(self) -> bool:
        """The Host header names this server (a DNS-rebinding page's host does not)."""
        host = (self.headers.get("Host") or "").lower()
        port = self.server.server_address[1]
        names = {"127.0.0.1", "localhost", "[::1]", self.server.host.lower()}
        if ":" in self.server.host:
            names.add(f"[{self.server.host.lower()}]")
        if self.server.host in ("0.0.0.0", "::"):
            return True  # listening everywhere: reached by any of the machine's names
        return host in {f"{n}:{port}" for n in names} or host in names

    def _origin(self) -> str:
        host = self.headers.get("Host") or self.server.url.split("/")[2]
        return f"http://{host}"

    # -- routes ---------------------------------------------------------------------------

    def do_GET(self) -> None:
        self._route()

    def do_HEAD(self) -> None:
        self._route()

    def do_POST(self) -> None:
        self._route()

    def do_PUT(self) -> None:
        self._route()

    def do_DELETE(self) -> None:
        self._route()

    def _route(self) -> None:
        parts = urlsplit(self.path)
        path = unquote(parts.path)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        if not self._host_allowed():
            self._send(421, b"this preview answers to its own address only")
            return
        try:
            if path == "/":
                self._asset("shell.html")
            elif path == "/favicon.ico":
                self._send(204)
            elif path.startswith("/_preview/assets/"):
                self._asset(path.removeprefix("/_preview/assets/"))
            elif path.startswith("/course/"):
                self._course_file(path.removeprefix("/course/"))
            elif path.startswith("/_preview/lrs/"):
                self._lrs(path.removeprefix("/_preview/lrs/"), query)
            elif path.startswith("/_preview/cmi5/fetch/") and self.command == "POST":
                self._cmi5_fetch(path.removeprefix("/_preview/cmi5/fetch/"))
            elif path == "/_preview/events" and self.command == "GET":
                self._events()
            elif path.startswith("/_preview/"):
                self._control(path.removeprefix("/_preview/"))
            else:
                self._send(404, b"not found")
        except UserError as error:
            self._json({"error": error.message}, 400)
        except (ValueError, KeyError) as error:
            self._json({"error": str(error)}, 400)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _asset(self, name: str) -> None:
        data = self.server.assets.get(name)
        if data is None:
            self._send(404, b"not found")
            return
        kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind.endswith("javascript"):
            kind += "; charset=utf-8"
        self._send(200, data, kind)

    def _course_file(self, rel: str) -> None:
        found = self.server.session.file(rel)  # exact name of a built file, or nothing
        if found is None or self.command not in ("GET", "HEAD"):
            self._send(404, b"not found")
            return
        data = found.data
        if data is None:
            assert found.source is not None
            try:
                data = found.source.read_bytes()
            except OSError:
                self._send(404, b"not found")
                return
        kind = mimetypes.guess_type(rel)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind.endswith(("javascript", "xml")):
            kind += "; charset=utf-8"
        self._send(200, data, kind)

    def _lrs(self, resource: str, query: dict[str, str]) -> None:
        session = self.server.session
        if session.offline:  # as a network that is down: no answer at all
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        body = self._body()
        headers = {k.lower(): v for k, v in self.headers.items()}
        answer = session.lrs.handle(self.command, resource, query, headers, body)
        shown = {k: v for k, v in query.items() if k in ("statementId", "stateId", "profileId")}
        session.hub.publish(
            "request",
            {"method": self.command, "resource": resource, "query": shown, "status": answer.status},
        )
        self._send(
            answer.status,
            answer.body,
            answer.content_type,
            {"X-Experience-API-Version": "1.0.3", **answer.headers},
        )

    def _cmi5_fetch(self, token: str) -> None:
        session = self.server.session
        if session.offline:
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self._body()
        answer = session.fetch_token(token)
        if answer is None:
            self._send(404, b"not found")
        else:
            self._json(answer)

    def _control(self, name: str) -> None:
        session = self.server.session
        if name == "status" and self.command == "GET":
            self._json(session.status())
            return
        if name == "lrs-snapshot" and self.command == "GET":
            self._json(session.lrs.snapshot())
            return
        if self.command != "POST":
            self._send(404, b"not found")
            return
        # a JSON body: another site's page cannot send one here without CORS, which this
        # server never grants, so it cannot drive the preview's controls
        if not (self.headers.get("Content-Type") or "").startswith("application/json"):
            self._send(415, b"controls take application/json")
            return
        data = json.loads(self._body() or b"{}")
        if not isinstance(data, dict):
            raise ValueError("a JSON object is expected")
        if name == "config":
            session.configure(data.get("target"), data.get("lms"))
            self._json(session.status())
        elif name == "launch":
            au = data.get("au")
            self._json(session.launch(self._origin(), au if isinstance(au, str) else None))
        elif name == "reset":
            session.reset_learner()
            self._json(session.status())
        elif name == "network":
            session.set_offline(bool(data.get("offline")))
            self._json(session.status())
        elif name == "rebuild":
            session.rebuild()
            self._json(session.status())
        else:
            self._send(404, b"not found")

    def _events(self) -> None:
        hub = self.server.session.hub
        q = hub.subscribe()
        try:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream; charset=utf-8")
            self.send_header("Cache-Control", "no-store")
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            status = json.dumps(self.server.session.status(), ensure_ascii=False)
            self.wfile.write(f"retry: 500\nevent: build\ndata: {status}\n\n".encode())
            self.wfile.flush()
            while not self.server.stopping.is_set():
                try:
                    item = q.get(timeout=SSE_KEEPALIVE_S)
                except queue.Empty:
                    self.wfile.write(b": keep-alive\n\n")
                    self.wfile.flush()
                    continue
                if item is None:
                    break
                event, text = item
                self.wfile.write(f"event: {event}\ndata: {text}\n\n".encode())
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass
        finally:
            hub.unsubscribe(q)
