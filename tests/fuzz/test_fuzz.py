"""Fuzzing: generated courses, valid and broken, never end in a traceback, a crash or a hang,
and ``validate`` agrees with ``build``.

CI runs a fixed number of examples from a fixed seed (``derandomize=True``): the same courses
every run. ``python -m bench fuzz --cases 10000`` runs many more on demand and saves every
failing course into ``tests/fuzz/corpus/``; ``test_every_corpus_case_ends_cleanly`` replays them.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz.cases import CORPUS, load_case, write_case
from tests.fuzz.runner import check_course
from tests.fuzz.strategies import courses, valid_courses

FUZZ = settings(
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    print_blob=True,
)
#: seconds a command may take on one generated course before it counts as a hang (generous:
#: the largest generated course takes well under a second on an idle machine)
TIME_BOUND = 60.0


def _check(case: dict, subprocess_run: bool = False) -> None:  # type: ignore[type-arg]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        course = write_case(case, root)
        verdict = check_course(
            course, root / "dist", subprocess_run=subprocess_run, timeout=TIME_BOUND
        )
        assert verdict.ok, "\n".join(f"{kind}: {detail}" for kind, detail in verdict.failures)


@settings(FUZZ, max_examples=150)
@given(courses())
def test_generated_courses_end_cleanly_and_validate_agrees_with_build(case: dict) -> None:  # type: ignore[type-arg]
    _check(case)


@settings(FUZZ, max_examples=10)
@given(courses())
def test_generated_courses_end_cleanly_in_a_process_of_their_own(case: dict) -> None:  # type: ignore[type-arg]
    _check(case, subprocess_run=True)


@settings(FUZZ, max_examples=25)
@given(valid_courses())
def test_generated_valid_courses_build(case: dict) -> None:  # type: ignore[type-arg]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        verdict = check_course(write_case(case, root), root / "dist")
        assert verdict.ok, verdict.failures
        assert [o.code for o in verdict.outcomes] == [0, 0], verdict.outcomes[0].stderr


# -- the nesting estimate never counts less than the renderer nests -----------------------

_TAG = re.compile(r"<(/?)(blockquote|li|em|strong|s|a)\b[^>]*>")


def _rendered_depths(text: str) -> tuple[int, int]:
    """(containers, inline) nesting of the renderer's HTML for ``text``."""
    from coursepack.render.markdown import MarkdownRenderer

    html = str(MarkdownRenderer().render(text))
    block = inline = deepest_block = deepest_inline = 0
    for match in _TAG.finditer(html):
        step = -1 if match.group(1) else 1
        if match.group(2) in ("blockquote", "li"):
            block += step
            deepest_block = max(deepest_block, block)
        else:
            inline += step
            deepest_inline = max(deepest_inline, inline)
    return deepest_block, deepest_inline


SOUP = ["*", "**", "_", "~~", "[", "](u)", "`", "a", " ", "\n", "> ", "- ", "1. ", "  ", "\t"]
SOUP += ["\\", "b_", "*a", "a*", "***", "![", "\n\n"]
markdown_soup = st.lists(st.sampled_from(SOUP), max_size=60).map("".join)


@settings(FUZZ, max_examples=300)
@given(markdown_soup)
def test_the_nesting_estimate_is_never_below_the_renderers(text: str) -> None:
    from coursepack.source.markdown_limits import _block_depth, _inline_depth

    block, inline = _rendered_depths(text)
    assert _block_depth(text)[0] >= block
    assert _inline_depth(text)[0] >= inline


# -- the corpus: every failure once found, replayed ---------------------------------------

CORPUS_CASES = sorted(p.name for p in CORPUS.iterdir() if (p / "case.json").exists())


@pytest.mark.parametrize("name", CORPUS_CASES)
def test_every_corpus_case_ends_cleanly(name: str) -> None:
    case, meta = load_case(CORPUS / name)
    _check(case, subprocess_run=bool(meta.get("subprocess")))
