"""Display titles of items: the author's, or one made from the URL or the TASK prompt.

Part of rendering, kept in a module of its own because the manifests (tincan.xml activity
names), the runtime configuration and the report show the same titles as the page. Words
come from the language tables ("Video on YouTube" is ``title.videoOn`` in the course language).
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import parse_qs, unquote

from coursepack.i18n import course_words
from coursepack.i18n import words as language_words
from coursepack.model import Course, Item
from coursepack.weburl import split_url

# file endings dropped from a title made from a URL (documents keep theirs, in capitals)
_TITLE_EXTENSIONS = frozenset(
    {"pdf", "docx", "pptx", "html", "htm", "php", "aspx"}
    | {"mp4", "m4v", "webm", "mov", "ogv", "mp3", "m4a", "ogg", "oga", "wav"}
)
_DOCUMENTS = frozenset({"pdf", "docx", "pptx"})
_VIDEO_HOSTS = {"youtube.com": "YouTube", "youtu.be": "YouTube", "m.youtube.com": "YouTube"}


def display_title(course: Course, item: Item) -> str:
    """The title shown for ``item`` of ``course``: its author's, or one made from its URL or
    prompt, in the course's words (its language, and its own ``words:``)."""
    words = course_words(course.language, course.words)
    return _item_title(item, words["title.videoOn"])


def item_title(item: Item, language: str) -> str:
    """The title of ``item`` in ``language``'s words (without a course's own words)."""
    return _item_title(item, language_words(language)["title.videoOn"])


def _item_title(item: Item, video_on: str) -> str:
    if item.explicit_title:
        return item.explicit_title
    question = item.check.question_md if item.check is not None else None
    return _title(item.prompt or "" if item.is_task else None, question, item.url, video_on)


@lru_cache(maxsize=65536)
def _title(prompt: str | None, question: str | None, url: str | None, video_on: str) -> str:
    # cached: the page, the configuration, the manifests and the report all ask for it (keyed
    # on the texts it is made from, whose hashes Python keeps, rather than on the whole item)
    if prompt is not None:
        return task_title(prompt)
    if question is not None:
        return task_title(question)
    return link_title(url or "", video_on)


def task_title(prompt: str, limit: int = 80) -> str:
    """The first sentence of a prompt, on one line, at most ``limit`` characters."""
    prompt = " ".join(prompt.split())
    first = re.split(r"(?<=[?.!])\s", prompt, maxsplit=1)[0].strip()
    if len(first) > limit:
        first = first[: limit - 1].rsplit(" ", 1)[0] + "…"
    return first


def link_title(url: str, video_on: str) -> str:
    """A readable title from a URL: the last path segment, humanised, or the host."""
    try:
        parts = split_url(url)
    except ValueError:
        return url
    host = parts.netloc.lower().removeprefix("www.")
    if host in _VIDEO_HOSTS:
        return video_on.replace("{host}", _VIDEO_HOSTS[host])
    if host == "vimeo.com" or host.endswith(".vimeo.com"):
        return video_on.replace("{host}", "Vimeo")
    segments = [s for s in parts.path.split("/") if s]
    if segments:
        last = unquote(segments[-1])
        stem, dot, ext = last.rpartition(".")
        if dot and ext.lower() in _TITLE_EXTENSIONS:
            suffix = f" ({ext.upper()})" if ext.lower() in _DOCUMENTS else ""
            last = stem + suffix
        words = re.sub(r"[-_+]+", " ", last).strip()
        if words and not words.isdigit():
            return words[:1].upper() + words[1:]
    if parse_qs(parts.query).get("v"):
        return video_on.replace("{host}", host)
    return host or url


def task_heading(item: Item, words: int = 8) -> str:
    """A TASK's heading on its card: its title, or the first words of its prompt."""
    if item.explicit_title:
        return item.explicit_title
    text = " ".join((item.prompt or "").split())
    parts = text.split(" ")
    if len(parts) <= words:
        return text
    return " ".join(parts[:words]).rstrip(",;:") + "…"
