"""Plain web URLs split without ``urllib.parse.urlsplit``'s general parsing.

Almost every URL of a course is an http(s) address with a plain host name and no spaces; the
page, the manifests and the checks split each one several times (embeds, titles, hosts).
"""

from __future__ import annotations

import re
from urllib.parse import SplitResult, urlsplit

__all__ = ["is_plain_web_url", "split_url", "split_web_url"]

# an http(s) URL whose host is letters, digits, dots and dashes (perhaps with a port), then
# nothing or a path, query or fragment without spaces, controls or backslashes
_PLAIN_WEB_PARTS = re.compile(
    r"(https?)://([A-Za-z0-9.\-]+(?::[0-9]*)?)([/?#][^\x00-\x20\x7f\\]*)?", re.IGNORECASE
)


def split_web_url(url: str) -> SplitResult | None:
    """``urlsplit(url)`` of a plain web URL, the same parts without the general parsing;
    None for any other URL (ask ``urlsplit``)."""
    match = _PLAIN_WEB_PARTS.fullmatch(url)
    if match is None:
        return None
    scheme, netloc, rest = match.group(1, 2, 3)
    rest, _, fragment = (rest or "").partition("#")
    path, _, query = rest.partition("?")
    return SplitResult(scheme.lower(), netloc, path, query, fragment)


def is_plain_web_url(url: str) -> bool:
    """An http(s) URL with a plain host and nothing ``urlsplit`` would read twice: what almost
    every link of a course is (a host, no user, no spaces, controls or backslashes)."""
    return _PLAIN_WEB_PARTS.fullmatch(url) is not None


def split_url(url: str) -> SplitResult:
    """``urlsplit(url)``, without its general parsing for a plain web URL; raises ValueError as
    ``urlsplit`` does ("http://[x": an unclosed IPv6 host)."""
    return split_web_url(url) or urlsplit(url)
