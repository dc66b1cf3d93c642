"""The render stage: a Course -> the content files of a package (everything but the manifest).

``render_course`` runs once per build (Markdown is rendered once); every target then calls
``render_package_files`` with its adapters and runtime configuration.

Package layout::

    index.html                 one page: the contents, the start page, every section's heading
                               and a placeholder for its content
    content/module-N.js        window.COURSEPACK_CONTENT: the content of module N's sections,
    content/reflections.js     and My reflections' list, which the runtime puts in place when
                               opened
    coursepack-config.js       window.COURSEPACK_CONFIG (tracking.config_parts)
    assets/coursepack.css      the theme
    runtime/*.js               the runtime: only the scripts the target's adapters need,
                               one <script> tag each, in RUNTIME_NEEDS order (docs/runtime.md)
    runtime/adapter-NAME.js    one per adapter name
    media/...                  the course's media files
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from importlib import resources

from markupsafe import Markup, escape

from coursepack.completion import counted, progress_unit
from coursepack.i18n import course_words
from coursepack.model import CheckKind, Course, Item, ItemKind, Module, Section
from coursepack.output import OutputFile
from coursepack.overview import Overview, duration_text, overview
from coursepack.render.cards import Cards
from coursepack.render.embeds import Embed, embed_for, host_label
from coursepack.render.markdown import MarkdownRenderer, is_external_link, is_safe_link
from coursepack.render.theme import Strings, theme_environment
from coursepack.templating import templates_dir
from coursepack.theme import brand_css
from coursepack.titles import display_title, task_heading
from coursepack.tracking import CONFIG_FILE, RuntimeConfig, config_parts
from coursepack.xapi import vocab

__all__ = [
    "CONTENT_DIR",
    "CSS_FILE",
    "LAUNCH_FILE",
    "RUNTIME_NEEDS",
    "RenderedCourse",
    "render_course",
    "render_package_files",
    "runtime_file",
    "runtime_path",
    "runtime_scripts",
    "templates_dir",
]

LAUNCH_FILE = "index.html"
#: where what the learner reads is kept out of the page until it is opened (docs/runtime.md)
CONTENT_DIR = "content"
CSS_FILE = "assets/coursepack.css"
RUNTIME_DIR = "runtime"
_PAGE_TEMPLATE = "index.html"
_CSS_TEMPLATE = "coursepack.css"
# where each target's script tags go; course text cannot produce it (its '<' is escaped)
_SCRIPTS_SLOT = "<!--coursepack:scripts-->"
_RTL = frozenset({"ar", "fa", "he", "ur", "ps", "sd", "yi", "dv", "ug", "ku"})


@dataclass(frozen=True, slots=True)
class ItemView:
    item: Item
    title: str  # the item's display title (coursepack.titles)
    heading: str  # a TASK card's heading: its title, or the first words of its prompt
    key: str  # state key "module/item"
    dom_id: str
    intro_html: Markup
    prompt_html: Markup  # TASK only
    link_ok: bool  # the URL may be used as a link target
    external: bool  # opens in a new tab
    host: str  # shown under a READ/WATCH title
    embed: Embed | None  # WATCH only
    task_number: int  # 1-based number among the course's TASKs (0 for READ/WATCH)
    check: CheckView | None = None  # CHECK only


@dataclass(frozen=True, slots=True)
class TaskView:
    """A TASK as My reflections shows it (templates/partials/finish.html)."""

    key: str
    heading: str
    prompt_html: Markup


@dataclass(frozen=True)
class OptionView:
    id: str
    html: Markup  # inline
    feedback_html: Markup


@dataclass(frozen=True)
class CheckView:
    """A CHECK as the page shows it (templates/partials/check.html)."""

    number: int  # 1-based among the course's CHECKs
    kind: str  # CheckKind value
    input_type: str  # "radio", "checkbox" or "text"
    question_html: Markup  # inline: it goes in the fieldset's legend
    options: tuple[OptionView, ...]
    feedback_correct_html: Markup
    feedback_incorrect_html: Markup


@dataclass(frozen=True, slots=True)
class _Renders:
    """What renders the Markdown of items and outros while the page is written."""

    course: Course
    md: MarkdownRenderer
    media: frozenset[str]


@dataclass(frozen=True, slots=True)
class SectionView:
    """A section as the page shows it. Its items are rendered when the page template asks
    for them and dropped once written: a course of any size never holds all of its HTML in
    views at once (the page itself is kept as encoded chunks)."""

    section: Section
    module: Module
    key: str  # "module/section", as in the runtime config
    dom_id: str
    number: int  # 1-based within its module
    prev: tuple[str, str] | None  # (dom id, title) of the previous section in the course
    next: tuple[str, str] | None
    first_task: int  # the course-wide number of the section's first TASK, less one
    renders: _Renders
    first_check: int = 0  # the course-wide number of the section's first CHECK, less one

    @property
    def items(self) -> tuple[ItemView, ...]:
        number = self.first_task
        check_number = self.first_check
        views: list[ItemView] = []
        for item in self.section.items:
            if item.is_task:
                number += 1
            view = _item_view(self.renders, self.module, item, number if item.is_task else 0)
            if item.check is not None:
                check_number += 1
                view = replace(view, check=check_view(item, self.renders.md, check_number))
            views.append(view)
        return tuple(views)

    @property
    def tasks(self) -> tuple[TaskView, ...]:
        """The section's TASKs for My reflections: their prompts, not every item's view."""
        md = self.renders.md
        return tuple(
            TaskView(
                key=vocab.item_key(self.module, item),
                heading=task_heading(item),
                prompt_html=md.render(item.prompt or ""),
            )
            for item in self.section.items
            if item.is_task
        )

    @property
    def outro_html(self) -> Markup:
        return self.renders.md.render(self.section.outro_md)


@dataclass(frozen=True, slots=True)
class ModuleView:
    module: Module
    number: int
    dom_id: str
    intro_html: Markup
    sections: tuple[SectionView, ...]


@dataclass(frozen=True, slots=True)
class RenderedCourse:
    """A course with its page rendered, shared by every target of one build."""

    course: Course
    modules: tuple[ModuleView, ...]
    css: bytes
    progress_unit: str  # "tasks" | "items": what the progress bar counts
    progress_total: int
    #: index.html as UTF-8 chunks, before and after the slot of the target's script tags;
    #: every target's page is these chunks with its tags between them (never joined)
    page_head: tuple[bytes, ...]
    page_tail: tuple[bytes, ...]
    #: the content files (path, chunks): each module's sections' content, and My reflections'
    #: list (docs/runtime.md, "Content")
    content: tuple[tuple[str, tuple[bytes, ...]], ...]

    @property
    def page(self) -> str:
        """index.html, with a slot for the target's script tags (joined: for tests)."""
        return b"".join((*self.page_head, _SCRIPTS_SLOT.encode(), *self.page_tail)).decode()


@dataclass(frozen=True)
class StartView:
    """The start page (templates/partials/start.html): what the course asks of the learner."""

    description_html: Markup
    objectives: tuple[Markup, ...]  # inline HTML, one per objective
    overview: Overview
    counts: tuple[str, ...]  # "3 readings", "1 video", ... (kinds the course has)
    duration: str  # "1 hour 30 minutes"
    cover: str | None  # a file of media/ (theme.cover)
    first: str  # the dom id of the first section


def section_dom_id(module: Module, section: Section) -> str:
    return f"s-{module.id}__{section.id}"


def item_dom_id(module: Module, item: Item) -> str:
    return f"i-{module.id}__{item.id}"


#: the page is encoded in pieces of about this many characters
_CHUNK_CHARS = 256 * 1024

# what the page template writes around a section's content (and My reflections' list): the
# content goes to a content file, the page keeps an empty placeholder naming that file in its
# place. Course text cannot produce either marker as a piece of its own (its '<' is always
# escaped).
_BODY_START = "<!--coursepack:body "
_BODY_END = "<!--coursepack:/body-->"
_CONTENT_OPEN = "window.COURSEPACK_CONTENT = Object.assign(window.COURSEPACK_CONTENT || {}, {"
_CONTENT_CLOSE = "\n});\n"
#: the content file of My reflections' list
REFLECTIONS_CONTENT = f"{CONTENT_DIR}/reflections.js"


def content_file(module_number: int) -> str:
    """The content file of a module's sections (numbered: no course text in a path)."""
    return f"{CONTENT_DIR}/module-{module_number}.js"


def body_start(key: str) -> Markup:
    """Where the content of ``key`` (a section's key, or "reflections") starts in the page."""
    return Markup(f"{_BODY_START}{escape(key)}-->")


def _js_string(text: str) -> str:
    # JSON is a JavaScript string literal once the two line separators JSON allows are escaped
    return (
        json.dumps(text, ensure_ascii=False)
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


@dataclass(frozen=True, slots=True)
class _EncodedPage:
    head: tuple[bytes, ...]
    tail: tuple[bytes, ...]
    #: (path, chunks) of every content file, in the order the page first names them
    content: tuple[tuple[str, tuple[bytes, ...]], ...]
    keys: tuple[str, ...]


def _encoded_page(pieces: Iterator[str], files: Mapping[str, str]) -> _EncodedPage:
    """The page's pieces as they are rendered -> its UTF-8 chunks before and after the
    scripts slot (which the template writes as a piece of its own), and the content files.

    Between ``body_start(key)`` and ``_BODY_END`` the pieces are a section's content (or My
    reflections' list): they become one string of the content file ``files[key]``, and the page
    holds an empty placeholder naming that file, which the runtime fills when the learner opens
    that section.
    """
    head: list[bytes] = []
    out = head
    tail: list[bytes] = []
    content: dict[str, list[bytes]] = {}
    keys: list[str] = []
    buffer: list[str] = []
    size = 0
    body: list[str] | None = None
    key = ""

    def flush() -> None:
        nonlocal buffer, size
        out.append("".join(buffer).encode("utf-8"))
        buffer, size = [], 0

    for piece in pieces:
        if body is not None:
            if piece == _BODY_END:
                path = files[key]
                chunks = content.setdefault(path, [_CONTENT_OPEN.encode()])
                comma = "," if len(chunks) > 1 else ""
                entry = f"{comma}\n{_js_string(key)}: {_js_string(''.join(body))}"
                chunks.append(entry.encode("utf-8"))
                keys.append(key)
                body = None
                placeholder = f'<div data-cp-body="{escape(path)}" hidden></div>'
                buffer.append(placeholder)
                size += len(placeholder)
            elif piece.startswith(_BODY_START):
                raise ValueError("a content block starts inside another")
            else:
                body.append(piece)
            continue
        if piece.startswith(_BODY_START) and isinstance(piece, Markup):
            key = str(piece)[len(_BODY_START) : -len("-->")]
            if key in keys:
                raise ValueError(f"two content blocks are named {key!r}")
            if key not in files:
                raise ValueError(f"the content block {key!r} has no file")
            body = []
            continue
        if piece == _SCRIPTS_SLOT and out is head:
            flush()
            out = tail
            continue
        buffer.append(piece)
        size += len(piece)
        if size >= _CHUNK_CHARS:
            flush()
    flush()
    if out is head:
        raise ValueError("the page template has no slot for the scripts")
    if body is not None:
        raise ValueError(f"the content block {key!r} does not end")
    files_out = tuple(
        (path, (*chunks, _CONTENT_CLOSE.encode())) for path, chunks in content.items()
    )
    return _EncodedPage(tuple(head), tuple(tail), files_out, tuple(keys))


def render_course(course: Course) -> RenderedCourse:
    strings = course_words(course.language, course.words)
    media = frozenset(m.path for m in course.media)
    md = MarkdownRenderer(media=media, heading_offset=2, new_tab_text=strings["opensNewTab"])
    renders = _Renders(course=course, md=md, media=media)

    flat: list[tuple[Module, Section]] = [(m, s) for m in course.modules for s in m.sections]
    neighbours: dict[tuple[str, str], tuple[tuple[str, str] | None, tuple[str, str] | None]] = {}
    for i, (m, s) in enumerate(flat):
        prev = (section_dom_id(*flat[i - 1]), flat[i - 1][1].title) if i > 0 else None
        nxt = (section_dom_id(*flat[i + 1]), flat[i + 1][1].title) if i + 1 < len(flat) else None
        neighbours[(m.id, s.id)] = (prev, nxt)

    task_counter = 0
    check_counter = 0
    modules: list[ModuleView] = []
    for m_index, module in enumerate(course.modules, start=1):
        sections: list[SectionView] = []
        for s_index, section in enumerate(module.sections, start=1):
            prev, nxt = neighbours[(module.id, section.id)]
            sections.append(
                SectionView(
                    section=section,
                    module=module,
                    key=f"{module.id}/{section.id}",
                    dom_id=section_dom_id(module, section),
                    number=s_index,
                    prev=prev,
                    next=nxt,
                    first_task=task_counter,
                    renders=renders,
                    first_check=check_counter,
                )
            )
            task_counter += sum(1 for item in section.items if item.is_task)
            check_counter += sum(1 for item in section.items if item.check is not None)
        modules.append(
            ModuleView(
                module=module,
                number=m_index,
                dom_id=f"m-{module.id}",
                intro_html=md.render(module.intro_md),
                sections=tuple(sections),
            )
        )

    unit = progress_unit(course)
    total = len(counted(course))
    start = _start_view(course, strings, md, modules)
    css = (templates_dir() / _CSS_TEMPLATE).read_bytes() + brand_css(course.theme).encode()
    lang = course.language
    t = Strings(strings, course.language)
    pieces = (
        theme_environment()
        .get_template(_PAGE_TEMPLATE)
        .generate(
            course=course,
            modules=modules,
            t=t,
            cards=Cards(t),
            start=start,
            lang=lang,
            dir="rtl" if lang.split("-")[0].lower() in _RTL else "ltr",
            css=CSS_FILE,
            scripts_slot=Markup(_SCRIPTS_SLOT),
            body_start=body_start,
            body_end=Markup(_BODY_END),
            progress_unit=unit,
            progress_total=total,
        )
    )
    files = {"reflections": REFLECTIONS_CONTENT}
    for mv in modules:
        for sv in mv.sections:
            files[sv.key] = content_file(mv.number)
    encoded = _encoded_page(pieces, files)
    return RenderedCourse(
        course=course,
        modules=tuple(modules),
        css=css,
        progress_unit=unit,
        progress_total=total,
        page_head=encoded.head,
        page_tail=encoded.tail,
        content=encoded.content,
    )


def _inline(md: MarkdownRenderer, text: str) -> Markup:
    """One line of Markdown as inline HTML (its paragraph taken off)."""
    html = str(md.render(text)).strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return Markup(html)


#: what the start page counts, in this order: (word key, overview field)
_COUNTS = (
    ("count.modules", "modules"),
    ("count.sections", "sections"),
    ("count.readings", "readings"),
    ("count.videos", "videos"),
    ("count.tasks", "tasks"),
    ("count.checks", "checks"),
)


def _start_view(
    course: Course,
    strings: Mapping[str, str],
    md: MarkdownRenderer,
    modules: Sequence[ModuleView],
) -> StartView:
    summary = overview(course)
    t = Strings(strings, course.language)
    counts = tuple(
        t.plural(key, getattr(summary, name), count=getattr(summary, name))
        for key, name in _COUNTS
        if getattr(summary, name) or name in ("modules", "sections")
    )
    first = next((sv.dom_id for mv in modules for sv in mv.sections), "")
    theme = course.theme
    return StartView(
        description_html=md.render(course.description),
        objectives=tuple(_inline(md, line) for line in course.objectives),
        overview=summary,
        counts=counts,
        duration=duration_text(strings, course.language, summary.minutes),
        cover=theme.cover if theme is not None else None,
        first=first,
    )


def _item_view(renders: _Renders, module: Module, item: Item, number: int) -> ItemView:
    course, md, media = renders.course, renders.md, renders.media
    url = item.url or ""
    link_ok = bool(url) and is_safe_link(url)
    external = link_ok and is_external_link(url)
    embed = embed_for(url, media) if item.kind is ItemKind.WATCH and link_ok else None
    prompt = md.render(item.prompt or "") if item.is_task else Markup("")
    return ItemView(
        item=item,
        title=display_title(course, item),
        heading=task_heading(item) if item.is_task else "",
        key=vocab.item_key(module, item),
        dom_id=item_dom_id(module, item),
        intro_html=md.render(item.intro_md),
        prompt_html=prompt,
        link_ok=link_ok,
        external=external,
        host=host_label(url) if external else "",
        embed=embed,
        task_number=number,
    )


_INPUT_TYPES = {
    CheckKind.SINGLE: "radio",
    CheckKind.TRUE_FALSE: "radio",
    CheckKind.MULTIPLE: "checkbox",
    CheckKind.TEXT: "text",
}
_ONE_PARAGRAPH = re.compile(r"\A<p>(.*)</p>\s*\Z", re.DOTALL)


def inline_html(md: MarkdownRenderer, text: str) -> Markup:
    """Markdown for a place that takes phrasing content only (a legend, a label): one
    paragraph's content; anything else as plain text."""
    html = md.render(text)
    match = _ONE_PARAGRAPH.match(str(html))
    if match and "<p>" not in match.group(1):
        return Markup(match.group(1).replace("\n", "<br>\n"))
    return escape(" ".join(text.split()))


def check_view(item: Item, md: MarkdownRenderer, number: int) -> CheckView:
    check = item.check
    assert check is not None
    return CheckView(
        number=number,
        kind=check.kind.value,
        input_type=_INPUT_TYPES[check.kind],
        question_html=inline_html(md, check.question_md),
        options=tuple(
            OptionView(
                id=option.id,
                html=inline_html(md, option.text_md),
                feedback_html=md.render(option.feedback_md or ""),
            )
            for option in check.options
        ),
        feedback_correct_html=md.render(check.feedback_correct_md or ""),
        feedback_incorrect_html=md.render(check.feedback_incorrect_md or ""),
    )


_XAPI_ADAPTER_NEEDS = (
    "core",
    "xapi-launch",
    "xapi-tracker",
    "xapi-emitter",
    "xapi-progress",
    "xapi-debug",
)
#: Every runtime script with the scripts it needs, in load order (a script only uses what
#: scripts before it define; tests/runtime/test_script_order.py checks the files against it).
#: An adapter name stands for its adapter-NAME.js; "xapi" asks for dual tracking.
RUNTIME_NEEDS: dict[str, tuple[str, ...]] = {
    "util": (),
    "checks": (),
    "state": ("util", "checks"),
    "device": ("util",),
    "session-end": (),
    "pages": (),
    "core": ("util", "checks", "state", "device", "session-end", "pages"),
    "scorm-api": (),
    "xapi-base": ("util",),
    "xapi-ids": ("xapi-base",),
    "xapi-actor": ("xapi-base",),
    "xapi-launch": ("xapi-actor",),
    "xapi-statement": ("xapi-ids",),
    "xapi-http": ("xapi-actor",),
    "xapi-store": ("xapi-base",),
    "xapi-outbox": ("xapi-base",),
    "xapi-state": ("xapi-base",),
    "xapi-tracker": (
        "xapi-actor",
        "xapi-statement",
        "xapi-http",
        "xapi-store",
        "xapi-outbox",
        "xapi-state",
    ),
    "xapi-emitter": ("xapi-base",),
    "xapi-progress": ("xapi-base",),
    "xapi-debug": ("xapi-actor",),
    "xapi-dual": ("core", "xapi-ids", "xapi-tracker", "xapi-emitter", "xapi-debug"),
    "xapi": ("xapi-dual",),
    "scorm12": ("core", "scorm-api"),
    "scorm2004": ("core", "scorm-api"),
    "tincan": _XAPI_ADAPTER_NEEDS,
    "cmi5": _XAPI_ADAPTER_NEEDS,
}
_ADAPTERS = frozenset({"scorm12", "scorm2004", "tincan", "cmi5"})
_MARKERS = frozenset({"xapi"})  # names that stand for other scripts only
_XAPI_ADAPTERS = frozenset({"tincan", "cmi5"})  # they track by themselves: no dual tracking


def runtime_path(name: str) -> str:
    """The package path of a runtime script ('core', 'xapi-tracker', ...) or adapter."""
    if name in RUNTIME_NEEDS and name not in _ADAPTERS:
        return f"{RUNTIME_DIR}/{name}.js"
    return f"{RUNTIME_DIR}/adapter-{name}.js"


def runtime_file(name: str) -> bytes:
    """A runtime script's bytes, read from the package data of ``coursepack.runtime``."""
    filename = runtime_path(name).rsplit("/", 1)[-1]
    resource = resources.files("coursepack.runtime").joinpath(filename)
    try:
        return resource.read_bytes()
    except FileNotFoundError:
        raise FileNotFoundError(f"coursepack runtime script {filename} is missing") from None


def runtime_scripts(adapters: Sequence[str]) -> list[str]:
    """The scripts a package with these adapters loads, in load order: core's, then what the
    adapters need, then the adapters (an unknown adapter name is loaded after core)."""
    wanted: set[str] = set()

    def need(name: str) -> None:
        if name in wanted:
            return
        wanted.add(name)
        for dep in RUNTIME_NEEDS.get(name, ("core",)):
            need(dep)

    need("core")
    xapi_adapter = any(name in _XAPI_ADAPTERS for name in adapters)
    for name in adapters:
        if not (name == "xapi" and xapi_adapter):
            need(name)
    order = list(RUNTIME_NEEDS)
    known = [n for n in order if n in wanted and n not in _MARKERS]
    return known + [n for n in adapters if n not in RUNTIME_NEEDS and n not in known]


def render_package_files(
    rendered: RenderedCourse, *, adapters: Sequence[str], config: RuntimeConfig
) -> list[OutputFile]:
    """Every content file of a package except its manifest, sorted by path.

    The page was rendered once by ``render_course``; a target only adds its script tags.
    """
    course = rendered.course
    names = runtime_scripts(adapters)
    scripts = [CONFIG_FILE] + [runtime_path(n) for n in names]
    tags = "\n".join(f'<script src="{escape(src)}"></script>' for src in scripts)
    page = (*rendered.page_head, tags.encode("utf-8"), *rendered.page_tail)
    files: dict[str, OutputFile] = {
        LAUNCH_FILE: OutputFile(LAUNCH_FILE, parts=page),
        CSS_FILE: OutputFile(CSS_FILE, data=rendered.css),
        CONFIG_FILE: OutputFile(CONFIG_FILE, parts=config_parts(config)),
        **{path: OutputFile(path, parts=chunks) for path, chunks in rendered.content},
    }
    for name in names:
        path = runtime_path(name)
        files[path] = OutputFile(path, data=runtime_file(name))
    for media in course.media:
        if media.path in files:
            raise ValueError(f"media file {media.path} clashes with a package file")
        files[media.path] = OutputFile(media.path, source=media.source)
    return [files[p] for p in sorted(files)]
