"""A small xAPI LRS client: reads statement pages (following ``more``) and posts statements.

Written for the standard (xAPI 1.0.3, Communication §2.1) and tolerant of the differences seen
between LRSs: ``more`` links that are host-relative (``/xapi/statements?...``), relative to the
endpoint (``statements?...``) or absolute; no ``/about`` resource; any sort order.

And written against an LRS that misbehaves: every answer has a deadline (``timeout``: connect,
headers and the whole body, however slowly it drips), a size limit counted after decompression
(``max_answer_bytes``: the body is streamed and decompressed in bounded steps, so a gzip bomb or
an endless chunked body stops at the limit), and a report reads at most ``max_pages`` pages.

Every failure becomes one of the ``LrsError`` classes below: a one-line message and an exit code
(see ``docs/report.md``), never a traceback. Every message is made safe to print: no control
characters or bidi overrides from the LRS, no credential (in any of its forms), no query string
of the endpoint.
"""

from __future__ import annotations

import base64
import binascii
import gc
import json
import socket
import threading
import time
import zlib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Final
from urllib.parse import quote, urlencode, urljoin, urlsplit

import httpx

from coursepack.credentials import ENV_AUTH, ENV_ENDPOINT, ENV_PASSWORD, ENV_USERNAME
from coursepack.errors import UserError
from coursepack.xapi.vocab import XAPI_VERSION

try:  # orjson parses a page of statements ~1.5x faster than the stdlib; optional.
    import orjson

    _loads: Any = orjson.loads
    _DECODE_ERRORS: tuple[type[Exception], ...] = (orjson.JSONDecodeError, UnicodeDecodeError)
except ImportError:  # pragma: no cover - depends on the environment
    _loads = json.loads
    _DECODE_ERRORS = (json.JSONDecodeError, UnicodeDecodeError)


def _parse(body: bytes) -> Any:
    """A page's JSON, with the cyclic garbage collector paused while it is parsed.

    A page of 500 statements is ~15,000 containers, alive until the parse ends and free of
    cycles (reference counting frees them with the page). Every collection the parse would
    trigger (one per 700 of them, and the older generations after) walks them for nothing:
    ~2.5 us a statement, a third of the parse (``bench/report.py``). The collector runs as
    usual before and after.
    """
    if not gc.isenabled():
        return _loads(body)
    gc.disable()
    try:
        return _loads(body)
    finally:
        gc.enable()


DEFAULT_PAGE_SIZE: Final = 500
DEFAULT_TIMEOUT: Final = 30.0  # seconds for each whole answer (connect, headers, body)
DEFAULT_MAX_PAGES: Final = 10_000  # pages per report (5,000,000 statements at 500 a page)
DEFAULT_MAX_ANSWER_BYTES: Final = 64 * 1024 * 1024  # per answer, after decompression
# Pages in a row without a statement but with a 'more' link: an LRS that pages through nothing.
MAX_EMPTY_PAGES: Final = 100
_ERROR_BODY_BYTES: Final = 64 * 1024  # read of an error answer, for its message
_STEP: Final = 256 * 1024  # most bytes one decompression step may produce

# Exit codes of the report command (documented in docs/report.md).
EXIT_USER: Final = 1
EXIT_UNREACHABLE: Final = 3
EXIT_AUTH_REFUSED: Final = 4
EXIT_BAD_RESPONSE: Final = 5
EXIT_LIMIT: Final = 6


class LrsError(UserError):
    """Something about the LRS (or talking to it) that the user has to fix."""

    exit_code = EXIT_BAD_RESPONSE


class LrsUnreachable(LrsError):
    """No (whole) HTTP answer in time: wrong host/port, DNS, TLS, the answer's deadline."""

    exit_code = EXIT_UNREACHABLE


class LrsAuthRefused(LrsError):
    """401 or 403."""

    exit_code = EXIT_AUTH_REFUSED


class LrsBadResponse(LrsError):
    """An answer that is not an xAPI statement result (or an unexpected status)."""

    exit_code = EXIT_BAD_RESPONSE

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class LrsLimitExceeded(LrsError):
    """The LRS sent more than a limit allows (pages per report, bytes per answer)."""

    exit_code = EXIT_LIMIT


# -- text that is safe to print ------------------------------------------------------------------

# Bidi embeddings, overrides, isolates and marks: they reorder what the terminal shows.
_BIDI: Final = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def printable(text: str) -> str:
    """``text`` on one line without C0/C1 control characters (escape sequences) or bidi controls.

    Controls become spaces (then runs of spaces one), bidi controls are dropped.
    """
    out = []
    for ch in text:
        code = ord(ch)
        if code < 0x20 or 0x7F <= code <= 0x9F:
            out.append(" ")
        elif ch not in _BIDI:
            out.append(ch)
    return " ".join("".join(out).split())


def secret_forms(auth: str | None) -> list[str]:
    """Every form in which the credential of an Authorization value may come back.

    The whole value, its token (``Basic``'s base64 or a bearer token), the decoded
    ``user:password`` and the password alone (when long enough not to be a common word),
    each also percent-encoded. Longest first, so a longer form is redacted whole.
    """
    if not auth:
        return []
    forms = {auth.strip()}
    scheme, _, token = auth.strip().partition(" ")
    token = token.strip()
    if token:
        forms.add(token)
        if scheme.lower() == "basic":
            try:
                decoded = base64.b64decode(token, validate=True).decode("utf-8")
            except (binascii.Error, ValueError):
                decoded = ""
            if decoded:
                forms.add(decoded)
                password = decoded.partition(":")[2]
                if len(password) >= 4:
                    forms.add(password)
    forms |= {quote(form, safe="") for form in list(forms)}
    return sorted((f for f in forms if len(f) >= 4), key=len, reverse=True)


def redact(text: str, secrets: Sequence[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, "***")
    return text


def shown_url(url: str) -> str:
    """``url`` as it may be printed: no ``user:password@``, no query string, no fragment."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        scheme, rest = "", url
    cut = min((i for i in (rest.find("?"), rest.find("#")) if i >= 0), default=-1)
    tail = ""
    if cut >= 0:
        rest, tail = rest[:cut], "?…"
    authority, slash, path = rest.partition("/")
    if "@" in authority:
        authority = "***@" + authority.rpartition("@")[2]
    return f"{scheme}{sep}{authority}{slash}{path}{tail}"


def normalise_endpoint(endpoint: str) -> str:
    """The xAPI base endpoint with exactly one trailing slash.

    A URL naming the statements resource itself (``.../statements``) is accepted and cut back
    to the endpoint, since that is an easy slip when copying from an LRS's settings page.
    """
    endpoint = endpoint.strip()
    try:
        parts = urlsplit(endpoint)
    except ValueError:  # e.g. "http://[::1" (an unclosed IPv6 host)
        parts = urlsplit("")
    shown = printable(shown_url(endpoint))
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UserError(
            f"LRS endpoint {shown!r} is not an http(s) URL "
            "(give the xAPI base URL, e.g. https://lrs.example.org/xAPI/)"
        )
    if "@" in parts.netloc:
        raise UserError(
            f"LRS endpoint {shown!r} must not contain credentials (user:password@): set "
            f"{ENV_USERNAME} and {ENV_PASSWORD}, or {ENV_AUTH}"
        )
    if parts.query or parts.fragment:
        raise UserError(
            f"LRS endpoint {shown!r} must not have a query string or fragment (it is not "
            f"shown here; credentials go in {ENV_USERNAME} and {ENV_PASSWORD}, or {ENV_AUTH})"
        )
    try:
        httpx.URL(endpoint)
    except httpx.InvalidURL:
        raise UserError(f"LRS endpoint {shown!r} is not a usable URL") from None
    path = parts.path.rstrip("/")
    if path.endswith("/statements"):
        path = path[: -len("/statements")]
    return f"{parts.scheme}://{parts.netloc}{path}/"


@dataclass(frozen=True)
class Page:
    """One page of a statement query: the raw items as the LRS sent them."""

    url: str
    statements: list[Any]
    more: str | None


@dataclass
class _Answer:
    status: int
    headers: httpx.Headers
    body: bytes


class _Deadline:
    """Cuts the connection when an answer's time is up, however the LRS trickles bytes.

    httpx's timeouts are per read; this one is for the whole answer. One watchdog thread per
    client (started with the first request, not one per request) shuts the socket down when
    the armed deadline passes, which wakes a blocked read. The socket is the one httpcore
    reports connecting (one origin, one request at a time: at most one connection).
    """

    def __init__(self) -> None:
        self.socket: socket.socket | None = None
        self.fired = False
        self.ends = 0.0  # the deadline of the current (or last) answer
        self._armed = False
        self._closed = False
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None

    def trace(self, event: str, info: Mapping[str, Any]) -> None:
        if event in ("connection.connect_tcp.complete", "connection.start_tls.complete"):
            stream = info.get("return_value")
            sock = stream.get_extra_info("socket") if stream is not None else None
            if isinstance(sock, socket.socket):
                with self._cond:
                    self.socket = sock
                    if self.fired:  # connected after the deadline: cut at once
                        self._cut()

    def start(self, seconds: float) -> None:
        with self._cond:
            self.fired = False
            self.ends = time.monotonic() + seconds
            self._armed = True
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._watch, name="coursepack-lrs-deadline", daemon=True
                )
                self._thread.start()
            self._cond.notify()

    def stop(self) -> None:
        with self._cond:
            self._armed = False
            self._cond.notify()

    def close(self) -> None:
        with self._cond:
            self._armed = False
            self._closed = True
            self._cond.notify()

    @property
    def passed(self) -> bool:
        return self.fired or time.monotonic() >= self.ends

    def _watch(self) -> None:
        with self._cond:
            while not self._closed:
                if not self._armed:
                    self._cond.wait()
                    continue
                left = self.ends - time.monotonic()
                if left > 0:
                    self._cond.wait(left)
                    continue
                self.fired = True
                self._armed = False
                self._cut()

    def _cut(self) -> None:
        if self.socket is not None:
            with suppress(OSError):
                self.socket.shutdown(socket.SHUT_RDWR)


class LrsClient:
    """Reads and writes statements on one LRS endpoint. Use as a context manager."""

    def __init__(
        self,
        endpoint: str,
        *,
        auth: str | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
        timeout: float = DEFAULT_TIMEOUT,
        max_pages: int = DEFAULT_MAX_PAGES,
        max_answer_bytes: int = DEFAULT_MAX_ANSWER_BYTES,
        xapi_version: str = XAPI_VERSION,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if page_size < 1:
            raise UserError(f"page size must be at least 1 (got {page_size})")
        self.endpoint = normalise_endpoint(endpoint)
        self.page_size = page_size
        self.timeout = timeout
        self.max_pages = max_pages
        self.max_answer_bytes = max_answer_bytes
        self.pages_read = 0
        self._auth = auth
        self._secrets = secret_forms(auth)
        # We decode the body ourselves (bounded steps), so we say which codings we can.
        headers = {
            "X-Experience-API-Version": xapi_version,
            "Accept": "application/json",
            "Accept-Encoding": "gzip, deflate",
        }
        if auth:
            headers["Authorization"] = auth
        self._origin = _origin(self.endpoint)
        self._deadline = _Deadline()
        self._http = httpx.Client(
            headers=headers,
            timeout=httpx.Timeout(timeout),
            transport=transport,
            follow_redirects=False,
        )

    @property
    def statements_url(self) -> str:
        return self.endpoint + "statements"

    def close(self) -> None:
        self._deadline.close()
        self._http.close()

    def __enter__(self) -> LrsClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- reading ------------------------------------------------------------------------------

    def pages(self, params: Mapping[str, str]) -> Iterator[Page]:
        """Every page of ``GET statements`` with ``params`` (``limit`` is added), in LRS order.

        Follows ``more`` until it is empty or absent, within ``max_pages`` for the client's
        whole life (every query of a report). Only one page is held at a time.
        """
        query = dict(params)
        query.setdefault("limit", str(self.page_size))
        url: str | None = f"{self.statements_url}?{urlencode(query)}"
        seen: set[str] = set()
        empty = 0
        while url is not None:
            with self._safe_errors():
                if url in seen:
                    raise LrsBadResponse(
                        f"{self.endpoint}: the LRS sent the same 'more' link twice"
                    )
                if self.pages_read >= self.max_pages:
                    raise LrsLimitExceeded(
                        f"{self.endpoint}: the LRS has more than {self.max_pages:,} pages for "
                        "this report (a 'more' link without end?); raise --max-pages if the "
                        "LRS really holds that many, or narrow the report with --since/--until"
                    )
                seen.add(url)
                self.pages_read += 1
                page = self._get_page(url)
                empty = empty + 1 if page.more and not page.statements else 0
                if empty >= MAX_EMPTY_PAGES:
                    raise LrsBadResponse(
                        f"{self.endpoint}: the LRS sent {MAX_EMPTY_PAGES} pages in a row without "
                        "a statement but with a 'more' link (a 'more' link without end?)"
                    )
                next_url = self._resolve_more(page.more) if page.more else None
            yield page
            url = next_url

    def statements(self, params: Mapping[str, str]) -> Iterator[Any]:
        """The raw statements of a query, page after page (see ``pages``)."""
        for page in self.pages(params):
            yield from page.statements

    def _resolve_more(self, more: str) -> str:
        # Host-relative ("/xapi/statements?..."), endpoint-relative ("statements?...") and
        # absolute links all resolve against the endpoint.
        try:
            url = urljoin(self.endpoint, more)
            origin = _origin(url)
        except ValueError:  # e.g. an unclosed IPv6 host
            raise LrsBadResponse(
                f"{self.endpoint}: the LRS's 'more' link is not a URL ({shown_url(more)[:80]!r})"
            ) from None
        if origin != self._origin:
            raise LrsBadResponse(
                f"{self.endpoint}: the LRS's 'more' link points to another server "
                f"({shown_url(more)[:120]!r}); not following it with your credentials"
            )
        return url

    def _get_page(self, url: str) -> Page:
        answer = self._request("GET", url)
        self._check_status(answer)
        try:
            data = _parse(answer.body)
        except _DECODE_ERRORS:
            raise LrsBadResponse(
                f"{self.endpoint}: not an xAPI response ({_describe_body(answer)}; "
                "check that --lrs is the LRS's xAPI endpoint)",
                answer.status,
            ) from None
        if not isinstance(data, dict) or not isinstance(data.get("statements"), list):
            raise LrsBadResponse(
                f"{self.endpoint}: not an xAPI statement result (no 'statements' list; "
                "check that --lrs is the LRS's xAPI endpoint)",
                answer.status,
            )
        more = data.get("more")
        if more is not None and not isinstance(more, str):
            raise LrsBadResponse(f"{self.endpoint}: the 'more' link of a page is not a string")
        return Page(url=url, statements=data["statements"], more=more or None)

    # -- writing ------------------------------------------------------------------------------

    def post_statements(self, statements: Sequence[Mapping[str, Any]], batch: int = 200) -> int:
        """POST statements in batches; returns how many the LRS took.

        A batch whose ids are already stored is not an error: LRSs answer 204 (identical) or,
        like Ralph, 409 for a re-sent id; the batch is then re-sent one statement at a time so
        the new ones still get stored.
        """
        stored = 0
        for start in range(0, len(statements), batch):
            chunk = list(statements[start : start + batch])
            with self._safe_errors():
                answer = self._request("POST", self.statements_url, json=chunk)
                if answer.status == 409 and len(chunk) > 1:
                    for statement in chunk:
                        stored += self.post_statements([statement], batch=1)
                    continue
                if answer.status == 409:
                    continue
                self._check_status(answer)
                if answer.status == 200:
                    try:
                        ids = _loads(answer.body)
                    except _DECODE_ERRORS:
                        ids = None
                    stored += len(ids) if isinstance(ids, list) else 0
        return stored

    # -- plumbing -----------------------------------------------------------------------------

    @contextmanager
    def _safe_errors(self) -> Iterator[None]:
        """Every message leaving the client: no credential, printable, one line."""
        try:
            yield
        except LrsError as error:
            error.message = printable(redact(error.message, self._secrets))  # type: ignore[misc]
            raise

    def _request(self, method: str, url: str, **kwargs: Any) -> _Answer:
        """One whole answer within the deadline, its body decoded and within the size limit.

        The body of an error answer (not 2xx) is read only as far as its message needs.
        """
        deadline = self._deadline
        deadline.start(self.timeout)
        try:
            request = self._http.build_request(method, url, **kwargs)
            request.extensions["trace"] = deadline.trace
            response = self._http.send(request, stream=True)
            try:
                status = response.status_code
                if 300 <= status < 400:
                    body = b""
                elif 200 <= status < 300:
                    body = self._read_body(response, self.max_answer_bytes, strict=True)
                else:
                    body = self._read_body(response, _ERROR_BODY_BYTES, strict=False)
            finally:
                response.close()
            if deadline.fired:
                raise httpx.ReadTimeout("deadline")
            return _Answer(status, response.headers, body)
        except httpx.InvalidURL:  # only a 'more' link can get here (see above)
            raise LrsBadResponse(
                f"{self.endpoint}: the LRS's 'more' link is not a usable URL"
            ) from None
        except httpx.DecodingError as error:
            raise LrsBadResponse(
                f"{self.endpoint}: the LRS sent a body that cannot be decoded ({error}; "
                "check the LRS or a proxy in front of it)"
            ) from None
        except httpx.TransportError as error:
            if deadline.passed or isinstance(error, httpx.TimeoutException):
                raise LrsUnreachable(
                    f"{self.endpoint}: the LRS did not answer within {self.timeout:g} s (is it "
                    "up? try again later, or allow more time with --timeout)"
                ) from None
            reason = str(error) or type(error).__name__
            raise LrsUnreachable(
                f"{self.endpoint}: cannot reach the LRS ({reason}; check --lrs / {ENV_ENDPOINT})"
            ) from None
        finally:
            deadline.stop()

    def _read_body(self, response: httpx.Response, limit: int, *, strict: bool) -> bytes:
        """The decoded body, streamed; over ``limit`` bytes: an error (``strict``) or cut."""
        declared = response.headers.get("content-length", "")
        coding = response.headers.get("content-encoding", "identity").strip().lower()
        if strict and coding in ("", "identity") and declared.isdigit() and int(declared) > limit:
            raise self._too_big(int(declared))
        try:
            decoder = _Decoder(coding)
        except ValueError:
            if not strict:
                return b""
            raise LrsBadResponse(
                f"{self.endpoint}: the LRS sent a body that cannot be decoded (content "
                f"encoding {coding[:40]!r}; check the LRS or a proxy in front of it)"
            ) from None
        body = bytearray()
        # A response made in memory (a mock transport) has been read already: its raw stream
        # can be iterated again.
        raws: Any = response.stream if response.is_stream_consumed else response.iter_raw()
        for raw in raws:
            for data in decoder.decode(raw):
                if len(body) + len(data) > limit:
                    if strict:
                        raise self._too_big(None)
                    body += data[: limit - len(body)]
                    return bytes(body)
                body += data
            if self._deadline.passed:
                raise httpx.ReadTimeout("deadline")
        for data in decoder.flush():
            if len(body) + len(data) > limit:
                if strict:
                    raise self._too_big(None)
                return bytes(body + data[: limit - len(body)])
            body += data
        return bytes(body)

    def _too_big(self, declared: int | None) -> LrsLimitExceeded:
        size = f"{declared:,} bytes" if declared is not None else "more"
        return LrsLimitExceeded(
            f"{self.endpoint}: an answer of the LRS is larger than {self.max_answer_bytes:,} "
            f"bytes ({size}; raise --max-answer-bytes if the LRS's pages really are that big, "
            "or ask for fewer statements a page with --page-size)"
        )

    def _check_status(self, answer: _Answer) -> None:
        status = answer.status
        if status in (200, 204):
            return
        if status == 401 and not self._auth:
            raise LrsAuthRefused(
                f"{self.endpoint}: the LRS wants credentials and none were given (401; set "
                f"{ENV_USERNAME} and {ENV_PASSWORD}, or {ENV_AUTH} to a whole Authorization "
                "value)"
            )
        if status == 401:
            raise LrsAuthRefused(
                f"{self.endpoint}: the LRS refused the credentials (401; set {ENV_USERNAME} and "
                f"{ENV_PASSWORD}, or {ENV_AUTH})"
            )
        if status == 403:
            raise LrsAuthRefused(
                f"{self.endpoint}: the LRS forbids this (403; these credentials may not read "
                "statements)"
            )
        if 300 <= status < 400:
            target = shown_url(answer.headers.get("location", "?"))[:200]
            raise LrsBadResponse(
                f"{self.endpoint}: the LRS redirects to {target} ({status}; use that URL as --lrs)",
                status,
            )
        if status == 404:
            raise LrsBadResponse(
                f"{self.endpoint}: no statements resource here (404; check that --lrs is the "
                "LRS's xAPI endpoint, often ending in /xAPI/ or /data/xAPI/)",
                status,
            )
        detail = _error_detail(answer.body)
        raise LrsBadResponse(f"{self.endpoint}: the LRS answered {status}{detail}", status)


class _Decoder:
    """A Content-Encoding decoder that never makes more than ``_STEP`` bytes at once."""

    def __init__(self, coding: str) -> None:
        self._zlib: Any = None
        self._raw_fallback = coding == "deflate"
        self._started = False
        if coding in ("", "identity"):
            return
        if coding in ("gzip", "x-gzip"):
            self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif coding == "deflate":
            self._zlib = zlib.decompressobj()  # zlib-wrapped; raw deflate is tried on error
        else:
            raise ValueError(coding)

    def decode(self, data: bytes) -> Iterator[bytes]:
        if self._zlib is None:
            if data:
                yield data
            return
        try:
            while data:
                out = self._zlib.decompress(data, _STEP)
                self._started = True
                if out:
                    yield out
                data = self._zlib.unconsumed_tail
        except zlib.error as error:
            if self._raw_fallback and not self._started:
                self._raw_fallback = False
                self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
                yield from self.decode(data)
                return
            raise httpx.DecodingError(str(error)) from None

    def flush(self) -> Iterator[bytes]:
        if self._zlib is None:
            return
        try:
            out = self._zlib.flush(_STEP)
        except zlib.error as error:
            raise httpx.DecodingError(str(error)) from None
        if out:
            yield out


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc.lower()


def _describe_body(answer: _Answer) -> str:
    content_type = answer.headers.get("content-type", "no content type").split(";")[0]
    start = printable(answer.body[:40].decode("utf-8", "replace"))
    content_type = printable(content_type)[:60]
    return f"got {content_type}, starting {start!r}" if start else f"got an empty {content_type}"


def _error_detail(body: bytes) -> str:
    """A short, single-line reason from an error body (LRSs put it in various places)."""
    try:
        data = _loads(body)
    except _DECODE_ERRORS:
        text = body[:120].decode("utf-8", "replace")
    else:
        if isinstance(data, dict):
            text = str(data.get("detail") or data.get("message") or data.get("error") or "")
        else:
            text = ""
    # One line, and nothing a terminal would run (escape sequences from the LRS's body).
    text = printable(text)[:160]
    return f": {text}" if text else ""
