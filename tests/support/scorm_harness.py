"""A test LMS for SCORM packages: scorm-again in a parent page that frames the SCO.

Typical use (fixtures ``scorm_site`` and ``scorm_harness`` are in ``tests/conftest.py``)::

    def test_sco_reports_completion(scorm_site, scorm_harness, built_zip):
        folder = scorm_site.add_package(built_zip)             # "package/"
        content = scorm_harness.open(folder, version="1.2")    # launch read from the manifest
        content.get_by_role("button", name="Finish").click()
        scorm_harness.wait_for_call("LMSFinish")
        assert scorm_harness.errors() == []
        assert scorm_harness.cmi()["core"]["lesson_status"] == "completed"

The page itself is ``harness/scorm.html`` + ``harness/scorm-harness.js``; both, with
scorm-again's browser build, are copied into ``<site root>/_harness/`` so that the LMS page and
the package share one origin, as they do in most LMSs.
"""

from __future__ import annotations

import json
import shutil
import urllib.request
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlencode

from lxml import etree

from tests.support.env import require_node_module

if TYPE_CHECKING:
    from playwright.sync_api import Frame, Page

HARNESS_SOURCE = Path(__file__).parent / "harness"
HARNESS_FOLDER = "_harness"
# scorm-again 3.4.3's browser build (an IIFE setting window.Scorm12API and window.Scorm2004API),
# minified: the unminified dist/scorm-again.js (1.9 MB) makes each launch noticeably slower.
SCORM_AGAIN_BUILD = ("scorm-again", "dist", "scorm-again.min.js")

Version = Literal["1.2", "2004"]
#: the LMS page: scorm-again (``scorm.html``) or the Moodle stand-in (``moodle.html``, see
#: ``harness/moodle-api.js``: Moodle's nav-request handling, limits, counts and review mode)
Lms = Literal["scorm-again", "moodle"]
PAGES: dict[str, str] = {"scorm-again": "scorm.html", "moodle": "moodle.html"}


def install_harness(root: Path) -> None:
    """Copy the LMS page and scorm-again into ``root/_harness/``."""
    build = require_node_module(*SCORM_AGAIN_BUILD)
    dest = root / HARNESS_FOLDER
    dest.mkdir(parents=True, exist_ok=True)
    for source in HARNESS_SOURCE.iterdir():
        shutil.copyfile(source, dest / source.name)
    shutil.copyfile(build, dest / "scorm-again.js")


def unzip_package(zip_path: Path, dest: Path) -> Path:
    """Extract a package zip into ``dest`` (refusing entries that would land outside it)."""
    dest.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(zip_path) as archive:
        for name in archive.namelist():
            parts = PurePosixPath(name).parts
            if name.startswith("/") or ".." in parts or "\\" in name:
                raise ValueError(f"{zip_path}: unsafe entry name {name!r}")
        archive.extractall(dest)
    return dest


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname


def _base(element: etree._Element) -> str:
    return element.get("{http://www.w3.org/XML/1998/namespace}base") or ""


def _first(elements: Iterable[etree._Element], what: str) -> etree._Element:
    for element in elements:
        return element
    raise ValueError(f"imsmanifest.xml has no {what}")


def manifest_launch(manifest: bytes) -> str:
    """The launch URL, relative to the package folder, that an LMS derives from the manifest.

    The default organization (else the first one), its first item that references a resource,
    that resource's ``href`` under the ``xml:base`` of ``<resources>`` and ``<resource>``, and
    the item's ``parameters`` appended as the SCORM content-packaging book describes.
    """
    root = etree.fromstring(manifest, etree.XMLParser(resolve_entities=False, no_network=True))
    organizations = _first(
        (e for e in root.iter() if _local(e) == "organizations"), "<organizations>"
    )
    orgs = [e for e in organizations if _local(e) == "organization"]
    default = organizations.get("default")
    org = _first([o for o in orgs if o.get("identifier") == default] + orgs, "<organization>")
    item = _first(
        (e for e in org.iter() if _local(e) == "item" and e.get("identifierref")),
        "<item> with an identifierref",
    )
    resources = _first((e for e in root.iter() if _local(e) == "resources"), "<resources>")
    resource = _first(
        (
            r
            for r in resources
            if _local(r) == "resource" and r.get("identifier") == item.get("identifierref")
        ),
        f"<resource identifier={item.get('identifierref')!r}>",
    )
    href = _base(resources) + _base(resource) + (resource.get("href") or "")
    parameters = (item.get("parameters") or "").strip()
    if parameters and not parameters.startswith("#"):
        parameters = parameters.lstrip("?&")
        href += ("&" if "?" in href else "?") + parameters
    else:
        href += parameters
    return href


@dataclass(frozen=True)
class ScormSite:
    """A served folder holding the harness in ``_harness/`` and packages in sub-folders."""

    root: Path
    url: str

    def add_package(self, zip_path: Path, name: str = "package") -> str:
        """Unzip a built package into ``<root>/<name>/``; return ``"<name>/"`` for ``open()``."""
        unzip_package(zip_path, self.root / name)
        return f"{name}/"

    def add_folder(self, source: Path, name: str) -> str:
        """Copy an unpacked folder into ``<root>/<name>/``; return ``"<name>/"``."""
        shutil.copytree(source, self.root / name, dirs_exist_ok=True)
        return f"{name}/"


class ScormHarness:
    """Drives the harness page in ``page``; ``server_url`` serves a site made by ScormSite."""

    def __init__(self, page: Page, server_url: str) -> None:
        self.page = page
        self.server_url = server_url if server_url.endswith("/") else server_url + "/"
        self.page_errors: list[str] = []
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))

    def open(
        self,
        target: str,
        version: Version = "1.2",
        cmi: dict[str, Any] | None = None,
        settings: dict[str, Any] | None = None,
        lms: Lms = "scorm-again",
    ) -> Frame:
        """Launch a SCO in the harness and return its frame once it has loaded.

        ``target`` is relative to the site root: a package folder ending in ``/`` (the launch
        page is read from its ``imsmanifest.xml``) or a page (``"fake/sco12.html"``).
        ``cmi`` is loaded into the API before launch, as an LMS does for a resume, in
        scorm-again's ``loadFromJSON`` shape: ``{"core": {"entry": "resume"},
        "suspend_data": "..."}`` for 1.2, ``{"entry": "resume", "suspend_data": "..."}`` for
        2004. ``settings`` overrides scorm-again settings (defaults: no commit URL, no
        autocommit), or holds the Moodle stand-in's (``standardsMode``, ``cutAt``,
        ``noticeInAnswers``) with ``lms="moodle"``.
        """
        launch = target
        if target.endswith("/"):
            with urllib.request.urlopen(self.server_url + target + "imsmanifest.xml") as answer:
                launch = target + manifest_launch(answer.read())
        query: dict[str, str] = {"version": version, "launch": "/" + launch, "lms": lms}
        if cmi is not None:
            query["cmi"] = json.dumps(cmi)
        if settings is not None:
            query["settings"] = json.dumps(settings)
        page = PAGES[lms]
        self.page.goto(f"{self.server_url}{HARNESS_FOLDER}/{page}?{urlencode(query)}")
        self.page.wait_for_function("() => window.harnessLoads >= 1")
        return self.frame()

    def frame(self) -> Frame:
        """The content frame, for Playwright actions (``frame().get_by_role(...).click()``)."""
        frame = self.page.frame(name="content")
        if frame is None:
            raise AssertionError("the harness page has no content frame: call open() first")
        return frame

    def log(self) -> list[dict[str, Any]]:
        """Every API call so far: ``{"method", "args", "result", "error"}``, in order.

        ``error`` is GetLastError right after the call, as a string ("0" when it succeeded),
        and ``None`` for the error queries themselves (GetLastError, GetErrorString, ...).
        """
        log: list[dict[str, Any]] = self.page.evaluate("() => window.harnessLog")
        return log

    def calls(self, method: str) -> list[dict[str, Any]]:
        """The logged calls of one method."""
        return [entry for entry in self.log() if entry["method"] == method]

    def errors(self) -> list[dict[str, Any]]:
        """The logged calls after which GetLastError was not "0"."""
        return [e for e in self.log() if e["error"] is not None and e["error"] != "0"]

    def cmi(self) -> dict[str, Any]:
        """The API's current CMI data as a dict (``{"core": {...}, "suspend_data": ...}``)."""
        cmi: dict[str, Any] = self.page.evaluate("() => window.harnessCmi()")
        return cmi

    def messages(self) -> list[dict[str, Any]]:
        """scorm-again's own warnings and errors (``{"level", "message"}``)."""
        messages: list[dict[str, Any]] = self.page.evaluate("() => window.harnessMessages")
        return messages

    def wait_for_call(self, method: str, count: int = 1) -> list[dict[str, Any]]:
        """Wait until ``method`` has been called ``count`` times; return those calls."""
        self.page.wait_for_function(
            "([m, n]) => window.harnessLog.filter(e => e.method === m).length >= n",
            arg=[method, count],
        )
        return self.calls(method)

    def close_content(self) -> None:
        """Navigate the content frame away (to about:blank), as when the learner leaves it.

        The SCO's ``pagehide``/``unload`` handlers run, and the API stays available to them.
        """
        self.frame().goto("about:blank")
