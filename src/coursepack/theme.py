"""A course's brand (``theme:`` in course.yaml): logo, colours, font, cover, footer.

Everything becomes CSS custom properties appended to the one stylesheet (no second theme
system). Colours are checked for contrast (WCAG 2.x, AA: 4.5:1 for text) against what they
carry in light mode; a failing colour is a located problem that names its ratio and the
nearest colour that passes. Dark mode (``prefers-color-scheme``) gets a lightened variant of
each colour, computed to pass against the dark surfaces, so both schemes pass.
"""

from __future__ import annotations

import colorsys
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from coursepack.errors import Problems
from coursepack.model import Position

AA_TEXT = 4.5
#: what the brand colours are drawn on or carry, light and dark (coursepack.css)
LIGHT_GROUNDS = ("#ffffff", "#f5f6f8")  # surface, page background; button text is white
DARK_GROUNDS = ("#1b2029", "#12151c", "#10131a")  # surface, background, button text
THEME_KEYS = {"logo", "logo_alt", "primary", "accent", "font", "cover", "footer"}
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg", ".avif"}
FONT_FORMATS = {".woff2": "woff2", ".woff": "woff", ".ttf": "truetype", ".otf": "opentype"}
SYSTEM_STACK = (
    'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "Noto Sans", '
    '"Liberation Sans", Arial, sans-serif'
)
_HEX = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
# a CSS font stack: family names, quoted or not, separated by commas; nothing else
_STACK = re.compile(
    r"""^\s*(?:"[A-Za-z0-9 \-]+"|'[A-Za-z0-9 \-]+'|[A-Za-z0-9 \-]+)"""
    r"""(?:\s*,\s*(?:"[A-Za-z0-9 \-]+"|'[A-Za-z0-9 \-]+'|[A-Za-z0-9 \-]+))*\s*$"""
)


@dataclass(frozen=True)
class Theme:
    logo: str | None = None  # a file of media/
    logo_alt: str = ""
    primary: str | None = None  # "#rrggbb"
    accent: str | None = None
    font_file: str | None = None  # a file of media/
    font_stack: str | None = None
    cover: str | None = None  # a file of media/
    footer: str | None = None  # None: coursepack's own line; "": no footer


# -- colour arithmetic ----------------------------------------------------------------------


def _rgb(hex_colour: str) -> tuple[float, float, float]:
    h = hex_colour.lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    return int(h[0:2], 16) / 255, int(h[2:4], 16) / 255, int(h[4:6], 16) / 255


def _hex(rgb: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{round(max(0.0, min(1.0, c)) * 255):02x}" for c in rgb)


def normalise(hex_colour: str) -> str:
    return _hex(_rgb(hex_colour))


def luminance(hex_colour: str) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in _rgb(hex_colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def worst_contrast(colour: str, grounds: Iterable[str]) -> float:
    return min(contrast(colour, ground) for ground in grounds)


def _shift(colour: str, towards_light: bool) -> str | None:
    """The nearest colour of the same hue and saturation, lighter or darker, that passes AA
    against the grounds of that direction's scheme (None if none does)."""
    h, lightness, s = colorsys.rgb_to_hls(*_rgb(colour))
    grounds = DARK_GROUNDS if towards_light else LIGHT_GROUNDS
    step = 0.005 if towards_light else -0.005
    for n in range(1, 201):
        candidate = _hex(colorsys.hls_to_rgb(h, max(0.0, min(1.0, lightness + step * n)), s))
        if worst_contrast(candidate, grounds) >= AA_TEXT:
            return candidate
    return None


def passing_light(colour: str) -> str:
    """``colour`` if it passes on the light grounds, else the nearest darker one that does."""
    if worst_contrast(colour, LIGHT_GROUNDS) >= AA_TEXT:
        return colour
    return _shift(colour, towards_light=False) or "#000000"


def dark_variant(colour: str) -> str:
    """A colour for dark mode: ``colour`` lightened until it passes on the dark grounds."""
    if worst_contrast(colour, DARK_GROUNDS) >= AA_TEXT:
        return colour
    return _shift(colour, towards_light=True) or "#ffffff"


def _mix(colour: str, other: str, share: float) -> str:
    a, b = _rgb(colour), _rgb(other)
    return _hex(tuple(x * (1 - share) + y * share for x, y in zip(a, b, strict=True)))  # type: ignore[arg-type]


# -- course.yaml ------------------------------------------------------------------------------


def parse_theme(
    value: Any, pos: Position, problems: Problems, media: frozenset[str]
) -> Theme | None:
    """``theme:`` checked: files of media/, colours that pass contrast, a safe font stack."""
    from coursepack.render.markdown import media_path
    from coursepack.source.modules import unknown_keys
    from coursepack.source.yamlsrc import YamlMap, text_of

    if value is None:
        return None
    if not isinstance(value, YamlMap):
        problems.add(pos, "'theme' must be a mapping", "e.g. 'primary: \"#0b5cad\"'")
        return None
    unknown_keys(value, THEME_KEYS, "theme", problems)

    def media_file(key: str, suffixes: set[str], what: str) -> str | None:
        if key not in value:
            return None
        written = text_of(value, key, problems).strip()
        path = media_path(written)
        if path is None or path not in media:
            problems.add(
                value.at(key),
                f"theme {key} '{written}' is not a file of the course's media/ folder",
                f"put the {what} in media/ and write 'media/NAME'",
            )
            return None
        if PurePosixPath(path).suffix.lower() not in suffixes:
            allowed = ", ".join(sorted(suffixes))
            problems.add(
                value.at(key),
                f"theme {key} '{written}' is not {'an' if what[0] in 'aeiou' else 'a'} {what}",
                f"use one of {allowed}",
            )
            return None
        return path

    def colour(key: str) -> str | None:
        if key not in value:
            return None
        written = text_of(value, key, problems).strip()
        if not _HEX.match(written):
            problems.add(
                value.at(key),
                f"theme {key} '{written}' is not a colour",
                'write it as #rrggbb, e.g. "#0b5cad" (in quotes: # starts a YAML comment)',
            )
            return None
        hex_colour = normalise(written)
        ratio = worst_contrast(hex_colour, LIGHT_GROUNDS)
        if ratio < AA_TEXT:
            nearest = passing_light(hex_colour)
            problems.add(
                value.at(key),
                f"theme {key} {written} has a contrast of {ratio:.2f}:1 with the text and "
                f"backgrounds it meets; text needs {AA_TEXT}:1 (WCAG AA)",
                f"the nearest colour that passes is {nearest} "
                f"({worst_contrast(nearest, LIGHT_GROUNDS):.2f}:1)",
            )
            return None
        return hex_colour

    font_file: str | None = None
    font_stack: str | None = None
    if "font" in value:
        written = text_of(value, "font", problems).strip()
        if written.startswith(("media/", "./media/")):
            font_file = media_file("font", set(FONT_FORMATS), "font file")
        elif _STACK.match(written):
            font_stack = written
        else:
            problems.add(
                value.at("font"),
                f"theme font '{written}' is neither a font file of media/ nor a font stack",
                "write media/NAME.woff2, or family names separated by commas",
            )
    footer: str | None = None
    if "footer" in value:
        raw = value.get("footer")
        footer = "" if raw is None or str(raw).lower() in ("false", "no", "none") else str(raw)
    return Theme(
        logo=media_file("logo", IMAGE_SUFFIXES, "image"),
        logo_alt=text_of(value, "logo_alt", problems).strip(),
        primary=colour("primary"),
        accent=colour("accent"),
        font_file=font_file,
        font_stack=font_stack,
        cover=media_file("cover", IMAGE_SUFFIXES, "image"),
        footer=footer.strip() if footer is not None else None,
    )


# -- the stylesheet ---------------------------------------------------------------------------


def brand_css(theme: Theme | None) -> str:
    """Custom properties (and an @font-face) appended to coursepack.css; '' without a theme."""
    if theme is None:
        return ""
    light: list[str] = []
    dark: list[str] = []
    head: list[str] = []
    if theme.primary:
        light += [
            f"--cp-accent: {theme.primary};",
            f"--cp-accent-strong: {_mix(theme.primary, '#000000', 0.2)};",
            f"--cp-accent-soft: {_mix(theme.primary, '#ffffff', 0.9)};",
            f"--cp-focus: {theme.primary};",
        ]
        variant = dark_variant(theme.primary)
        dark += [
            f"--cp-accent: {variant};",
            f"--cp-accent-strong: {_mix(variant, '#ffffff', 0.3)};",
            f"--cp-accent-soft: {_mix(variant, '#12151c', 0.8)};",
            f"--cp-focus: {variant};",
        ]
    if theme.accent:
        light.append(f"--cp-highlight: {theme.accent};")
        dark.append(f"--cp-highlight: {dark_variant(theme.accent)};")
    if theme.font_file:
        fmt = FONT_FORMATS[PurePosixPath(theme.font_file).suffix.lower()]
        # the stylesheet is assets/coursepack.css: the font is one folder up
        head.append(
            '@font-face { font-family: "coursepack-brand"; '
            f'src: url("../{theme.font_file}") format("{fmt}"); font-display: swap; }}'
        )
        light.append(f'--cp-font: "coursepack-brand", {SYSTEM_STACK};')
    elif theme.font_stack:
        light.append(f"--cp-font: {theme.font_stack}, {SYSTEM_STACK};")
    if not (light or head):
        return ""
    out = ["", "/* The course's brand (theme: in course.yaml) */", *head]
    if light:
        out.append(":root { " + " ".join(light) + " }")
    if dark:
        out.append("@media (prefers-color-scheme: dark) { :root { " + " ".join(dark) + " } }")
    return "\n".join(out) + "\n"
