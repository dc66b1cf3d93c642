"""YAML read with positions: every mapping and sequence remembers where its values stand."""

from __future__ import annotations

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


_scalars = yaml.constructor.SafeConstructor()


def _pos(file: str, node: yaml.Node) -> Position:
    mark = node.start_mark
    return Position(file, mark.line + 1, mark.column + 1)


def _convert(file: str, node: yaml.Node, problems: list[Problem]) -> Any:
    if isinstance(node, yaml.MappingNode):
        result = YamlMap(_pos(file, node))
        for key_node, value_node in node.value:
            key = _convert(file, key_node, problems)
            if not isinstance(key, str):
                problems.append(
                    Problem(
                        _pos(file, key_node),
                        f"keys must be text, not {key!r}",
                        "put the key in quotes or rename it",
                    )
                )
                continue
            if key in result:
                problems.append(
                    Problem(
                        _pos(file, key_node),
                        f"'{key}' is given twice (first at line {result.key_pos[key].line})",
                        "keep one of them",
                    )
                )
                continue
            result[key] = _convert(file, value_node, problems)
            if isinstance(value_node, yaml.ScalarNode):
                result.source_text[key] = str(value_node.value)
            result.key_pos[key] = _pos(file, key_node)
            result.value_pos[key] = _pos(file, value_node)
        return result
    if isinstance(node, yaml.SequenceNode):
        seq = YamlList(_pos(file, node))
        for child in node.value:
            seq.append(_convert(file, child, problems))
            seq.item_pos.append(_pos(file, child))
        return seq
    return _scalars.construct_object(node)  # type: ignore[no-untyped-call,unused-ignore]


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
    return _convert(file, node, problems)
