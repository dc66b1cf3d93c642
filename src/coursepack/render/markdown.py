"""Markdown from course files -> safe HTML fragments.

markdown-it-py with raw HTML disabled (it is shown as text), links limited to http(s), mailto
and relative targets, images limited to files of the course's media folder, and headings
shifted below the page's own outline. Nothing here can produce a script, an event-handler
attribute or a link that runs code.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Collection, Sequence
from typing import Any
from urllib.parse import unquote, urlsplit

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from markupsafe import Markup, escape

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
_ALLOWED_SCHEMES = frozenset({"http", "https", "mailto"})


def is_safe_link(url: str) -> bool:
    """True for http(s) and mailto URLs and for relative references (no scheme, no host)."""
    url = url.strip()
    if not url or "\\" in url or any(ord(c) < 0x20 or ord(c) == 0x7F for c in url):
        return False
    match = _SCHEME.match(url)
    if match:
        scheme = match.group(1).lower()
        if scheme not in _ALLOWED_SCHEMES:
            return False
        if scheme in ("http", "https"):
            parts = urlsplit(url)
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


def _as_rule(method: Callable[..., str]) -> Callable[..., str]:
    """markdown-it binds a render rule to its renderer; wrap a bound method as a function."""

    def rule(renderer: RendererHTML, *args: Any) -> str:
        return method(renderer, *args)

    return rule


class MarkdownRenderer:
    """Renders course Markdown; one instance per course (it knows the media files)."""

    def __init__(
        self,
        *,
        media: Collection[str] = (),
        heading_offset: int = 2,
        new_tab_text: str = "",
    ) -> None:
        self._media = frozenset(media)
        self._heading_offset = heading_offset
        self._new_tab_text = new_tab_text
        md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
        md.enable(["table", "strikethrough"])
        md.validateLink = is_safe_link  # type: ignore[method-assign]
        rules: dict[str, Callable[..., str]] = {
            "link_open": self._link_open,
            "link_close": self._link_close,
            "image": self._image,
            "heading_open": self._heading_open,
            "heading_close": self._heading_close,
            "table_open": self._table_open,
            "table_close": self._table_close,
        }
        for name, rule in rules.items():
            md.add_render_rule(name, _as_rule(rule))
        self._md = md

    def render(self, text: str) -> Markup:
        """Safe HTML for a Markdown text (an empty Markup for blank text)."""
        if not text.strip():
            return Markup("")
        return Markup(self._md.render(text).strip() + "\n")

    def render_inline(self, text: str) -> Markup:
        return Markup(self._md.renderInline(text))

    # -- render rules --------------------------------------------------------------------

    def _link_open(
        self,
        renderer: RendererHTML,
        tokens: Sequence[Token],
        idx: int,
        options: OptionsDict,
        env: EnvType,
    ) -> str:
        token = tokens[idx]
        href = str(token.attrGet("href") or "")
        if not is_safe_link(href):  # belt and braces: validateLink already refused it
            token.attrSet("href", "#")
        # only href/title survive; markdown-it sets nothing else, but be explicit
        token.attrs = {k: v for k, v in token.attrs.items() if k in ("href", "title")}
        if is_external_link(href):
            token.attrSet("target", "_blank")
            token.attrSet("rel", "noopener noreferrer")
            token.meta = {**(token.meta or {}), "external": True}
        return renderer.renderToken(tokens, idx, options, env)

    def _link_close(
        self,
        renderer: RendererHTML,
        tokens: Sequence[Token],
        idx: int,
        options: OptionsDict,
        env: EnvType,
    ) -> str:
        # find the matching link_open to know whether it was external
        level = tokens[idx].level
        opener: Token | None = None
        for j in range(idx - 1, -1, -1):
            if tokens[j].type == "link_open" and tokens[j].level == level:
                opener = tokens[j]
                break
        suffix = ""
        if opener is not None and (opener.meta or {}).get("external") and self._new_tab_text:
            suffix = f' <span class="cp-sr-only">{escape(self._new_tab_text)}</span>'
        return suffix + renderer.renderToken(tokens, idx, options, env)

    def _image(
        self,
        renderer: RendererHTML,
        tokens: Sequence[Token],
        idx: int,
        options: OptionsDict,
        env: EnvType,
    ) -> str:
        token = tokens[idx]
        alt = renderer.renderInlineAsText(token.children or [], options, env)
        path = media_path(str(token.attrGet("src") or ""))
        if path is None or path not in self._media:
            return str(escape(alt))
        title = token.attrGet("title")
        title_attr = f' title="{escape(str(title))}"' if title else ""
        return f'<img src="{escape(path)}" alt="{escape(alt)}"{title_attr} loading="lazy">'

    def _heading_open(
        self,
        renderer: RendererHTML,
        tokens: Sequence[Token],
        idx: int,
        options: OptionsDict,
        env: EnvType,
    ) -> str:
        return f"<{self._shift(tokens[idx].tag)}>"

    def _heading_close(
        self,
        renderer: RendererHTML,
        tokens: Sequence[Token],
        idx: int,
        options: OptionsDict,
        env: EnvType,
    ) -> str:
        return f"</{self._shift(tokens[idx].tag)}>\n"

    def _table_open(self, renderer: RendererHTML, tokens: Sequence[Token], *args: Any) -> str:
        return '<div class="cp-table-wrap">\n<table>\n'

    def _table_close(self, renderer: RendererHTML, tokens: Sequence[Token], *args: Any) -> str:
        return "</table>\n</div>\n"

    def _shift(self, tag: str) -> str:
        level = int(tag[1:]) + self._heading_offset
        return f"h{min(level, 6)}"
