"""The built-in theme: where its templates live and the Jinja2 environment that renders them."""

from __future__ import annotations

import re
from collections.abc import Mapping

import jinja2

from coursepack.i18n import plural_key
from coursepack.templating import environment, templates_dir

__all__ = ["Strings", "format_string", "templates_dir", "theme_environment"]

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def format_string(template: str, values: Mapping[str, object]) -> str:
    """Fill ``{name}`` placeholders of a learner-facing string; unknown names stay as they are."""

    def sub(match: re.Match[str]) -> str:
        name = match.group(1)
        return str(values[name]) if name in values else match.group(0)

    return _PLACEHOLDER.sub(sub, template)


class Strings:
    """The learner-facing words of one language; ``t(key, **values)`` in templates.

    A missing key is a bug in coursepack (en.json is complete), so it raises.
    """

    def __init__(self, table: Mapping[str, str], language: str = "en") -> None:
        self._table = dict(table)
        self.language = language

    def __call__(self, key: str, **values: object) -> str:
        try:
            template = self._table[key]
        except KeyError:
            raise KeyError(f"learner-facing string {key!r} is missing from en.json") from None
        # without values every placeholder stays as it is: the string itself (once per card)
        return format_string(template, values) if values else template

    def plural(self, key: str, n: int, /, **values: object) -> str:
        """``key`` in the plural form that fits ``n`` in the course's language (the
        "other" form is ``key``; ``key.one`` and the like are the others)."""
        return self(plural_key(self._table, key, self.language, n), **values)


def theme_environment() -> jinja2.Environment:
    return environment()
