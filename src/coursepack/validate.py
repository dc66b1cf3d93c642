"""Course folder -> frozen ``Course``, or every problem at once (``CourseInvalid``)."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from coursepack.errors import CourseInvalid, Problem, UserError
from coursepack.ids import ID_PATTERN, short_hash, slugify
from coursepack.model import (
    CompletionRule,
    Course,
    Item,
    ItemKind,
    LrsSettings,
    MediaFile,
    Module,
    Position,
    Section,
)
from coursepack.source.modules import (
    RawItem,
    RawModule,
    RawSection,
    parse_markdown_module,
    parse_yaml_module,
    unknown_keys,
)
from coursepack.source.yamlsrc import NOT_TEXT, YamlList, YamlMap, load_yaml, text_of

COURSE_FILE = "course.yaml"
MEDIA_DIR = "media"
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
    "cmi5",
}
MODULE_ENTRY_KEYS = {"file", "id", "title"}
TRACKING_KEYS = {"lrs"}
LRS_KEYS = {"endpoint", "actor_homepage"}
CMI5_KEYS = {"au_per"}
CREDENTIAL_KEYS = {"password", "auth", "username", "user", "key", "secret", "token"}
MODULE_SUFFIXES = {".md": "markdown", ".markdown": "markdown", ".yaml": "yaml", ".yml": "yaml"}
LMS_NAMES = ("moodle", "cornerstone", "scorm-cloud", "generic")

_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
TITLE_MAX = 200  # SCORM <title> is at most 200 characters
VERSION_MAX = 20  # SCORM manifest@version is at most 20 characters


def load_course(course_dir: Path, environ: Mapping[str, str] | None = None) -> Course:
    """Read and validate a course folder. Raises ``CourseInvalid`` listing every problem."""
    env = os.environ if environ is None else environ
    return _Validator(Path(course_dir), env).run()


def _is_http_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in value


class _Validator:
    def __init__(self, root: Path, env: Mapping[str, str]) -> None:
        self.root = root
        self.env = env
        self.problems: list[Problem] = []
        self.media_paths: frozenset[str] = frozenset()

    def problem(self, pos: Position, message: str, hint: str = "") -> None:
        self.problems.append(Problem(pos, message, hint))

    # -- course.yaml ----------------------------------------------------------------------

    def run(self) -> Course:
        if not self.root.is_dir():
            raise UserError(f"{self.root}: no such course folder")
        course_file = self.root / COURSE_FILE
        if not course_file.is_file():
            raise UserError(
                f"{self.root}: no {COURSE_FILE} here (a course folder holds {COURSE_FILE} "
                "and its module files)"
            )
        data = load_yaml(self._read(course_file, COURSE_FILE) or "", COURSE_FILE, self.problems)
        if data is None:
            if not self.problems:
                self.problem(Position(COURSE_FILE, 1, 1), "course.yaml is empty")
            raise CourseInvalid(self.problems)
        if not isinstance(data, YamlMap):
            self.problem(Position(COURSE_FILE, 1, 1), "course.yaml must be a mapping of keys")
            raise CourseInvalid(self.problems)
        unknown_keys(data, COURSE_KEYS, COURSE_FILE, self.problems)

        course_id = self._course_id(data)
        title = self._required_text(data, "title", TITLE_MAX)
        description = self._optional_text(data, "description")
        language = self._language(data)
        version = self._version(data)
        completion = self._completion(data)
        lms = self._lms(data)
        lrs = self._tracking(data)
        au_per = self._cmi5(data)
        media = self._media()
        self.media_paths = frozenset(m.path for m in media)
        modules = self._modules(data)
        if self.problems:
            raise CourseInvalid(self.problems)
        return Course(
            id=course_id,
            title=title,
            description=description,
            language=language,
            version=version,
            completion=completion,
            modules=tuple(modules),
            root=self.root,
            lms=lms,
            lrs=lrs,
            au_per=au_per,
            media=tuple(media),
        )

    def _read(self, path: Path, rel: str) -> str | None:
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
            self.problem(Position(rel), f"not UTF-8 text ({exc.reason})", "save the file as UTF-8")
            return None
        except OSError as exc:
            self.problem(Position(rel), f"cannot read: {exc.strerror}")
            return None
        for match in NOT_TEXT.finditer(text):  # no manifest (XML) or page may hold them
            line = text.count("\n", 0, match.start()) + 1
            col = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
            self.problem(
                Position(rel, line, col),
                f"control character U+{ord(match.group()):04X} in the text",
                "remove it: it is invisible, often pasted from another program",
            )
        return text

    def _required_text(self, data: YamlMap, key: str, max_len: int = 0) -> str:
        if key not in data:
            self.problem(data.pos, f"'{key}' is missing", f"add '{key}: ...' to {COURSE_FILE}")
            return ""
        if isinstance(data[key], YamlMap | YamlList):
            text_of(data, key, self.problems)  # says it must be text
            return ""
        text = text_of(data, key, self.problems).strip()
        if not text:
            self.problem(data.at(key), f"'{key}' is empty", f"give the course a {key}")
        elif max_len and len(text) > max_len:
            self.problem(
                data.at(key),
                f"'{key}' is {len(text)} characters; LMSs allow at most {max_len}",
                "shorten it",
            )
        return text

    def _optional_text(self, data: YamlMap, key: str) -> str:
        return text_of(data, key, self.problems).strip()

    def _course_id(self, data: YamlMap) -> str:
        text = self._required_text(data, "id")
        if not text:
            return ""
        if not _is_http_url(text) or "?" in text or "#" in text:  # even an empty one
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
        text = self._required_text(data, "version", VERSION_MAX)
        if text and not isinstance(data["version"], str):
            text = data.source_text.get("version", text).strip()  # 1.10 is not 1.1
        if text and not re.fullmatch(r"[A-Za-z0-9._+-]+", text):
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

    def _lms(self, data: YamlMap) -> str | None:
        value = data.get("lms")
        if value is None:
            return None
        from coursepack.targets.profiles import PROFILES

        if str(value) not in PROFILES:
            self.problem(
                data.at("lms"),
                f"unknown LMS profile '{value}'",
                "use one of: " + ", ".join(sorted(PROFILES)),
            )
            return None
        return str(value)

    def _cmi5(self, data: YamlMap) -> str:
        value = data.get("cmi5")
        if value is None:
            return "module"
        if not isinstance(value, YamlMap):
            self.problem(data.at("cmi5"), "'cmi5' must be a mapping", "e.g. 'au_per: module'")
            return "module"
        unknown_keys(value, CMI5_KEYS, "cmi5", self.problems)
        au_per = str(value.get("au_per", "module"))
        if au_per not in ("module", "course"):
            self.problem(value.at("au_per"), f"au_per '{au_per}'", "use 'module' or 'course'")
            return "module"
        return au_per

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
        endpoint = str(lrs.get("endpoint") or self.env.get("COURSEPACK_LRS_ENDPOINT", "")).strip()
        if not endpoint:
            self.problem(
                lrs.pos,
                "dual tracking needs an LRS endpoint",
                "add 'endpoint: https://lrs.example.org/xapi/' or set COURSEPACK_LRS_ENDPOINT",
            )
        elif not _is_http_url(endpoint):
            self.problem(lrs.at("endpoint"), f"LRS endpoint '{endpoint}' is not an http(s) URL")
        homepage = str(lrs.get("actor_homepage") or "").strip()
        if not homepage:
            self.problem(
                lrs.pos,
                "dual tracking needs 'actor_homepage' (the LMS address learners' ids belong to)",
                "add 'actor_homepage: https://lms.example.org'",
            )
        elif not _is_http_url(homepage):
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
                    explicit_id, id_pos = str(entry["id"]), entry.at("id")
                if "title" in entry:
                    explicit_title = text_of(entry, "title", self.problems).strip()
                pos = entry.at("file")
            else:
                file_value = entry
            if not isinstance(file_value, str) or not file_value.strip():
                self.problem(pos, "a module entry names its file", "e.g. '- modules/intro.md'")
                continue
            rel = file_value.strip()
            path = self._safe_path(rel, pos)
            if path is None:
                continue
            if rel in seen_files:
                self.problem(pos, f"module '{rel}' is listed twice")
                continue
            seen_files[rel] = pos
            raw = self._read_module(path, rel, pos)
            if raw is None:
                continue
            if explicit_title:
                raw.title, raw.title_pos = explicit_title, pos
            if explicit_id is not None:
                raw.explicit_id, raw.id_pos = explicit_id, id_pos
            module = self._module(raw, Path(rel).stem)
            if module is None:
                continue
            if module.id in seen_ids:
                self.problem(
                    raw.id_pos or pos,
                    f"module id '{module.id}' is used twice (also at {seen_ids[module.id]})",
                    "give one of them its own 'id' in course.yaml",
                )
                continue
            seen_ids[module.id] = raw.id_pos or pos
            modules.append(module)
        return modules

    def _safe_path(self, rel: str, pos: Position) -> Path | None:
        """A path from a course file, accepted only if it stays inside the course folder."""
        candidate = Path(rel)
        if candidate.is_absolute() or "\\" in rel or rel.startswith("~"):
            self.problem(
                pos,
                f"'{rel}' is not a relative path inside the course folder",
                "write it relative to course.yaml, with '/' between folders",
            )
            return None
        root = self.root.resolve()
        resolved = (self.root / candidate).resolve()
        if not resolved.is_relative_to(root):
            self.problem(
                pos,
                f"'{rel}' points outside the course folder",
                "keep module files inside the course folder",
            )
            return None
        if not resolved.is_file():
            if resolved.is_dir():
                self.problem(
                    pos,
                    f"'{rel}' is a folder, not a module file",
                    "name the .md or .yaml file inside it",
                )
            else:
                self.problem(pos, f"module file '{rel}' does not exist", "check the path and name")
            return None
        if candidate.suffix.lower() not in MODULE_SUFFIXES:
            self.problem(
                pos,
                f"'{rel}' is neither Markdown nor YAML",
                "module files end in .md, .markdown, .yaml or .yml",
            )
            return None
        return resolved

    def _read_module(self, path: Path, rel: str, pos: Position) -> RawModule | None:
        text = self._read(path, rel)
        if text is None:
            return None
        if MODULE_SUFFIXES[path.suffix.lower()] == "yaml":
            return parse_yaml_module(text, rel, self.problems)
        return parse_markdown_module(text, rel, self.problems)

    def _check_id(self, value: str, pos: Position, what: str) -> bool:
        if ID_PATTERN.match(value):
            return True
        self.problem(
            pos,
            f"{what} id '{value}' is not a valid id",
            "use lower-case letters, digits and '-', starting with a letter (at most 64)",
        )
        return False

    def _module(self, raw: RawModule, stem: str) -> Module | None:
        if raw.explicit_id is not None:
            module_id = raw.explicit_id
            if not self._check_id(module_id, raw.id_pos or raw.pos, "module"):
                return None
        else:
            module_id = slugify(stem) or "module"
        title = (raw.title or "").strip()
        if not title:
            self.problem(
                raw.title_pos or raw.pos,
                "the module has no title",
                "start the file with '# Module title'"
                if raw.file.endswith((".md", ".markdown"))
                else "add 'title: ...'",
            )
        elif len(title) > TITLE_MAX:
            self.problem(raw.title_pos or raw.pos, f"module title is over {TITLE_MAX} characters")
        sections: list[Section] = []
        section_ids: dict[str, Position] = {}
        item_ids: dict[str, Position] = {}
        for raw_section in raw.sections:
            section = self._section(raw_section, title, section_ids, item_ids)
            if section is not None:
                sections.append(section)
        if not any(s.items for s in sections) and not any(s.items for s in raw.sections):
            self.problem(
                raw.pos,
                "the module has no items",
                "add at least one line starting with READ:, WATCH: or TASK:",
            )
        return Module(
            id=module_id, title=title, intro_md=raw.intro, sections=tuple(sections), pos=raw.pos
        )

    def _section(
        self,
        raw: RawSection,
        module_title: str,
        section_ids: dict[str, Position],
        item_ids: dict[str, Position],
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
                    f"(also at {section_ids[section_id]})",
                    "ids must be unique within a module",
                )
                section_id = f"{section_id}--duplicate-{len(section_ids)}"
        else:
            base = slugify(title) or "section"
            section_id, n = base, 2
            while section_id in section_ids:
                section_id, n = f"{base}-{n}", n + 1
        section_ids[section_id] = raw.id_pos or raw.pos
        items: list[Item] = []
        task_number = 0
        for raw_item in raw.items:
            if raw_item.kind == "TASK":
                task_number += 1
            item = self._item(raw_item, section_id, task_number, item_ids)
            if item is not None:
                items.append(item)
        return Section(
            id=section_id,
            title=title,
            items=tuple(items),
            outro_md=raw.outro,
            pos=raw.pos,
        )

    def _item(
        self, raw: RawItem, section_id: str, task_number: int, item_ids: dict[str, Position]
    ) -> Item | None:
        kind = ItemKind(raw.kind.lower())
        url: str | None = None
        prompt: str | None = None
        ok = True
        if kind is ItemKind.TASK:
            prompt = raw.value.strip()
            if not prompt:
                self.problem(raw.pos, "TASK has no prompt", "write the question after 'TASK:'")
                ok = False
            derived = f"{section_id}-task-{task_number}"
            title = raw.title or _task_title(prompt or "")
        else:
            url = raw.value.strip()
            label = raw.kind
            if not url:
                self.problem(
                    raw.pos,
                    f"{label} has no URL",
                    f"write the address after '{label}:', e.g. '{label}: https://example.org/page'",
                )
                ok = False
            elif url.startswith(f"{MEDIA_DIR}/") and "://" not in url:
                if url not in self.media_paths:
                    self.problem(
                        raw.value_pos,
                        f"{label} names '{url}', which is not a file of the course's "
                        f"{MEDIA_DIR}/ folder",
                        "check the file name (names are case-sensitive)",
                    )
                    ok = False
            elif not _is_http_url(url):
                self.problem(
                    raw.value_pos,
                    f"{label} URL '{url}' is not an http(s) address",
                    f"use a full address starting with https://, or a file in {MEDIA_DIR}/",
                )
                ok = False
            derived = f"{kind.value}-{short_hash(url or '', 8)}"
            title = raw.title or _link_title(url or "", kind)
        if raw.explicit_id is not None:
            item_id = raw.explicit_id
            if not self._check_id(item_id, raw.id_pos or raw.pos, "item"):
                return None
            if item_id in item_ids:
                self.problem(
                    raw.id_pos or raw.pos,
                    f"item id '{item_id}' is used twice in this module "
                    f"(also at {item_ids[item_id]})",
                    "ids must be unique within a module",
                )
                return None
        else:
            item_id, n = derived, 2
            while item_id in item_ids:
                item_id, n = f"{derived}-{n}", n + 1
        item_ids[item_id] = raw.id_pos or raw.pos
        if not ok:
            return None
        return Item(
            id=item_id,
            kind=kind,
            title=title,
            intro_md=raw.intro,
            url=url,
            prompt=prompt,
            pos=raw.pos,
        )

    # -- media ----------------------------------------------------------------------------

    def _media(self) -> list[MediaFile]:
        media_dir = self.root / MEDIA_DIR
        if not media_dir.is_dir() or media_dir.is_symlink():
            return []
        root = self.root.resolve()
        files: list[MediaFile] = []
        for dirpath, dirnames, filenames in os.walk(media_dir):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(filenames):
                if name.startswith("."):
                    continue
                path = Path(dirpath) / name
                rel = path.relative_to(self.root).as_posix()
                if path.is_symlink() and not path.resolve().is_relative_to(root):
                    self.problem(Position(rel), "media file links outside the course folder")
                    continue
                if not re.fullmatch(r"[A-Za-z0-9._/-]+", rel):
                    self.problem(
                        Position(rel),
                        "media file names may use letters, digits, '.', '-' and '_' only",
                        "rename it: LMSs serve from case-sensitive, URL-strict storage",
                    )
                    continue
                files.append(MediaFile(path=rel, source=path))
        return files


def _task_title(prompt: str, limit: int = 80) -> str:
    prompt = " ".join(prompt.split())  # a prompt written over several lines: one line of title
    first = re.split(r"(?<=[?.!])\s", prompt, maxsplit=1)[0].strip()
    if len(first) > limit:
        first = first[: limit - 1].rsplit(" ", 1)[0] + "…"
    return first


# file endings dropped from a title made from a URL (documents keep theirs, in capitals)
_TITLE_EXTENSIONS = frozenset(
    {"pdf", "docx", "pptx", "html", "htm", "php", "aspx"}
    | {"mp4", "m4v", "webm", "mov", "ogv", "mp3", "m4a", "ogg", "oga", "wav"}
)
_VIDEO_TITLES = {"youtube.com": "Video on YouTube", "youtu.be": "Video on YouTube"}


def _link_title(url: str, kind: ItemKind) -> str:
    """A readable title from a URL: the last path segment, humanised, or the host."""
    parts = urlsplit(url)
    host = parts.netloc.lower().removeprefix("www.")
    if host in _VIDEO_TITLES:
        return _VIDEO_TITLES[host]
    if host.endswith("vimeo.com"):
        return "Video on Vimeo"
    segments = [s for s in parts.path.split("/") if s]
    if segments:
        last = unquote(segments[-1])
        stem, dot, ext = last.rpartition(".")
        if dot and ext.lower() in _TITLE_EXTENSIONS:
            suffix = f" ({ext.upper()})" if ext.lower() in ("pdf", "docx", "pptx") else ""
            last = stem + suffix
        words = re.sub(r"[-_+]+", " ", last).strip()
        if words and not words.isdigit():
            return words[:1].upper() + words[1:]
    query = parse_qs(parts.query)
    if query.get("v"):
        return f"Video on {host}"
    return host or url
