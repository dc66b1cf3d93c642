"""Hypothesis strategies for course folders, valid and broken (see :mod:`tests.fuzz.cases`).

A course is drawn as pieces that are each mostly right and sometimes hostile: course.yaml
with its keys (wrong types, duplicate keys, anchors, aliases, merge keys, tags, deep
brackets), Markdown and YAML modules (headings, items, prose with every Markdown construct,
deep nesting, huge lines, unicode: control characters, BOM, CRLF, U+2028), URLs (valid,
relative, refused by ``urlsplit``), and media (files, links inside and out, hard links,
FIFOs, broken links, odd names).
"""

from __future__ import annotations

from hypothesis import strategies as st

from tests.fuzz.cases import Case, Content, Fifo, Folder, HardLink, Symlink

# -- text ---------------------------------------------------------------------------------

ODD_CHARS = [
    "\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x7f", "\x85", "\u00a0", "\u200b",
    "\u200e", "\u2028", "\u2029", "\ufeff", "\ufffe", "\uffff", "\r", "\r\n", "\t", "\ud800",
    "\U0001f600", "é", "ß", "İ", "\u0301", "ﬃ", "\uff03", "\uff0f",
]  # fmt: skip
MARKDOWN_BITS = [
    "*", "**", "_", "__", "~~", "`", "```", "[", "]", "(", ")", "![", "](", "<", ">", "&amp;",
    "&#0;", "\\", "#", "|", "- ", "1. ", "> ", "    ", "<script>", "{#x}", ":", "{", "}",
    "http://[x", "javascript:alert(1)", "media/a.png", "***", "&", "---", "===",
]  # fmt: skip
WORDS = ["the", "Leadership", "collaboration", "why", "READ", "TASK", "task", "read", "x"]

plain_text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)
odd_text = st.lists(
    st.one_of(
        st.sampled_from(WORDS), st.sampled_from(ODD_CHARS), st.sampled_from(MARKDOWN_BITS),
        plain_text, st.just(" "),
    ),
    max_size=20,
).map("".join)  # fmt: skip


@st.composite
def huge(draw: st.DrawFn) -> str:
    """A run that once cost time or crashed: tens of thousands of one piece."""
    piece = draw(
        st.sampled_from(
            [" ", "1. ", "- ", ">", "> ", "*", "_", "[", "![", "(", "`", "\\", "#", "|", "a", "<"]
        )
    )
    times = draw(st.sampled_from([100, 1_000, 20_000, 60_000]))
    return piece * times


# -- URLs ---------------------------------------------------------------------------------

GOOD_URLS = [
    "https://example.org/a", "http://example.org/path/doc.pdf",
    "https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=1m2s", "https://youtu.be/dQw4w9WgXcQ",
    "https://vimeo.com/123456/abcdef12", "https://player.vimeo.com/video/1?h=abcdef",
    "https://en.wikipedia.org/wiki/Leadership_(disambiguation)", "media/a.png",
    "media/v.mp4", "https://[::1]/x", "https://example.org/%E2%82%AC?q=1#f",
]  # fmt: skip
BAD_URLS = [
    "http://[x", "https://[::1", "http://[", "A://[", "ftp://x", "javascript:alert(1)",
    "//evil.example", "media/../course.yaml", "media/missing.png", "http://", "https://a b",
    "http://\uff03@x", "https://user:pw@example.org/", "http://example.org:99999/",
    "mailto:a@b", "", "<http://[x>", "[t](http://[x)", "[t](<https://example.org>)",
    "https://www.youtube.com/watch?v=" + "a" * 5000,
]  # fmt: skip
urls = st.one_of(st.sampled_from(GOOD_URLS), st.sampled_from(BAD_URLS), odd_text)


# -- Markdown modules ---------------------------------------------------------------------


@st.composite
def nested_markdown(draw: st.DrawFn) -> str:
    """Containers and inline delimiters nested a few to a few hundred levels deep."""
    depth = draw(st.sampled_from([1, 3, 10, 31, 32, 33, 99, 101, 300]))
    kind = draw(st.sampled_from(["> ", "- ", "1. ", "* ", "> - ", ">", "  - ", "*", "_", "["]))
    if kind.startswith("  "):  # one list item per line, each indented deeper
        return "\n".join("  " * i + "- x" for i in range(depth))
    if kind in ("*", "_", "["):
        closing = {"*": "*", "_": "_", "[": "](u)"}[kind]
        return kind * depth + "x" + closing * draw(st.integers(0, depth))
    return kind * depth + "x"


@st.composite
def item_line(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["READ", "WATCH", "TASK", "READ", "TASK", "read", "Task"]))
    explicit = draw(st.sampled_from(["", "", " {#my-id}", " {#Bad Id}", " {#}", " {#x"]))
    if kind.upper() == "TASK":
        value = draw(st.one_of(st.just("Why does it matter?"), odd_text))
    else:
        url = draw(urls)
        value = draw(st.sampled_from([url, f"[A title]({url})", f"<{url}>", f"[]({url})"]))
    space = draw(st.sampled_from([" ", "", "  ", "\t"]))
    return f"{kind}{explicit}:{space}{value}"


markdown_line = st.one_of(
    item_line(),
    item_line(),
    st.builds(lambda t: f"## {t}", odd_text),
    st.builds(lambda t: f"# {t}", odd_text),
    st.sampled_from(["", "", "```", "~~~", "---", "| a | b |", "|---|---|", "    code"]),
    odd_text,
    nested_markdown(),
)


@st.composite
def markdown_module(draw: st.DrawFn) -> str:
    lines = [draw(st.sampled_from(["# Module", "# Module {#mod}", "", "#"]))]
    lines += draw(st.lists(markdown_line, max_size=25))
    if draw(st.integers(0, 9)) == 0:
        lines.insert(draw(st.integers(0, len(lines))), draw(huge()))
    if draw(st.booleans()):  # repeated lines: id de-duplication
        lines += [draw(item_line())] * draw(st.sampled_from([2, 50, 500]))
    ending = draw(st.sampled_from(["\n", "\r\n", "\r", "\u2028", "\n\n"]))
    text = ending.join(lines)
    if draw(st.integers(0, 9)) == 0:
        text = "\ufeff" + text
    return text


# -- YAML ---------------------------------------------------------------------------------

yaml_scalar = st.one_of(
    st.sampled_from(
        ["x", "'1.10'", "1.10", "true", "null", "~", "2024-01-01", "0x1F", "'quoted: yes'",
         '"esc\\x01"', '"\\u2028"', "!!binary aGk=", "!custom x", "&a x", "*a", "*missing",
         "[", "]", "{", "- x", "? x", "|", ">", "'", '"', "@x", "%YAML", "[[[[", "{a: [b, {c: d}]}",
         "https://example.org/x", "http://[x", "A://["]
    ),
    odd_text.map(lambda t: t.replace("\n", " ")),
)  # fmt: skip


@st.composite
def yaml_value(draw: st.DrawFn, good: str) -> str:
    """A value for a key: mostly ``good``, sometimes a wrong type or an odd scalar."""
    choice = draw(st.integers(0, 9))
    if choice < 6:
        return good
    if choice == 6:
        return draw(yaml_scalar)
    if choice == 7:
        return "[" + good + ", x]"
    if choice == 8:
        return "{a: " + good + "}"
    return "[" * draw(st.sampled_from([10, 63, 64, 65, 500, 5000])) + good


@st.composite
def course_yaml(draw: st.DrawFn, modules: list[str]) -> str:
    entries = []
    for name in modules:
        form = draw(st.integers(0, 5))
        if form == 0:
            entries.append(f"  - file: {name}\n    id: {draw(st.sampled_from(['m', 'Bad', 'x']))}")
        elif form == 1:
            entries.append(f"  - {{file: {name}, title: {draw(yaml_scalar)}}}")
        else:
            entries.append(f"  - {name}")
    if draw(st.integers(0, 9)) == 0:
        entries.append(f"  - {draw(st.sampled_from(modules or ['m.md']))}")  # listed twice
    if draw(st.integers(0, 9)) == 0:
        entries.append(f"  - {draw(st.sampled_from(['missing.md', '../x.md', 'media', '']))}")
    keys = {
        "id": draw(yaml_value(draw(st.sampled_from(["https://example.org/c", *BAD_URLS[:5]])))),
        "title": draw(yaml_value("Course title")),
        "language": draw(yaml_value(draw(st.sampled_from(["en", "fr", "en-GB", "xx-", "''"])))),
        "version": draw(yaml_value("'1.0'")),
    }
    lines = [f"{k}: {v}" for k, v in keys.items() if draw(st.integers(0, 19)) > 0]
    if draw(st.booleans()):
        lines.append(
            "description: "
            + draw(st.sampled_from(["|\n  ", "'"])).replace("'", "")
            + draw(st.one_of(odd_text, nested_markdown())).replace("\n", "\n  ")
        )
    if draw(st.integers(0, 4)) == 0:
        lines.append(draw(st.sampled_from([
            "completion: all-items", "completion: most", "lms: moodle", "lms: nope",
            "tracking: {lrs: {endpoint: http://[x, actor_homepage: https://lms.example.org}}",
            "tracking: {lrs: {endpoint: https://lrs.example.org/xapi/, password: x}}",
            "cmi5: {au_per: module}", "scorm2004: {x: 1}", "title: again", "<<: {extra: 1}",
            "defaults: &d {a: 1}", "merged: {<<: *d}", "nested: !!python/object x",
        ])))  # fmt: skip
    lines.append("modules:" + ("\n" + "\n".join(entries) if entries else " []"))
    if draw(st.integers(0, 9)) == 0:  # aliases that repeat (the "billion laughs")
        lines.append("a0: &a0 [x, x, x, x, x, x, x, x, x, x]")
        for i in range(1, draw(st.integers(2, 8))):
            lines.append(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]")
    if draw(st.integers(0, 9)) == 0:
        draw(st.randoms()).shuffle(lines)
    return "\n".join(lines) + "\n"


@st.composite
def yaml_module(draw: st.DrawFn) -> str:
    items = []
    for _ in range(draw(st.integers(0, 6))):
        kind = draw(st.sampled_from(["read", "watch", "task", "reed"]))
        value = draw(st.one_of(urls, odd_text)).replace("\n", " ").replace("'", "''")
        items.append(f"      - {kind}: '{value}'")
    if draw(st.integers(0, 4)) == 0:
        items = ["      - &t {task: Why?}", *["      - *t"] * draw(st.sampled_from([5, 3000]))]
    if draw(st.integers(0, 4)) == 0:
        items.append("      - {<<: *t, id: again}" if items else "      - {<<: [], task: x}")
    intro = draw(st.one_of(odd_text, nested_markdown())).replace("'", "''").replace("\n", "\n\n")
    text = (
        f"title: {draw(yaml_value('Module'))}\nintro: '{intro}'\nsections:\n"
        f"  - title: {draw(yaml_value('Section'))}\n    items:\n" + "\n".join(items) + "\n"
    )
    if draw(st.integers(0, 9)) == 0:
        text += "  - &s {title: S, items: [{task: x}]}\n" + "  - *s\n" * 200
    return text


# -- media ----------------------------------------------------------------------------------

MEDIA_NAMES = ["a.png", "v.mp4", "doc.pdf", "Thumbs.db", ".hidden", "sp ace.png", "é.png",
               "sub/deep/x.png", "~$draft.docx", "x" * 300 + ".png"]  # fmt: skip


@st.composite
def media(draw: st.DrawFn) -> dict[str, Content]:
    files: dict[str, Content] = {}
    for name in draw(st.lists(st.sampled_from(MEDIA_NAMES), max_size=3, unique=True)):
        files[f"media/{name}"] = draw(st.binary(max_size=64))
    special = draw(st.integers(0, 11))
    if special == 0:
        files["media/link.png"] = Symlink("../../secret.env")
    elif special == 1:
        files["media/env.txt"] = HardLink("secret.env")
    elif special == 2:
        files["media/pipe.mp4"] = Fifo()
    elif special == 3:
        files["media/loop"] = Symlink("loop")
    elif special == 4:
        files["media/broken.png"] = Symlink("missing.png")
    elif special == 5:
        files["media/dir"] = Symlink(".")
    elif special == 6:
        files["media"] = Symlink("../")
    elif special == 7:
        files["media/a.png/x"] = b"x"  # a folder named like a file
    elif special == 8:
        files["media/empty"] = Folder()
    return files


# -- courses ------------------------------------------------------------------------------


@st.composite
def hostile_courses(draw: st.DrawFn) -> Case:
    """A course folder: course.yaml, modules of both kinds, media, and odd extras."""
    names = draw(
        st.lists(
            st.sampled_from(
                ["m.md", "modules/intro.md", "two.markdown", "y.yaml", "z.yml", "notes.txt",
                 "x" * 260 + ".md", "Ü.md", "a b.md", "modules"]
            ),
            min_size=0, max_size=3, unique=True,
        )
    )  # fmt: skip
    case: Case = {"course.yaml": draw(course_yaml(names))}
    for name in names:
        if name.endswith((".yaml", ".yml")):
            case[name] = draw(yaml_module())
        elif name == "modules":
            case[name] = Folder()
        else:
            case[name] = draw(markdown_module())
    case.update(draw(media()))
    extra = draw(st.integers(0, 14))
    if extra == 0:
        case["course.yaml"] = Symlink("../secret.env")
    elif extra == 1 and names:
        case[names[0]] = Symlink("../secret.env")
    elif extra == 2 and names:
        case[names[0]] = Fifo()
    elif extra == 3:
        text = case["course.yaml"]
        assert isinstance(text, str)
        case["course.yaml"] = (
            text.encode("utf-8", "surrogatepass")[: draw(st.integers(0, 40))] + b"\xff\xfe"
        )
    elif extra == 4 and names:
        case[names[0]] = draw(st.binary(max_size=200))
    elif extra == 5:
        case["stray.md"] = "# Not listed\n\nREAD: https://example.org\n"
    return case


@st.composite
def valid_courses(draw: st.DrawFn) -> Case:
    """Courses that are meant to build: every value right, the prose anything but deep."""
    prose = st.lists(
        st.one_of(st.sampled_from(WORDS), st.sampled_from(["*", "**", "`", "[", "](", " "])),
        max_size=12,
    ).map("".join)
    lines = ["# Module"]
    for n in range(draw(st.integers(1, 5))):
        lines += [f"## Section {n}", draw(prose)]
        lines.append(f"READ: {draw(st.sampled_from(GOOD_URLS[:7]))}")
        lines.append(f"TASK: Why {draw(st.sampled_from(WORDS))}?")
    return {
        "course.yaml": "id: https://example.org/c\ntitle: T\nlanguage: en\nversion: '1'\n"
        "modules:\n  - m.md\n",
        "m.md": "\n".join(lines) + "\n",
    }


PROSE_BITS = [*MARKDOWN_BITS, *WORDS, " ", " ", "\n", "\n\n", "\n- ", "\n> ", "\n1. ", "`x`"]
printable = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=30
)
prose = st.lists(
    st.one_of(st.sampled_from(PROSE_BITS), st.sampled_from(PROSE_BITS), printable),
    max_size=40,
).map("".join)


@st.composite
def prose_courses(draw: st.DrawFn) -> Case:
    """Courses whose structure is right and whose prose is anything: they get as far as the
    renderer and the packages, where hostile Markdown and URLs in links do their work."""
    lines = ["# Module"]
    media_files = {"media/a.png": b"png", "media/v.mp4": b"mp4"}
    for n in range(draw(st.integers(1, 4))):
        lines += [f"## Section {n}", "", draw(prose), ""]
        if draw(st.integers(0, 5)) == 0:
            lines += [draw(nested_markdown()), ""]
        if draw(st.integers(0, 9)) == 0:
            lines += [draw(huge()), ""]
        kind = draw(st.sampled_from(["READ", "WATCH", "TASK"]))
        if kind == "TASK":
            lines.append(f"TASK: {draw(prose).strip() or 'Why?'}")
        else:
            url = draw(st.sampled_from(GOOD_URLS))
            title = draw(st.sampled_from(["", "[A title]({})", "<{}>"]))
            lines.append(f"{kind}: {title.format(url) if title else url}")
        lines += ["", draw(prose), ""]
    yaml_intro = draw(prose).replace("'", "''").replace("\n", "\n\n")
    return {
        "course.yaml": "id: https://example.org/c\ntitle: T\nlanguage: "
        + draw(st.sampled_from(["en", "fr"]))
        + "\nversion: '1'\ndescription: |\n  "
        + draw(prose).replace("\n", "\n  ")
        + "\nmodules:\n  - m.md\n  - y.yaml\n",
        "m.md": "\n".join(lines) + "\n",
        "y.yaml": f"title: Y\nintro: '{yaml_intro}'\nsections:\n  - title: S\n    items:\n"
        "      - task: Why?\n",
        **media_files,
    }


def courses() -> st.SearchStrategy[Case]:
    """Any course: half broken anywhere, half right but for their prose."""
    return st.one_of(hostile_courses(), prose_courses())
