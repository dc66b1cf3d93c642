"""YAML read with positions: every mapping and sequence remembers where its values stand."""

from __future__ import annotations

import re
from typing import Any

import yaml

from coursepack.errors import Problem
from coursepack.model import Position

try:  # libyaml is 6-15x faster; fall back to the pure-Python loader where it is missing
    _Loader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment,unused-ignore]
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader


class YamlMap(dict[str, Any]):
    """A mapping that knows the position of each key and of each value."""

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
#: characters XML 1.0 cannot hold (tab, line feed and carriage return are fine): no manifest
#: or page may carry them
NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _pos(file: str, node: yaml.Node) -> Position:
    mark = node.start_mark
    return Position(file, mark.line + 1, mark.column + 1)


class _Converter:
    """Nodes -> YamlMap / YamlList / str / None; odd YAML becomes located problems."""

    def __init__(self, file: str, problems: list[Problem]) -> None:
        self.file = file
        self.problems = problems
        self.done: dict[int, Any] = {}  # an alias's node is converted once
        self.active: set[int] = set()  # nodes being converted: an alias to one recurses

    def problem(self, node: yaml.Node, message: str, hint: str = "") -> None:
        self.problems.append(Problem(_pos(self.file, node), message, hint))

    def convert(self, node: yaml.Node) -> Any:
        key = id(node)
        if key in self.done:
            return self.done[key]
        if key in self.active:
            self.problem(node, "an alias refers to the value that contains it", "remove the alias")
            return None
        self.active.add(key)
        try:
            result = self._convert(node)
        finally:
            self.active.discard(key)
        self.done[key] = result
        return result

    def _convert(self, node: yaml.Node) -> Any:
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node)
        if isinstance(node, yaml.SequenceNode):
            seq = YamlList(_pos(self.file, node))
            for child in node.value:
                seq.append(self.convert(child))
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
                    value = self.convert(source)
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
            result[key] = self.convert(value_node)
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


def load_yaml(text: str, file: str, problems: list[Problem]) -> Any:
    """Parse ``text``; syntax errors become located problems and the result is None."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        pos = Position(file, mark.line + 1, mark.column + 1) if mark else Position(file)
        what = exc.problem or exc.context or "invalid YAML"
        problems.append(
            Problem(pos, f"YAML syntax error: {what}", "check indentation, colons and quotes")
        )
        return None
    except yaml.YAMLError as exc:  # e.g. a reader error on a control character
        problems.append(Problem(Position(file, 1, 1), f"cannot read YAML: {exc}"))
        return None
    if node is None:
        return None
    return _Converter(file, problems).convert(node)


def text_of(mapping: YamlMap, key: str, problems: list[Problem]) -> str:
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
