"""Learner-facing words, one JSON file per language; English is complete and the fallback."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any


@cache
def _table(lang: str) -> dict[str, str] | None:
    try:
        text = resources.files(__name__).joinpath(f"{lang}.json").read_text("utf-8")
    except FileNotFoundError:
        return None
    data: Any = json.loads(text)
    return dict(data)


def available_languages() -> list[str]:
    return sorted(
        p.name[:-5] for p in resources.files(__name__).iterdir() if p.name.endswith(".json")
    )


def strings_for(language: str) -> dict[str, str]:
    """English, overlaid with the closest table for ``language`` ('pt-BR' -> 'pt-br', 'pt').

    A new dict each call (callers may change it); ``words`` is the shared, cached one."""
    return dict(words(language))


@cache
def words(language: str) -> Mapping[str, str]:
    """The words of ``language`` (see ``strings_for``), read-only and cached."""
    merged = dict(_table("en") or {})
    lang = language.lower()
    candidates = [lang.split("-")[0], lang] if "-" in lang else [lang]
    for candidate in candidates:
        table = _table(candidate)
        if table and candidate != "en":
            merged.update(table)
    return MappingProxyType(merged)


def has_words_for(language: str) -> bool:
    """Whether a table of ``language`` (or of its primary language: 'fr-CA' -> 'fr') ships."""
    lang = language.lower()
    return _table(lang) is not None or _table(lang.split("-")[0]) is not None


@cache
def _with_overrides(language: str, overrides: tuple[tuple[str, str], ...]) -> Mapping[str, str]:
    merged = dict(words(language))
    merged.update(overrides)
    return MappingProxyType(merged)


def course_words(language: str, overrides: Mapping[str, str]) -> Mapping[str, str]:
    """The words of a course: its language's table with the course's own ``words:`` over it."""
    if not overrides:
        return words(language)
    return _with_overrides(language, tuple(sorted(overrides.items())))


# -- plural forms ------------------------------------------------------------------------------
#
# A word with a count has its "other" form under its key and its other forms under
# ``key.<category>`` (CLDR's categories: ``progress.tasks.one``). The runtime chooses with
# ``Intl.PluralRules`` of the course language; the build, for the words it writes into the page,
# with the small table below (whole numbers only, which is all the page counts).

PLURAL_CATEGORIES = ("zero", "one", "two", "few", "many")
#: languages whose "one" covers 0 as well as 1 (CLDR: French, Portuguese); the others: n == 1
_ONE_FROM_ZERO = frozenset({"fr", "pt"})


def plural_category(language: str, n: int) -> str:
    """CLDR's plural category of the whole number ``n`` in ``language``: "one" or "other"."""
    primary = language.lower().split("-")[0]
    if primary in _ONE_FROM_ZERO:
        return "one" if n in (0, 1) else "other"
    return "one" if n == 1 else "other"


def plural_key(table: Mapping[str, str], key: str, language: str, n: int) -> str:
    """The key of the form of ``key`` that fits ``n``: ``key.one`` when the table has it and
    ``n`` is "one" in ``language``, else ``key`` itself (the "other" form)."""
    form = f"{key}.{plural_category(language, n)}"
    return form if form in table else key


def plural_base(key: str) -> str | None:
    """``progress.tasks`` for ``progress.tasks.one`` (any category), else None."""
    base, _, last = key.rpartition(".")
    return base if base and last in PLURAL_CATEGORIES else None
