"""A small xAPI LRS client: reads statement pages (following ``more``) and posts statements.

Written for the standard (xAPI 1.0.3, Communication §2.1) and tolerant of the differences seen
between LRSs: ``more`` links that are host-relative (``/xapi/statements?...``), relative to the
endpoint (``statements?...``) or absolute; no ``/about`` resource; any sort order.

Every failure becomes one of the ``LrsError`` classes below: a one-line message and an exit code
(see ``docs/report.md``), never a traceback.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Final
from urllib.parse import urlencode, urljoin, urlsplit

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

DEFAULT_PAGE_SIZE: Final = 500
DEFAULT_TIMEOUT: Final = 30.0

# Exit codes of the report command (documented in docs/report.md).
EXIT_USER: Final = 1
EXIT_UNREACHABLE: Final = 3
EXIT_AUTH_REFUSED: Final = 4
EXIT_BAD_RESPONSE: Final = 5


class LrsError(UserError):
    """Something about the LRS (or talking to it) that the user has to fix."""

    exit_code = EXIT_BAD_RESPONSE


class LrsUnreachable(LrsError):
    """No HTTP answer at all: wrong host/port, DNS, TLS, timeout."""

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
    shown = _without_userinfo(endpoint)
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
        raise UserError(f"LRS endpoint {shown!r} must not have a query string or fragment")
    try:
        httpx.URL(endpoint)
    except httpx.InvalidURL as error:
        raise UserError(f"LRS endpoint {shown!r} is not a usable URL ({error})") from None
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


class LrsClient:
    """Reads and writes statements on one LRS endpoint. Use as a context manager."""

    def __init__(
        self,
        endpoint: str,
        *,
        auth: str | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
        timeout: float = DEFAULT_TIMEOUT,
        xapi_version: str = XAPI_VERSION,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if page_size < 1:
            raise UserError(f"page size must be at least 1 (got {page_size})")
        self.endpoint = normalise_endpoint(endpoint)
        self.page_size = page_size
        headers = {"X-Experience-API-Version": xapi_version, "Accept": "application/json"}
        if auth:
            headers["Authorization"] = auth
        self._origin = _origin(self.endpoint)
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

        Follows ``more`` until it is empty or absent. Only one page is held at a time.
        """
        query = dict(params)
        query.setdefault("limit", str(self.page_size))
        url: str | None = f"{self.statements_url}?{urlencode(query)}"
        seen: set[str] = set()
        while url is not None:
            if url in seen:
                raise LrsBadResponse(f"{self.endpoint}: the LRS sent the same 'more' link twice")
            seen.add(url)
            page = self._get_page(url)
            yield page
            url = self._resolve_more(page.more) if page.more else None

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
                f"{self.endpoint}: the LRS's 'more' link is not a URL ({more[:80]!r})"
            ) from None
        if origin != self._origin:
            raise LrsBadResponse(
                f"{self.endpoint}: the LRS's 'more' link points to another server ({more!r}); "
                "not following it with your credentials"
            )
        return url

    def _get_page(self, url: str) -> Page:
        response = self._request("GET", url)
        self._check_status(response)
        try:
            data = _loads(response.content)
        except _DECODE_ERRORS:
            raise LrsBadResponse(
                f"{self.endpoint}: not an xAPI response ({_describe_body(response)}; "
                "check that --lrs is the LRS's xAPI endpoint)",
                response.status_code,
            ) from None
        if not isinstance(data, dict) or not isinstance(data.get("statements"), list):
            raise LrsBadResponse(
                f"{self.endpoint}: not an xAPI statement result (no 'statements' list; "
                "check that --lrs is the LRS's xAPI endpoint)",
                response.status_code,
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
            response = self._request("POST", self.statements_url, json=chunk)
            if response.status_code == 409 and len(chunk) > 1:
                for statement in chunk:
                    stored += self.post_statements([statement], batch=1)
                continue
            if response.status_code == 409:
                continue
            self._check_status(response)
            if response.status_code == 200:
                ids = _loads(response.content)
                stored += len(ids) if isinstance(ids, list) else 0
        return stored

    # -- plumbing -----------------------------------------------------------------------------

    def _request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        try:
            return self._http.request(method, url, **kwargs)
        except httpx.InvalidURL as error:  # only a 'more' link can get here (see above)
            raise LrsBadResponse(
                f"{self.endpoint}: the LRS's 'more' link is not a usable URL ({error})"
            ) from None
        except httpx.DecodingError as error:
            raise LrsBadResponse(
                f"{self.endpoint}: the LRS sent a body that cannot be decoded ({error}; "
                "check the LRS or a proxy in front of it)"
            ) from None
        except httpx.TimeoutException:
            raise LrsUnreachable(
                f"{self.endpoint}: the LRS did not answer in time (is it up? try again later)"
            ) from None
        except httpx.TransportError as error:
            reason = str(error) or type(error).__name__
            raise LrsUnreachable(
                f"{self.endpoint}: cannot reach the LRS ({reason}; check --lrs / {ENV_ENDPOINT})"
            ) from None

    def _check_status(self, response: httpx.Response) -> None:
        status = response.status_code
        if status in (200, 204):
            return
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
            target = response.headers.get("location", "?")
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
        detail = _error_detail(response)
        raise LrsBadResponse(f"{self.endpoint}: the LRS answered {status}{detail}", status)


def _without_userinfo(url: str) -> str:
    """``url`` with any ``user:password@`` replaced by ``***@``, for messages."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    authority, slash, path = rest.partition("/")
    if "@" in authority:
        authority = "***@" + authority.rpartition("@")[2]
    return f"{scheme}{sep}{authority}{slash}{path}"


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc.lower()


def _describe_body(response: httpx.Response) -> str:
    content_type = response.headers.get("content-type", "no content type").split(";")[0]
    start = response.content[:40].decode("utf-8", "replace").strip().replace("\n", " ")
    return f"got {content_type}, starting {start!r}" if start else f"got an empty {content_type}"


def _error_detail(response: httpx.Response) -> str:
    """A short, single-line reason from an error body (LRSs put it in various places)."""
    try:
        data = _loads(response.content)
    except _DECODE_ERRORS:
        text = response.content[:120].decode("utf-8", "replace")
    else:
        if isinstance(data, dict):
            text = str(data.get("detail") or data.get("message") or data.get("error") or "")
        else:
            text = ""
    # One line, and nothing a terminal would run (escape sequences from the LRS's body).
    text = " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())[:160]
    return f": {text}" if text else ""
