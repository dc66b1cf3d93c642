"""What a learner's page shows once every part of it is open: the page (index.html) with each
placeholder filled from its content file, as core.js does (``fill``) when a section opens."""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Mapping
from typing import Any

from coursepack.render import CONTENT_DIR, LAUNCH_FILE

PLACEHOLDER = re.compile(r'<div data-cp-body="([^"]+)" hidden></div>')
_PREFIX = "window.COURSEPACK_CONTENT = Object.assign(window.COURSEPACK_CONTENT || {}, "


def content_of(script: str) -> dict[str, str]:
    """A content file's map {key: HTML} (a section's key, or "reflections")."""
    assert script.startswith(_PREFIX), script[:100]
    data: dict[str, str] = json.loads(script[len(_PREFIX) :].rstrip().removesuffix(");"))
    return data


def shown_page(page: str, scripts: Mapping[str, str]) -> str:
    """The page with every placeholder replaced by its content: ``scripts`` are the content
    files by path; each file's entries fill its placeholders in document order."""
    entries = {path: list(content_of(text).values()) for path, text in scripts.items()}

    def fill(match: re.Match[str]) -> str:
        return entries[match.group(1)].pop(0)

    shown = PLACEHOLDER.sub(fill, page)
    assert not any(entries.values()), "every content string has its placeholder"
    return shown


def shown_in_zip(zf: zipfile.ZipFile) -> str:
    scripts = {
        name: zf.read(name).decode() for name in zf.namelist() if name.startswith(CONTENT_DIR + "/")
    }
    return shown_page(zf.read(LAUNCH_FILE).decode(), scripts)


def shown_files(files: Mapping[str, Any]) -> str:
    """The same for the OutputFiles of render_package_files, by path."""
    scripts = {
        path: f.data.decode() for path, f in files.items() if path.startswith(CONTENT_DIR + "/")
    }
    return shown_page(files[LAUNCH_FILE].data.decode(), scripts)
