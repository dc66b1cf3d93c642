"""The load stage: a course folder -> :class:`CourseSource`, frozen data with positions.

Reading is all this stage does: course.yaml parsed with the position of every value, the
module files that course.yaml lists read and parsed (Markdown or YAML), and the media folder
listed. It judges nothing beyond what reading needs (a path must stay inside the course
folder, a file must be UTF-8 text); everything else is the validator's work, which touches no
file system.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from coursepack.errors import Problem, Problems, UserError
from coursepack.model import MediaFile, Position
from coursepack.source.files import read_text, resolve_inside, walk_media
from coursepack.source.markdown_limits import (
    markdown_problems,
    module_markdown_problems,
    yaml_markdown_problems,
)
from coursepack.source.modules import RawModule, parse_markdown_module, parse_yaml_module
from coursepack.source.yamlsrc import YamlList, YamlMap, load_yaml

__all__ = ["COURSE_FILE", "MODULE_SUFFIXES", "CourseSource", "ModuleSource", "read_course"]

COURSE_FILE = "course.yaml"
MODULE_SUFFIXES = {".md": "markdown", ".markdown": "markdown", ".yaml": "yaml", ".yml": "yaml"}


@dataclass(frozen=True)
class ModuleSource:
    """A module file that course.yaml names, as read (``raw`` is None when it could not be)."""

    rel: str  # as written in course.yaml
    pos: Position  # where course.yaml names it
    raw: RawModule | None


@dataclass(frozen=True)
class CourseSource:
    """Everything read from a course folder; the validator's only input."""

    root: Path
    data: YamlMap | None  # course.yaml; None when it could not be read or parsed
    modules: dict[str, ModuleSource]  # by the file name written in course.yaml
    media: tuple[MediaFile, ...]
    media_junk: tuple[str, ...]  # editor / OS files of media/ that are left out
    module_files: tuple[str, ...]  # every module-like file in the folder (unlisted ones too)
    problems: tuple[Problem, ...]  # what reading found


def read_course(course_dir: Path) -> CourseSource:
    """Read a course folder. A missing folder or course.yaml is a UserError (nothing to
    locate); everything else that goes wrong is a problem in ``CourseSource.problems``."""
    root = Path(course_dir)
    if not root.is_dir():
        raise UserError(f"{root}: no such course folder")
    problems = Problems()
    if not (root / COURSE_FILE).exists() and not (root / COURSE_FILE).is_symlink():
        raise UserError(
            f"{root}: no {COURSE_FILE} here (a course folder holds {COURSE_FILE} "
            "and its module files)"
        )
    data: YamlMap | None = None
    path = resolve_inside(root, COURSE_FILE, Position(COURSE_FILE), problems, "course file")
    text = read_text(path, COURSE_FILE, problems) if path is not None else None
    if text is not None:
        parsed = load_yaml(text, COURSE_FILE, problems)
        if parsed is None and not problems:
            problems.add(Position(COURSE_FILE, 1, 1), "course.yaml is empty")
        elif parsed is not None and not isinstance(parsed, YamlMap):
            problems.add(Position(COURSE_FILE, 1, 1), "course.yaml must be a mapping of keys")
        elif parsed is not None:
            data = parsed
            problems.extend(yaml_markdown_problems(data))
    modules: dict[str, ModuleSource] = {}
    if data is not None:
        for rel, pos in _module_entries(data):
            if rel not in modules:
                modules[rel] = ModuleSource(rel, pos, _read_module(root, rel, pos, problems))
    media, junk = walk_media(root, problems)
    return CourseSource(
        root=root,
        data=data,
        modules=modules,
        media=media,
        media_junk=junk,
        module_files=_module_files(root),
        problems=tuple(problems),
    )


def _module_entries(data: YamlMap) -> list[tuple[str, Position]]:
    """(file, position) of each module entry of course.yaml that names a file."""
    entries = data.get("modules")
    if not isinstance(entries, YamlList):
        return []
    found = []
    for index, entry in enumerate(entries):
        pos = entries.at(index)
        value = entry
        if isinstance(entry, YamlMap):
            value, pos = entry.get("file"), entry.at("file")
        if isinstance(value, str) and value.strip():
            found.append((value.strip(), pos))
    return found


def _read_module(root: Path, rel: str, pos: Position, problems: Problems) -> RawModule | None:
    path = resolve_inside(root, rel, pos, problems, "module file")
    if path is None:
        return None
    kind = MODULE_SUFFIXES.get(Path(rel).suffix.lower())
    if kind is None:
        problems.add(
            pos,
            f"'{rel}' is neither Markdown nor YAML",
            "module files end in .md, .markdown, .yaml or .yml",
        )
        return None
    text = read_text(path, rel, problems)
    if text is None:
        return None
    if kind == "yaml":
        module = parse_yaml_module(text, rel, problems)
        problems.extend(module_markdown_problems(module))
        return module
    problems.extend(markdown_problems(text, Position(rel), whole_file=True))
    return parse_markdown_module(text, rel, problems)


def _module_files(root: Path, max_depth: int = 3, max_files: int = 1000) -> tuple[str, ...]:
    """Module-like files of the course folder (not media/, hidden or output folders; symlinks
    not followed), for the validator to name those that course.yaml does not list."""
    found: list[str] = []
    skip = {"media", "dist", "build", "node_modules"}
    for dirpath, dirnames, filenames in os.walk(root, onerror=lambda exc: None):
        rel_dir = Path(dirpath).relative_to(root)
        depth = len(rel_dir.parts)
        dirnames[:] = sorted(
            d for d in dirnames if not d.startswith(".") and d not in skip and depth < max_depth
        )
        for name in sorted(filenames):
            if name.startswith(".") or Path(name).suffix.lower() not in MODULE_SUFFIXES:
                continue
            rel = (rel_dir / name).as_posix()
            if rel != COURSE_FILE:
                found.append(rel)
        if len(found) >= max_files:
            break
    return tuple(found)
