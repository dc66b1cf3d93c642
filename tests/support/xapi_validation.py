"""Validate xAPI statements with npm ``xapi-validation`` (Learning Locker's validator)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from tests.support.env import require_node, require_node_module

SCRIPT = Path(__file__).with_name("validate_xapi.js")


def validate_statements(statements: list[dict[str, Any]]) -> list[str]:
    """Error strings for ``statements`` (empty when all are valid xAPI 1.0.3 statements).

    Each error names the statement and the property:
    ``statements[0]: statement.actor.mbox is not a valid Mailto (TypeWarning; got "bad")``.
    """
    node = require_node()
    require_node_module("xapi-validation", "package.json")
    answer = subprocess.run(
        [node, str(SCRIPT)],
        input=json.dumps(statements),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if answer.returncode != 0:
        raise RuntimeError(f"validate_xapi.js failed ({answer.returncode}):\n{answer.stderr}")
    errors: list[str] = json.loads(answer.stdout)
    return errors
