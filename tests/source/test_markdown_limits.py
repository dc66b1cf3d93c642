"""The load stage's Markdown limits: nesting the renderer cannot take, over-long lines."""

from __future__ import annotations

import pytest

from coursepack.limits import MAX_INLINE_NESTING, MAX_LINE_CHARS, MAX_MARKDOWN_NESTING
from coursepack.model import Position
from coursepack.source.markdown_limits import _block_depth, _inline_depth, markdown_problems

AT = Position("m.md")


def _messages(text: str) -> list[str]:
    return [str(p) for p in markdown_problems(text, AT, whole_file=True)]


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ("> > > x", 3),
        ("- - - x", 3),
        ("1. 2) - * + x", 5),
        ("- a\n  - b\n    - c\n      - d", 4),
        ("> - a\n>   - b", 3),
        ("- - - - -", 0),  # a thematic break, not lists
        ("TASK: > > x", 2),
        ("text > > x", 0),
    ],
)
def test_container_depth_counts_markers_and_what_indentation_continues(
    text: str, depth: int
) -> None:
    assert _block_depth(text)[0] == depth


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ("*a* _b_ ~~c~~ [d](e)", 2),
        ("***x***", 3),
        ("`*****` and \\*\\*", 0),
        ("\\``", 0),  # an escape splits the run: once a KeyError
        ("*a\n\n*b\n\n*c", 1),  # a blank line ends what a paragraph left open
        ("snake_case_name", 0),
    ],
)
def test_inline_depth_counts_delimiters_still_open(text: str, depth: int) -> None:
    assert _inline_depth(text)[0] == depth


def test_markdown_at_the_limits_has_no_problem() -> None:
    text = "> " * MAX_MARKDOWN_NESTING + "x\n\n" + "*" * MAX_INLINE_NESTING + "x\n"
    assert _messages(text) == []


def test_each_limit_is_reported_once_where_it_is_first_passed() -> None:
    text = "# M\n\nok\n" + "- " * (MAX_MARKDOWN_NESTING + 1) + "x\n"
    text += "- " * 40_000 + "x\n" + "a" * (MAX_LINE_CHARS + 1) + "\n"
    text += "\n" + "x " + "[" * (MAX_INLINE_NESTING + 1) + "\n"
    messages = _messages(text)
    assert len(messages) == 3, messages
    assert messages[0].startswith(f"m.md:6:{MAX_LINE_CHARS + 1}: a line of 100,001 characters")
    assert messages[1].startswith("m.md:4:1: block quotes and lists are nested 40,000 levels")
    assert messages[2].startswith("m.md:8:103: emphasis, strikethrough and link brackets")


def test_a_text_inside_a_yaml_file_is_located_where_its_value_stands() -> None:
    (problem,) = markdown_problems("1. " * 40, Position("y.yaml", 7, 10))
    assert str(problem).startswith("y.yaml:7:10: block quotes and lists are nested 40 levels")


def test_delimiters_spread_over_many_paragraphs_are_not_nesting_but_one_deep_paragraph_is() -> None:
    spread = "\n\n".join("*a* _b_ [c](d) ~~e~~" for _ in range(200))
    assert _messages(spread) == []
    deep = spread + "\n\n" + "*" * (MAX_INLINE_NESTING + 1) + "x\n"
    (message,) = _messages(deep)
    assert "nested 101 levels deep" in message and ":401:1:" in message
