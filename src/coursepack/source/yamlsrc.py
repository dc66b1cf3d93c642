"""YAML read with positions: every mapping and sequence remembers where its values stand."""

from __future__ import annotations

from typing import Any

import yaml

from coursepack.errors import Problem, Problems
from coursepack.limits import MAX_ALIAS_EXPANSION, MAX_YAML_DEPTH
from coursepack.model import Position
from coursepack.source.files import NOT_TEXT

try:  # libyaml is 6-15x faster; fall back to the pure-Python loader where it is missing
    _Loader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment,unused-ignore]
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader


def _refuse(*args: Any, **kwargs: Any) -> Any:
    """Once loaded, course data is read, never changed: a mutation is a bug."""
    raise TypeError("course data is read-only once loaded")


class YamlMap(dict[str, Any]):
    """A mapping that knows the position of each key and of each value (read-only once
    :func:`load_yaml` returns it)."""

    _frozen = False

    def __setitem__(self, key: str, value: Any) -> None:
        if self._frozen:
            _refuse()
        super().__setitem__(key, value)

    def __delitem__(self, key: str) -> None:
        _refuse()

    def freeze(self) -> None:
        self._frozen = True

    pop = setdefault = update = popitem = clear = _refuse

    def __init__(self, pos: Position) -> None:
        super().__init__()
        self.pos = pos
        self.key_pos: dict[str, Position] = {}
        self.value_pos: dict[str, Position] = {}
        #: a scalar value's text as written ("1.10" stays "1.10", not the float 1.1)
        self.source_text: dict[str, str] = {}

    def at(self, key: str) -> Position:
        """Where the value of ``key`` stands (or the mapping itself when it is absent)."""
        return self.value_pos.get(key, self.pos)


class YamlList(list[Any]):
    """A list that knows the position of each value (read-only once loaded)."""

    _frozen = False

    def append(self, value: Any) -> None:
        if self._frozen:
            _refuse()
        super().append(value)

    def freeze(self) -> None:
        self._frozen = True

    __setitem__ = __delitem__ = extend = insert = pop = remove = clear = _refuse
    sort = reverse = _refuse

    def __init__(self, pos: Position) -> None:
        super().__init__()
        self.pos = pos
        self.item_pos: list[Position] = []

    def at(self, index: int) -> Position:
        return self.item_pos[index] if index < len(self.item_pos) else self.pos


_CORE = "tag:yaml.org,2002:"
#: every value of a course file is text: these scalars keep the text as written ("1.10",
#: "true", "2024-01-01"), and only null becomes None
_TEXT_TAGS = frozenset(_CORE + t for t in ("str", "int", "float", "bool", "timestamp"))
_NULL_TAG = _CORE + "null"
_MERGE_TAG = _CORE + "merge"


def _pos(file: str, node: yaml.Node) -> Position:
    mark = node.start_mark
    return Position(file, mark.line + 1, mark.column + 1)


class _Converter:
    """Nodes -> YamlMap / YamlList / str / None; odd YAML becomes located problems."""

    def __init__(self, file: str, problems: Problems | list[Problem]) -> None:
        self.file = file
        self.problems = problems
        self.done: dict[int, Any] = {}  # an alias's node is converted once
        self.size: dict[int, int] = {}  # values in a converted node, itself included
        self.active: set[int] = set()  # nodes being converted: an alias to one recurses
        self.depth = 0
        self.expanded = 0  # values that aliases added by repeating what they refer to
        self.too_deep = self.too_big = False
        self.count = 0  # values converted so far

    def problem(self, node: yaml.Node, message: str, hint: str = "") -> None:
        self.problems.append(Problem(_pos(self.file, node), message, hint))

    def convert(self, node: yaml.Node, where: yaml.Node | None = None) -> Any:
        """``node`` as data; ``where`` is the node that holds it (where an alias stands)."""
        key = id(node)
        if key in self.done:  # an alias: it repeats everything it refers to
            self.expanded += self.size[key]
            self.count += self.size[key]  # what holds the alias holds all it repeats
            if self.expanded > MAX_ALIAS_EXPANSION and not self.too_big:
                self.too_big = True
                self.problem(
                    where or node,
                    f"aliases ('*name') here repeat more than {MAX_ALIAS_EXPANSION:,} values",
                    "write the values out, or repeat less: a course file is not a template",
                )
            return None if self.too_big else self.done[key]
        if key in self.active:
            self.problem(node, "an alias refers to the value that contains it", "remove the alias")
            return None
        if self.depth >= MAX_YAML_DEPTH:
            if not self.too_deep:
                self.too_deep = True
                self.problem(
                    node,
                    f"values are nested more than {MAX_YAML_DEPTH} levels deep",
                    "check the indentation and brackets: a course file needs a few levels",
                )
            return None
        self.active.add(key)
        self.depth += 1
        before = self.count
        try:
            result = self._convert(node)
        finally:
            self.active.discard(key)
            self.depth -= 1
        self.count += 1
        self.size[key] = self.count - before
        if isinstance(result, YamlMap | YamlList):
            result.freeze()
        self.done[key] = result
        return result

    def _convert(self, node: yaml.Node) -> Any:
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node)
        if isinstance(node, yaml.SequenceNode):
            seq = YamlList(_pos(self.file, node))
            for child in node.value:
                seq.append(self.convert(child, node))
                seq.item_pos.append(_pos(self.file, child))
            return seq
        if node.tag == _NULL_TAG:
            return None
        if node.tag not in _TEXT_TAGS:
            self.problem(
                node, f"unsupported YAML tag '{node.tag}'", "remove the tag: values are text"
            )
        text = str(node.value)
        bad = NOT_TEXT.search(text)
        if bad:  # written as an escape ("\x01") in a quoted string
            self.problem(
                node,
                f"control character U+{ord(bad.group()):04X} in the text",
                "remove it: it is invisible and no package may hold it",
            )
        return text

    def _mapping(self, node: yaml.MappingNode) -> YamlMap:
        result = YamlMap(_pos(self.file, node))
        merged: list[YamlMap] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:  # '<<: *defaults': keys not given here
                sources = (
                    value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
                )
                for source in sources:
                    value = self.convert(source, key_node)
                    if isinstance(value, YamlMap):
                        merged.append(value)
                    else:
                        self.problem(source, "'<<' merges a mapping", "use an alias to a mapping")
                continue
            key = self.convert(key_node)
            if not isinstance(key, str):
                self.problem(
                    key_node,
                    f"keys must be text, not {key!r}",
                    "put the key in quotes or rename it",
                )
                continue
            if key in result:
                self.problem(
                    key_node,
                    f"'{key}' is given twice (first at line {result.key_pos[key].line})",
                    "keep one of them",
                )
                continue
            result[key] = self.convert(value_node, key_node)
            if isinstance(value_node, yaml.ScalarNode):
                result.source_text[key] = str(value_node.value)
            result.key_pos[key] = _pos(self.file, key_node)
            result.value_pos[key] = _pos(self.file, value_node)
        for source in merged:
            for key, value in source.items():
                if key not in result:
                    result[key] = value
                    result.key_pos[key] = source.key_pos[key]
                    result.value_pos[key] = source.at(key)
                    if key in source.source_text:
                        result.source_text[key] = source.source_text[key]
        return result


#: what the YAML parser says -> what an author understands, and how to fix it
_PARSER_WORDS: tuple[tuple[str, str, str], ...] = (
    (
        "found character '\\t' that cannot start any token",
        "a tab character: YAML is indented with spaces, not tabs",
        "indent with spaces; most editors can insert spaces when Tab is pressed",
    ),
    (
        "mapping values are not allowed",
        "a ': ' inside a value",
        "put text containing ': ' in quotes, e.g. title: \"Part 1: the basics\"",
    ),
    (
        "did not find expected key",
        "this line is not indented like the lines around it",
        "indent it with spaces like the other keys at its level",
    ),
    (
        "expected <block end>, but found",
        "this line is not indented like the lines around it",
        "indent it with spaces like the other keys at its level",
    ),
    (
        "did not find expected '-' indicator",
        "this list entry is not indented like the entries above it",
        "start every entry of a list with '- ' at the same indentation",
    ),
    (
        "found undefined alias",
        "an alias ('*name') to an anchor ('&name') that is not defined above it",
        "define the anchor first, or write the value out",
    ),
    (
        "found unexpected end of stream",
        "a quoted text is not closed",
        "close the quotes (a ' or \" is missing)",
    ),
)


def _in_words(problem: str, text: str, mark: yaml.Mark | None) -> tuple[str, str]:
    """The parser's words for a syntax error, told again the way an author would say it."""
    if mark is not None:
        lines = text.split("\n")
        line = lines[mark.line] if mark.line < len(lines) else ""
        if "\t" in line[: len(line) - len(line.lstrip())] or (
            mark.column < len(line) and line[mark.column] == "\t"
        ):
            return _PARSER_WORDS[0][1], _PARSER_WORDS[0][2]
    for parser_says, words, hint in _PARSER_WORDS:
        if problem.startswith(parser_says):
            return words, hint
    return problem, "check indentation, colons and quotes"


def _flow_too_deep(text: str) -> int | None:
    """Where '[' / '{' first nest deeper than the limit (a parser takes quadratic time on
    such text), or None. Quoted text and comments are not told apart: brackets in them
    rarely nest, and a false alarm needs more than 64 of them open at once."""
    if text.count("[") + text.count("{") <= MAX_YAML_DEPTH:
        return None
    depth = 0
    for index, char in enumerate(text):
        if char in "[{":
            depth += 1
            if depth > MAX_YAML_DEPTH:
                return index
        elif char in "]}" and depth:
            depth -= 1
        elif char == "\n" and depth and not text.startswith((" ", "\t"), index + 1):
            depth = 0  # a new top-level line: an unclosed bracket does not carry over
    return None


def load_yaml(text: str, file: str, problems: Problems | list[Problem]) -> Any:
    """Parse ``text``; syntax errors become located problems and the result is None."""
    deep = _flow_too_deep(text)
    if deep is not None:
        line = text.count("\n", 0, deep) + 1
        col = deep - (text.rfind("\n", 0, deep) + 1) + 1
        problems.append(
            Problem(
                Position(file, line, col),
                f"brackets are nested more than {MAX_YAML_DEPTH} levels deep",
                "check the '[' and '{' of this file: a course file needs a few levels",
            )
        )
        return None
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        pos = Position(file, mark.line + 1, mark.column + 1) if mark else Position(file)
        what, hint = _in_words(exc.problem or exc.context or "invalid YAML", text, mark)
        problems.append(Problem(pos, f"YAML syntax error: {what}", hint))
        return None
    except yaml.YAMLError as exc:  # e.g. a reader error on a control character
        problems.append(Problem(Position(file, 1, 1), f"cannot read YAML: {exc}"))
        return None
    if node is None:
        return None
    return _Converter(file, problems).convert(node)


def text_of(mapping: YamlMap, key: str, problems: Problems | list[Problem]) -> str:
    """The text of ``mapping[key]``: '' when absent or null; a list or a mapping is a problem."""
    value = mapping.get(key)
    if value is None:
        return ""
    if isinstance(value, YamlMap | YamlList):
        kind = "a list" if isinstance(value, YamlList) else "a mapping"
        problems.append(
            Problem(
                mapping.at(key),
                f"'{key}' must be text, not {kind}",
                "write it on one line, in quotes if it holds ':' or starts with '[' or '{'",
            )
        )
        return ""
    return str(value)


_TRUE = frozenset({"true", "yes", "on"})
_FALSE = frozenset({"false", "no", "off"})


def boolean_of(value: object) -> bool | None:
    """A YAML yes/no value (every scalar is kept as text): None when it is not one."""
    if not isinstance(value, str):
        return None
    text = value.strip().lower()
    return True if text in _TRUE else False if text in _FALSE else None
