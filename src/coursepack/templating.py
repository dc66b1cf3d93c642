"""The built-in theme's folder and its one Jinja2 environment (pages and reports alike)."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

import jinja2
from markupsafe import Markup

import coursepack


def templates_dir() -> Path:
    """The theme folder: ``coursepack/templates`` in a wheel, ``templates/`` in a checkout."""
    installed = Path(str(resources.files(coursepack))) / "templates"
    if installed.is_dir():
        return installed
    checkout = Path(coursepack.__file__).resolve().parents[2] / "templates"
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"coursepack's theme is missing: looked in {installed} and {checkout}")


@cache
def _environment(folder: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(folder)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals["Markup"] = Markup
    return env


def environment() -> jinja2.Environment:
    """Autoescaping, StrictUndefined: nothing from a course file reaches a page unescaped."""
    return _environment(templates_dir())
