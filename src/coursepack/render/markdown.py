"""Markdown from course files -> safe HTML fragments.

markdown-it (its Rust port) with raw HTML disabled (it is shown as text), links limited to
http(s), mailto and relative targets, images limited to files of the course's media folder,
and headings shifted below the page's own outline. Nothing here can produce a script, an
event-handler attribute or a link that runs code.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Collection
from html import unescape
from typing import Any
from urllib.parse import unquote, urlsplit

from markdown_it_pyrs import MarkdownIt
from markupsafe import Markup, escape

from coursepack.weburl import is_plain_web_url

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
_ALLOWED_SCHEMES = frozenset({"http", "https", "mailto"})


def is_safe_link(url: str) -> bool:
    """True for http(s) and mailto URLs and for relative references (no scheme, no host)."""
    if is_plain_web_url(url):  # the common case, decided without urlsplit
        return True
    return _is_safe_link_parsed(url)


def _is_safe_link_parsed(url: str) -> bool:
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
    """The normalised package path of a file under media/ (``media/x.png``, also written
    ``./media/x.png``), or None if it is not one."""
    if not url or _SCHEME.match(url) or url.startswith(("/", "//")) or "\\" in url:
        return None
    path = unquote(url.split("#", 1)[0].split("?", 1)[0])
    while path.startswith("./"):
        path = path[2:]
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


# markdown-it's Rust port panics (an "index out of bounds" in its code-span rule) on a '['
# followed by a backtick run that never closes ("[`x"): Rust prints the panic on the standard
# error stream and raises pyo3's PanicException, which is not an Exception. Such a run is
# literal text in CommonMark, so escaping it changes nothing a learner sees.
_TICK_RUN = re.compile(r"(?<![`\\])`+(?!`)")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


def _escape_open_code_spans(text: str) -> str:
    """``text`` with every backtick run that no run of as many backticks closes in its
    paragraph escaped (fences, at the start of a line, are left as they are)."""
    out: list[str] = []
    for chunk in re.split(r"(\n[ \t]*\n)", text):
        runs = list(_TICK_RUN.finditer(chunk))
        lengths: dict[int, list[int]] = {}
        for index, run in enumerate(runs):
            lengths.setdefault(len(run.group()), []).append(index)
        closed: set[int] = set()
        for same in lengths.values():
            closed.update(same[: len(same) // 2 * 2])
        pieces, last = [], 0
        for index, run in enumerate(runs):
            start = run.start()
            line_start = chunk.rfind("\n", 0, start) + 1
            fence = len(run.group()) >= 3 and not chunk[line_start:start].strip(" >-*+0123456789.")
            if index in closed or fence:
                continue
            pieces.append(chunk[last:start] + "\\`" * len(run.group()))
            last = run.end()
        out.append("".join(pieces) + chunk[last:])
    return "".join(out)


class _QuietStderr:
    """Send the process's standard error (file descriptor 2) to /dev/null for a moment: what a
    Rust panic prints there is not for the user (the panic itself is handled)."""

    _null = -1  # /dev/null, opened once for every use

    def __enter__(self) -> None:
        if _QuietStderr._null < 0:
            _QuietStderr._null = os.open(os.devnull, os.O_WRONLY | os.O_CLOEXEC)
        self._saved = os.dup(2)
        os.dup2(_QuietStderr._null, 2)

    def __exit__(self, *exc: object) -> None:
        os.dup2(self._saved, 2)
        os.close(self._saved)


def _is_panic(exc: BaseException) -> bool:
    return type(exc).__name__ == "PanicException"


def render_html(md: MarkdownIt, text: str) -> str:
    """``md.render(text)``, never a panic of the parser: text that makes it panic is rendered
    with its unclosed code spans escaped, or else shown as escaped text."""
    if "`" not in text or "[" not in text:
        return md.render(text)
    for escaped in (False, True):  # the escaped text only when the text itself panics
        try:
            with _QuietStderr():
                return md.render(_escape_open_code_spans(text) if escaped else text)
        except BaseException as exc:
            if not _is_panic(exc):
                raise
    return "".join(f"<p>{escape(p.strip())}</p>\n" for p in _PARAGRAPH_BREAK.split(text))


# what nothing in Markdown reads as syntax: not a block's start, no character that may open or
# end anything inline, one line without spaces around it (or anything a parser could take as
# such). The parser makes it one paragraph and escapes only its '"' (the others are not here).
_NOT_PLAIN = r"\\`*_\[\]<>&|~\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff"
_PLAIN_PARAGRAPH = re.compile(
    r"(?![0-9]{1,9}[.)])"  # not an ordered list's item
    rf"[^\s#>+=\-{_NOT_PLAIN}]"  # nor a heading, quote, list item, rule or indented code
    rf"[^{_NOT_PLAIN}]*+(?<!\s)"  # (possessive: text with syntax fails at once)
)


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
        if _PLAIN_PARAGRAPH.fullmatch(text):  # what the parser would make of it, without it
            return Markup("<p>" + text.replace('"', "&quot;") + "</p>\n")
        if not text.strip():
            return Markup("")
        html = render_html(self._md, text)
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
        if "&" not in href_attr and is_plain_web_url(href_attr):
            # a plain web page (what most links are): safe, external, not media, not mail
            return (
                f'<a href="{href_attr}"{title_attr} target="_blank" rel="noopener noreferrer">'
                f"{content}{self._new_tab}</a>"
            )
        href = unescape(href_attr)
        if not is_safe_link(href):
            return content  # the text stays; the link goes
        if href.startswith("#"):
            return match.group(0)  # stays inside the page
        media = media_path(href)
        if media is not None and media in self._media:
            href_attr = str(escape(media))
        elif not (is_external_link(href) or href.lower().startswith("mailto:")):
            return content  # a relative link to nothing in the package: the text stays
        if href.lower().startswith("mailto:"):
            return match.group(0)  # opens the mail program; the course stays
        # a page or a media file: in a new tab, so the course never leaves its frame
        return (
            f'<a href="{href_attr}"{title_attr} target="_blank" rel="noopener noreferrer">'
            f"{content}{self._new_tab}</a>"
        )

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
    match = _PARAGRAPH.search(render_html(md, markdown)) if markdown.strip() else None
    if match is None:
        return ""
    text = " ".join(unescape(_TAG.sub("", match.group(1))).split())
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text
