"""No link takes the learner out of the course, and every word of the page is the course's
language."""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from lxml import html

from coursepack.build import build_course
from coursepack.i18n import _table, available_languages
from tests.render.conftest import shown_tree
from tests.support.shown import shown_in_zip

REPO = Path(__file__).resolve().parents[2]

EVERY_KIND_OF_LINK = """# Links

Prose: [a page](https://example.org/page), [a handout](media/handout.pdf),
[the same, relatively](./media/handout.pdf), [further down](#s-links__two),
[mail us](mailto:team@example.org), <https://example.org/auto> and ![a map](media/map.png).

## One

READ: https://example.org/article
READ: media/handout.pdf
WATCH: https://www.youtube.com/watch?v=iN_A7keXtVg
WATCH: https://vimeo.com/76979871
WATCH: media/clip.mp4
WATCH: https://en.wikipedia.org/wiki/Leadership

TASK: See [the guide](https://example.org/guide) and answer.

## Two

READ: [Titled](https://example.org/titled "A tooltip")
TASK: Why?
"""


def built_page(tmp_path: Path, module: str, language: str = "en") -> tuple[str, str]:
    course = tmp_path / "course"
    (course / "modules").mkdir(parents=True)
    (course / "media").mkdir()
    for name in ("handout.pdf", "map.png", "clip.mp4"):
        (course / "media" / name).write_bytes(b"\0")
    (course / "course.yaml").write_text(
        f"id: https://example.org/links\ntitle: Links\nlanguage: {language}\nversion: '1'\n"
        "modules:\n  - modules/links.md\n",
        "utf-8",
    )
    (course / "modules" / "links.md").write_text(module, "utf-8")
    (path,) = build_course(course, tmp_path / "dist", ["scorm12"], environ={}).paths
    with zipfile.ZipFile(path) as zf:
        return shown_in_zip(zf), zf.read("coursepack-config.js").decode()


def test_every_link_of_the_page_opens_a_new_tab_or_stays_in_the_page(tmp_path: Path) -> None:
    page, _ = built_page(tmp_path, EVERY_KIND_OF_LINK)
    anchors = shown_tree(page).iter("a")
    seen = 0
    for anchor in anchors:
        href = anchor.get("href") or ""
        seen += 1
        if href.startswith("#"):
            continue  # within the page
        if href.startswith("mailto:"):
            continue  # the mail program opens; the course stays
        assert anchor.get("target") == "_blank", html.tostring(anchor)
        assert "noopener" in (anchor.get("rel") or ""), html.tostring(anchor)
    assert seen >= 15  # the walk saw the links it should have


def _fixed_parts(template: str) -> list[str]:
    """The words of a table entry without its placeholders, long enough to be telling."""
    return [p.strip() for p in re.split(r"\{[A-Za-z_]+\}", template) if len(p.strip()) >= 8]


@pytest.mark.parametrize("language", available_languages())
def test_a_course_in_each_shipped_language_shows_no_word_of_another(
    language: str, tmp_path: Path
) -> None:
    shutil.copytree(REPO / "course", tmp_path / "c")
    yaml_file = tmp_path / "c" / "course.yaml"
    yaml_file.write_text(
        re.sub(r"^language: .*$", f"language: {language}", yaml_file.read_text(), flags=re.M)
    )
    (path,) = build_course(tmp_path / "c", tmp_path / "dist", ["scorm12"], environ={}).paths
    with zipfile.ZipFile(path) as zf:
        # what the page shows or says: its text and the attributes read out, not class names
        markup = shown_in_zip(zf)
        shown = r'>([^<]*)<|(?:aria-label|aria-valuetext|alt|title|data-frame-title)="([^"]*)"'
        page = "\n".join(text or value for text, value in re.findall(shown, markup))
        config = json.loads(zf.read("coursepack-config.js").decode().split("=", 1)[1].rstrip(";\n"))
    own = _table(language) or {}
    words = dict(config["strings"])
    items = [i["title"] for m in config["modules"] for s in m["sections"] for i in s["items"]]
    for other in available_languages():
        if other == language:
            continue
        table = _table(other) or {}
        for key, text in table.items():
            if own.get(key) == text:
                continue  # the same words in both languages
            for part in _fixed_parts(text):
                assert part not in page, (other, key, part)
                assert all(part not in value for value in words.values()), (other, key, part)
                assert all(part not in title for title in items), (other, key, part)
    assert set(words) == set(_table("en") or {})  # every key, in this language's words
