"""The course as the preview serves it: built in memory, rebuilt on change, launched.

A build goes through ``coursepack.build.prepare`` for one target and keeps its files in memory
(nothing is written: not ``dist/``, not the course folder). An invalid course keeps the last
good files and publishes its problems, which the page shows in an overlay.
"""

from __future__ import annotations

import base64
import json
import os
import queue
import threading
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from lxml import etree

from coursepack.build import prepare
from coursepack.errors import CourseInvalid, UserError
from coursepack.output import OutputFile
from coursepack.preview.lrs import MemoryLRS, agent_key
from coursepack.tracking import CONFIG_FILE, read_config_script
from coursepack.xmlutil import local_name, parse_xml

LEARNER = {
    "objectType": "Agent",
    "name": "Preview Learner",
    "account": {"homePage": "https://lms.preview.invalid", "name": "preview-learner"},
}
CMI5_SESSION = "https://w3id.org/xapi/cmi5/context/extensions/sessionid"
LAUNCHED = "http://adlnet.gov/expapi/verbs/launched"
CMI5_CATEGORY = "https://w3id.org/xapi/cmi5/context/categories/cmi5"


def target_kind(name: str) -> str:
    """The LMS side a target needs: scorm12, scorm2004, xapi or cmi5."""
    if name.startswith("scorm2004"):
        return "scorm2004"
    return name


class Hub:
    """Server-sent events: every connected page gets every published event."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.queues: list[queue.Queue[tuple[str, str] | None]] = []

    def subscribe(self) -> queue.Queue[tuple[str, str] | None]:
        q: queue.Queue[tuple[str, str] | None] = queue.Queue()
        with self.lock:
            self.queues.append(q)
        return q

    def unsubscribe(self, q: queue.Queue[tuple[str, str] | None]) -> None:
        with self.lock:
            if q in self.queues:
                self.queues.remove(q)

    def publish(self, event: str, data: Any) -> None:
        text = json.dumps(data, ensure_ascii=False)
        with self.lock:
            for q in self.queues:
                q.put((event, text))

    def close(self) -> None:
        with self.lock:
            for q in self.queues:
                q.put(None)


@dataclass
class Build:
    version: int
    ok: bool
    files: dict[str, OutputFile] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    title: str = ""
    course_id: str = ""
    seconds: float = 0.0

    @cached_property
    def suspend_data_limit(self) -> int:
        """What the emulated LMS keeps of cmi.suspend_data beyond the standard's: as the LMS of
        the package's profile does (its ``suspendDataProbe``: Moodle with "SCORM standards
        mode" off, a new install's default, keeps 64,000 characters); 0 for the standard's.
        Read from the built configuration once per build, not at every status."""
        found = self.files.get(CONFIG_FILE)
        if found is None or found.data is None:
            return 0
        target = read_config_script(found.data).get("target")
        probe = target.get("suspendDataProbe") if isinstance(target, dict) else None
        return probe if isinstance(probe, int) and not isinstance(probe, bool) else 0


class PreviewSession:
    def __init__(
        self,
        course_dir: Path,
        target: str | None = None,
        lms: str | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.course_dir = course_dir
        self.target = target  # None: the LMS profile's default
        self.lms = lms
        self.environ = dict(os.environ if environ is None else environ)
        self.lock = threading.Lock()
        self.hub = Hub()
        self.lrs = MemoryLRS()
        self.lrs.listeners.append(lambda s: self.hub.publish("statement", s))
        self.registration = str(uuid.uuid4())
        secret = f"preview:{uuid.uuid4().hex}".encode()
        self.credential = "Basic " + base64.b64encode(secret).decode()
        self.lrs.credentials.add(self.credential)
        self.fetch_tokens: dict[str, str | None] = {}  # one-time cmi5 fetch URL token -> auth
        self.offline = False
        self.build = Build(version=0, ok=False)
        self.target_name = target or ""

    # -- building -------------------------------------------------------------------------

    def rebuild(self) -> Build:
        """Build again from the files on disk; publish the outcome to every page."""
        started = time.perf_counter()
        with self.lock:
            version = self.build.version + 1
            targets = [self.target] if self.target else []
            try:
                result = prepare(
                    self.course_dir, self.course_dir / "dist", targets, self.lms, self.environ
                )
            except CourseInvalid as invalid:
                errors = [str(p) for p in invalid.problems if p.is_error]
                warnings = [str(p) for p in invalid.problems if not p.is_error]
                build = Build(version, False, self.build.files, errors, warnings)
                build.title, build.course_id = self.build.title, self.build.course_id
            except UserError as error:
                build = Build(version, False, self.build.files, [error.message])
                build.title, build.course_id = self.build.title, self.build.course_id
            else:
                package = result.packages[0]
                self.target_name = package.target.name
                build = Build(
                    version,
                    True,
                    {f.path: f for f in package.files},
                    [],
                    [str(w) for w in result.warnings],
                    result.course.title,
                    result.course.id,
                )
            build.seconds = time.perf_counter() - started
            self.build = build
        self.hub.publish("build", self.status())
        return build

    def configure(self, target: str | None, lms: str | None) -> None:
        from coursepack.profiles import PROFILES
        from coursepack.targets import TARGETS

        if target is not None:
            if target not in TARGETS:
                raise UserError(f"unknown target '{target}'")
            self.target = target
        if lms is not None:
            if lms and lms not in PROFILES:
                raise UserError(f"unknown LMS profile '{lms}'")
            self.lms = lms or None
        self.rebuild()

    def file(self, path: str) -> OutputFile | None:
        return self.build.files.get(path)

    def status(self) -> dict[str, Any]:
        from coursepack.profiles import PROFILES
        from coursepack.targets import TARGETS

        build = self.build
        return {
            "version": build.version,
            "ok": build.ok,
            "problems": build.problems,
            "warnings": build.warnings,
            "seconds": round(build.seconds, 3),
            "title": build.title,
            "courseId": build.course_id,
            "target": self.target_name,
            "kind": target_kind(self.target_name) if self.target_name else "",
            "lms": self.lms or "",
            "targets": sorted(TARGETS),
            "profiles": sorted(PROFILES),
            "aus": self._aus() if build.files else [],
            "offline": self.offline,
            "registration": self.registration,
            "launchData": self._scorm_launch_data(),
            "suspendDataLimit": build.suspend_data_limit,
        }

    # -- the learner ----------------------------------------------------------------------

    def reset_learner(self) -> None:
        self.lrs.reset()
        self.registration = str(uuid.uuid4())
        self.fetch_tokens.clear()
        self.hub.publish("reset", {"registration": self.registration})

    def set_offline(self, offline: bool) -> None:
        self.offline = offline
        self.hub.publish("network", {"offline": offline})

    # -- launching ------------------------------------------------------------------------

    def launch(self, origin: str, au: str | None = None) -> dict[str, Any]:
        """The URL to frame, as the LMS of the current target would launch the package."""
        kind = target_kind(self.target_name)
        base = "/course/"
        if kind in ("scorm12", "scorm2004"):
            return {"url": base + self._scorm_href(), "kind": kind}
        endpoint = origin + "/_preview/lrs/"
        if kind == "xapi":
            href, activity = self._tincan_launch()
            query = {
                "endpoint": endpoint,
                "auth": self.credential,
                "actor": json.dumps(LEARNER),
                "registration": self.registration,
                "activity_id": activity,
            }
            return {"url": base + _with_query(href, query), "kind": kind}
        aus = self._aus()
        if not aus:
            raise UserError("cmi5.xml lists no AU")
        chosen = next((a for a in aus if a["id"] == au), aus[0])
        session_id = str(uuid.uuid4())
        token = uuid.uuid4().hex
        self.fetch_tokens[token] = None
        context = {"registration": self.registration}
        template = {"extensions": {CMI5_SESSION: session_id}}
        launch_data = {
            "contextTemplate": template,
            "launchMode": "Normal",
            "moveOn": chosen["moveOn"],
            "launchMethod": chosen["launchMethod"],
        }
        agent = json.dumps(LEARNER)
        self.lrs.put_document(
            ("state", chosen["id"], agent_key(LEARNER), self.registration, "LMS.LaunchData"),
            launch_data,
        )
        self.lrs.store(
            {
                "id": str(uuid.uuid4()),
                "actor": LEARNER,
                "verb": {"id": LAUNCHED, "display": {"en-US": "launched"}},
                "object": {"objectType": "Activity", "id": chosen["id"]},
                "context": {
                    **context,
                    "contextActivities": {"category": [{"id": CMI5_CATEGORY}]},
                    "extensions": {
                        CMI5_SESSION: session_id,
                        "https://w3id.org/xapi/cmi5/context/extensions/launchmode": "Normal",
                        "https://w3id.org/xapi/cmi5/context/extensions/moveon": chosen["moveOn"],
                        "https://w3id.org/xapi/cmi5/context/extensions/launchurl": chosen["url"],
                    },
                },
            }
        )
        query = {
            "endpoint": endpoint,
            "fetch": f"{origin}/_preview/cmi5/fetch/{token}",
            "actor": agent,
            "registration": self.registration,
            "activityId": chosen["id"],
        }
        return {"url": base + _with_query(chosen["url"], query), "kind": kind, "au": chosen["id"]}

    def fetch_token(self, token: str) -> dict[str, str] | None:
        """cmi5's fetch URL: an auth token the first time, an error after that."""
        if token not in self.fetch_tokens:
            return None
        if self.fetch_tokens[token] is not None:
            return {"error-code": "1", "error-text": "this fetch URL was already used"}
        auth = base64.b64encode(f"cmi5:{uuid.uuid4().hex}".encode()).decode()
        self.fetch_tokens[token] = auth
        self.lrs.credentials.add("Basic " + auth)
        return {"auth-token": auth}

    def _xml(self, name: str) -> etree._Element | None:
        found = self.file(name)
        if found is None or found.data is None:
            return None
        return parse_xml(found.data)

    def _scorm_href(self) -> str:
        root = self._xml("imsmanifest.xml")
        if root is None:
            raise UserError("the package has no imsmanifest.xml")
        orgs = next(e for e in root.iter() if local_name(e) == "organizations")
        all_orgs = [e for e in orgs if local_name(e) == "organization"]
        org = next((o for o in all_orgs if o.get("identifier") == orgs.get("default")), all_orgs[0])
        item = next(e for e in org.iter() if local_name(e) == "item" and e.get("identifierref"))
        resources = next(e for e in root.iter() if local_name(e) == "resources")
        resource = next(r for r in resources if r.get("identifier") == item.get("identifierref"))
        xml_base = "{http://www.w3.org/XML/1998/namespace}base"
        href = (resources.get(xml_base) or "") + (resource.get(xml_base) or "")
        href += resource.get("href") or ""
        parameters = (item.get("parameters") or "").strip()
        if parameters and not parameters.startswith("#"):
            href += ("&" if "?" in href else "?") + parameters.lstrip("?&")
        return href + (parameters if parameters.startswith("#") else "")

    def _scorm_launch_data(self) -> str:
        root = self._xml("imsmanifest.xml") if self.build.files else None
        if root is None:
            return ""
        for element in root.iter():
            if local_name(element) == "datafromlms":
                return element.text or ""
        return ""

    def _tincan_launch(self) -> tuple[str, str]:
        root = self._xml("tincan.xml")
        if root is None:
            raise UserError("the package has no tincan.xml")
        for activity in root.iter():
            if local_name(activity) != "activity":
                continue
            for child in activity:
                if local_name(child) == "launch":
                    return (child.text or "").strip(), activity.get("id") or ""
        raise UserError("tincan.xml has no launchable activity")

    def _aus(self) -> list[dict[str, str]]:
        root = self._xml("cmi5.xml") if self.target_name == "cmi5" else None
        if root is None:
            return []
        aus = []
        for au in root.iter():
            if local_name(au) != "au":
                continue
            title = next(
                (" ".join(t.itertext()).strip() for t in au if local_name(t) == "title"), ""
            )
            url = next(((u.text or "").strip() for u in au if local_name(u) == "url"), "")
            aus.append(
                {
                    "id": au.get("id") or "",
                    "title": title,
                    "url": url,
                    "moveOn": au.get("moveOn") or "NotApplicable",
                    "launchMethod": au.get("launchMethod") or "AnyWindow",
                }
            )
        return aus


def _with_query(href: str, params: Mapping[str, str]) -> str:
    return href + ("&" if "?" in href else "?") + urlencode(params)
