"""Markdown from course files -> safe HTML fragments.

markdown-it (its Rust port) with raw HTML disabled (it is shown as text), links limited to
http(s), mailto and relative targets, images limited to files of the course's media folder,
and headings shifted below the page's own outline. Nothing here can produce a script, an
event-handler attribute or a link that runs code.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Collection
from html import unescape
from typing import Any
from urllib.parse import unquote, urlsplit

from markdown_it_pyrs import MarkdownIt
from markupsafe import Markup, escape

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
_ALLOWED_SCHEMES = frozenset({"http", "https", "mailto"})


def is_safe_link(url: str) -> bool:
    """True for http(s) and mailto URLs and for relative references (no scheme, no host)."""
    url = url.strip()
    if not url or "\\" in url or _CONTROL.search(url):
        return False
    match = _SCHEME.match(url)
    if match:
        scheme = match.group(1).lower()
        if scheme not in _ALLOWED_SCHEMES:
            return False
        if scheme in ("http", "https"):
            try:
                parts = urlsplit(url)
            except ValueError:  # "http://[x": an unclosed IPv6 host, ...
                return False
            return bool(parts.netloc) and parts.username is None
        return True
    # no scheme: relative; refuse protocol-relative "//host" (it would load from the internet)
    return not url.startswith("//")


def is_external_link(url: str) -> bool:
    return url.lower().startswith(("http://", "https://"))


def media_path(url: str) -> str | None:
    """The normalised package path of an image under media/, or None if it is not one."""
    if not url or _SCHEME.match(url) or url.startswith(("/", "//")) or "\\" in url:
        return None
    path = unquote(url.split("#", 1)[0].split("?", 1)[0])
    if any(part in ("", ".", "..") for part in path.split("/")):
        return None
    norm = posixpath.normpath(path)
    if not norm.startswith("media/") or norm != path:
        return None
    return norm


_ANCHOR = re.compile(r'<a href="([^"]*)"((?: title="[^"]*")?)>(.*?)</a>', re.DOTALL)
_IMAGE = re.compile(r'<img src="([^"]*)" alt="([^"]*)"((?: title="[^"]*")?) />')
_HEADING_TAG = re.compile(r"<(/?)h([1-6])>")
# CommonMark without raw HTML (html_block/html_inline stay off: such text is escaped), plus
# GFM tables and strikethrough
_PLUGINS: list[Any] = [
    *("blockquote", "code", "fence", "heading", "hr", "lheading", "list", "paragraph"),
    *("reference", "autolink", "backticks", "emphasis", "entity", "escape", "image", "link"),
    *("newline", "table", "strikethrough"),
]


class MarkdownRenderer:
    """Renders course Markdown; one instance per course (it knows the media files).

    The parser is markdown-it's Rust port (about 50 times faster than markdown-it-py, which
    decides build time for large courses). Its HTML is regular - every literal '<' of the text
    is escaped - so links, images and headings are rewritten here with exact patterns.
    """

    def __init__(
        self,
        *,
        media: Collection[str] = (),
        heading_offset: int = 2,
        new_tab_text: str = "",
    ) -> None:
        self._media = frozenset(media)
        self._heading_offset = heading_offset
        self._new_tab = (
            f' <span class="cp-sr-only">{escape(new_tab_text)}</span>' if new_tab_text else ""
        )
        md = MarkdownIt("zero")
        md.enable_many(_PLUGINS)
        self._md = md

    def render(self, text: str) -> Markup:
        """Safe HTML for a Markdown text (an empty Markup for blank text)."""
        if not text.strip():
            return Markup("")
        html = self._md.render(text)
        if "<a " in html:
            html = _ANCHOR.sub(self._link, html)
        if "<img " in html:
            html = _IMAGE.sub(self._image, html)
        if "<h" in html or "</h" in html:
            html = _HEADING_TAG.sub(self._heading, html)
        if "<table>" in html:
            html = html.replace("<table>", '<div class="cp-table-wrap">\n<table>')
            html = html.replace("</table>", "</table>\n</div>")
        return Markup(html.strip() + "\n")

    def _link(self, match: re.Match[str]) -> str:
        href_attr, title_attr, content = match.group(1), match.group(2), match.group(3)
        href = unescape(href_attr)
        if not is_safe_link(href):
            return content  # the text stays; the link goes
        if is_external_link(href):
            return (
                f'<a href="{href_attr}"{title_attr} target="_blank" rel="noopener noreferrer">'
                f"{content}{self._new_tab}</a>"
            )
        return match.group(0)

    def _image(self, match: re.Match[str]) -> str:
        src_attr, alt_attr, title_attr = match.group(1), match.group(2), match.group(3)
        path = media_path(unescape(src_attr))
        if path is None or path not in self._media:
            return alt_attr  # already escaped by the parser: readable text, no request
        return f'<img src="{escape(path)}" alt="{alt_attr}"{title_attr} loading="lazy">'

    def _heading(self, match: re.Match[str]) -> str:
        level = min(int(match.group(2)) + self._heading_offset, 6)
        return f"<{match.group(1)}h{level}>"


_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.DOTALL)
_TAG = re.compile(r"<[^>]+>")


def plain_first_paragraph(markdown: str, limit: int = 500) -> str:
    """The plain text of the first paragraph of some Markdown (for manifest descriptions)."""
    md = MarkdownIt("zero")
    md.enable_many(_PLUGINS)
    match = _PARAGRAPH.search(md.render(markdown)) if markdown.strip() else None
    if match is None:
        return ""
    text = " ".join(unescape(_TAG.sub("", match.group(1))).split())
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text
