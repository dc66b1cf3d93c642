"""Markdown the renderer cannot take, found while reading: too deep a nesting, too long a line.

The Markdown parser (markdown-it's Rust port) builds a tree and walks it recursively: about
25,000 nested list items on one line (``1. 1. 1. ...``), 200,000 block quotes or 100,000
nested emphasis markers overflow its stack and kill the process (a segmentation fault, not an
exception), and deep nesting costs quadratic time well before that. So the load stage refuses
Markdown nested more than :data:`~coursepack.limits.MAX_MARKDOWN_NESTING` levels as a located
problem, and ``validate`` and ``build`` say the same thing.

The depth is measured without parsing, in linear time, and never below the parser's:

- containers (block quotes and list items) per line: every ``>`` and list marker at the start
  of the line, plus the list items the line's indentation can continue (each needs two
  columns of it, and no more can be open than some earlier line opened);
- inline nesting per paragraph: emphasis and strikethrough delimiters that are still open
  (``*``, ``_``, ``~``, counted in characters, matched as the parser matches them: a closing
  run closes what is open), plus open ``[`` brackets (links and images); code spans are
  skipped.

It may count more than the parser (a marker inside a code block, an opening ``*`` that never
closes), which only matters for text no author writes: more than 32 containers, or 100 delimiters
open at once.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from typing import TYPE_CHECKING

from coursepack.errors import Problem
from coursepack.limits import MAX_INLINE_NESTING, MAX_LINE_CHARS, MAX_MARKDOWN_NESTING
from coursepack.model import Position

if TYPE_CHECKING:
    from coursepack.source.modules import RawModule

_WS = re.compile(r"[ \t]*+")
_LIST_MARKER = re.compile(r"(?:[-+*]|[0-9]{1,9}[.)])(?=[ \t]|$)")
_THEMATIC_BREAK = re.compile(r"(?:(?:\*[ \t]*+){3,}+|(?:-[ \t]*+){3,}+|(?:_[ \t]*+){3,}+)$")
# an item line's value is Markdown too ("TASK: > quoted")
_ITEM_PREFIX = re.compile(r"[ \t]*+(?:READ|WATCH|TASK)\b[^:\n]*+:")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t>]*+(?=\n|\Z)")
_INLINE = re.compile(r"\n[ \t>]*+(?=\n|\Z)|\*++|_++|~++|`++|\[|\]|\\.", re.DOTALL)
# a line that may open containers: a marker first, or an item whose value starts with one
_MAY_NEST = re.compile(
    r"^[ \t]*+(?:[>*+\-]|[0-9]|(?:READ|WATCH|TASK)\b[^:\n]*+:[ \t]*+[>*+\-0-9])", re.MULTILINE
)
_BACKTICKS = re.compile(r"`++")


def _is_punct(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "PS"


def _containers(line: str, start: int, open_lists: int) -> tuple[int, int]:
    """(containers on the line, list items open after it) from ``start``."""
    pos, n = start, len(line)
    quotes = lists = carry_cols = 0
    # a thematic break ('- - -') runs to the end of the line: only where the rest is '-*_ '
    break_from = len(line.rstrip(" \t-*_"))
    while pos < n:
        space = _WS.match(line, pos)
        assert space is not None
        if not lists:  # indentation before a new list item can continue older ones
            carry_cols += space.end() - pos + 3 * line.count("\t", pos, space.end())
        pos = space.end()
        if pos >= n:
            break
        if line[pos] == ">":
            quotes += 1
            pos += 1
            continue
        if pos >= break_from and _THEMATIC_BREAK.match(line, pos):
            break
        marker = _LIST_MARKER.match(line, pos)
        if marker is None:
            break
        lists += 1
        pos = marker.end()
    carried = min(carry_cols // 2, open_lists)
    return quotes + lists + carried, carried + lists


def _may_nest_inline(text: str, limit: int = MAX_INLINE_NESTING) -> bool:
    """False when no paragraph of ``text`` holds more than ``limit`` delimiter characters
    (``*``, ``_``, ``~``, ``[``): each opens at most one level, so none goes over ``limit``."""
    if sum(map(text.count, "*_~[")) <= limit:
        return False
    return any(sum(map(p.count, "*_~[")) > limit for p in _PARAGRAPH_BREAK.split(text))


def _inline_depth(text: str, limit: int = MAX_INLINE_NESTING) -> tuple[int, int]:
    """(deepest inline nesting of a paragraph of ``text``, offset where it first goes over
    ``limit``); a blank line ends a paragraph and what it left open."""
    breaks = [m.start() for m in _PARAGRAPH_BREAK.finditer(text)]
    ticks: dict[int, list[int]] = {}
    for run in _BACKTICKS.finditer(text):
        ticks.setdefault(len(run.group()), []).append(run.start())
    open_: dict[str, int] = {"*": 0, "_": 0, "~": 0, "[": 0}
    deepest = where = 0
    skip_to = 0
    n = len(text)
    for match in _INLINE.finditer(text):
        start, end = match.start(), match.end()
        if start < skip_to:
            continue
        token = match.group()
        ch = token[0]
        if ch == "\\":
            continue
        if ch == "\n":  # a blank line: a new paragraph
            open_ = dict.fromkeys(open_, 0)
            continue
        if ch == "`":  # a code span runs to the next run of as many backticks, in its paragraph
            same = ticks.get(len(token), [])  # none when an escape split the run: literal
            after = bisect.bisect_right(same, start)
            brk = bisect.bisect_right(breaks, start)
            if after < len(same) and (brk == len(breaks) or same[after] < breaks[brk]):
                skip_to = same[after] + len(token)
            continue
        if ch == "[":
            open_["["] += 1
        elif ch == "]":
            open_["["] = max(open_["["] - 1, 0)
        else:
            before = text[start - 1] if start else " "
            following = text[end] if end < n else " "
            left = not following.isspace() and (
                not _is_punct(following) or before.isspace() or _is_punct(before)
            )
            right = not before.isspace() and (
                not _is_punct(before) or following.isspace() or _is_punct(following)
            )
            if ch == "_":
                left, right = (
                    left and (not right or _is_punct(before)),
                    right and (not left or _is_punct(following)),
                )
            length = len(token)
            if right and open_[ch]:
                closed = min(length, open_[ch])
                open_[ch] -= closed
                length -= closed
            if left:
                open_[ch] += length
        depth = sum(open_.values())
        if depth > deepest:
            if deepest <= limit < depth:
                where = start
            deepest = depth
    return deepest, where


def _block_depth(text: str, limit: int = MAX_MARKDOWN_NESTING) -> tuple[int, int]:
    """(deepest nesting of containers on a line of ``text``, offset of the first line that
    goes over ``limit``). Only lines that start with a marker (or an item) can go deeper
    than the lines before them, so only those are looked at."""
    open_lists = 0
    deepest = where = 0
    for match in _MAY_NEST.finditer(text):
        start = match.start()
        end = text.find("\n", start)
        line = text[start : end if end >= 0 else len(text)]
        depth, open_after = _containers(line, 0, open_lists)
        item = _ITEM_PREFIX.match(line)
        if item:
            value_depth, value_open = _containers(line, item.end(), 0)
            depth, open_after = max(depth, value_depth), max(open_after, value_open)
        open_lists = max(open_lists, open_after)
        if depth > deepest:
            if deepest <= limit < depth:
                where = start
            deepest = depth
    return deepest, where


def _line_col(text: str, offset: int) -> tuple[int, int]:
    """(index of the line, 1-based column) of ``offset`` in ``text``."""
    return text.count("\n", 0, offset), offset - (text.rfind("\n", 0, offset) + 1) + 1


def markdown_problems(text: str, pos: Position, *, whole_file: bool = False) -> list[Problem]:
    """What in ``text`` the renderer cannot take, located from ``pos`` (where the text starts;
    with ``whole_file``, ``text`` is a whole module file and each problem has its own line)."""
    problems: list[Problem] = []

    def at(offset: int) -> Position:
        if not whole_file:
            return pos
        line, col = _line_col(text, offset)
        return Position(pos.file, line + 1, col)

    if len(text) > MAX_LINE_CHARS:
        offset = 0
        for line in text.split("\n"):
            if len(line) > MAX_LINE_CHARS:
                problems.append(
                    Problem(
                        at(offset + MAX_LINE_CHARS),
                        f"a line of {len(line):,} characters; Markdown lines may hold at most "
                        f"{MAX_LINE_CHARS:,}",
                        "break it into shorter lines (a paragraph goes on over several lines)",
                    )
                )
                break
            offset += len(line) + 1
    depth, offset = _block_depth(text)
    if depth > MAX_MARKDOWN_NESTING:
        problems.append(
            Problem(
                at(offset),
                f"block quotes and lists are nested {depth:,} levels deep; at most "
                f"{MAX_MARKDOWN_NESTING} are allowed",
                "nest fewer '>' and list items ('-', '1.') inside each other",
            )
        )
    depth, offset = _inline_depth(text) if _may_nest_inline(text) else (0, 0)
    if depth > MAX_INLINE_NESTING:
        problems.append(
            Problem(
                at(offset),
                f"emphasis, strikethrough and link brackets are nested {depth:,} levels deep; "
                f"at most {MAX_INLINE_NESTING} are allowed",
                "close what you open ('*', '_', '~~', '[') or escape it with '\\'",
            )
        )
    return problems


#: keys of course.yaml and of YAML modules whose text is rendered as Markdown
MARKDOWN_KEYS = frozenset({"description", "intro", "outro", "task"})
#: keys of course.yaml whose value is a list of Markdown lines
MARKDOWN_LIST_KEYS = frozenset({"objectives"})


def yaml_markdown_problems(data: object) -> list[Problem]:
    """:func:`markdown_problems` of every Markdown text of a loaded YAML file (each text once,
    however many aliases repeat it), located where the value stands."""
    from coursepack.source.yamlsrc import YamlList, YamlMap

    problems: list[Problem] = []
    seen: set[int] = set()
    stack: list[object] = [data]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, YamlMap):
            for key, value in node.items():
                if isinstance(value, str) and key in MARKDOWN_KEYS:
                    if id(value) not in seen:
                        seen.add(id(value))
                        problems.extend(markdown_problems(value, node.at(key)))
                elif isinstance(value, YamlList) and key in MARKDOWN_LIST_KEYS:
                    for index, line in enumerate(value):
                        if isinstance(line, str):
                            problems.extend(markdown_problems(line, value.at(index)))
                elif isinstance(value, YamlMap | YamlList):
                    stack.append(value)
        elif isinstance(node, YamlList):
            stack.extend(v for v in node if isinstance(v, YamlMap | YamlList))
    return problems


def module_markdown_problems(module: RawModule) -> list[Problem]:
    """:func:`markdown_problems` of every Markdown text of a YAML module, where each stands."""
    texts = [(module.intro, module.pos)]
    for section in module.sections:
        texts.append((section.outro, section.pos))
        for item in section.items:
            texts.append((item.intro, item.pos))
            if item.kind == "TASK":
                texts.append((item.value, item.value_pos))
    problems: list[Problem] = []
    for text, pos in texts:
        if text:
            problems.extend(markdown_problems(text, pos))
    return problems
