"""The language tables: complete, with the placeholders of English, for every shipped language."""

from __future__ import annotations

import re

import pytest

from coursepack.i18n import _table, available_languages, has_words_for, strings_for

PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
ENGLISH = _table("en") or {}


def test_six_languages_ship() -> None:
    assert available_languages() == ["de", "en", "es", "fr", "nl", "pt"]


@pytest.mark.parametrize("language", available_languages())
def test_each_table_has_every_key_with_the_same_placeholders(language: str) -> None:
    table = _table(language) or {}
    assert set(table) == set(ENGLISH)
    for key, text in table.items():
        assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(ENGLISH[key])), key
        assert text.strip() == text and text, key


def test_a_regional_tag_takes_its_language_and_an_unknown_one_english() -> None:
    assert strings_for("pt-BR")["next"] == (_table("pt") or {})["next"]
    assert has_words_for("fr-CA") and not has_words_for("ja")
    assert strings_for("ja") == ENGLISH
