"""Golden files: what we emit, compared byte for byte.

Regenerate after an intended change with ``COURSEPACK_UPDATE_GOLDEN=1 python -m pytest`` and
review the diff before committing.
"""

from __future__ import annotations

import os
from pathlib import Path

UPDATE = os.environ.get("COURSEPACK_UPDATE_GOLDEN") == "1"


def check_golden(path: Path, actual: str) -> None:
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        return
    assert path.exists(), f"{path} is missing: run with COURSEPACK_UPDATE_GOLDEN=1 to create it"
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, f"output differs from golden file {path.name}"
