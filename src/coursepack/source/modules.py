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

    CHECK: Which of these is a graded question?
    - [x] A CHECK
      > Right: a CHECK has a right answer.
    - [ ] A TASK
    Correct: Well done.
    Incorrect: Look again at the kinds of items.

A CHECK's options are a list of boxes (``[x]`` right, ``[ ]`` wrong), each optionally
followed by a ``>`` line of feedback; a list without boxes is the accepted answers of a short
text answer (docs/checks.md).

Nothing here judges the content: that is the validator's work.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field, replace

from coursepack.errors import Problem, Problems
from coursepack.model import Position
from coursepack.source.yamlsrc import YamlList, YamlMap, boolean_of, load_yaml, text_of

ITEM_KINDS = ("READ", "WATCH", "TASK", "CHECK")

# Possessive quantifiers (*+, ++) throughout: a line of tens of thousands of spaces must not
# make a pattern backtrack (every pattern here is linear in the line's length).
# 'TASK [Short title] {#id}: prompt' (the title and the id are optional, in either order)
_ITEM_LINE = re.compile(
    r"^(READ|WATCH|TASK|CHECK)\b\s*+(?:\[([^\]\n]*+)\]\s*+)?(?:\{#([^}\s]*+)\}\s*+)?"
    r"(?:\[([^\]\n]*+)\]\s*+)?:(.*)$"
)
_NEAR_ITEM = re.compile(r"^(read|watch|task|check)\s*+(\{#[^}]*+\}\s*+)?:", re.IGNORECASE)
# '- READ: url', '* TASK: ...', '+ WATCH: ...': an item written as a list entry
_LIST_MARKER = re.compile(r"^[-*+][ \t]++")
# '**READ:** url', '**READ**: url', '__TASK:__ ...': an item keyword in bold
_WRAPS = frozenset("-*+_")  # what a list marker or bold starts with
_BOLD_ITEM = re.compile(r"^(\*\*|__)(READ|WATCH|TASK|CHECK)(:?)\1(:?)")
# 'TASK Write ...', 'READ https://...': a keyword in capitals with no colon after it
_NO_COLON = re.compile(r"^(READ|WATCH|TASK|CHECK)(?:[ \t]++\{#[^}]*+\})?[ \t]++(?=\S)(?!:)")
# an id on a heading that takes none ('### Tips {#tips}'): learners would see it as text
_DEEP_HEADING_ID = re.compile(r"^#{3,6}[ \t].*?(\{#[^}\s]*+\})[ \t]*+$")
_IMAGE = re.compile(
    r"!\[[^\]\n]*+\]\([ \t]*+<?([^)\s>]++)"
    r""">?(?:[ \t]++(?:"[^"\n]*+"|'[^'\n]*+'))?+[ \t]*+\)"""
)
_LINK = re.compile(
    r"(?<!!)\[[^\]\n]*+\]\([ \t]*+<?([^)\s>]++)"
    r""">?(?:[ \t]++(?:"[^"\n]*+"|'[^'\n]*+'))?+[ \t]*+\)"""
    r"|<(https?://[^>\s]++)>"
)


def references(
    text: str, pos: Position
) -> tuple[list[tuple[str, Position]], list[tuple[str, Position]]]:
    """Images and links of a Markdown text whose first line is at ``pos``."""
    images: list[tuple[str, Position]] = []
    links: list[tuple[str, Position]] = []
    if "](" not in text and "<http" not in text:
        return images, links
    for offset, line in enumerate(text.split("\n")):
        line_no = pos.line + offset
        col0 = pos.col if offset == 0 else 1
        for match in _IMAGE.finditer(line):
            images.append((match.group(1), Position(pos.file, line_no, col0 + match.start())))
        for match in _LINK.finditer(line):
            url = match.group(1) or match.group(2)
            links.append((url, Position(pos.file, line_no, col0 + match.start())))
    return images, links


def _shorten(text: str, limit: int = 40) -> str:
    """The start of a line, cut at a word, for a message."""
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + "…"


def _unwrap_item(text: str) -> str:
    """An item line as written in a list or in bold, made plain ('- READ: x' -> 'READ: x');
    where the author's intent is plain, it is taken rather than refused."""
    if text[:1] not in _WRAPS:  # neither a list marker nor bold first: nothing to take off
        return text
    text = _LIST_MARKER.sub("", text, count=1)
    bold = _BOLD_ITEM.match(text)
    if bold and (bold.group(3) or bold.group(4)) and not (bold.group(3) and bold.group(4)):
        text = f"{bold.group(2)}:{text[bold.end() :]}"
    return text


_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_ONE_LINE = "keep one 'Correct: …' and one 'Incorrect: …' line per CHECK"
# the lines of a CHECK: '- [x] right', '- [ ] wrong', '- accepted answer', '> feedback' on the
# option above, 'Correct: ...' / 'Incorrect: ...' for the whole question
_CHECK_OPTION = re.compile(r"^[-*+][ \t]++\[([ xX])\](?:[ \t]++(.*+))?$")
_CHECK_ANSWER = re.compile(r"^[-*+][ \t]++(\S.*+)$")
_CHECK_OPTION_FEEDBACK = re.compile(r"^>[ \t]?+(.*+)$")
_CHECK_FEEDBACK = re.compile(r"^(Correct|Incorrect)[ \t]*+:[ \t]*+(.*+)$")


@dataclass(frozen=True)
class RawOption:
    """An option of a CHECK as written ('- [x] text'), or an accepted answer ('- text')."""

    text: str
    pos: Position
    correct: bool | None  # None: written without a box, an accepted answer of a text CHECK
    feedback: str | None = None
    feedback_pos: Position | None = None


@dataclass(frozen=True, slots=True)
class RawItem:
    kind: str  # READ | WATCH | TASK | CHECK
    value: str  # URL or prompt as written
    pos: Position  # where the item line starts
    value_pos: Position  # where the value starts
    intro: str = ""
    explicit_id: str | None = None
    id_pos: Position | None = None
    title: str | None = None  # an explicit link text ("READ: [Text](url)") or YAML title
    #: CHECK: its options (or accepted answers) and its feedback for the whole question
    options: tuple[RawOption, ...] = ()
    feedback_correct: str | None = None
    feedback_incorrect: str | None = None
    feedback_pos: Position | None = None  # where the first feedback line stands


@dataclass(frozen=True, slots=True)
class RawSection:
    title: str
    pos: Position
    explicit_id: str | None = None
    id_pos: Position | None = None
    items: tuple[RawItem, ...] = ()
    outro: str = ""
    implicit: bool = False  # items before any '##' heading


@dataclass(frozen=True)
class RawModule:
    file: str
    pos: Position
    title: str | None = None
    title_pos: Position | None = None
    intro: str = ""
    sections: tuple[RawSection, ...] = ()
    explicit_id: str | None = None
    id_pos: Position | None = None
    #: images (``![alt](src)``) and links (``[text](url)``, ``<url>``) of the module's prose,
    #: with where each stands: the validator checks images, ``--check-links`` fetches links
    images: tuple[tuple[str, Position], ...] = ()
    links: tuple[tuple[str, Position], ...] = ()
    #: the file could not be parsed at all (its problem is already reported): no other
    #: problem (no title, no items) is worth saying about it
    broken: bool = False


@dataclass
class _SectionDraft:
    """A section while its module is being read (frozen into a RawSection at the end)."""

    title: str
    pos: Position
    explicit_id: str | None = None
    id_pos: Position | None = None
    items: list[RawItem] = field(default_factory=list)
    outro: str = ""
    implicit: bool = False

    def freeze(self) -> RawSection:
        return RawSection(
            title=self.title,
            pos=self.pos,
            explicit_id=self.explicit_id,
            id_pos=self.id_pos,
            items=tuple(self.items),
            outro=self.outro,
            implicit=self.implicit,
        )


@dataclass
class _CheckDraft:
    """The lines of a CHECK while they are read (put into its RawItem when it closes)."""

    index: int  # of the CHECK in its section's items
    question: list[str]
    asking: bool = True  # the question may go on (no blank line, no option yet)
    options: list[RawOption] = field(default_factory=list)
    #: the '>' lines under each option (joined when the CHECK closes: linear in its length)
    option_feedback: list[list[str]] = field(default_factory=list)
    correct: str | None = None
    incorrect: str | None = None
    feedback_pos: Position | None = None

    def apply(self, item: RawItem) -> RawItem:
        options = tuple(
            replace(option, feedback="\n".join(lines)) if lines else option
            for option, lines in zip(self.options, self.option_feedback, strict=True)
        )
        return replace(
            item,
            value="\n".join(self.question).strip(),
            options=options,
            feedback_correct=self.correct,
            feedback_incorrect=self.incorrect,
            feedback_pos=self.feedback_pos,
        )


def _heading(line: str) -> tuple[int, str] | None:
    """(level, text) of a '# ' or '## ' heading, as in CommonMark: '#' then a space ('#1 tip'
    and '#hashtag' are text), and an optional closing run of '#' ('## Theory ##')."""
    if not line.startswith("#"):
        return None
    level = len(line) - len(line.lstrip("#"))
    rest = line[level:]
    if level > 2 or (rest and rest[0] not in " \t"):
        return None
    text = rest.strip(" \t")
    unclosed = text.rstrip("#")
    if unclosed != text and (not unclosed or unclosed[-1] in " \t"):
        text = unclosed.rstrip(" \t")
    return level, text


def _split_explicit_id(text: str) -> tuple[str, str | None]:
    """'Theory {#theory}' -> ('Theory', 'theory'); text without a trailing '{#id}' as it is."""
    body = text.rstrip()
    if not body.endswith("}"):
        return text, None
    start = body.rfind("{#")
    inner = body[start + 2 : -1] if start >= 0 else ""
    if start < 0 or "}" in inner or any(ch.isspace() for ch in inner):
        return text, None
    return body[:start].rstrip(), inner


# '[Text](url)': the text may hold [brackets] and the URL balanced (parentheses), as in
# Wikipedia's addresses; '[Text](<url>)' and '<url>' are Markdown's other ways to write one
_LINK_VALUE = re.compile(
    r"^\[((?:[^\[\]]|\[[^\[\]]*+\])*+)\]"
    r"\(\s*+(?:<([^<>\s]*+)>|((?:[^()\s<>]|\([^()\s<>]*+\))*+))"
    r"""(?:\s++(?:"[^"]*+"|'[^']*+'))?+\s*+\)$"""  # an optional link title, which is ignored
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


def _lines(text: str) -> list[str]:
    """Lines split at line feeds only: U+2028, U+0085 and form feeds are text in Markdown
    (``str.splitlines`` would split there and shift every reported line number after it)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def parse_markdown_module(text: str, file: str, problems: Problems | list[Problem]) -> RawModule:
    title: str | None = None
    title_pos: Position | None = None
    module_id: str | None = None
    module_id_pos: Position | None = None
    intro = ""
    sections: list[_SectionDraft] = []
    pending: list[str] = []  # text lines since the last heading or item
    section: _SectionDraft | None = None
    in_fence = False
    # a TASK prompt goes on over the lines that follow it, up to a blank line (a paragraph)
    open_task: int | None = None  # index of the TASK in section.items
    # a CHECK goes on over its question's lines, its options and its feedback lines
    check: _CheckDraft | None = None

    images: list[tuple[str, Position]] = []
    links: list[tuple[str, Position]] = []

    def add(problem: Problem) -> None:
        problems.append(problem)

    def scan(text: str, lineno: int, col: int = 1) -> None:
        if "](" not in text and "<http" not in text:  # no image or link (as references says)
            return
        found_images, found_links = references(text, Position(file, lineno, col))
        images.extend(found_images)
        links.extend(found_links)

    def flush() -> str:
        body = "\n".join(pending).strip("\n")
        pending.clear()
        return body.strip()

    def close_check() -> None:
        nonlocal check
        if check is not None and section is not None:
            section.items[check.index] = check.apply(section.items[check.index])
        check = None

    def check_line(stripped: str, indent: int, lineno: int) -> bool:
        """Take ``stripped`` as a line of the open CHECK; False when it is not one."""
        assert check is not None
        pos = Position(file, lineno, indent + 1)
        if not stripped:
            check.asking = False
            return True
        if indent < 4 and _ITEM_LINE.match(_unwrap_item(stripped)):
            return False  # the next item
        option = _CHECK_OPTION.match(stripped)
        if option:
            text = (option.group(2) or "").strip()
            correct = option.group(1) != " "
            check.options.append(RawOption(text, pos, correct))
            check.option_feedback.append([])
            check.asking = False
            return True
        feedback = _CHECK_OPTION_FEEDBACK.match(stripped)
        if feedback and check.options:
            if not check.option_feedback[-1]:
                check.options[-1] = replace(check.options[-1], feedback_pos=pos)
            check.option_feedback[-1].append(feedback.group(1).strip())
            return True
        whole = _CHECK_FEEDBACK.match(stripped)
        if whole and indent < 4:
            text = whole.group(2).strip()
            if whole.group(1) == "Correct":
                if check.correct is not None:
                    add(Problem(pos, "this CHECK has two 'Correct:' lines", _ONE_LINE))
                check.correct = text
            else:
                if check.incorrect is not None:
                    add(Problem(pos, "this CHECK has two 'Incorrect:' lines", _ONE_LINE))
                check.incorrect = text
            check.feedback_pos = check.feedback_pos or pos
            check.asking = False
            return True
        answer = _CHECK_ANSWER.match(stripped) if indent < 4 else None
        if answer:
            check.options.append(RawOption(answer.group(1).strip(), pos, None))
            check.option_feedback.append([])
            check.asking = False
            return True
        if check.asking:
            check.question.append(stripped)
            return True
        return False

    def current_section(pos: Position) -> _SectionDraft:
        nonlocal section
        if section is None:
            section = _SectionDraft(title="", pos=pos, implicit=True)
            sections.append(section)
        return section

    for lineno, raw_line in enumerate(_lines(text), start=1):
        line = raw_line.rstrip()
        fence = _FENCE.match(line)
        if not line or fence:
            open_task = None
        if fence:
            close_check()
            in_fence = not in_fence
            pending.append(raw_line)
            continue
        if in_fence or (not line and check is None):  # a blank line: nothing but text
            pending.append(raw_line)
            continue
        stripped = line.lstrip()
        indent = len(line) - len(stripped)
        if check is not None:
            if _heading(line) is None and check_line(stripped, indent, lineno):
                if stripped:
                    scan(stripped, lineno, indent + 1)
                continue
            close_check()
        # the line as an item line, once a list marker or bold around the keyword is taken off
        item_text = _unwrap_item(stripped) if indent < 4 else stripped
        shift = indent + len(stripped) - len(item_text)
        heading = _heading(line) if indent == 0 else None
        if heading is None and indent == 0 and line.startswith("###"):
            deep_id = _DEEP_HEADING_ID.match(line)
            if deep_id:
                add(
                    Problem(
                        Position(file, lineno, deep_id.start(1) + 1),
                        f"'{deep_id.group(1)}' on a '{line.split()[0]} ' heading is shown to "
                        "learners as text",
                        "ids go on '## ' section headings and on item lines; remove it, or make "
                        "the heading a '## ' section",
                    )
                )
        if heading:
            open_task = None
            level, title_text = heading
            heading_title, explicit = _split_explicit_id(title_text)
            pos = Position(file, lineno, 1)
            if level == 1:
                if title is not None:
                    add(
                        Problem(
                            pos,
                            "a module has one '# ' title; this is a second one",
                            "use '## ' for a section heading",
                        )
                    )
                    continue
                title, title_pos = heading_title, pos
                module_id = explicit
                module_id_pos = pos if explicit is not None else None
                text_before = flush()
                if text_before:
                    intro = text_before
                continue
            # level 2: a new section; what was pending closes the previous one
            body = flush()
            if section is None:
                intro = "\n\n".join(p for p in (intro, body) if p)
            else:
                section.outro = body
            section = _SectionDraft(
                title=heading_title,
                pos=pos,
                explicit_id=explicit,
                id_pos=pos if explicit is not None else None,
            )
            sections.append(section)
            continue
        item_match = _ITEM_LINE.match(item_text) if indent < 4 else None
        if item_match:
            kind, explicit, rest = item_match.group(1), item_match.group(3), item_match.group(5)
            named = item_match.group(2) if item_match.group(2) is not None else item_match.group(4)
            value = rest.strip()
            value_col = shift + item_match.start(5) + 1 + (len(rest) - len(rest.lstrip()))
            pos = Position(file, lineno, indent + 1)
            link_title: str | None = (named or "").strip() or None
            if kind in ("READ", "WATCH"):
                value, from_link = _split_link(value)
                link_title = link_title or from_link
            else:
                scan(rest, lineno, value_col)
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
            target = current_section(pos)
            target.items.append(item)
            open_task = len(target.items) - 1 if kind == "TASK" else None
            if kind == "CHECK":
                check = _CheckDraft(index=len(target.items) - 1, question=[value])
            continue
        no_colon = _NO_COLON.match(item_text) if indent < 4 and open_task is None else None
        if no_colon:
            add(
                Problem(
                    Position(file, lineno, indent + 1),
                    f"'{_shorten(item_text)}' looks like an item but has no colon",
                    f"write '{no_colon.group(1)}: …' to make it an item; without the colon "
                    "the line is a paragraph and the item is lost",
                )
            )
        near = _NEAR_ITEM.match(item_text) if indent < 4 else None
        if near and not item_text.startswith(ITEM_KINDS):
            add(
                Problem(
                    Position(file, lineno, indent + 1),
                    f"'{item_text.split(':', 1)[0]}:' looks like an item but items are written "
                    "in capitals",
                    f"write '{near.group(1).upper()}:' to make it an item",
                )
            )
        scan(line, lineno)
        if open_task is not None and section is not None:
            task = section.items[open_task]
            section.items[open_task] = replace(task, value=f"{task.value}\n{stripped}".strip())
            continue
        pending.append(raw_line)

    close_check()
    body = flush()
    if section is None:
        intro = "\n\n".join(p for p in (intro, body) if p)
    else:
        section.outro = body
    return RawModule(
        file=file,
        pos=Position(file, 1, 1),
        title=title,
        title_pos=title_pos,
        intro=intro,
        sections=tuple(s.freeze() for s in sections),
        explicit_id=module_id,
        id_pos=module_id_pos,
        images=tuple(images),
        links=tuple(links),
    )


# ---------------------------------------------------------------------------------------
# YAML modules

MODULE_KEYS = {"id", "title", "intro", "sections"}
SECTION_KEYS = {"id", "title", "intro", "items", "outro"}
ITEM_KEYS = {"read", "watch", "task", "check", "id", "intro", "title"}
CHECK_KEYS = {"options", "answers", "feedback"}  # items with 'check:' only
OPTION_KEYS = {"text", "correct", "feedback"}
FEEDBACK_KEYS = {"correct", "incorrect"}


def unknown_keys(
    mapping: YamlMap,
    allowed: set[str],
    where: str,
    problems: Problems | list[Problem],
    only: str | None = None,
) -> None:
    """Report keys of ``mapping`` that are not ``allowed``, suggesting the closest one."""
    for key in mapping:
        if key in allowed or (only is not None and key != only):
            continue
        close = difflib.get_close_matches(key, sorted(allowed), n=1)
        hint = f"did you mean '{close[0]}'?" if close else "allowed: " + ", ".join(sorted(allowed))
        problems.append(Problem(mapping.key_pos[key], f"unknown key '{key}' in {where}", hint))


def parse_yaml_module(text: str, file: str, problems: Problems | list[Problem]) -> RawModule:
    empty = RawModule(file=file, pos=Position(file, 1, 1), broken=True)
    data = load_yaml(text, file, problems)
    if data is None:
        return empty
    if not isinstance(data, YamlMap):
        problems.append(
            Problem(Position(file, 1, 1), "a YAML module is a mapping", "start with 'title:'")
        )
        return empty
    unknown_keys(data, MODULE_KEYS, "a module", problems)
    title: str | None = None
    title_pos: Position | None = None
    module_id: str | None = None
    id_pos: Position | None = None
    if "title" in data:
        title, title_pos = text_of(data, "title", problems), data.at("title")
    if "id" in data:
        module_id, id_pos = text_of(data, "id", problems), data.at("id")
    intro = text_of(data, "intro", problems).strip()
    sections: list[RawSection] = []
    raw_sections = data.get("sections")
    if raw_sections is not None and not isinstance(raw_sections, YamlList):
        problems.append(Problem(data.at("sections"), "'sections' must be a list"))
        raw_sections = None
    for index, entry in enumerate(raw_sections or []):
        assert raw_sections is not None
        section = _yaml_section(entry, raw_sections.at(index), problems)
        if section is not None:
            sections.append(section)
    images: list[tuple[str, Position]] = []
    links: list[tuple[str, Position]] = []
    for text_value, where in _yaml_texts(data):
        found_images, found_links = references(text_value, where)
        images.extend(found_images)
        links.extend(found_links)
    return RawModule(
        file=file,
        pos=Position(file, 1, 1),
        title=title,
        title_pos=title_pos,
        intro=intro,
        sections=tuple(sections),
        explicit_id=module_id,
        id_pos=id_pos,
        images=tuple(images),
        links=tuple(links),
    )


# Markdown texts of a YAML module: intros, prompts, a CHECK's question, options and feedback
_PROSE_KEYS = ("intro", "outro", "task", "check", "text", "feedback", "correct", "incorrect")


def _yaml_texts(data: object) -> list[tuple[str, Position]]:
    """The Markdown texts of a YAML module (intros, outros, prompts) with their positions."""
    found: list[tuple[str, Position]] = []
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, YamlMap):
            for key, child in value.items():
                if key in _PROSE_KEYS and isinstance(child, str):
                    found.append((child, value.at(key)))
                elif isinstance(child, YamlMap | YamlList):
                    stack.append(child)
        elif isinstance(value, YamlList):
            stack.extend(v for v in value if isinstance(v, YamlMap | YamlList))
    return sorted(found, key=lambda pair: pair[1])


def _yaml_section(
    entry: object, pos: Position, problems: Problems | list[Problem]
) -> RawSection | None:
    if not isinstance(entry, YamlMap):
        problems.append(Problem(pos, "each section is a mapping with 'title' and 'items'"))
        return None
    unknown_keys(entry, SECTION_KEYS, "a section", problems)
    explicit_id: str | None = None
    id_pos: Position | None = None
    if "id" in entry:
        explicit_id, id_pos = text_of(entry, "id", problems), entry.at("id")
    intro = text_of(entry, "intro", problems).strip()
    outro = text_of(entry, "outro", problems).strip()
    raw_items = entry.get("items")
    if raw_items is not None and not isinstance(raw_items, YamlList):
        problems.append(Problem(entry.at("items"), "'items' must be a list"))
        raw_items = None
    items: list[RawItem] = []
    for item_index, item_data in enumerate(raw_items or []):
        assert raw_items is not None
        item = _yaml_item(item_data, raw_items.at(item_index), problems)
        if item is None:
            continue
        if item_index == 0 and intro:
            item = replace(item, intro="\n\n".join(p for p in (intro, item.intro) if p))
        items.append(item)
    if not items and intro:
        outro = "\n\n".join(p for p in (intro, outro) if p)
    return RawSection(
        title=text_of(entry, "title", problems),
        pos=pos,
        explicit_id=explicit_id,
        id_pos=id_pos,
        items=tuple(items),
        outro=outro,
    )


def _yaml_item(
    item_data: object, item_pos: Position, problems: Problems | list[Problem]
) -> RawItem | None:
    if not isinstance(item_data, YamlMap):
        problems.append(Problem(item_pos, "each item is a mapping: 'read:', 'watch:' or 'task:'"))
        return None
    unknown_keys(item_data, ITEM_KEYS | CHECK_KEYS, "an item", problems)
    kinds = [k for k in ("read", "watch", "task", "check") if k in item_data]
    if len(kinds) != 1:
        problems.append(
            Problem(
                item_pos,
                "an item has exactly one of 'read', 'watch', 'task' or 'check'"
                + (f" (found {', '.join(kinds)})" if kinds else ""),
            )
        )
        return None
    kind = kinds[0]
    if kind != "check":
        for key in sorted(CHECK_KEYS & set(item_data)):
            problems.append(
                Problem(
                    item_data.key_pos[key],
                    f"'{key}' belongs to a CHECK, not to a {kind.upper()}",
                    "remove it, or make the item 'check: <question>'",
                )
            )
    explicit_id: str | None = None
    id_pos: Position | None = None
    if "id" in item_data:
        explicit_id, id_pos = text_of(item_data, "id", problems), item_data.at("id")
    item = RawItem(
        kind=kind.upper(),
        value=text_of(item_data, kind, problems).strip(),
        pos=item_pos,
        value_pos=item_data.at(kind),
        intro=text_of(item_data, "intro", problems).strip(),
        title=text_of(item_data, "title", problems).strip() if "title" in item_data else None,
        explicit_id=explicit_id,
        id_pos=id_pos,
    )
    return _yaml_check(item_data, item, problems) if kind == "check" else item


def _yaml_check(item: YamlMap, raw: RawItem, problems: Problems | list[Problem]) -> RawItem:
    """A YAML CHECK's options ('options:' of text/correct/feedback, or 'answers:' of a text
    answer) and its 'feedback:' (correct/incorrect), as the Markdown form gives them."""
    options: list[RawOption] = []
    for key, with_box in (("options", True), ("answers", False)):
        value = item.get(key)
        if value is None:
            continue
        if not isinstance(value, YamlList):
            problems.append(Problem(item.at(key), f"'{key}' must be a list"))
            continue
        for index, entry in enumerate(value):
            pos = value.at(index)
            if not with_box:
                if isinstance(entry, YamlMap | YamlList):
                    problems.append(Problem(pos, "'answers' must be a list of texts"))
                else:
                    options.append(RawOption(_scalar_text(entry), pos, None))
                continue
            if not isinstance(entry, YamlMap):
                problems.append(
                    Problem(
                        pos,
                        "each option is a mapping with 'text' and 'correct'",
                        "e.g. '- {text: Paris, correct: true}'",
                    )
                )
                continue
            unknown_keys(entry, OPTION_KEYS, "an option", problems)
            correct = boolean_of(entry.get("correct", "false"))
            if correct is None:
                problems.append(
                    Problem(entry.at("correct"), "'correct' must be true or false", "write true")
                )
                correct = False
            text = _scalar_text(entry.get("text")) if "text" in entry else ""
            if isinstance(entry.get("text"), YamlMap | YamlList):
                text = text_of(entry, "text", problems)
            feedback = text_of(entry, "feedback", problems).strip() or None
            options.append(
                RawOption(
                    text.strip(),
                    pos,
                    correct,
                    feedback,
                    entry.at("feedback") if feedback else None,
                )
            )
    raw = replace(raw, options=tuple(options))
    feedback = item.get("feedback")
    if feedback is not None:
        if not isinstance(feedback, YamlMap):
            problems.append(
                Problem(
                    item.at("feedback"),
                    "'feedback' must be a mapping",
                    "e.g. 'feedback: {correct: Well done., incorrect: Look again.}'",
                )
            )
        else:
            unknown_keys(feedback, FEEDBACK_KEYS, "feedback", problems)
            raw = replace(
                raw,
                feedback_correct=text_of(feedback, "correct", problems).strip() or None,
                feedback_incorrect=text_of(feedback, "incorrect", problems).strip() or None,
                feedback_pos=item.at("feedback"),
            )
    return raw


def _scalar_text(value: object) -> str:
    """A YAML scalar as the author wrote it, near enough: true -> 'True', 3 -> '3'."""
    if value is None:
        return ""
    return str(value).strip()
