"""What a course asks of the learner, for its start page: counts and how long it takes.

The duration is ``duration:`` of course.yaml when the author gives it; otherwise an estimate
from the content: the words of its prose at a calm reading pace, plus a fixed time for each
item (a linked reading or a video cannot be measured from here), rounded up to five minutes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from coursepack.i18n import plural_key
from coursepack.model import Course, ItemKind

__all__ = ["MINUTES_PER_ITEM", "WORDS_PER_MINUTE", "Overview", "duration_text", "overview"]

WORDS_PER_MINUTE = 200
#: minutes counted for each item, by kind
MINUTES_PER_ITEM: Mapping[ItemKind, int] = {
    ItemKind.READ: 10,
    ItemKind.WATCH: 8,
    ItemKind.TASK: 10,
    ItemKind.CHECK: 1,
}
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Overview:
    modules: int
    sections: int
    readings: int
    videos: int
    tasks: int
    checks: int
    minutes: int
    estimated: bool  # False when the author wrote ``duration:``


# ASCII text's characters other than \w's made spaces: its words are then what bytes.split
# finds, the same count as _WORD's, several times faster (most course text is ASCII)
_ASCII_NOT_WORD = bytes(c for c in range(128) if not (chr(c).isalnum() or chr(c) == "_"))
_SPACE_NOT_WORD = bytes.maketrans(_ASCII_NOT_WORD, b" " * len(_ASCII_NOT_WORD))


def _words(text: str | None) -> int:
    """How many words (runs of word characters, as ``_WORD`` finds them) ``text`` holds."""
    if not text:
        return 0
    if text.isascii():
        return len(text.encode("ascii").translate(_SPACE_NOT_WORD).split())
    return len(_WORD.findall(text))


def estimate_minutes(course: Course) -> int:
    """The content's time: prose at ``WORDS_PER_MINUTE`` plus each item's fixed minutes,
    rounded up to five minutes (at least five)."""
    words = _words(course.description)
    minutes = 0
    for module in course.modules:
        words += _words(module.intro_md)
        for section in module.sections:
            words += _words(section.outro_md)
            for item in section.items:
                words += _words(item.intro_md) + _words(item.prompt)
                minutes += MINUTES_PER_ITEM.get(item.kind, 0)
    total = minutes + -(-words // WORDS_PER_MINUTE)
    return max(5, -(-total // 5) * 5)


def overview(course: Course) -> Overview:
    items = course.items
    return Overview(
        modules=len(course.modules),
        sections=sum(len(m.sections) for m in course.modules),
        readings=sum(1 for i in items if i.kind is ItemKind.READ),
        videos=sum(1 for i in items if i.kind is ItemKind.WATCH),
        tasks=sum(1 for i in items if i.kind is ItemKind.TASK),
        checks=sum(1 for i in items if i.kind is ItemKind.CHECK),
        minutes=course.duration_minutes or estimate_minutes(course),
        estimated=course.duration_minutes is None,
    )


def counted(words: Mapping[str, str], language: str, key: str, count: int) -> str:
    """``key`` (a word with ``{count}``) in the plural form that fits ``count``."""
    return words[plural_key(words, key, language, count)].replace("{count}", str(count))


def duration_text(words: Mapping[str, str], language: str, minutes: int) -> str:
    """'1 hour 30 minutes', '45 minutes', in the course's words (the runtime does the same)."""
    hours, rest = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(counted(words, language, "duration.hours", hours))
    if rest or not hours:
        parts.append(counted(words, language, "duration.minutes", rest))
    return " ".join(parts)
