"""The runtime configuration: what the packaged JS knows about the course and its target.

Built here, as typed frozen data, from the course model, the completion rule
(``coursepack.completion``) and the xAPI vocabulary, and written into every package as
``coursepack-config.js`` (``window.COURSEPACK_CONFIG = {...}``), so that Python and the
runtime share one definition of ids, verbs, activity types and what completes the course.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from coursepack import __version__
from coursepack.completion import assessment, counted_keys, needs_pass
from coursepack.i18n import course_words
from coursepack.ids import short_hash
from coursepack.model import Course, Item
from coursepack.titles import display_title
from coursepack.versions.stabilise import fingerprint
from coursepack.xapi import vocab

CONFIG_FILE = "coursepack-config.js"
SCHEMA = 1

JsonObject = dict[str, Any]


@dataclass(frozen=True)
class LrsRuntime:
    """Dual tracking: where a SCORM package also sends statements (``config.xapi.lrs``)."""

    endpoint: str
    auth: str | None
    actor_home_page: str

    def to_json(self) -> JsonObject:
        return {"endpoint": self.endpoint, "auth": self.auth, "actorHomePage": self.actor_home_page}


@dataclass(frozen=True, slots=True)
class ItemConfig:
    id: str
    key: str  # "module/item", the key of saved state
    kind: str
    title: str
    iri: str
    definition: Mapping[str, object]
    url: str | None
    #: a TASK: which wording of it this is (the iri carries it from 2 on) and a short hash of
    #: its normalised prompt, which a saved reflection can keep to tell which wording it
    #: answered (docs/versions.md)
    revision: int = 1
    fingerprint: str | None = None
    check: CheckConfig | None = None

    def to_json(self) -> JsonObject:
        entry: JsonObject = {
            "id": self.id,
            "key": self.key,
            "kind": self.kind,
            "title": self.title,
            "iri": self.iri,
        }
        if self.definition:
            entry["definition"] = dict(self.definition)
        if self.url:
            entry["url"] = self.url
        if self.fingerprint is not None:
            entry["revision"] = self.revision
            entry["fingerprint"] = self.fingerprint
        if self.check is not None:
            entry["check"] = self.check.to_json()
        return entry


@dataclass(frozen=True, slots=True)
class CheckConfig:
    """A CHECK as the runtime grades it: its kind, its options' ids (in the author's order)
    and which are right, or the accepted answers of a text answer. Its words are in the page."""

    kind: str  # CheckKind value: choice, choice-multiple, true-false, fill-in
    interaction_type: str  # the SCORM 2004 / xAPI interaction type
    options: tuple[str, ...]
    correct: tuple[str, ...]
    accepted: tuple[str, ...]

    def to_json(self) -> JsonObject:
        return {
            "kind": self.kind,
            "interactionType": self.interaction_type,
            "options": list(self.options),
            "correct": list(self.correct),
            "accepted": list(self.accepted),
        }


def check_config(item: Item) -> CheckConfig | None:
    check = item.check
    if check is None:
        return None
    return CheckConfig(
        kind=check.kind.value,
        interaction_type=check.kind.interaction_type,
        options=tuple(option.id for option in check.options),
        correct=check.correct_ids,
        accepted=check.accepted,
    )


@dataclass(frozen=True, slots=True)
class AssessmentConfig:
    """``config.course.assessment`` (graded courses only): how CHECKs are graded, and whether
    completing the course takes a pass (``coursepack.completion``)."""

    pass_mark: int
    attempts: int  # per question; 0: unlimited
    shuffle: bool
    retry: bool
    needs_pass: bool

    def to_json(self) -> JsonObject:
        return {
            "passMark": self.pass_mark,
            "attempts": self.attempts,
            "shuffle": self.shuffle,
            "retry": self.retry,
            "needsPass": self.needs_pass,
        }


@dataclass(frozen=True, slots=True)
class SectionConfig:
    id: str
    key: str
    title: str
    iri: str
    definition: Mapping[str, object]
    items: tuple[ItemConfig, ...]

    def to_json(self) -> JsonObject:
        entry: JsonObject = {
            "id": self.id,
            "key": self.key,
            "title": self.title,
            "iri": self.iri,
            "items": [item.to_json() for item in self.items],
        }
        if self.definition:
            entry["definition"] = dict(self.definition)
        return entry


@dataclass(frozen=True)
class ModuleConfig:
    id: str
    title: str
    iri: str
    definition: Mapping[str, object]
    counted: tuple[str, ...]  # what completes the module when a package is scoped to it
    sections: tuple[SectionConfig, ...]
    needs_pass: bool = False  # completing it (as a package's scope) takes a pass

    def to_json(self) -> JsonObject:
        entry: JsonObject = {
            "id": self.id,
            "title": self.title,
            "iri": self.iri,
            "counted": list(self.counted),
            "sections": [section.to_json() for section in self.sections],
        }
        if self.definition:
            entry["definition"] = dict(self.definition)
        if self.needs_pass:
            entry["needsPass"] = True
        return entry


@dataclass(frozen=True)
class CourseConfig:
    id: str
    title: str
    description: str
    language: str
    version: str
    completion: str
    counted: tuple[str, ...]  # the items whose completion completes the course
    score: str  # "none" | "progress": what a SCORM package reports as its score
    iri: str
    definition: Mapping[str, object]
    storage_key: str
    assessment: AssessmentConfig | None = None

    def to_json(self) -> JsonObject:
        entry: JsonObject = {
            "id": self.id,
            "title": self.title,
            "description": self.description,
            "language": self.language,
            "version": self.version,
            "completion": self.completion,
            "counted": list(self.counted),
            "score": self.score,
            "iri": self.iri,
            "storageKey": self.storage_key,
        }
        if self.definition:
            entry["definition"] = dict(self.definition)
        if self.assessment is not None:
            entry["assessment"] = self.assessment.to_json()
        return entry


@dataclass(frozen=True)
class RuntimeConfig:
    """``window.COURSEPACK_CONFIG``. ``target`` is the target's per-standard table (adapter
    name, data-model limits, ...), merged with the LMS profile's runtime defaults."""

    course: CourseConfig
    modules: tuple[ModuleConfig, ...]
    strings: Mapping[str, str]
    target: Mapping[str, Any]
    lrs: LrsRuntime | None

    def to_json(self) -> JsonObject:
        return {**self.to_json_without_modules(), "modules": [m.to_json() for m in self.modules]}

    def to_json_without_modules(self) -> JsonObject:
        return {
            "schema": SCHEMA,
            "generator": f"coursepack {__version__}",
            "course": self.course.to_json(),
            "strings": dict(self.strings),
            "target": dict(self.target),
            "xapi": {
                "version": vocab.XAPI_VERSION,
                "platform": f"coursepack {__version__}",
                "verbs": dict(vocab.VERBS),
                "activityTypes": dict(vocab.ACTIVITY_TYPES),
                "taskInteractionType": vocab.TASK_INTERACTION_TYPE,
                "attemptExtension": vocab.ATTEMPT_EXT,
                "stateId": vocab.STATE_ID,
                "courseVersionExtension": vocab.COURSE_VERSION_EXT,
                "registrationNamespace": vocab.REGISTRATION_NAMESPACE,
                "cmi5": {
                    "category": vocab.CMI5_CATEGORY,
                    "moveOnCategory": vocab.CMI5_MOVEON_CATEGORY,
                    "sessionExtension": vocab.CMI5_SESSION_EXT,
                    "masteryExtension": vocab.CMI5_MASTERY_EXT,
                    "progressExtension": vocab.CMI5_PROGRESS_EXT,
                },
                "lrs": self.lrs.to_json() if self.lrs is not None else None,
            },
        }


def prompt_hash(prompt: str | None) -> str:
    """A TASK prompt's fingerprint, short: what a saved reflection keeps of its question."""
    return short_hash(fingerprint(prompt or ""), 12)


def runtime_config(
    course: Course,
    target: Mapping[str, Any],
    lrs: LrsRuntime | None = None,
    *,
    definitions: bool = True,
) -> RuntimeConfig:
    """The configuration of the runtime for one target's package. Without ``definitions`` (a
    package that sends no statement: SCORM without dual tracking) the activities' xAPI
    definitions are left out: the runtime needs them only to make statements."""
    none: Mapping[str, object] = {}
    modules = tuple(
        ModuleConfig(
            id=module.id,
            title=module.title,
            iri=vocab.module_iri(course, module),
            definition=vocab.module_definition(course, module) if definitions else none,
            counted=tuple(counted_keys(course, [module])),
            sections=tuple(
                SectionConfig(
                    id=section.id,
                    key=f"{module.id}/{section.id}",
                    title=section.title,
                    iri=vocab.section_iri(course, module, section),
                    definition=vocab.section_definition(course, section) if definitions else none,
                    items=tuple(
                        ItemConfig(
                            id=item.id,
                            key=vocab.item_key(module, item),
                            kind=item.kind.value,
                            title=display_title(course, item),
                            iri=vocab.item_iri(course, module, item),
                            definition=vocab.item_definition(course, item) if definitions else none,
                            url=item.url,
                            revision=item.revision,
                            fingerprint=prompt_hash(item.prompt) if item.is_task else None,
                            check=check_config(item),
                        )
                        for item in section.items
                    ),
                )
                for section in module.sections
            ),
            needs_pass=needs_pass(course, [module]),
        )
        for module in course.modules
    )
    grading = assessment(course)
    return RuntimeConfig(
        course=CourseConfig(
            id=course.id,
            title=course.title,
            description=course.description,
            language=course.language,
            version=course.version,
            completion=course.completion.value,
            score=course.score.value,
            counted=tuple(counted_keys(course)),
            iri=vocab.course_iri(course),
            definition=vocab.course_definition(course) if definitions else none,
            # localStorage key namespace: stable per course IRI, not per version, so that
            # a learner's progress survives a republished package.
            storage_key="coursepack:" + short_hash(course.id, 12),
            assessment=AssessmentConfig(
                pass_mark=grading.pass_mark,
                attempts=grading.attempts,
                shuffle=grading.shuffle,
                retry=grading.retry,
                needs_pass=needs_pass(course),
            )
            if course.graded
            else None,
        ),
        modules=modules,
        strings=course_words(course.language, course.words),
        target=target,
        lrs=lrs,
    )


def _json(data: object) -> str:
    body = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return body.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def config_parts(config: RuntimeConfig | JsonObject) -> list[bytes]:
    """``config_script`` in pieces, one per module: the JSON of one module at a time is made
    and encoded, so a course of 20,000 items never holds the tree of all its entries, its
    text and its bytes at once. The pieces join to exactly ``config_script``'s bytes."""
    if not isinstance(config, RuntimeConfig):
        return [config_script(config)]
    data = config.to_json_without_modules()
    before = {k: v for k, v in data.items() if k < "modules"}
    after = {k: v for k, v in data.items() if k > "modules"}
    head, tail = _json(before)[1:-1], _json(after)[1:-1]  # the members around "modules"
    lead, trail = (head + "," if head else ""), ("," + tail if tail else "")
    parts = [f'window.COURSEPACK_CONFIG = {{{lead}"modules":['.encode()]
    for n, module in enumerate(config.modules):
        parts.append(("," if n else "").encode() + _json(module.to_json()).encode())
    parts.append(f"]{trail}}};\n".encode())
    return parts


def config_script(config: RuntimeConfig | JsonObject) -> bytes:
    """Serialise deterministically as a script; '<' is escaped so no text can close the tag."""
    data = config.to_json() if isinstance(config, RuntimeConfig) else config
    return f"window.COURSEPACK_CONFIG = {_json(data)};\n".encode()


def read_config_script(data: bytes) -> JsonObject:
    """The configuration in a ``coursepack-config.js`` that ``config_script`` wrote ({} when
    it holds none)."""
    text = data.decode("utf-8", errors="replace")
    start, end = text.find("{"), text.rfind("}")
    if start < 0 or end < start:
        return {}
    try:
        found = json.loads(text[start : end + 1])
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}
