"""Markdown the parser once panicked or crashed on renders, or is refused before rendering."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys

import pytest

from coursepack.render.markdown import (
    MarkdownRenderer,
    _escape_open_code_spans,
    _is_safe_link_parsed,
    is_safe_link,
)


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("[`", "<p>[`</p>\n"),
        ("a [`b` and `c", "<p>a [<code>b</code> and `c</p>\n"),
        ("> [`x", "<blockquote>\n<p>[`x</p>\n</blockquote>\n"),
        ("```\n[`\n```", "<pre><code>[`\n</code></pre>\n"),
    ],
)
def test_a_bracket_before_an_unclosed_code_span_renders_as_text(text: str, html: str) -> None:
    # markdown-it's Rust port panics here (index out of bounds in its code-span rule)
    assert str(MarkdownRenderer().render(text)) == html


def test_short_texts_of_brackets_backticks_and_delimiters_never_raise() -> None:
    renderer = MarkdownRenderer()
    parts = ["*", "`", "``", "[", "](", "]", " ", "a", "\n", "\n\n", "!", ">"]
    for size in range(1, 5):
        for combo in itertools.product(parts, repeat=size):
            renderer.render("".join(combo))


def test_escaping_open_code_spans_keeps_closed_ones_and_fences() -> None:
    text = "`a` [`b\n\n```\ncode\n```"
    assert _escape_open_code_spans(text) == "`a` [\\`b\n\n```\ncode\n```"


def test_a_panic_prints_nothing_on_standard_error() -> None:
    code = "from coursepack.render.markdown import MarkdownRenderer as M; M().render('[`')"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=dict(os.environ)
    )
    assert result.returncode == 0 and result.stderr == ""


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org",
        "http://example.org:8080/a/b?c=d#e",
        "HTTPS://EXAMPLE.ORG/",
        "https://example.org/path@with/at",
        "https://user@example.org/",
        "https://user:pw@example.org/",
        "https://[::1]/",
        "http://[x/",
        "https:///nohost",
        "https://",
        "https://exa mple.org",
        "https://example.org/a b",
        "https://example.org\\evil",
        " https://example.org ",
        "https://example.org/\x7f",
        "https://example.org/é",
        "https://ex_ample.org/",
        "javascript:alert(1)",
        "//evil.example/x",
        "media/a.png",
    ],
)
def test_the_quick_answer_for_plain_web_urls_is_the_parsed_one(url: str) -> None:
    # is_safe_link decides plain http(s) URLs without urlsplit: never differently from it
    assert is_safe_link(url) == _is_safe_link_parsed(url)
