"""Where the real parts of the tests live, and what to do when one is missing.

Paths are derived from this file's location: nothing here is an absolute path of a machine.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import NoReturn

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = REPO_ROOT / "node_modules"
CHROMIUM = Path("/usr/bin/chromium")  # Debian's package; Playwright never downloads a browser


def in_ci() -> bool:
    """True when the ``CI`` environment variable is set (and not to a false-like value)."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def missing(reason: str) -> NoReturn:
    """Skip the test, or fail it under CI, where every prerequisite must be installed."""
    if in_ci():
        pytest.fail(f"prerequisite missing under CI: {reason}", pytrace=False)
    pytest.skip(reason)


def require(condition: object, reason: str) -> None:
    """Go on if ``condition`` holds; else skip with ``reason`` (fail when ``CI`` is set)."""
    if not condition:
        missing(reason)


def shared_dir() -> Path:
    """The ``shared`` folder that stands beside the repository (schemas, docs)."""
    return REPO_ROOT.parent / "shared"


def require_shared(*parts: str) -> Path:
    """A path under ``shared/``, which must exist (``require_shared("schemas", "cmi5")``)."""
    path = shared_dir().joinpath(*parts)
    require(path.exists(), f"{path.relative_to(REPO_ROOT.parent)} not found beside the repo")
    return path


def require_node_module(*parts: str) -> Path:
    """A file of an npm package in ``node_modules/``, which must exist (run ``npm ci``)."""
    path = NODE_MODULES.joinpath(*parts)
    require(path.is_file(), f"node_modules/{'/'.join(parts)} is missing: run `npm ci`")
    return path


def require_node() -> str:
    """The ``node`` executable."""
    node = shutil.which("node")
    require(node, "node is not installed")
    assert node is not None
    return node
