"""What a learner's page shows once every part of it is open: the page (index.html) with each
placeholder filled from the content file, as core.js does (``fill``) when a section opens."""

from __future__ import annotations

import json
import zipfile
from typing import Any

from coursepack.render import CONTENT_FILE, LAUNCH_FILE

PLACEHOLDER = "<div data-cp-body hidden></div>"
_PREFIX = "window.COURSEPACK_CONTENT = "


def content_of(script: str) -> dict[str, str]:
    """The content file's map {key: HTML} (a section's key, or "reflections")."""
    assert script.startswith(_PREFIX), script[:80]
    data: dict[str, str] = json.loads(script[len(_PREFIX) :].rstrip().rstrip(";"))
    return data


def shown_page(page: str, script: str) -> str:
    """The page with every placeholder replaced by its content, in document order."""
    parts = page.split(PLACEHOLDER)
    bodies = list(content_of(script).values())
    assert len(bodies) == len(parts) - 1, "one content string per placeholder"
    out = [parts[0]]
    for body, after in zip(bodies, parts[1:], strict=True):
        out += [body, after]
    return "".join(out)


def shown_in_zip(zf: zipfile.ZipFile) -> str:
    return shown_page(zf.read(LAUNCH_FILE).decode(), zf.read(CONTENT_FILE).decode())


def shown_files(files: dict[str, Any]) -> str:
    """The same for the OutputFiles of render_package_files, by path."""
    page = files[LAUNCH_FILE].data.decode()
    return shown_page(page, files[CONTENT_FILE].data.decode())
