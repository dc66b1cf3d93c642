"""Read module files (Markdown or YAML) into raw, positioned data.

Markdown modules are written the way an author writes a page of resources::

    # Module title

    Intro paragraphs.

    ## Section heading {#optional-id}

    The paragraphs before an item introduce it:

    READ: https://example.org/article
    WATCH: https://www.youtube.com/watch?v=...
    TASK {#optional-id}: The prompt the learner answers.
    A prompt goes on over the lines below it, up to a blank line.

Nothing here judges the content: that is the validator's work.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from coursepack.errors import Problem
from coursepack.model import Position
from coursepack.source.yamlsrc import YamlList, YamlMap, load_yaml, text_of

ITEM_KINDS = ("READ", "WATCH", "TASK")

_ITEM_LINE = re.compile(r"^(READ|WATCH|TASK)\b\s*(?:\{#([^}\s]*)\})?\s*:(.*)$")
_NEAR_ITEM = re.compile(r"^(read|watch|task)\s*(\{#[^}]*\})?\s*:", re.IGNORECASE)
# as in CommonMark: '#' then a space ('#1 tip' and '#hashtag' are text), and an optional
# closing run of '#' ('## Theory ##')
_HEADING = re.compile(r"^(#{1,2})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_EXPLICIT_ID = re.compile(r"\s*\{#([^}\s]*)\}\s*$")
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")


@dataclass
class RawItem:
    kind: str  # READ | WATCH | TASK
    value: str  # URL or prompt as written
    pos: Position  # where the item line starts
    value_pos: Position  # where the value starts
    intro: str = ""
    explicit_id: str | None = None
    id_pos: Position | None = None
    title: str | None = None  # an explicit link text ("READ: [Text](url)") or YAML title


@dataclass
class RawSection:
    title: str
    pos: Position
    explicit_id: str | None = None
    id_pos: Position | None = None
    items: list[RawItem] = field(default_factory=list)
    outro: str = ""
    implicit: bool = False  # items before any '##' heading


@dataclass
class RawModule:
    file: str
    pos: Position
    title: str | None = None
    title_pos: Position | None = None
    intro: str = ""
    sections: list[RawSection] = field(default_factory=list)
    explicit_id: str | None = None
    id_pos: Position | None = None


def _split_explicit_id(text: str) -> tuple[str, str | None]:
    match = _EXPLICIT_ID.search(text)
    if not match:
        return text, None
    return text[: match.start()].rstrip(), match.group(1)


# '[Text](url)': the text may hold [brackets] and the URL balanced (parentheses), as in
# Wikipedia's addresses; '[Text](<url>)' and '<url>' are Markdown's other ways to write one
_LINK_VALUE = re.compile(
    r"^\[((?:[^\[\]]|\[[^\[\]]*\])*)\]"
    r"\(\s*(?:<([^<>\s]*)>|((?:[^()\s<>]|\([^()\s<>]*\))*))"
    r"""(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)$"""  # an optional link title, which is ignored
)
_AUTOLINK = re.compile(r"^<([^<>\s]+)>$")


def _split_link(value: str) -> tuple[str, str | None]:
    """'[Text](url)' -> ('url', 'Text'), '<url>' -> ('url', None); a bare URL stays as it is."""
    match = _LINK_VALUE.match(value)
    if match:
        url = match.group(2) if match.group(2) is not None else match.group(3)
        return url, match.group(1).strip() or None
    autolink = _AUTOLINK.match(value)
    if autolink:
        return autolink.group(1), None
    return value, None


def parse_markdown_module(text: str, file: str, problems: list[Problem]) -> RawModule:
    module = RawModule(file=file, pos=Position(file, 1, 1))
    pending: list[str] = []  # text lines since the last heading or item
    section: RawSection | None = None
    in_fence = False
    # a TASK prompt goes on over the lines that follow it, up to a blank line (a paragraph)
    open_task: RawItem | None = None

    def flush() -> str:
        body = "\n".join(pending).strip("\n")
        pending.clear()
        return body.strip()

    def current_section(pos: Position) -> RawSection:
        nonlocal section
        if section is None:
            module.intro = module.intro  # intro stays as collected before the first heading
            section = RawSection(title="", pos=pos, implicit=True)
            module.sections.append(section)
        return section

    for lineno, raw_line in enumerate(text.splitlines(), start=1):
        line = raw_line.rstrip()
        if not line or _FENCE.match(line):
            open_task = None
        if _FENCE.match(line):
            in_fence = not in_fence
            pending.append(raw_line)
            continue
        if in_fence:
            pending.append(raw_line)
            continue
        stripped = line.lstrip()
        indent = len(line) - len(stripped)
        heading = _HEADING.match(line) if indent == 0 else None
        if heading:
            open_task = None
            level, title_text = len(heading.group(1)), heading.group(2) or ""
            title, explicit = _split_explicit_id(title_text)
            pos = Position(file, lineno, 1)
            if level == 1:
                if module.title is not None:
                    problems.append(
                        Problem(
                            pos,
                            "a module has one '# ' title; this is a second one",
                            "use '## ' for a section heading",
                        )
                    )
                    continue
                module.title, module.title_pos = title, pos
                module.explicit_id = explicit
                if explicit is not None:
                    module.id_pos = pos
                text_before = flush()
                if text_before:
                    module.intro = text_before
                continue
            # level 2: a new section; what was pending closes the previous one
            body = flush()
            if section is None:
                module.intro = "\n\n".join(p for p in (module.intro, body) if p)
            else:
                section.outro = body
            section = RawSection(title=title, pos=pos, explicit_id=explicit)
            if explicit is not None:
                section.id_pos = pos
            module.sections.append(section)
            continue
        item_match = _ITEM_LINE.match(stripped) if indent < 4 else None
        if item_match:
            kind, explicit, rest = item_match.group(1), item_match.group(2), item_match.group(3)
            value = rest.strip()
            value_col = indent + item_match.start(3) + 1 + (len(rest) - len(rest.lstrip()))
            pos = Position(file, lineno, indent + 1)
            link_title: str | None = None
            if kind != "TASK":
                value, link_title = _split_link(value)
            item = RawItem(
                kind=kind,
                value=value,
                pos=pos,
                value_pos=Position(file, lineno, value_col),
                intro=flush(),
                explicit_id=explicit,
                id_pos=pos if explicit is not None else None,
                title=link_title,
            )
            current_section(pos).items.append(item)
            open_task = item if kind == "TASK" else None
            continue
        near = _NEAR_ITEM.match(stripped) if indent < 4 else None
        if near and not stripped.startswith(ITEM_KINDS):
            problems.append(
                Problem(
                    Position(file, lineno, indent + 1),
                    f"'{stripped.split(':', 1)[0]}:' looks like an item but items are written "
                    "in capitals",
                    f"write '{near.group(1).upper()}:' to make it an item",
                )
            )
        if open_task is not None:
            open_task.value = f"{open_task.value}\n{stripped}".strip()
            continue
        pending.append(raw_line)

    body = flush()
    if section is None:
        module.intro = "\n\n".join(p for p in (module.intro, body) if p)
    else:
        section.outro = body
    return module


# ---------------------------------------------------------------------------------------
# YAML modules

MODULE_KEYS = {"id", "title", "intro", "sections"}
SECTION_KEYS = {"id", "title", "intro", "items", "outro"}
ITEM_KEYS = {"read", "watch", "task", "id", "intro", "title"}


def unknown_keys(
    mapping: YamlMap,
    allowed: set[str],
    where: str,
    problems: list[Problem],
    only: str | None = None,
) -> None:
    """Report keys of ``mapping`` that are not ``allowed``, suggesting the closest one."""
    for key in mapping:
        if key in allowed or (only is not None and key != only):
            continue
        close = difflib.get_close_matches(key, sorted(allowed), n=1)
        hint = f"did you mean '{close[0]}'?" if close else "allowed: " + ", ".join(sorted(allowed))
        problems.append(Problem(mapping.key_pos[key], f"unknown key '{key}' in {where}", hint))


def parse_yaml_module(text: str, file: str, problems: list[Problem]) -> RawModule:
    module = RawModule(file=file, pos=Position(file, 1, 1))
    data = load_yaml(text, file, problems)
    if data is None:
        return module
    if not isinstance(data, YamlMap):
        problems.append(
            Problem(Position(file, 1, 1), "a YAML module is a mapping", "start with 'title:'")
        )
        return module
    unknown_keys(data, MODULE_KEYS, "a module", problems)
    if "title" in data:
        module.title, module.title_pos = text_of(data, "title", problems), data.at("title")
    if "id" in data:
        module.explicit_id, module.id_pos = text_of(data, "id", problems), data.at("id")
    module.intro = text_of(data, "intro", problems).strip()
    sections = data.get("sections")
    if sections is None:
        return module
    if not isinstance(sections, YamlList):
        problems.append(Problem(data.at("sections"), "'sections' must be a list"))
        return module
    for index, entry in enumerate(sections):
        pos = sections.at(index)
        if not isinstance(entry, YamlMap):
            problems.append(Problem(pos, "each section is a mapping with 'title' and 'items'"))
            continue
        unknown_keys(entry, SECTION_KEYS, "a section", problems)
        section = RawSection(title=text_of(entry, "title", problems), pos=pos)
        if "id" in entry:
            section.explicit_id, section.id_pos = text_of(entry, "id", problems), entry.at("id")
        intro = text_of(entry, "intro", problems).strip()
        section.outro = text_of(entry, "outro", problems).strip()
        items = entry.get("items")
        if items is not None and not isinstance(items, YamlList):
            problems.append(Problem(entry.at("items"), "'items' must be a list"))
            items = None
        for item_index, item_data in enumerate(items or []):
            item_pos = items.at(item_index) if items is not None else pos
            if not isinstance(item_data, YamlMap):
                problems.append(
                    Problem(item_pos, "each item is a mapping: 'read:', 'watch:' or 'task:'")
                )
                continue
            unknown_keys(item_data, ITEM_KEYS, "an item", problems)
            kinds = [k for k in ("read", "watch", "task") if k in item_data]
            if len(kinds) != 1:
                problems.append(
                    Problem(
                        item_pos,
                        "an item has exactly one of 'read', 'watch' or 'task'"
                        + (f" (found {', '.join(kinds)})" if kinds else ""),
                    )
                )
                continue
            kind = kinds[0]
            item = RawItem(
                kind=kind.upper(),
                value=text_of(item_data, kind, problems).strip(),
                pos=item_pos,
                value_pos=item_data.at(kind),
                intro=text_of(item_data, "intro", problems).strip(),
                title=text_of(item_data, "title", problems).strip()
                if "title" in item_data
                else None,
            )
            if "id" in item_data:
                item.explicit_id, item.id_pos = (
                    text_of(item_data, "id", problems),
                    item_data.at("id"),
                )
            if item_index == 0 and intro:
                item.intro = "\n\n".join(p for p in (intro, item.intro) if p)
            section.items.append(item)
        if not section.items and intro:
            section.outro = "\n\n".join(p for p in (intro, section.outro) if p)
        module.sections.append(section)
    return module
