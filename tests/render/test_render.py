"""The render stage: safe Markdown, video embeds, learner-facing strings, deterministic files."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from lxml import html
from markdown_it_pyrs import MarkdownIt

from coursepack.i18n import strings_for
from coursepack.model import (
    Assessment,
    Check,
    CheckKind,
    CheckOption,
    CompletionRule,
    Course,
    Item,
    ItemKind,
    Module,
    Position,
    Section,
)
from coursepack.overview import overview
from coursepack.render import (
    CSS_FILE,
    LAUNCH_FILE,
    render_course,
    render_package_files,
    runtime_path,
    runtime_scripts,
    templates_dir,
)
from coursepack.render.embeds import embed_for, vimeo_id, youtube_id
from coursepack.render.markdown import _PLUGINS, MarkdownRenderer, is_safe_link, media_path
from coursepack.tracking import CONFIG_FILE, runtime_config
from tests.render.conftest import item, make_course, shown_tree, with_module_intro
from tests.support.shown import content_of, shown_files

REPO = Path(__file__).resolve().parents[2]
RUNTIME = REPO / "src" / "coursepack" / "runtime"
SCORM12 = {"name": "scorm12", "adapter": "scorm12", "suspendDataLimit": 4096}


def build(course: Course, adapters: tuple[str, ...] = ("scorm12",)) -> dict[str, Any]:
    rendered = render_course(course)
    config = runtime_config(course, SCORM12)
    files = render_package_files(rendered, adapters=list(adapters), config=config)
    return {f.path: f for f in files}


def page_of(course: Course) -> str:
    """The page as it shows once every section is open (its content in place)."""
    return shown_files(build(course))


HOSTILE = """\
<script>alert(1)</script>

<img src=x onerror="alert(2)">

[click](javascript:alert(3)) [data](data:text/html,hi) [vb](vbscript:x) [proto](//evil.example/x)

<a href="javascript:alert(4)" onclick="alert(5)">raw</a>

![tracker](https://evil.example/pixel.png) ![escape](media/../../etc/passwd)
"""


def test_script_tags_event_handlers_and_javascript_links_from_course_text_never_reach_the_page(
    course: Course,
) -> None:
    hostile = with_module_intro(course, HOSTILE)
    first = hostile.modules[0].sections[0]
    bad_item = replace(
        first.items[0], intro_md=HOSTILE, explicit_title='<b onmouseover="x()">T</b>'
    )
    section = replace(first, items=(bad_item, *first.items[1:]), outro_md=HOSTILE)
    module = replace(hostile.modules[0], sections=(section, *hostile.modules[0].sections[1:]))
    page = page_of(replace(hostile, modules=(module,), title="<script>alert(6)</script>"))

    body = page.split("<body", 1)[1]
    # the only script elements are the package's own files: the content of the sections (in
    # the content file until they are opened) holds no script at all
    assert re.findall(r"<script[^>]*>", body) == [
        f'<script src="{src}">'
        for src in [CONFIG_FILE, *(runtime_path(n) for n in runtime_scripts(["scorm12"]))]
    ]
    assert not shown_tree(page).xpath("//script[not(@src)]")
    assert not re.search(r"<[^>]+\son[a-z]+\s*=", page, re.I), "an event-handler attribute"
    assert not re.search(r"""(href|src)\s*=\s*["']?\s*(javascript|data|vbscript):""", page, re.I)
    assert not re.search(r"""(href|src)\s*=\s*["']?[^"'>]*evil\.example""", page)
    assert not re.search(r"""(href|src)\s*=\s*["']?[^"'>]*etc/passwd""", page)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # shown as text
    assert "&lt;script&gt;alert(6)&lt;/script&gt;" in page


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://example.org/a?b=c", True),
        ("http://example.org", True),
        ("mailto:someone@example.org", True),
        ("notes.html#part", True),
        ("#anchor", True),
        ("javascript:alert(1)", False),
        ("JaVaScRiPt:alert(1)", False),
        ("data:text/html;base64,xx", False),
        ("vbscript:msgbox", False),
        ("//evil.example/x", False),
        ("https://user:pw@example.org/", False),
        ("https:\\\\evil.example", False),
        ("file:///etc/passwd", False),
    ],
)
def test_only_http_mailto_and_relative_links_are_allowed(url: str, ok: bool) -> None:
    assert is_safe_link(url) is ok


def test_external_links_open_in_a_new_tab_with_noopener_and_say_so() -> None:
    md = MarkdownRenderer(new_tab_text="(opens in a new tab)")
    html = md.render("See [the guide](https://example.org/g) and [notes](notes.html).")
    assert (
        '<a href="https://example.org/g" target="_blank" rel="noopener noreferrer">the guide '
        '<span class="cp-sr-only">(opens in a new tab)</span></a>'
    ) in html
    # a relative link to nothing in the package would take the course out of its frame: the
    # text stays, the link goes (validate names it as a problem)
    assert "notes.html" not in html and " and notes." in html


def test_images_come_only_from_the_course_media_folder() -> None:
    md = MarkdownRenderer(media={"media/a.png"})
    html = md.render("![A](media/a.png) ![B](media/missing.png) ![C](https://x.example/c.png)")
    assert '<img src="media/a.png" alt="A" loading="lazy">' in html
    assert html.count("<img") == 1
    assert "B" in html and "C" in html  # the alt text stays readable
    assert media_path("media/../secret.png") is None
    assert media_path("./media/a.png") == "media/a.png"  # the same file, written relatively
    assert media_path("media/sub/a.png") == "media/sub/a.png"


def test_markdown_headings_sit_below_the_page_headings() -> None:
    html = MarkdownRenderer(heading_offset=2).render("# One\n\n## Two\n\n##### Five")
    assert "<h3>One</h3>" in html and "<h4>Two</h4>" in html and "<h6>Five</h6>" in html


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", ("dQw4w9WgXcQ", None)),
        ("https://youtube.com/watch?feature=share&v=dQw4w9WgXcQ&t=1m5s", ("dQw4w9WgXcQ", 65)),
        ("https://youtu.be/dQw4w9WgXcQ?t=42", ("dQw4w9WgXcQ", 42)),
        ("https://m.youtube.com/watch?v=dQw4w9WgXcQ", ("dQw4w9WgXcQ", None)),
        ("https://www.youtube.com/embed/dQw4w9WgXcQ?start=10", ("dQw4w9WgXcQ", 10)),
        ("https://www.youtube.com/shorts/dQw4w9WgXcQ", ("dQw4w9WgXcQ", None)),
        ("https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ", ("dQw4w9WgXcQ", None)),
        ("https://www.youtube.com/watch?v=short", None),
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ%22onload", None),
        ("https://www.youtube.com/channel/UC123", None),
        ("https://notyoutube.com/watch?v=dQw4w9WgXcQ", None),
        ("javascript://www.youtube.com/watch?v=dQw4w9WgXcQ", None),
    ],
)
def test_youtube_ids_are_parsed_strictly(url: str, expected: tuple[str, int | None] | None) -> None:
    assert youtube_id(url) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://vimeo.com/76979871", ("76979871", None)),
        ("https://vimeo.com/76979871/abcdef1234", ("76979871", "abcdef1234")),
        ("https://vimeo.com/channels/staffpicks/76979871", ("76979871", None)),
        ("https://player.vimeo.com/video/76979871?h=abcdef1234", ("76979871", "abcdef1234")),
        ("https://vimeo.com/about", None),
        ("https://vimeo.example.com/76979871", None),
    ],
)
def test_vimeo_ids_are_parsed_strictly(url: str, expected: tuple[str, str | None] | None) -> None:
    assert vimeo_id(url) == expected


def test_watch_items_become_privacy_enhanced_click_to_load_players(course: Course) -> None:
    page = page_of(course)
    yt = "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?rel=0&amp;start=65"
    assert f'data-embed="{yt}"' in page
    assert 'data-embed="https://player.vimeo.com/video/76979871?dnt=1"' in page
    assert "<iframe" not in page  # nothing loads from the internet until the learner asks
    assert '<source src="media/clip.mp4" type="video/mp4">' in page
    assert 'href="https://example.com/v/1" target="_blank" rel="noopener noreferrer"' in page
    assert embed_for("https://example.com/v/1").provider == "link"


def test_page_shows_each_item_kind_with_accessible_controls(course: Course) -> None:
    page = page_of(course)
    strings = strings_for("en")
    assert '<html lang="en" dir="ltr">' in page
    # TASK: a labelled textarea and a Mark complete button
    assert '<label class="cp-label" for="i-basics__task-1-input">' in page
    assert 'id="i-basics__task-1-input"' in page
    assert strings["task.complete"] in page
    # READ: a link card that opens in a new tab
    assert 'data-kind="read"' in page and 'href="https://example.org/guide"' in page
    # progress: a progressbar with values
    assert 'role="progressbar"' in page and 'aria-valuemax="2"' in page
    assert strings["progress.tasks"].format(done=0, total=2) in page
    # navigation between sections
    assert 'href="#s-basics__practice"' in page and 'rel="next"' in page


def test_french_course_uses_french_strings_and_lang(tmp_path: Path) -> None:
    page = page_of(make_course(tmp_path, language="fr-CA"))
    fr = strings_for("fr")
    assert '<html lang="fr-CA" dir="ltr">' in page
    assert fr["task.complete"] in page and fr["skipToContent"] in page
    assert strings_for("en")["task.complete"] not in page


def test_every_string_the_theme_and_runtime_use_is_in_english_and_french() -> None:
    en = json.loads((REPO / "src/coursepack/i18n/en.json").read_text("utf-8"))
    fr = json.loads((REPO / "src/coursepack/i18n/fr.json").read_text("utf-8"))
    assert set(fr) == set(en), "a language file must translate every English key"
    used: set[str] = set()
    for path in templates_dir().rglob("*.html"):
        used |= set(re.findall(r"""\bt\(\s*["']([\w.]*\w)["']""", path.read_text("utf-8")))
    cards = (REPO / "src/coursepack/render/cards.py").read_text("utf-8")  # cards not templated
    used |= set(re.findall(r"""\b(?:word|fill)\(\s*["']([\w.]*\w)["']""", cards))
    for path in RUNTIME.glob("*.js"):
        used |= set(re.findall(r"""\bt\(\s*["']([\w.]*\w)["']""", path.read_text("utf-8")))
        used |= set(
            re.findall(
                r"""["']((?:status|task|notice|progress)\.\w+)["']""", path.read_text("utf-8")
            )
        )
    assert used, "no string keys found"
    assert used <= set(en), f"missing from en.json: {sorted(used - set(en))}"


def test_package_files_are_sorted_deterministic_and_include_config_css_runtime_media(
    course: Course,
) -> None:
    first = build(course)
    second = build(course)
    assert list(first) == sorted(first)
    assert [(p, f.data) for p, f in first.items()] == [(p, f.data) for p, f in second.items()]
    assert set(first) == {
        LAUNCH_FILE,
        CSS_FILE,
        CONFIG_FILE,
        "content/module-1.js",
        "content/reflections.js",
        *(runtime_path(n) for n in runtime_scripts(["scorm12"])),
        "media/clip.mp4",
        "media/diagram.png",
    }
    assert first["media/clip.mp4"].source == course.root / "media" / "clip.mp4"
    config = first[CONFIG_FILE].data
    assert config is not None and config.startswith(b"window.COURSEPACK_CONFIG = {")
    assert first["runtime/core.js"].data == (RUNTIME / "core.js").read_bytes()


def test_runtime_scripts_load_core_then_what_the_adapters_need_then_the_adapters() -> None:
    core = ["util", "checks", "state", "device", "session-end", "pages", "core"]
    assert runtime_scripts(["scorm12"]) == [*core, "scorm-api", "scorm12"]
    dual = runtime_scripts(["scorm12", "xapi"])
    assert dual[:8] == [*core, "scorm-api"] and dual[-2:] == ["xapi-dual", "scorm12"]
    assert "xapi-launch" not in dual
    tincan = runtime_scripts(["xapi", "tincan"])
    assert tincan[:7] == core and tincan[-1] == "tincan"
    assert {"xapi-tracker", "xapi-launch", "xapi-progress"} <= set(tincan)
    assert "xapi-dual" not in tincan and "scorm-api" not in tincan


def test_the_page_loads_nothing_from_the_internet(course: Course) -> None:
    files = build(course)
    page = files[LAUNCH_FILE].data
    css = files[CSS_FILE].data
    assert page is not None and css is not None
    assert not re.search(rb"<(script|link|img|iframe)[^>]+(src|href)=\"(https?:)?//", page)
    assert b"@import" not in css and b"url(http" not in css and b"@font-face" not in css


def test_course_without_tasks_counts_every_item(tmp_path: Path) -> None:
    module = Module(
        id="m",
        title="M",
        intro_md="",
        pos=Position("m.md"),
        sections=(
            Section(
                id="s",
                title="S",
                outro_md="",
                pos=Position("m.md"),
                items=(item(ItemKind.READ, "r", "R", "https://example.org"),),
            ),
        ),
    )
    course = make_course(tmp_path, modules=(module,), completion=CompletionRule.ALL_TASKS)
    rendered = render_course(course)
    assert (rendered.progress_unit, rendered.progress_total) == ("items", 1)


def test_templates_dir_finds_the_theme_of_a_source_checkout() -> None:
    assert templates_dir() == REPO / "templates"
    assert (templates_dir() / "index.html").is_file()


def _check_course(course: Course, check: Check) -> Course:
    first = course.modules[0].sections[0]
    quiz = Item(
        id="quiz",
        kind=ItemKind.CHECK,
        explicit_title=None,
        intro_md="",
        url=None,
        prompt=None,
        pos=Position("modules/m.md", 1, 1),
        check=check,
    )
    section = replace(first, items=(*first.items, quiz))
    module = replace(course.modules[0], sections=(section, *course.modules[0].sections[1:]))
    return replace(course, modules=(module,), assessment=Assessment())


def test_a_check_is_a_fieldset_with_its_question_as_legend_and_its_feedback_in_templates(
    course: Course,
) -> None:
    check = Check(
        kind=CheckKind.MULTIPLE,
        question_md="Which are *items*?\nPick two.",
        options=(
            CheckOption("read", "READ", True, "Yes, a **link**."),
            CheckOption("watch", "WATCH", True),
            CheckOption("section", "SECTION", False, "A section holds items."),
        ),
        feedback_correct_md="Well done.",
        feedback_incorrect_md="Look again.",
    )
    page = page_of(_check_course(course, check))
    card = page.split('data-kind="check"', 1)[1].split("</article>", 1)[0]
    legend = re.search(r"<legend[^>]*>(.*?)</legend>", card, re.S)
    assert legend and legend.group(1) == "Which are <em>items</em>?<br>\nPick two."
    assert card.count('type="checkbox"') == 3 and 'type="radio"' not in card
    assert re.findall(r'<label class="cp-check__label" for="([^"]+)">', card) == [
        f"{id_}" for id_ in re.findall(r'<input class="cp-check__input"[^>]* id="([^"]+)"', card)
    ]
    assert 'role="status" data-cp-feedback' in card
    assert '<template data-cp-option-feedback="read">' in card
    assert "<strong>link</strong>" in card
    assert 'data-cp-option-feedback="watch"' not in card  # no feedback written
    assert "<template data-cp-feedback-correct>" in card and "Look again." in card
    assert strings_for("en")["check.submit"] in card
    assert "data-cp-score" in page and "data-cp-result" in page


def test_text_from_a_check_is_escaped_and_an_ungraded_page_has_no_score(course: Course) -> None:
    check = Check(
        kind=CheckKind.SINGLE,
        question_md='<script>alert(1)</script> <img src=x onerror="alert(2)">',
        options=(
            CheckOption("a", "<b onclick=x()>A</b>", True, "<script>alert(3)</script>"),
            CheckOption("b", "[bad](javascript:alert(4))", False),
        ),
        feedback_incorrect_md="<iframe src=https://evil.example></iframe>",
    )
    page = page_of(_check_course(course, check))
    assert not re.search(r"<[^>]+\son[a-z]+\s*=", page, re.I), "an event-handler attribute"
    assert not re.search(r"""href\s*=\s*["']?\s*javascript:""", page, re.I)
    assert "<iframe" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;script&gt;alert(3)&lt;/script&gt;" in page
    assert "data-cp-score" not in page_of(course) and "data-cp-result" not in page_of(course)


def test_the_start_page_escapes_course_text_and_counts_what_the_course_holds(
    tmp_path: Path,
) -> None:
    from coursepack.theme import Theme

    course = replace(
        make_course(tmp_path),
        title="Leading <b>teams</b>",
        description="Why *teams* matter.\n\n<script>alert(1)</script>",
        objectives=("Name <i>two</i> kinds of **collaboration**", "[Plan](javascript:x) ahead"),
        duration_minutes=75,
        theme=Theme(cover="media/diagram.png"),
    )
    page = page_of(course)
    start = page.split('data-cp-page="start"', 1)[1].split("</section>", 1)[0]
    assert ">Leading &lt;b&gt;teams&lt;/b&gt;</h2>" in start
    assert "<em>teams</em>" in start and "<script>" not in start
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in start
    assert "<li>Name &lt;i&gt;two&lt;/i&gt; kinds of <strong>collaboration</strong></li>" in start
    assert 'href="javascript' not in start  # the parser leaves such a link as its text
    assert '<img class="cp-start__cover" src="media/diagram.png" alt="">' in start
    assert "About 1 hour 15 minutes in all" in start
    summary = overview(course)
    shown = re.findall(r"<li>(\d+ [a-z ]+)</li>", start)
    assert shown == [
        "1 module",
        f"{summary.sections} sections",
        f"{summary.readings} reading" + ("s" if summary.readings != 1 else ""),
        f"{summary.videos} video" + ("s" if summary.videos != 1 else ""),
        f"{summary.tasks} reflection" + ("s" if summary.tasks != 1 else ""),
    ]
    assert 'href="#s-basics__reading" data-cp-begin' in start


def test_the_header_progress_takes_the_plural_form_of_the_course_language(tmp_path: Path) -> None:
    course = make_course(tmp_path, language="fr")
    task = next(i for i in course.items if i.is_task)
    module = course.modules[0]
    one_task = replace(
        course, modules=(replace(module, sections=(replace(module.sections[0], items=(task,)),)),)
    )
    fr, en = strings_for("fr"), strings_for("en")
    assert fr["progress.tasks.one"].format(done=0, total=1) in page_of(one_task)
    one_in_english = replace(one_task, language="en")
    assert en["progress.tasks.one"].format(done=0, total=1) in page_of(one_in_english)
    total = len(course.tasks)
    assert total > 1
    assert fr["progress.tasks"].format(done=0, total=total) in page_of(course)


def test_the_page_holds_a_placeholder_where_each_section_and_the_reflections_list_go(
    tmp_path: Path,
) -> None:
    course = with_module_intro(
        make_course(tmp_path), "</script><!-- <script>alert(1)</script> \u2028 end"
    )
    hostile = replace(course, modules=(*course.modules, replace(course.modules[0], id="two")))
    files = build(hostile)
    raw = files[LAUNCH_FILE].data.decode()
    sections = html.fromstring(raw).xpath("//section[@data-cp-section]")
    assert len(sections) == sum(len(m.sections) for m in hostile.modules)
    # the page itself: one empty placeholder per section, naming its module's content file,
    # and one for My reflections' list; not a card nor a reflection in it
    placeholders = [s.xpath("./div[@data-cp-body]") for s in sections]
    assert [len(found) for found in placeholders] == [1] * len(sections)
    per_module = [len(m.sections) for m in hostile.modules]
    expected = [f"content/module-{n}.js" for n, count in enumerate(per_module, 1)]
    expected = [
        path for path, count in zip(expected, per_module, strict=True) for _ in range(count)
    ]
    assert [found[0].get("data-cp-body") for found in placeholders] == expected
    (reflections,) = html.fromstring(raw).xpath(
        "//*[@data-cp-page='reflections']/div[@data-cp-body]"
    )
    assert reflections.get("data-cp-body") == "content/reflections.js"
    assert not html.fromstring(raw).xpath("//*[@data-cp-item] | //*[@data-cp-reflection]")
    # each content file: a map from its section keys (in page order) to HTML, a JavaScript
    # literal (no raw line separator, which older engines end a string at)
    scripts = {p: f.data.decode() for p, f in files.items() if p.startswith("content/")}
    assert sorted(scripts) == [
        "content/module-1.js",
        "content/module-2.js",
        "content/reflections.js",
    ]
    for number, module in enumerate(hostile.modules, start=1):
        script = scripts[f"content/module-{number}.js"]
        assert list(content_of(script)) == [f"{module.id}/{s.id}" for s in module.sections]
        assert "\u2028" not in script and "\\u2028" in script
    assert list(content_of(scripts["content/reflections.js"])) == ["reflections"]
    # opened, the sections hold every card and the course text as text
    tree = shown_tree(shown_files(files))
    assert len(tree.xpath("//*[@data-cp-item]")) == len(hostile.items)
    assert len(tree.xpath("//*[@data-cp-reflection]")) == len(hostile.tasks)
    assert "</script><!-- <script>alert(1)</script>" in tree.text_content()
    assert not tree.xpath("//script[not(@src)]")  # no script runs from the content


def test_content_blocks_that_nest_repeat_or_do_not_end_are_a_bug() -> None:
    from coursepack.render import _BODY_END, _encoded_page, body_start

    slot = "<!--coursepack:scripts-->"
    files = {"a": "content/a.js", "b": "content/a.js"}
    good = _encoded_page(iter(["<p>", body_start("a"), "x", _BODY_END, "</p>", slot]), files)
    assert good.keys == ("a",)
    assert b"".join(good.head) == b'<p><div data-cp-body="content/a.js" hidden></div></p>'
    ((path, chunks),) = good.content
    assert path == "content/a.js"
    assert content_of(b"".join(chunks).decode()) == {"a": "x"}
    cases = {
        "inside another": [body_start("a"), body_start("b"), _BODY_END, _BODY_END, slot],
        "named": [body_start("a"), _BODY_END, body_start("a"), _BODY_END, slot],
        "does not end": [slot, body_start("a"), "x"],
        "no slot": [body_start("a"), _BODY_END],
        "has no file": [body_start("c"), _BODY_END, slot],
    }
    for message, pieces in cases.items():
        with pytest.raises(ValueError, match=message):
            _encoded_page(iter(pieces), files)
    # course text that reads like a marker is text: only the template's own pieces count
    text = _encoded_page(iter(["<!--coursepack:body a-->", slot]), files)
    assert text.keys == () and b"coursepack:body" in b"".join(text.head)


def test_the_configuration_written_module_by_module_is_the_whole_script(course: Course) -> None:
    from coursepack.tracking import config_parts, config_script

    hostile = with_module_intro(course, HOSTILE)
    two = replace(
        hostile,
        modules=(hostile.modules[0], replace(hostile.modules[0], id="again", title="</script>")),
    )
    config = runtime_config(two, SCORM12)
    parts = config_parts(config)
    assert len(parts) == 2 + len(two.modules)
    assert b"".join(parts) == config_script(config)
    assert b"</script>" not in b"".join(parts)


def test_my_reflections_lists_every_task_with_its_heading_where_and_prompt(course: Course) -> None:
    tree = shown_tree(page_of(course))
    entries = tree.xpath("//li[@data-cp-reflection]")
    assert [li.get("data-cp-reflection") for li in entries] == [
        "basics/task-1",
        "basics/task-1",
    ]
    first, second = entries
    assert first.xpath("string(h3)") == "What did you learn?"
    assert first.xpath("string(p[@class='cp-reflection__where'])") == "Basics: Reading"
    assert first.xpath("div/p")[0].xpath("string(em)") == "the guide"
    assert second.xpath("string(p[@class='cp-reflection__where'])") == "Basics: Practice"
    assert second.xpath("normalize-space(div)") == "Try it and report."


@pytest.mark.parametrize(
    "text",
    [
        'Plain "quoted" prose, it\'s fine: 100% (really)?',
        "2024 was a year.",
        "2024. A list item",
        "3) Another",
        "- a list item",
        "+ another",
        "# a heading",
        "> a quote",
        "=== not a heading",
        "two  spaces\u00a0and a tab\there",
        "émoji 😀 and 漢字!",
        " leading space",
        "trailing space ",
        "        indented code",
        "a line\nand another",
        "x ! y # z = w - v + u",
    ],
)
def test_text_without_markdown_renders_as_the_parser_renders_it(text: str) -> None:
    parser = MarkdownIt("zero")
    parser.enable_many(_PLUGINS)
    assert (
        str(MarkdownRenderer(heading_offset=0).render(text)) == parser.render(text).strip() + "\n"
    )


def test_every_section_starts_hidden_so_the_browser_lays_out_only_the_start_page(
    course: Course,
) -> None:
    # the runtime shows the learner's section (or page); until then no section takes layout
    page = html.fromstring(build(course)[LAUNCH_FILE].data.decode())
    sections = page.xpath("//section[@data-cp-section]")
    assert len(sections) == sum(len(m.sections) for m in course.modules) > 1
    assert all(s.get("hidden") is not None for s in sections)
    (start,) = page.xpath("//*[@data-cp-page='start']")
    assert start.get("hidden") is None
