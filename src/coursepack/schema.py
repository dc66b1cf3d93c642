"""JSON Schemas (2020-12) of course.yaml and of YAML modules, for editors and CI.

The schemas are the JSON files of ``coursepack/schemas/``, shipped in the wheel; editors find
them through the ``# yaml-language-server: $schema=...`` line that ``coursepack init`` writes.
``tests/test_schema.py`` checks, by running the validator, that the schemas and the validator
accept the same keys, types and values.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import click

from coursepack.errors import UserError

SCHEMAS = {"course": "course.schema.json", "module": "module.schema.json"}


def schema_text(name: str) -> str:
    """The schema ``name`` ("course" or "module") as JSON text."""
    if name not in SCHEMAS:
        raise UserError(f"unknown schema '{name}' (use one of: {', '.join(SCHEMAS)})")
    return (resources.files("coursepack") / "schemas" / SCHEMAS[name]).read_text("utf-8")


def load_schema(name: str) -> dict[str, Any]:
    """The schema ``name`` as a dict."""
    data: dict[str, Any] = json.loads(schema_text(name))
    return data


@click.command(name="schema")
@click.argument("name", type=click.Choice(sorted(SCHEMAS)))
def command(name: str) -> None:
    """Print the JSON Schema (2020-12) of course.yaml ('course') or of a YAML module ('module').

    \b
    Editors use it through a first line such as
      # yaml-language-server: $schema=.coursepack/course.schema.json
    (coursepack init writes both the files and the lines).
    """
    click.echo(schema_text(name), nl=False)
