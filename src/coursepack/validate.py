"""The validate stage: :class:`CourseSource` -> frozen :class:`Course`, or every problem.

Pure: it reads no file (the load stage did, ``coursepack.source``) and writes nothing. Each
target checks its own ``course.yaml`` options and limits (``Target.parse_options``,
``Target.check_course``); nothing here knows a standard.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from types import MappingProxyType
from typing import Any

from coursepack.errors import CourseInvalid, Problem, Problems
from coursepack.ids import ID_PATTERN, short_hash, slugify
from coursepack.limits import MAX_CHECK_OPTIONS, MAX_DURATION_MINUTES, MAX_ITEMS, MAX_OBJECTIVES
from coursepack.model import (
    Assessment,
    Check,
    CheckKind,
    CheckOption,
    CompletionRule,
    Course,
    Item,
    ItemKind,
    LrsSettings,
    Module,
    Position,
    ScoreRule,
    Section,
)
from coursepack.source import COURSE_FILE, CourseSource
from coursepack.source.files import MEDIA_DIR
from coursepack.source.modules import RawItem, RawModule, RawOption, RawSection, unknown_keys
from coursepack.source.yamlsrc import YamlList, YamlMap, boolean_of, text_of
from coursepack.theme import parse_theme
from coursepack.weburl import split_url

COURSE_KEYS = {
    "id",
    "title",
    "description",
    "language",
    "version",
    "completion",
    "modules",
    "lms",
    "tracking",
    "words",
    "theme",
    "score",
    "assessment",
    "duration",
    "objectives",
}
ASSESSMENT_KEYS = {"pass_mark", "attempts", "shuffle", "retry"}
#: options that make a CHECK a true/false question (their fingerprints), and their ids
TRUE_FALSE = {"true": "true", "false": "false"}
OPTION_ID_LENGTH = 32
MODULE_ENTRY_KEYS = {"file", "id", "title"}
TRACKING_KEYS = {"lrs"}
LRS_KEYS = {"endpoint", "actor_homepage"}
CREDENTIAL_KEYS = {"password", "auth", "username", "user", "key", "secret", "token"}

_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_VERSION = re.compile(r"[A-Za-z0-9._+-]+")
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
# "90", "90 min", "1 h", "1h30", "1 h 30 min": hours and minutes
_DURATION = re.compile(
    r"^\s*(?:(?P<h>\d{1,3})\s*h(?:ours?)?)?\s*(?P<m>\d{1,5})?\s*(?:m|min|mins|minutes?)?\s*$"
)


@dataclass(frozen=True)
class Checked:
    """A valid course and the warnings about it (things the author may mean)."""

    course: Course
    warnings: tuple[Problem, ...]


def is_http_url(value: str) -> bool:
    """An absolute http(s) URL with a host; False for anything ``urlsplit`` refuses."""
    try:
        parts = split_url(value)
    except ValueError:  # "http://[x": an unclosed IPv6 host
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in value


def validate(
    source: CourseSource, environ: Mapping[str, str], *, ids_from_places: bool = True
) -> Checked:
    """Every problem of the course at once (``CourseInvalid``), or the course.

    ``ids_from_places``: the ids items get from their place here are the ones they keep (no
    lock file gives them theirs, see ``coursepack.versions``), so an explicit id equal to one
    of them is an error: the two items would share a learner's saved answers.
    """
    problems = Problems()
    problems.extend(source.problems)
    course = _Validator(source, environ, problems, ids_from_places).run()
    if problems.errors or course is None:
        raise CourseInvalid(problems)
    return Checked(course, tuple(problems.warnings))


class _Validator:
    def __init__(
        self,
        source: CourseSource,
        env: Mapping[str, str],
        problems: Problems,
        ids_from_places: bool = True,
    ) -> None:
        self.source = source
        self.env = env
        self.problems = problems
        self.ids_from_places = ids_from_places
        self.media_paths = frozenset(m.path for m in source.media)

    def problem(self, pos: Position, message: str, hint: str = "") -> None:
        self.problems.add(pos, message, hint)

    # -- course.yaml ----------------------------------------------------------------------

    def run(self) -> Course | None:
        from coursepack.targets import TARGETS

        data = self.source.data
        if data is None:
            return None
        option_keys = {cls.options_key: cls for cls in TARGETS.values() if cls.options_key}
        unknown_keys(data, COURSE_KEYS | set(option_keys), COURSE_FILE, self.problems)

        course_id = self._course_id(data)
        title = self._required_text(data, "title")
        description = self._optional_text(data, "description")
        language = self._language(data)
        version = self._version(data)
        completion = self._completion(data)
        score = self._score(data)
        lms = self._lms(data)
        lrs = self._tracking(data)
        words = self._course_words(data)
        duration = self._duration(data)
        objectives = self._objectives(data)
        theme = parse_theme(data.get("theme"), data.at("theme"), self.problems, self.media_paths)
        options: dict[str, Any] = {}
        for key, cls in sorted(option_keys.items()):
            options[cls.name] = cls.parse_options(data.get(key), data.at(key), self.problems)
        assessment = self._assessment(data)
        modules = self._modules(data)
        course = Course(
            id=course_id,
            title=title,
            description=description,
            language=language,
            version=version,
            completion=completion,
            score=score,
            modules=tuple(modules),
            root=self.source.root,
            lms=lms,
            lrs=lrs,
            media=self.source.media,
            target_options=MappingProxyType(options),
            positions=MappingProxyType(dict(data.value_pos)),
            words=MappingProxyType(words),
            theme=theme,
            assessment=assessment,
            duration_minutes=duration,
            objectives=objectives,
        )
        self._grading(data, course)
        items = sum(len(m.items) for m in modules)
        if items > MAX_ITEMS:
            self.problem(
                data.at("modules"),
                f"the course has {items:,} items; at most {MAX_ITEMS:,} are allowed",
                "split it into several courses",
            )
        for cls in sorted(TARGETS.values(), key=lambda c: c.name):
            self.problems.extend(cls.check_course(course))
        self._images()
        self._prose_links()
        self._links_twice(modules)
        self._videos(modules)
        self._unlisted_modules()
        self._words(data, language, words)
        for junk in self.source.media_junk:
            self.warn(
                Position(junk),
                f"'{junk}' is left out of the packages (a file of an editor or of the system)",
                "delete it from media/",
            )
        return course

    def warn(self, pos: Position, message: str, hint: str = "") -> None:
        self.problems.add(pos, message, hint, severity="warning")

    # -- what the author may not have meant ---------------------------------------------------

    def _images(self) -> None:
        """Every image of the prose is a file of media/: otherwise the learner sees its alt
        text and nothing says why."""
        from coursepack.render.markdown import media_path

        for loaded in self.source.modules.values():
            for src, pos in loaded.raw.images if loaded.raw else ():
                path = media_path(src)
                if path is None:
                    self.problem(
                        pos,
                        f"the image '{src}' is not in the course's {MEDIA_DIR}/ folder: pages "
                        "show images from the package only",
                        f"put the image in {MEDIA_DIR}/ and write '{MEDIA_DIR}/NAME'",
                    )
                elif path not in self.media_paths:
                    self.problem(
                        pos,
                        f"the image '{src}' is not a file of the course's {MEDIA_DIR}/ folder",
                        "check the file name: names are case-sensitive",
                    )

    def _prose_links(self) -> None:
        """A link of the prose goes to the web, to a file of media/ or within the page; any
        other would lead the course's frame away (the page drops it: say so)."""
        from coursepack.render.markdown import is_external_link, is_safe_link, media_path

        for loaded in self.source.modules.values():
            for url, pos in loaded.raw.links if loaded.raw else ():
                if url.startswith("#") or url.lower().startswith("mailto:"):
                    continue
                if is_external_link(url) and is_safe_link(url):
                    continue
                path = media_path(url)
                if path is not None and path in self.media_paths:
                    continue
                self.problem(
                    pos,
                    f"the link '{url}' leads nowhere in the package: learners would see its "
                    "text only",
                    "link a full https:// address or a file of media/",
                )

    def _links_twice(self, modules: list[Module]) -> None:
        first: dict[str, Position] = {}
        for module in modules:
            for item in module.items:
                if item.url is None:
                    continue
                if item.url in first:
                    self.warn(
                        item.pos,
                        f"the same {item.kind.name} link is given twice (also at "
                        f"{first[item.url]})",
                        "remove one, or link different pages",
                    )
                else:
                    first[item.url] = item.pos

    def _videos(self, modules: list[Module]) -> None:
        from coursepack.render.embeds import embed_for

        for module in modules:
            for item in module.items:
                if item.kind is not ItemKind.WATCH or item.url is None:
                    continue
                if embed_for(item.url, self.media_paths).provider == "link":
                    self.warn(
                        item.pos,
                        f"WATCH {item.url} cannot be played in the page: learners get a link "
                        "card that opens it in a new tab",
                        "link a YouTube or Vimeo video or a video file of media/ such as .mp4, "
                        "or write READ: for a page",
                    )

    def _unlisted_modules(self) -> None:
        listed = set(self.source.modules)
        folders = {str(PurePosixPath(rel).parent) for rel in listed}
        for rel in self.source.module_files:
            if rel not in listed and str(PurePosixPath(rel).parent) in folders:
                self.warn(
                    Position(rel),
                    f"'{rel}' is not listed in course.yaml: learners will not see it",
                    "add it to 'modules' in course.yaml, or move it out of the course folder",
                )

    def _words(self, data: YamlMap, language: str, own: dict[str, str]) -> None:
        from coursepack.i18n import available_languages, has_words_for
        from coursepack.i18n import words as table_words

        if own.keys() >= table_words("en").keys():
            return  # the course brings every word itself
        if language and _LANGUAGE.match(language) and not has_words_for(language):
            shipped = ", ".join(available_languages())
            self.warn(
                data.at("language"),
                f"no words for language '{language}': learners see the interface (buttons, "
                "progress, notices) in English",
                f"coursepack ships words for: {shipped}; give this course its own words "
                "under 'words:' in course.yaml (docs/words.md)",
            )

    def _required_text(self, data: YamlMap, key: str) -> str:
        if key not in data:
            self.problem(data.pos, f"'{key}' is missing", f"add '{key}: ...' to {COURSE_FILE}")
            return ""
        if isinstance(data[key], YamlMap | YamlList):
            text_of(data, key, self.problems)  # says it must be text
            return ""
        text = text_of(data, key, self.problems).strip()
        if not text:
            self.problem(data.at(key), f"'{key}' is empty", f"give the course a {key}")
        return text

    def _optional_text(self, data: YamlMap, key: str) -> str:
        return text_of(data, key, self.problems).strip()

    def _course_id(self, data: YamlMap) -> str:
        text = self._required_text(data, "id")
        if not text:
            return ""
        if not is_http_url(text) or "?" in text or "#" in text:  # even an empty one
            self.problem(
                data.at("id"),
                f"course id '{text}' is not an absolute http(s) IRI without query or fragment",
                "use an address you control, e.g. https://courses.example.org/my-course",
            )
        return text.rstrip("/")

    def _language(self, data: YamlMap) -> str:
        text = self._required_text(data, "language")
        if text and not _LANGUAGE.match(text):
            self.problem(
                data.at("language"),
                f"language '{text}' is not a language tag",
                "use a BCP 47 tag such as 'en', 'en-GB' or 'fr'",
            )
        return text

    def _version(self, data: YamlMap) -> str:
        text = self._required_text(data, "version")
        if text and not isinstance(data["version"], str):
            text = data.source_text.get("version", text).strip()  # 1.10 is not 1.1
        if text and not _VERSION.fullmatch(text):
            self.problem(
                data.at("version"),
                f"version '{text}' may use letters, digits, '.', '-', '_' and '+' only",
                "for example 1.0.0",
            )
        return text

    def _completion(self, data: YamlMap) -> CompletionRule:
        value = data.get("completion")
        if value is None:
            return CompletionRule.ALL_TASKS
        try:
            return CompletionRule(str(value))
        except ValueError:
            allowed = ", ".join(rule.value for rule in CompletionRule)
            self.problem(
                data.at("completion"),
                f"unknown completion rule '{value}'",
                f"use one of: {allowed}",
            )
            return CompletionRule.ALL_TASKS

    def _score(self, data: YamlMap) -> ScoreRule:
        value = data.get("score")
        if value is None:
            return ScoreRule.NONE
        try:
            return ScoreRule(str(value).strip())
        except ValueError:
            allowed = ", ".join(rule.value for rule in ScoreRule)
            self.problem(
                data.at("score"), f"unknown score rule '{value}'", f"use one of: {allowed}"
            )
            return ScoreRule.NONE

    def _assessment(self, data: YamlMap) -> Assessment | None:
        """``assessment:``: pass mark (percent), attempts per question (0: unlimited),
        shuffle and retry."""
        value = data.get("assessment")
        if value is None:
            return None
        if not isinstance(value, YamlMap):
            self.problem(
                data.at("assessment"),
                "'assessment' must be a mapping",
                "e.g. 'assessment: {pass_mark: 80, attempts: 2}'",
            )
            return None
        unknown_keys(value, ASSESSMENT_KEYS, "assessment", self.problems)
        default = Assessment()
        pass_mark = self._whole_number(value, "pass_mark", default.pass_mark, 0, 100)
        attempts = self._whole_number(value, "attempts", default.attempts, 0, None)
        shuffle = self._yes_no(value, "shuffle", default.shuffle)
        retry = self._yes_no(value, "retry", default.retry)
        return Assessment(pass_mark=pass_mark, attempts=attempts, shuffle=shuffle, retry=retry)

    def _whole_number(
        self, data: YamlMap, key: str, default: int, low: int, high: int | None
    ) -> int:
        if key not in data:
            return default
        value = data[key]
        shown = str(value).strip() if isinstance(value, str) else ""
        if shown.isascii() and shown.isdigit():
            number = int(shown)
            if number >= low and (high is None or number <= high):
                return number
        if high is None:
            self.problem(
                data.at(key),
                f"assessment {key} '{shown}' is not a whole number from {low} up",
                "attempts per question: 1, 2, 3, … or 0 for unlimited",
            )
        else:
            self.problem(
                data.at(key),
                f"assessment {key} '{shown}' is not a whole number from {low} to {high}",
                "the pass mark is the percentage of CHECKs answered right, e.g. 80",
            )
        return default

    def _yes_no(self, data: YamlMap, key: str, default: bool) -> bool:
        if key not in data:
            return default
        value = boolean_of(data[key])
        if value is not None:
            return value
        shown = str(data[key]) if isinstance(data[key], str) else "a list or mapping"
        self.problem(
            data.at(key), f"assessment {key} '{shown}' is not true or false", "write true or false"
        )
        return default

    def _grading(self, data: YamlMap, course: Course) -> None:
        """A rule that needs a pass needs CHECKs; an assessment without CHECKs does nothing."""
        written = any(
            item.kind == "CHECK"
            for loaded in self.source.modules.values()
            if loaded.raw is not None
            for section in loaded.raw.sections
            for item in section.items
        )
        if course.graded or written:  # a CHECK with a mistake is said where it stands
            return
        if course.completion in (CompletionRule.PASS, CompletionRule.ALL_TASKS_AND_PASS):
            self.problem(
                data.at("completion"),
                f"completion rule '{course.completion.value}' needs a pass mark, but the course "
                "has no CHECK to score",
                "add CHECK: questions to a module, or use 'completion: all-tasks'",
            )
        elif course.assessment is not None:
            self.warn(
                data.at("assessment"),
                "'assessment' has no effect: the course has no CHECK",
                "add CHECK: questions to a module, or remove 'assessment'",
            )

    def _lms(self, data: YamlMap) -> str | None:
        value = data.get("lms")
        if value is None:
            return None
        from coursepack.profiles import PROFILES

        if str(value) not in PROFILES:
            self.problem(
                data.at("lms"),
                f"unknown LMS profile '{value}'",
                "use one of: " + ", ".join(sorted(PROFILES)),
            )
            return None
        return str(value)

    def _course_words(self, data: YamlMap) -> dict[str, str]:
        """``words:``: the course's own interface words, checked against the language table's
        keys and placeholders."""
        from coursepack.i18n import PLURAL_CATEGORIES, plural_base
        from coursepack.i18n import words as table_words

        value = data.get("words")
        if value is None:
            return {}
        if not isinstance(value, YamlMap):
            self.problem(
                data.at("words"),
                "'words' must be a mapping of interface words",
                "e.g. 'task.heading: Exercise {number}'",
            )
            return {}
        english = dict(table_words("en"))
        # a word with a count may take every plural form of CLDR (Arabic has six), though
        # the tables write "one" only: 'progress.tasks.two' is a key when 'progress.tasks.one' is
        for key in list(english):
            base = plural_base(key)
            if base is not None and base in english:
                english.update({f"{base}.{c}": english[base] for c in PLURAL_CATEGORIES})
        unknown_keys(value, set(english), "words", self.problems)
        found: dict[str, str] = {}
        for key in value:
            if key not in english:
                continue
            text = text_of(value, key, self.problems).strip()
            wanted = sorted(_PLACEHOLDER.findall(english[key]))
            given = sorted(_PLACEHOLDER.findall(text))
            if not text:
                self.problem(value.at(key), f"the word '{key}' is empty", "write the words")
            elif given != wanted:
                shown = ", ".join("{" + name + "}" for name in wanted) or "none"
                self.problem(
                    value.at(key),
                    f"the word '{key}' has the placeholders {given or 'none'}; it needs {shown}",
                    f"keep the placeholders of the table, e.g. '{english[key]}'",
                )
            else:
                found[key] = text
        return found

    def _duration(self, data: YamlMap) -> int | None:
        """``duration:``: how long the course takes, in minutes (a number) or as "1 h 30 min"."""
        if "duration" not in data:
            return None
        value = data.get("duration")
        if not isinstance(value, str):
            self.problem(
                data.at("duration"),
                "'duration' must be text: minutes, or hours and minutes",
                "e.g. 'duration: 45' or 'duration: 1 h 30 min'",
            )
            return None
        written = value.strip()
        match = _DURATION.match(written)
        minutes = 0
        if match and (match.group("h") or match.group("m")):
            minutes = int(match.group("h") or 0) * 60 + int(match.group("m") or 0)
        if not 0 < minutes <= MAX_DURATION_MINUTES:
            self.problem(
                data.at("duration"),
                f"duration '{written}' is not a length of time",
                f"write minutes, e.g. 'duration: 45', or '1 h 30 min' (at most "
                f"{MAX_DURATION_MINUTES // 60} hours); leave it out for an estimate",
            )
            return None
        return minutes

    def _objectives(self, data: YamlMap) -> tuple[str, ...]:
        """``objectives:``: a list of short lines, shown on the start page."""
        if "objectives" not in data:
            return ()
        value = data.get("objectives")
        if not isinstance(value, YamlList) or not value:
            self.problem(
                data.at("objectives"),
                "'objectives' must be a list of what the learner will learn",
                "write one objective per line, each starting with '- '",
            )
            return ()
        found: list[str] = []
        for index, entry in enumerate(value):
            text = entry.strip() if isinstance(entry, str) else ""
            if not text or "\n" in text:
                self.problem(
                    value.at(index),
                    f"objective {index + 1} is not a line of text",
                    "write each objective as one line of text",
                )
                continue
            found.append(text)
        if len(found) > MAX_OBJECTIVES:
            self.problem(
                data.at("objectives"),
                f"the course has {len(found)} objectives; at most {MAX_OBJECTIVES} are shown",
                "keep the few that matter most",
            )
        return tuple(found)

    def _tracking(self, data: YamlMap) -> LrsSettings | None:
        value = data.get("tracking")
        if value is None:
            return None
        if not isinstance(value, YamlMap):
            self.problem(data.at("tracking"), "'tracking' must be a mapping", "e.g. 'lrs: ...'")
            return None
        unknown_keys(value, TRACKING_KEYS, "tracking", self.problems)
        lrs = value.get("lrs")
        if lrs is None:
            return None
        if not isinstance(lrs, YamlMap):
            self.problem(value.at("lrs"), "'tracking.lrs' must be a mapping")
            return None
        for key in lrs:
            if key in LRS_KEYS:
                continue
            if key.lower() in CREDENTIAL_KEYS:
                self.problem(
                    lrs.key_pos[key],
                    f"'{key}': LRS credentials never go in course.yaml",
                    "remove it and set COURSEPACK_LRS_USERNAME and COURSEPACK_LRS_PASSWORD "
                    "(or COURSEPACK_LRS_AUTH) in the environment when you build",
                )
            else:
                unknown_keys(lrs, LRS_KEYS, "tracking.lrs", self.problems, only=key)
        endpoint = (
            text_of(lrs, "endpoint", self.problems) or self.env.get("COURSEPACK_LRS_ENDPOINT", "")
        ).strip()
        if not endpoint:
            self.problem(
                lrs.pos,
                "dual tracking needs an LRS endpoint",
                "add 'endpoint: https://lrs.example.org/xapi/' or set COURSEPACK_LRS_ENDPOINT",
            )
        elif not is_http_url(endpoint):
            self.problem(lrs.at("endpoint"), f"LRS endpoint '{endpoint}' is not an http(s) URL")
        homepage = text_of(lrs, "actor_homepage", self.problems).strip()
        if not homepage:
            self.problem(
                lrs.pos,
                "dual tracking needs 'actor_homepage' (the LMS address learners' ids belong to)",
                "add 'actor_homepage: https://lms.example.org'",
            )
        elif not is_http_url(homepage):
            self.problem(lrs.at("actor_homepage"), f"'{homepage}' is not an http(s) URL")
        if not endpoint.endswith("/"):
            endpoint += "/"
        return LrsSettings(endpoint=endpoint, actor_homepage=homepage, pos=lrs.pos)

    # -- modules --------------------------------------------------------------------------

    def _modules(self, data: YamlMap) -> list[Module]:
        entries = data.get("modules")
        if entries is None:
            self.problem(
                data.pos, "'modules' is missing", "list the module files, e.g. '- modules/intro.md'"
            )
            return []
        if not isinstance(entries, YamlList) or not entries:
            self.problem(
                data.at("modules"),
                "'modules' must be a non-empty list of module files",
                "e.g. '- modules/intro.md'",
            )
            return []
        modules: list[Module] = []
        seen_ids: dict[str, Position] = {}
        seen_files: dict[str, Position] = {}
        for index, entry in enumerate(entries):
            pos = entries.at(index)
            explicit_id: str | None = None
            explicit_title: str | None = None
            id_pos = pos
            if isinstance(entry, YamlMap):
                unknown_keys(entry, MODULE_ENTRY_KEYS, "a module entry", self.problems)
                file_value = entry.get("file")
                if "id" in entry:
                    explicit_id, id_pos = text_of(entry, "id", self.problems), entry.at("id")
                if "title" in entry:
                    explicit_title = text_of(entry, "title", self.problems).strip()
                pos = entry.at("file")
            else:
                file_value = entry
            if not isinstance(file_value, str) or not file_value.strip():
                self.problem(pos, "a module entry names its file", "e.g. '- modules/intro.md'")
                continue
            rel = file_value.strip()
            if rel in seen_files:
                self.problem(pos, f"module '{rel}' is listed twice")
                continue
            seen_files[rel] = pos
            loaded = self.source.modules.get(rel)
            if loaded is None or loaded.raw is None:
                continue  # the load stage said why
            module = self._module(
                loaded.raw,
                PurePosixPath(rel).stem,
                explicit_title=(explicit_title, pos) if explicit_title else None,
                explicit_id=(explicit_id, id_pos) if explicit_id is not None else None,
            )
            if module is None:
                continue
            where = id_pos if explicit_id is not None else (loaded.raw.id_pos or pos)
            if module.id in seen_ids:
                self.problem(
                    where,
                    f"module id '{module.id}' is used twice (also at {seen_ids[module.id]})",
                    "give one of them its own 'id' in course.yaml",
                )
                continue
            seen_ids[module.id] = where
            modules.append(module)
        return modules

    def _check_id(self, value: str, pos: Position, what: str) -> bool:
        if ID_PATTERN.match(value):
            return True
        self.problem(
            pos,
            f"{what} id '{value}' is not a valid id",
            "use lower-case letters, digits and '-', starting with a letter (at most 64)",
        )
        return False

    def _module(
        self,
        raw: RawModule,
        stem: str,
        *,
        explicit_title: tuple[str, Position] | None,
        explicit_id: tuple[str, Position] | None,
    ) -> Module | None:
        id_value, id_pos = explicit_id or (raw.explicit_id, raw.id_pos)
        if id_value is not None:
            module_id = id_value
            if not self._check_id(module_id, id_pos or raw.pos, "module"):
                return None
        else:
            module_id = slugify(stem) or "module"
        title_value, title_pos = explicit_title or (raw.title, raw.title_pos)
        title = (title_value or "").strip()
        if raw.broken:  # the file could not be parsed: that problem is the one to fix
            return None
        if not title:
            self.problem(
                title_pos or raw.pos,
                "the module has no title",
                "start the file with '# Module title'"
                if raw.file.endswith((".md", ".markdown"))
                else "add 'title: ...'",
            )
        sections: list[Section] = []
        section_ids, item_ids = _IdSpace(), _IdSpace()
        for raw_section in raw.sections:
            section = self._section(raw_section, title, section_ids, item_ids)
            if section is not None:
                sections.append(section)
        self._explicit_clashes(item_ids)
        if not any(s.items for s in sections) and not any(s.items for s in raw.sections):
            self.problem(
                raw.pos,
                "the module has no items",
                "add at least one line starting with READ:, WATCH:, TASK: or CHECK:",
            )
        return Module(
            id=module_id,
            title=title,
            intro_md=raw.intro,
            sections=tuple(sections),
            pos=raw.pos,
            title_pos=title_pos or raw.pos,
        )

    def _explicit_clashes(self, item_ids: _IdSpace) -> None:
        """An explicit item id that another item (without one) would get from its place.

        That item is given another id in this build, but a learner's saved answers and the
        LMS's records of an earlier build are filed under the id it had: the explicit one
        would take them over. With a lock file the ids come from the lock, and an id that
        another item keeps there is the stabiliser's to refuse.
        """
        if not self.ids_from_places:
            return
        for item_id, pos in item_ids.explicit.items():
            if item_id not in item_ids.derived:
                continue
            kind, where = item_ids.derived[item_id]
            self.problem(
                pos,
                f"item id '{item_id}' is the id that the {kind} at {where} gets from its "
                "place: the two would share a learner's saved answers",
                "choose another id, or give that item an explicit id too",
            )

    def _section(
        self,
        raw: RawSection,
        module_title: str,
        section_ids: _IdSpace,
        item_ids: _IdSpace,
    ) -> Section | None:
        title = raw.title.strip() or (module_title if raw.implicit else "")
        if not title:
            self.problem(raw.pos, "the section has no title", "write a heading: '## Title'")
        if raw.explicit_id is not None:
            section_id = raw.explicit_id
            if not self._check_id(section_id, raw.id_pos or raw.pos, "section"):
                return None
            if section_id in section_ids:
                self.problem(
                    raw.id_pos or raw.pos,
                    f"section id '{section_id}' is used twice in this module "
                    f"(also at {section_ids.where[section_id]})",
                    "ids must be unique within a module",
                )
                section_id = f"{section_id}--duplicate-{len(section_ids)}"
        else:
            section_id = section_ids.fresh(slugify(title) or "section")
        section_ids.take(section_id, raw.id_pos or raw.pos)
        items: list[Item] = []
        task_number = 0
        for raw_item in raw.items:
            if raw_item.kind == "TASK":
                task_number += 1
            item = self._item(raw_item, section_id, task_number, item_ids)
            if item is not None:
                items.append(item)
        return Section(
            id=section_id, title=title, items=tuple(items), outro_md=raw.outro, pos=raw.pos
        )

    def _item(
        self,
        raw: RawItem,
        section_id: str,
        task_number: int,
        item_ids: _IdSpace,
    ) -> Item | None:
        kind = ItemKind(raw.kind.lower())
        url: str | None = None
        prompt: str | None = None
        check: Check | None = None
        ok = True
        if kind is ItemKind.CHECK:
            check = self._check(raw)
            ok = check is not None
            derived = f"check-{short_hash(_fingerprint(raw.value), 8)}"
        elif kind is ItemKind.TASK:
            prompt = raw.value.strip()
            if not prompt:
                self.problem(raw.pos, "TASK has no prompt", "write the question after 'TASK:'")
                ok = False
            derived = f"{section_id}-task-{task_number}"
        else:
            url = raw.value.strip()
            ok = self._url(raw, url)
            derived = f"{kind.value}-{short_hash(url, 8)}"
        if raw.explicit_id is not None:
            item_id = raw.explicit_id
            if not self._check_id(item_id, raw.id_pos or raw.pos, "item"):
                return None
            if item_id in item_ids:
                self.problem(
                    raw.id_pos or raw.pos,
                    f"item id '{item_id}' is used twice in this module "
                    f"(also at {item_ids.where[item_id]})",
                    "ids must be unique within a module",
                )
                return None
            item_ids.explicit[item_id] = raw.id_pos or raw.pos
        else:
            item_id = item_ids.fresh(derived)
            item_ids.derived.setdefault(derived, (raw.kind, raw.pos))
        item_ids.take(item_id, raw.id_pos or raw.pos)
        if not ok:
            return None
        return Item(
            id=item_id,
            kind=kind,
            explicit_title=raw.title or None,
            intro_md=raw.intro,
            url=url,
            prompt=prompt,
            pos=raw.pos,
            check=check,
        )

    # -- CHECKs ---------------------------------------------------------------------------

    def _check(self, raw: RawItem) -> Check | None:
        """A CHECK's question, options and feedback; every mistake located."""
        question = raw.value.strip()
        ok = True
        if not question:
            self.problem(raw.pos, "CHECK has no question", "write the question after 'CHECK:'")
            ok = False
        boxed = [o for o in raw.options if o.correct is not None]
        answers = [o for o in raw.options if o.correct is None]
        if not raw.options:
            self.problem(
                raw.pos,
                "CHECK has no options",
                "list them under the question: '- [x] a right one', '- [ ] a wrong one'; for "
                "a text answer, list the answers it accepts: '- answer'",
            )
            return None
        if boxed and answers:
            self.problem(
                answers[0].pos,
                "CHECK mixes options with boxes and answers without: "
                f"'{_shorten(answers[0].text)}' has no '[ ]' or '[x]'",
                "write '- [ ] …' or '- [x] …' for every option (a list without boxes is the "
                "accepted answers of a text answer)",
            )
            return None
        if answers:
            ok = self._accepted(answers) and ok
            if not ok:
                return None
            return Check(
                kind=CheckKind.TEXT,
                question_md=question,
                options=(),
                accepted=tuple(a.text for a in answers),
                feedback_correct_md=raw.feedback_correct,
                feedback_incorrect_md=raw.feedback_incorrect,
            )
        options = self._options(raw, boxed)
        if options is None or not ok:
            return None
        correct = [o for o in options if o.correct]
        if {o.id for o in options} == set(TRUE_FALSE.values()) and len(options) == 2:
            if len(correct) != 1:
                self.problem(
                    raw.pos,
                    "a true/false CHECK has "
                    + ("both answers" if correct else "neither answer")
                    + " marked right",
                    "mark the right one '- [x]' and the other '- [ ]'",
                )
                return None
            kind = CheckKind.TRUE_FALSE
        elif not correct:
            self.problem(
                raw.pos,
                "CHECK has no correct option",
                "mark the right option (or options) '- [x]'",
            )
            return None
        else:
            kind = CheckKind.SINGLE if len(correct) == 1 else CheckKind.MULTIPLE
        return Check(
            kind=kind,
            question_md=question,
            options=tuple(options),
            feedback_correct_md=raw.feedback_correct,
            feedback_incorrect_md=raw.feedback_incorrect,
        )

    def _accepted(self, answers: list[RawOption]) -> bool:
        ok = True
        seen: dict[str, Position] = {}
        for answer in answers:
            if answer.feedback is not None:
                self.problem(
                    answer.feedback_pos or answer.pos,
                    "an accepted answer of a text CHECK takes no feedback of its own",
                    "write feedback for the whole question: 'Correct: …' and 'Incorrect: …'",
                )
                ok = False
            key = normalise_answer(answer.text)
            if not key:
                self.problem(answer.pos, "an accepted answer of a text CHECK is empty")
                ok = False
            elif key in seen:
                self.problem(
                    answer.pos,
                    f"CHECK option '{_shorten(answer.text)}' is given twice (also at "
                    f"{seen[key]}); case and spacing are forgiven",
                    "remove one",
                )
                ok = False
            else:
                seen[key] = answer.pos
        return ok

    def _options(self, raw: RawItem, boxed: list[RawOption]) -> list[CheckOption] | None:
        if len(boxed) == 1:
            self.problem(
                boxed[0].pos,
                "CHECK has a single option",
                "add the wrong options a learner chooses between ('- [ ] …'), or make it a "
                "text answer ('- answer' without a box)",
            )
            return None
        ok = True
        if len(boxed) > MAX_CHECK_OPTIONS:
            self.problem(
                boxed[MAX_CHECK_OPTIONS].pos,
                f"CHECK has {len(boxed)} options; at most {MAX_CHECK_OPTIONS} are allowed",
                "split the question, or make it a text answer",
            )
            return None
        ids = _IdSpace()
        seen: dict[str, Position] = {}
        options: list[CheckOption] = []
        for option in boxed:
            key = normalise_answer(option.text)
            if not option.text.strip():
                self.problem(option.pos, "a CHECK option is empty", "write its text after '[ ]'")
                ok = False
                continue
            if key in seen:
                self.problem(
                    option.pos,
                    f"CHECK option '{_shorten(option.text)}' is given twice (also at {seen[key]})",
                    "remove one, or reword it",
                )
                ok = False
                continue
            seen[key] = option.pos
            option_id = TRUE_FALSE.get(key) or ids.fresh(
                slugify(option.text, OPTION_ID_LENGTH) or "option"
            )
            ids.take(option_id, option.pos)
            options.append(
                CheckOption(
                    id=option_id,
                    text_md=option.text.strip(),
                    correct=bool(option.correct),
                    feedback_md=option.feedback,
                )
            )
        return options if ok else None

    def _url(self, raw: RawItem, url: str) -> bool:
        label = raw.kind
        if not url:
            self.problem(
                raw.pos,
                f"{label} has no URL",
                f"write the address after '{label}:', e.g. '{label}: https://example.org/page'",
            )
            return False
        if url.startswith(f"{MEDIA_DIR}/") and "://" not in url:
            if url not in self.media_paths:
                self.problem(
                    raw.value_pos,
                    f"{label} names '{url}', which is not a file of the course's "
                    f"{MEDIA_DIR}/ folder",
                    "check the file name (names are case-sensitive)",
                )
                return False
            return True
        if not is_http_url(url):
            self.problem(
                raw.value_pos,
                f"{label} URL '{url}' is not an http(s) address",
                f"use a full address starting with https://, or a file in {MEDIA_DIR}/",
            )
            return False
        return True


def normalise_answer(text: str) -> str:
    """A text answer as it is compared: case-folded, with its spacing made single (the
    runtime compares learners' answers the same way)."""
    return " ".join(text.casefold().split())


def _fingerprint(text: str) -> str:
    from coursepack.versions.stabilise import fingerprint

    return fingerprint(text)


def _shorten(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + "…"


class _IdSpace:
    """The ids used so far in one module (of sections, or of items), with where each stands.

    ``fresh`` numbers repeats (``base-2``, ``base-3``, ...) from a counter per base, so that
    10,000 equal bases cost linear time, not quadratic.
    """

    def __init__(self) -> None:
        self.where: dict[str, Position] = {}
        self._next: dict[str, int] = {}
        #: explicit ids and where they are written; the ids items without one derive from
        #: their place (before numbering repeats), with the first such item's kind and place
        self.explicit: dict[str, Position] = {}
        self.derived: dict[str, tuple[str, Position]] = {}

    def __contains__(self, value: str) -> bool:
        return value in self.where

    def __len__(self) -> int:
        return len(self.where)

    def fresh(self, base: str) -> str:
        if base not in self.where:
            return base
        n = self._next.get(base, 2)
        while f"{base}-{n}" in self.where:
            n += 1
        self._next[base] = n + 1
        return f"{base}-{n}"

    def take(self, value: str, pos: Position) -> None:
        self.where.setdefault(value, pos)
