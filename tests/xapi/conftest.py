"""Packages and launch helpers for the xAPI tests (TinCan launches and dual tracking).

xapi_zip        the example course built for --target xapi (session)
tincan_site     the xAPI package unzipped into a served folder: .url (launch page), .launch()
dual_zip        the example course with `tracking: lrs` pointing at the session's Ralph,
                built for SCORM 1.2 with the LRS credential in the build's environment
course          the example course's model (for ids and expected contexts)
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from coursepack.build import build_course
from coursepack.model import Course
from coursepack.pipeline import load_course
from tests.support.lrs import RalphLRS
from tests.support.scorm_harness import unzip_package
from tests.support.static_server import StaticServer

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "course"
ACTOR_HOME = "https://lms.example.org"


@pytest.fixture(scope="session")
def course() -> Course:
    return load_course(EXAMPLE, {})


@pytest.fixture(scope="session")
def xapi_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    result = build_course(EXAMPLE, tmp_path_factory.mktemp("xapi-build"), ["xapi"], environ={})
    (path,) = result.paths
    return path


@dataclass
class TincanSite:
    """A served copy of the xAPI package; ``launch()`` makes a Rustici launch URL."""

    root: Path
    url: str  # the launch page

    def launch(
        self,
        lrs: RalphLRS | None,
        *,
        registration: str | None = None,
        actor: dict[str, Any] | str | None = None,
        activity_id: str | None = None,
        extra: dict[str, str] | None = None,
    ) -> str:
        if lrs is None:
            return self.url
        params: dict[str, str] = {"endpoint": lrs.endpoint, "auth": lrs.auth_header}
        if actor is not None:
            params["actor"] = actor if isinstance(actor, str) else json.dumps(actor)
        if registration:
            params["registration"] = registration
        if activity_id:
            params["activity_id"] = activity_id
        params.update(extra or {})
        return f"{self.url}?{urlencode(params)}"


@pytest.fixture
def tincan_site(
    xapi_zip: Path, tmp_path: Path, http_server: Callable[[Path], StaticServer]
) -> TincanSite:
    root = unzip_package(xapi_zip, tmp_path / "tincan")
    return TincanSite(root=root, url=http_server(tmp_path).url + "tincan/index.html")


def dual_course(dest: Path, endpoint: str) -> Path:
    """A copy of the example course that asks for dual tracking to ``endpoint``."""
    shutil.copytree(EXAMPLE, dest)
    yaml = dest / "course.yaml"
    yaml.write_text(
        yaml.read_text("utf-8")
        + f"tracking:\n  lrs:\n    endpoint: {endpoint}\n    actor_homepage: {ACTOR_HOME}\n",
        "utf-8",
    )
    return dest


@pytest.fixture(scope="session")
def dual_zip(lrs_server: RalphLRS, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = dual_course(tmp_path_factory.mktemp("dual") / "course", lrs_server.endpoint)
    environ = {
        "COURSEPACK_LRS_USERNAME": lrs_server.username,
        "COURSEPACK_LRS_PASSWORD": lrs_server.password,
    }
    result = build_course(root, tmp_path_factory.mktemp("dual-build"), ["scorm12"], environ=environ)
    (path,) = result.paths
    return path
