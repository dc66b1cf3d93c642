"""A hostile LRS for the report's robustness tests: every way an LRS (or whatever answers in its
place) has been seen to hang, flood or trick a client, one behaviour per server.

    with HostileLRS("drip") as lrs:
        ... coursepack report COURSE --lrs {lrs.endpoint} ...

Behaviours (``BEHAVIOURS``):

- ``endless-more``: every page has one statement and a ``more`` link never sent before;
  ``endless-empty-more``: the same without statements.
- ``drip``: a 200 whose body comes one byte every ``interval`` seconds;
  ``drip-headers``: the status line and headers come that way.
- ``endless-chunked``: a chunked body that never ends (64 KiB chunks).
- ``huge-body``: ``Content-Length`` of ``size`` bytes (1 GiB), all of them sent;
  ``huge-body-unsized``: the same without ``Content-Length`` (ends when the connection closes).
- ``gzip-bomb``: ~1 MiB of gzip that expands to ``size`` bytes (1 GiB).
- ``redirect-c1``: a 302 whose ``Location`` holds byte 0x9B (C1 CSI) and a bidi override.
- ``echo-credentials``: a 500 whose body repeats the ``Authorization`` header, its token and
  its decoded form; ``echo-credentials-redirect``: a 302 to a URL carrying them.
- ``control-error``: a 500 whose detail holds escape sequences, C1 controls and bidi overrides.
- ``unauthorized``: 401 to everything.

Bounded everywhere: 127.0.0.1 only; every loop stops after a count of bytes or steps and after
``lifetime`` seconds; the server shuts itself down after ``lifetime`` seconds even if the test
forgets to (the handlers notice and stop). A client that goes away ends its handler.
"""

from __future__ import annotations

import base64
import json
import struct
import threading
import time
import zlib
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

BEHAVIOURS = (
    "endless-more",
    "endless-empty-more",
    "drip",
    "drip-headers",
    "endless-chunked",
    "huge-body",
    "huge-body-unsized",
    "gzip-bomb",
    "redirect-c1",
    "echo-credentials",
    "echo-credentials-redirect",
    "control-error",
    "unauthorized",
)
GIB = 1024**3
_CHUNK = 64 * 1024
_GONE = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, TimeoutError, OSError)


@cache
def gzip_bomb(size: int = GIB) -> bytes:
    """A gzip body that expands to ``size`` bytes: a statement result's start, then spaces.

    Made in a second, not by compressing ``size`` bytes: after a full flush a deflate stream
    starts afresh, so every 1 MiB block of spaces compresses to the same bytes; those are
    repeated, and the gzip trailer's CRC is computed over the blocks.
    """
    start = b'{"statements": ['
    block = b" " * (1024 * 1024)
    full, rest = divmod(size - len(start), len(block))
    packer = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    head = packer.compress(start) + packer.flush(zlib.Z_FULL_FLUSH)
    one = packer.compress(block) + packer.flush(zlib.Z_FULL_FLUSH)
    tail = packer.compress(block[:rest]) + packer.flush()
    crc = zlib.crc32(start)
    for _ in range(full):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(block[:rest], crc)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
    trailer = struct.pack("<II", crc, size & 0xFFFFFFFF)
    return header + head + one * full + tail + trailer


def statement(number: int) -> dict[str, Any]:
    return {
        "id": f"00000000-0000-4000-8000-{number:012d}",
        "actor": {"mbox": f"mailto:learner{number}@example.org"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/initialized"},
        "object": {"id": "https://courses.example.org/hostile"},
        "timestamp": "2024-05-01T09:00:00Z",
    }


class HostileLRS:
    """One hostile behaviour at ``endpoint`` (``http://127.0.0.1:<port>/xAPI/``)."""

    def __init__(
        self,
        behaviour: str,
        *,
        interval: float = 1.0,
        size: int = GIB,
        lifetime: float = 60.0,
        max_requests: int = 100_000,
    ) -> None:
        assert behaviour in BEHAVIOURS, behaviour
        self.behaviour = behaviour
        self.interval = interval
        self.size = size
        self.lifetime = lifetime
        self.max_requests = max_requests
        self.requests = 0
        self.bytes_sent = 0  # body bytes (compressed, for the bomb) written to clients
        self.seen_auth: list[str] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._started = 0.0
        if behaviour == "gzip-bomb":
            gzip_bomb(size)  # made before the clock starts
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._httpd.daemon_threads = True
        self.port: int = self._httpd.server_address[1]
        self.origin = f"http://127.0.0.1:{self.port}"
        self.endpoint = f"{self.origin}/xAPI/"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._timer = threading.Timer(lifetime, self.stop)
        self._timer.daemon = True

    def __enter__(self) -> HostileLRS:
        self._started = time.monotonic()
        self._thread.start()
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        if self._stop.is_set():
            return
        self._stop.set()
        self._timer.cancel()
        self._httpd.shutdown()
        self._httpd.server_close()

    @property
    def over(self) -> bool:
        """Time to stop every loop: stopped, or past the lifetime."""
        return self._stop.is_set() or time.monotonic() - self._started > self.lifetime

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            timeout = 30  # a silent client does not keep a thread forever

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                with server._lock:
                    server.requests += 1
                    count = server.requests
                    server.seen_auth.append(self.headers.get("Authorization", ""))
                if count > server.max_requests or server.over:
                    return self._send(503, b'{"detail": "enough"}')
                try:
                    getattr(self, "_" + server.behaviour.replace("-", "_"))()
                except _GONE:
                    self.close_connection = True  # the client went away: that's the point

            def do_POST(self) -> None:
                self.do_GET()

            # -- helpers -------------------------------------------------------------------

            def _send(
                self,
                status: int,
                body: bytes,
                kind: str = "application/json",
                headers: dict[str, str] | None = None,
            ) -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)
                server.bytes_sent += len(body)

            def _page(self) -> int:
                query = parse_qs(urlsplit(self.path).query)
                return int(query.get("page", ["0"])[-1])

            # -- behaviours ----------------------------------------------------------------

            def _endless_more(self, statements: bool = True) -> None:
                number = self._page()
                found = [statement(number)] if statements else []
                more = f"/xAPI/statements?page={number + 1}"
                self._send(200, json.dumps({"statements": found, "more": more}).encode())

            def _endless_empty_more(self) -> None:
                self._endless_more(statements=False)

            def _drip(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(server.size))
                self.end_headers()
                self.wfile.flush()
                for _ in range(min(server.size, 10_000)):
                    if server.over:
                        break
                    self.wfile.write(b" ")
                    self.wfile.flush()
                    server.bytes_sent += 1
                    time.sleep(server.interval)
                self.close_connection = True

            def _drip_headers(self) -> None:
                head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Slow: " + b"a" * 60
                for byte in head[:10_000]:
                    if server.over:
                        break
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(server.interval)
                self.close_connection = True

            def _endless_chunked(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                chunk = b" " * _CHUNK
                framed = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
                self.wfile.write(b'10\r\n{"statements": [\r\n')
                for _ in range(4 * GIB // _CHUNK):  # 4 GiB at most
                    if server.over:
                        break
                    self.wfile.write(framed)
                    server.bytes_sent += len(chunk)
                self.close_connection = True

            def _huge_body(self, sized: bool = True) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                if sized:
                    self.send_header("Content-Length", str(server.size))
                else:
                    self.send_header("Connection", "close")
                self.end_headers()
                start = b'{"statements": ['
                self.wfile.write(start)
                left = server.size - len(start)
                chunk = b" " * _CHUNK
                while left > 0 and not server.over:
                    piece = chunk if left >= _CHUNK else chunk[:left]
                    self.wfile.write(piece)
                    server.bytes_sent += len(piece)
                    left -= len(piece)
                self.close_connection = True

            def _huge_body_unsized(self) -> None:
                self._huge_body(sized=False)

            def _gzip_bomb(self) -> None:
                body = gzip_bomb(server.size)
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Encoding", "gzip")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                for start in range(0, len(body), _CHUNK):
                    if server.over:
                        break
                    self.wfile.write(body[start : start + _CHUNK])
                    server.bytes_sent += min(_CHUNK, len(body) - start)
                self.close_connection = True

            def _redirect_c1(self) -> None:
                # send_header encodes as latin-1: "\x9b" is the single byte 0x9B (C1 CSI); the
                # bidi override goes as its UTF-8 bytes.
                raw = b"https://lrs.example.org/\x9b31mred\x9b0m/" + "\u202e".encode() + b"gnp.exe"
                location = raw.decode("latin-1")
                self._send(302, b"", headers={"Location": location})

            def _secrets(self) -> list[str]:
                auth = self.headers.get("Authorization", "")
                token = auth.partition(" ")[2]
                try:
                    decoded = base64.b64decode(token).decode("utf-8")
                except ValueError:
                    decoded = ""
                return [auth, token, decoded]

            def _echo_credentials(self) -> None:
                auth, token, decoded = self._secrets()
                detail = f"bad header {auth!r}; token {token}; user:password {decoded}"
                self._send(500, json.dumps({"detail": detail}).encode())

            def _echo_credentials_redirect(self) -> None:
                _, token, decoded = self._secrets()
                self._send(302, b"", headers={"Location": f"/login/{token}/{decoded}/"})

            def _control_error(self) -> None:
                detail = "\x1b]0;pwned\x07\x1b[2J\x9b2J\u202eboom\u2066x\u2069\x00"
                self._send(500, json.dumps({"detail": detail}).encode())

            def _unauthorized(self) -> None:
                self._send(401, b'{"detail": "Invalid authentication credentials"}')

        return Handler
