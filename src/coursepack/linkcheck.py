"""``validate --check-links``: fetch every web address of a course and report the dead ones.

Each address is asked once (HEAD, then GET where a server refuses HEAD), concurrently, with a
time limit per request and one for the whole check. Redirects are followed (at most 10); a
permanent one (301, 308) is reported so the author can link the new address. A dead link (an
answer of 400 or more, no such host, no answer in time) is a problem at the place it is written.
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from urllib.parse import urljoin

import httpx

from coursepack import __version__
from coursepack.errors import Problem
from coursepack.model import Position

REQUEST_TIMEOUT = 10.0  # seconds for one answer
TOTAL_TIMEOUT = 120.0  # seconds for the whole check
CONCURRENCY = 8
MAX_REDIRECTS = 10
#: a HEAD refused with one of these is asked again with GET
_RETRY_WITH_GET = frozenset({403, 404, 405, 406, 429, 500, 501, 502, 503})


@dataclass(frozen=True)
class LinkResult:
    url: str
    status: int | None  # the final answer's status; None: no answer
    reason: str  # why it is dead ("404 Not Found", "no such host", "no answer in 10 s")
    moved_to: str | None = None  # where a permanent redirect leads

    @property
    def dead(self) -> bool:
        return self.status is None or self.status >= 400


def _check_one(client: httpx.Client, url: str) -> LinkResult:
    moved_to: str | None = None
    current = url
    for _ in range(MAX_REDIRECTS + 1):
        try:
            response = client.head(current)
            if response.status_code in _RETRY_WITH_GET:
                with client.stream("GET", current) as streamed:  # the body is not read
                    response = streamed
        except httpx.TimeoutException:
            return LinkResult(url, None, f"no answer in {REQUEST_TIMEOUT:.0f} s", moved_to)
        except httpx.ConnectError as error:
            reason = "no such host" if "name" in str(error).lower() else "cannot connect"
            return LinkResult(url, None, reason, moved_to)
        except (httpx.HTTPError, ValueError) as error:
            return LinkResult(url, None, type(error).__name__, moved_to)
        status = response.status_code
        if status in (301, 302, 303, 307, 308) and "location" in response.headers:
            target = urljoin(current, response.headers["location"])
            if status in (301, 308) and moved_to is None:
                moved_to = target
            current = target
            continue
        phrase = response.reason_phrase or ""
        return LinkResult(url, status, f"{status} {phrase}".strip(), moved_to)
    return LinkResult(url, None, "too many redirects", moved_to)


def _check_all(urls: list[str]) -> dict[str, LinkResult]:
    """Every URL asked concurrently (threads: this may run where an event loop already does)."""
    headers = {"User-Agent": f"coursepack/{__version__} (link check)"}
    limits = httpx.Limits(max_connections=CONCURRENCY)
    results: dict[str, LinkResult] = {}
    with httpx.Client(
        timeout=REQUEST_TIMEOUT, follow_redirects=False, limits=limits, headers=headers
    ) as client:
        pool = ThreadPoolExecutor(max_workers=CONCURRENCY, thread_name_prefix="linkcheck")
        try:
            futures = {pool.submit(_check_one, client, url): url for url in urls}
            done, _ = wait(futures, timeout=TOTAL_TIMEOUT)
            for future, url in futures.items():
                if future in done and future.exception() is None:
                    results[url] = future.result()
                else:
                    results[url] = LinkResult(
                        url, None, f"not checked within {TOTAL_TIMEOUT:.0f} s"
                    )
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
    return results


def check_links(places: Iterable[tuple[str, Position]]) -> list[Problem]:
    """Problems for the dead and moved links among ``places`` (url, where it is written)."""
    by_url: dict[str, list[Position]] = {}
    for url, pos in places:
        by_url.setdefault(url, []).append(pos)
    if not by_url:
        return []
    results = _check_all(sorted(by_url))
    problems: list[Problem] = []
    for url, result in sorted(results.items()):
        for pos in by_url[url]:
            if result.dead:
                problems.append(
                    Problem(
                        pos,
                        f"dead link {url} ({result.reason})",
                        "fix the address or remove the link",
                    )
                )
            elif result.moved_to:
                problems.append(
                    Problem(
                        pos,
                        f"permanent redirect: {url} now lives at {result.moved_to}",
                        "link the new address",
                        severity="warning",
                    )
                )
    return problems
