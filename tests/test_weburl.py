"""Plain web URLs split as urlsplit splits them."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from coursepack.weburl import is_plain_web_url, split_url, split_web_url


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org",
        "HTTP://Example.ORG:8080/a/b.pdf?x=1&y=2#top",
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=1m5s",
        "https://youtu.be/dQw4w9WgXcQ?t=90",
        "https://example.org/a#frag?not-a-query",
        "https://example.org?q=1",
        "https://example.org#",
        "https://example.org:/é?",
    ],
)
def test_a_plain_web_url_is_split_into_the_parts_urlsplit_gives(url: str) -> None:
    assert split_web_url(url) == urlsplit(url)
    assert is_plain_web_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://user@example.org/",
        "https://[::1]/",
        "https://example.org/a b",
        "https://example.org/a\\b",
        " https://example.org/",
        "ftp://example.org/",
        "mailto:a@example.org",
        "media/clip.mp4",
        "https://exämple.org/",
    ],
)
def test_any_other_url_is_left_to_urlsplit(url: str) -> None:
    assert split_web_url(url) is None
    assert not is_plain_web_url(url)
    assert split_url(url) == urlsplit(url)


def test_split_url_refuses_what_urlsplit_refuses() -> None:
    with pytest.raises(ValueError):
        urlsplit("http://[x")
    with pytest.raises(ValueError):
        split_url("http://[x")
