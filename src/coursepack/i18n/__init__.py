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
