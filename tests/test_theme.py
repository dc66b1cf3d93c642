"""A course's brand (theme:): colours that pass contrast in light and dark, files of media/,
a safe font, the logo and the footer in the page."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from coursepack.build import build_course
from coursepack.errors import CourseInvalid
from coursepack.pipeline import check_course
from coursepack.theme import (
    AA_TEXT,
    DARK_GROUNDS,
    LIGHT_GROUNDS,
    contrast,
    dark_variant,
    passing_light,
    worst_contrast,
)

HEAD = (
    "id: https://example.org/brand\ntitle: Brand\nlanguage: en\nversion: '1'\n"
    "modules:\n  - modules/m.md\n"
)


def course(tmp_path: Path, theme: str) -> Path:
    (tmp_path / "modules").mkdir(exist_ok=True)
    (tmp_path / "media").mkdir(exist_ok=True)
    for name in ("logo.png", "cover.jpg", "brand.woff2"):
        (tmp_path / "media" / name).write_bytes(b"\0")
    (tmp_path / "course.yaml").write_text(HEAD + "theme:\n" + theme, "utf-8")
    (tmp_path / "modules" / "m.md").write_text("# M\n\n## S\n\nTASK: Why?\n", "utf-8")
    return tmp_path


def test_contrast_is_computed_as_wcag_says() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)


def test_a_colour_that_fails_contrast_is_refused_with_its_ratio_and_the_nearest_that_passes(
    tmp_path: Path,
) -> None:
    with pytest.raises(CourseInvalid) as invalid:
        check_course(course(tmp_path, '  primary: "#66aaff"\n'), {})
    message = invalid.value.message
    assert "course.yaml:8:12: theme primary #66aaff has a contrast of 2.22:1" in message
    nearest = passing_light("#66aaff")
    assert f"the nearest colour that passes is {nearest}" in message
    assert worst_contrast(nearest, LIGHT_GROUNDS) >= AA_TEXT
    assert worst_contrast(nearest, LIGHT_GROUNDS) < AA_TEXT + 0.2  # the nearest, not any


@pytest.mark.parametrize("colour", ["#0b5cad", "#1b5e20", "#6a1b9a", "#b3261e", "#000000"])
def test_every_passing_colour_gets_a_dark_mode_variant_that_passes_too(colour: str) -> None:
    assert worst_contrast(colour, LIGHT_GROUNDS) >= AA_TEXT
    assert worst_contrast(dark_variant(colour), DARK_GROUNDS) >= AA_TEXT


def test_a_brand_reaches_the_one_stylesheet_and_the_page(tmp_path: Path) -> None:
    theme = (
        "  logo: media/logo.png\n  logo_alt: Acme Learning\n  primary: '#0b5cad'\n"
        "  accent: '#8a4b00'\n  font: media/brand.woff2\n  cover: media/cover.jpg\n"
        "  footer: © Acme 2026 <script>\n"
    )
    (path,) = build_course(course(tmp_path, theme), tmp_path / "d", ["scorm12"], environ={}).paths
    with zipfile.ZipFile(path) as zf:
        css = zf.read("assets/coursepack.css").decode()
        page = zf.read("index.html").decode()
        names = zf.namelist()
    assert ":root { --cp-accent: #0b5cad;" in css
    assert "--cp-highlight: #8a4b00;" in css
    assert "@media (prefers-color-scheme: dark) { :root { --cp-accent: " in css
    assert 'src: url("../media/brand.woff2") format("woff2")' in css
    assert '<img class="cp-header__logo" src="media/logo.png" alt="Acme Learning">' in page
    assert "<p>© Acme 2026 &lt;script&gt;</p>" in page  # course text is escaped
    assert "Made with coursepack" not in page
    assert "media/cover.jpg" in names


def test_footer_false_removes_it_and_no_theme_keeps_coursepacks_line(tmp_path: Path) -> None:
    (path,) = build_course(
        course(tmp_path, "  footer: false\n"), tmp_path / "d", ["scorm12"], environ={}
    ).paths
    assert "cp-footer" not in zipfile.ZipFile(path).read("index.html").decode()


@pytest.mark.parametrize(
    ("theme", "message"),
    [
        ("  logo: media/missing.png\n", "theme logo 'media/missing.png' is not a file"),
        ("  logo: media/brand.woff2\n", "theme logo 'media/brand.woff2' is not an image"),
        ("  primary: blue\n", "theme primary 'blue' is not a colour"),
        (
            "  font: 'x; } body { display: none'\n",
            "is neither a font file of media/ nor a font stack",
        ),
        ("  colour: '#000'\n", "unknown key 'colour' in theme"),
        ("  - primary\n", "'theme' must be a mapping"),
    ],
)
def test_theme_mistakes_are_located(tmp_path: Path, theme: str, message: str) -> None:
    with pytest.raises(CourseInvalid) as invalid:
        check_course(course(tmp_path, theme), {})
    assert message in invalid.value.message


def test_a_font_stack_is_taken_as_written(tmp_path: Path) -> None:
    checked = check_course(course(tmp_path, '  font: Georgia, "Times New Roman", serif\n'), {})
    assert checked.course.theme.font_stack == 'Georgia, "Times New Roman", serif'
