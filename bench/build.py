"""Build benchmark: `coursepack build` and the learner's page, each against a baseline measured
in the same run as interleaved pairs (bench/paired.py: A B A B ..., median of the paired
ratios with min and max, the machine's load, a warning when the figure is not to be trusted).

Build cases (every run in a fresh process, start-up included, as a user feels it):

- ``example``: the example course in ``course/``, against ``import-floor`` (a process that only
  imports lxml, jinja2, yaml and click: what any Python tool of this kind pays first);
- ``items-200``, ``items-2000``, ``items-20000``: generated courses (sections of 20 items:
  READ, WATCH and TASK in turn, an intro paragraph each), against the import floor; from them
  the time per item from 200 to 2,000 items, what it predicts for 20,000 and how far the
  20,000-item build is from it (flat: within 10%), and the peak memory (``ru_maxrss`` of the
  build's process: not affected by the machine's load);
- ``items-2000`` against ``naive-2000``: the obvious pipeline (markdown-it-py for every intro,
  a Jinja2 page per item, an lxml manifest, every entry deflated);
- ``media-200mb`` against ``naive-media``: the example course with 200 MB of already-compressed
  media, against zipping the same files with every entry deflated.

Every build figure is given twice: in wall time, and in CPU seconds (user + system) of the
same runs, which a busy machine disturbs much less (a process waiting for a core spends none);
both are ratios of interleaved pairs, and the slope is computed from each.

Page case (``--page``, on by default when Chromium and Playwright are here): the learner's page
of the 2,000-item course against the example course's (the seed course), opened from the
unpacked SCORM 1.2 package in Debian's Chromium (local mode), measured to the runtime's
``ready`` event (docs/runtime.md: boot finished), in ``performance.now()`` from navigation. The
sections' content is not in the page: the runtime loads it after ``ready`` (docs/runtime.md,
"Content"), so it is not in that figure: a second figure opens the first section the moment
the runtime is ready (a learner who clicks at once) and measures until its cards are in the
page, the content file's load and parse included; a third opens the 20,000-item course's page
(when that size is built), to show how the page grows with the course.

Where the time and memory went (cProfile and tracemalloc, 20,000 items, before this
benchmark's figures in the README; 2 loaded cores, so read shares, not seconds):

    render_course           48%  item views 36% (Markdown 23%, of which is_safe_link ->
                                 urlsplit 10% and the escaped retry of panicking text 6%
                                 made for every intro), the Jinja page 22% (macro calls 11%)
    check_versioned         47%  read 15% (module parsing 8%, Markdown limits 7%), lock file
                                 written through json's per-token Python encoder 9%,
                                 stabilise 11%, validate 9%
    target build             6%  runtime configuration 5%
    write_zips               2%  (zipping is not the cost)
    garbage collection     ~8%  of the wall time at 20,000 items, 3% at 2,000 (841 collections
                                 walking the course and its page again and again)
    peak memory         250 MB  the page as a string, as bytes and as Jinja's list of pieces;
                                 the lock's encoder pieces (+32 MB while it ran); the views of
                                 every item held until the page was joined

What changed on that: the page is encoded in 256 KiB chunks as the template yields it, held
once and shared by every target, and written into the zip chunk by chunk; item views are made
when the template reaches their section and dropped after; the lock is written level by
level (the same text); slots on the hot frozen dataclasses; plain web URLs decided without
urlsplit; the escaped retry only after a panic; the collector's thresholds raised during the
build (coursepack.build.few_collections); the runtime configuration made and encoded a module
at a time; learner-facing strings without values not formatted. After (same machine, CPU
seconds of interleaved pairs against the code before): 0.79x at 20,000 items, 0.89x at 2,000;
peak memory 253 -> 132 MB at 20,000 items. What is left is spread thin: the Jinja page (macro
calls) about a third, Markdown and the item views a fifth, reading and validating a fifth.

Then the time per item (CPU seconds of interleaved pairs against the code before, in the same
run: 0.54x at 20,000 items, 5 pairs from 0.53x to 0.55x; 0.61x at 2,000, 9 pairs from 0.60x to
0.64x; the slope from 2,000 to 20,000 items 0.53x; every package the same bytes; peak memory as
before). My reflections made every item's view a second time, Markdown and all, to list the
TASKs: it renders their prompts only. READ, WATCH and TASK cards are written by
coursepack.render.cards, not by a Jinja macro and a template call per word. Text without
Markdown syntax becomes its paragraph without the parser, and a link to a plain web page is
rewritten without classifying it again. Plain http(s) URLs are split without urlsplit (embeds,
hosts, titles, checks). Titles are cached on their texts, not on hashed items. The Markdown
limits skip the inline walk when no paragraph holds more delimiters than the limit; a module's
blank lines are text at once. The lock is written by orjson (the same text) and its TASKs
matched in one pass per module; words of ASCII text are counted by a byte translation. Where
the time goes now (20,000 items, each stage's CPU seconds in one process, no profiler):

    render_course          44%  item views about half of it (Markdown intros through
                                markdown-it, embeds, titles), the template's loop, escaping and
                                encoding a third, the cards a sixth
    read                   14%  the line loop of parse_markdown_module, links found in prose
    target build           10%  the runtime configuration's item entries and their JSON
    write_zips              9%  deflating the page
    stabilise, parse_lock  14%  (8% and 6%) dataclasses made and compared per item
    validate                7%
    dump_lock               1%

cProfile's largest self times: zlib's compress, parse_markdown_module, markdown-it's render,
markupsafe's escape and Markup (about 230,000 of each: the template's output), split_web_url,
the page template's root, validate's _item; no function's own time is a twentieth of the build.

    python -m bench build [--pairs N] [--sizes 200,2000,20000] [--no-page] [--no-media]
                          [--json] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
import textwrap
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.paired import Paired, cores, load_average, paired, print_header

REPO = Path(__file__).resolve().parents[1]
MEDIA_BYTES = 200 * 1024 * 1024
TARGET = "scorm12"
CHROMIUM = Path("/usr/bin/chromium")
#: a page opens in well under a second, and the browser's time varies more than a build's: at
#: least this many pairs for each page case
PAGE_PAIRS = 9
#: modules x sections x items (20 items a section) for each size of generated course
SHAPES = {200: (2, 5, 20), 2000: (10, 10, 20), 20000: (20, 50, 20)}

_CHILD = r"""
import json, resource, sys, time
t0 = time.perf_counter()
kind, args = sys.argv[1], sys.argv[2:]
if kind == "build":  # what `coursepack build COURSE -o OUT -t TARGET` runs
    from coursepack.cli import cli
    cli(["build", args[0], "-o", args[1], "-t", args[2]], standalone_mode=False)
elif kind == "startup":
    import lxml.etree, jinja2, yaml, click  # noqa: F401
elif kind == "naive":
    exec(open(args[0]).read())
    naive(*args[1:])
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"seconds": time.perf_counter() - t0, "peak_kb": usage.ru_maxrss,
                  "cpu": usage.ru_utime + usage.ru_stime}))
"""

_NAIVE = r'''
def naive(course_dir, out_zip):
    """The obvious pipeline: markdown-it for every intro, a page per item, deflate all."""
    import zipfile
    from pathlib import Path
    import jinja2, yaml
    from lxml import etree
    from markdown_it import MarkdownIt
    md = MarkdownIt("commonmark", {"html": False})
    env = jinja2.Environment(autoescape=True)
    page = env.from_string("<!doctype html><html><head><title>{{ t }}</title></head>"
                           "<body><main><h1>{{ t }}</h1>{{ body | safe }}</main></body></html>")
    course = yaml.safe_load(Path(course_dir, "course.yaml").read_text())
    files = {}
    n = 0
    for rel in course["modules"]:
        for block in Path(course_dir, rel).read_text().split("\n\n"):
            n += 1
            files[f"pages/p{n}.html"] = page.render(t=f"Page {n}", body=md.render(block))
    root = etree.Element("manifest")
    res = etree.SubElement(root, "resource")
    for name in sorted(files):
        etree.SubElement(res, "file", href=name)
    files["imsmanifest.xml"] = etree.tostring(root)
    media = Path(course_dir, "media")
    with zipfile.ZipFile(out_zip, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
        if media.is_dir():
            for path in sorted(media.rglob("*")):
                zf.write(path, path.relative_to(course_dir).as_posix())
'''


def generated_course(root: Path, modules: int = 10, sections: int = 10, items: int = 20) -> Path:
    """A course of modules x sections x items items, with an intro paragraph each: READ,
    WATCH (a YouTube video: a player card) and TASK in turn. It builds without a warning."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "modules").mkdir(exist_ok=True)
    names = []
    for m in range(1, modules + 1):
        lines = [f"# Module {m}", "", f"Module {m} gathers *reading*, **video** and tasks.", ""]
        for s in range(1, sections + 1):
            lines += [f"## Section {m}.{s}", ""]
            for i in range(1, items + 1):
                lines.append(
                    f"Item {i} of section {m}.{s} introduces a resource with *emphasis*, a "
                    f"[reference link](https://example.org/ref/{m}/{s}/{i}) and `code`."
                )
                lines.append("")
                kind = ("READ", "WATCH", "TASK")[i % 3]
                if kind == "TASK":
                    lines.append(f"TASK: What does resource {m}.{s}.{i} change in your practice?")
                elif kind == "WATCH":  # an 11-character YouTube video id
                    lines.append(f"WATCH: https://www.youtube.com/watch?v=v{m:03d}{s:03d}{i:03d}x")
                else:
                    lines.append(f"READ: https://example.org/articles/{m}/{s}/{i}")
                lines.append("")
        name = f"modules/module-{m:02d}.md"
        (root / name).write_text("\n".join(lines), "utf-8")
        names.append(name)
    (root / "course.yaml").write_text(
        textwrap.dedent(
            """\
            id: https://bench.coursepack.dev/generated
            title: Generated course
            language: en
            version: 1.0.0
            modules:
            """
        )
        + "".join(f"  - {n}\n" for n in names),
        "utf-8",
    )
    return root


def media_course(root: Path) -> Path:
    """The example course plus 200 MB of incompressible media (like real video)."""
    shutil.copytree(REPO / "course", root)
    media = root / "media"
    media.mkdir()
    rng = random.Random(7)
    chunk = 8 * 1024 * 1024
    sizes = {"lecture-1.mp4": 90, "lecture-2.mp4": 70, "slides.pdf": 25, "podcast.mp3": 15}
    for name, megabytes in sizes.items():
        with (media / name).open("wb") as out:
            remaining = megabytes * 1024 * 1024
            while remaining:
                n = min(chunk, remaining)
                out.write(rng.randbytes(n))
                remaining -= n
    return root


class Child:
    """A benchmark child process; keeps the peak memory of every run it makes."""

    def __init__(self, *args: str) -> None:
        self.args = args
        self.peaks_mb: list[float] = []
        self.cpu: list[float] = []  # user + system seconds of each run, start-up included

    def __call__(self) -> None:
        """Run once (paired() takes the wall time of the call: start-up included)."""
        proc = subprocess.run(
            [sys.executable, "-c", _CHILD, *self.args],
            capture_output=True,
            text=True,
            check=False,
            cwd=REPO,
        )
        if proc.returncode != 0:
            raise SystemExit(f"benchmark child failed: {self.args}\n{proc.stderr}")
        data = json.loads(proc.stdout.strip().splitlines()[-1])
        self.peaks_mb.append(data["peak_kb"] / 1024)
        self.cpu.append(data["cpu"])

    @property
    def peak_mb(self) -> float:
        return max(self.peaks_mb) if self.peaks_mb else 0.0


def cpu_pairs(result: Paired, baseline: Child, subject: Child) -> Paired:
    """The same runs as ``result``, in CPU seconds (user + system, start-up included): a
    second figure that a busy machine disturbs much less than wall time (a process waiting
    for a core spends no CPU), still a ratio of interleaved pairs. The warm-up pair that
    paired() makes first is left out, as it is there."""
    n = len(result.subject)
    return Paired(
        f"{result.name} (CPU)",
        baseline=tuple(baseline.cpu[-n:]),
        subject=tuple(subject.cpu[-n:]),
        load_before=result.load_before,
        load_after=result.load_after,
        notes=("user + system seconds of the same runs",),
    )


# -- the page in Chromium -------------------------------------------------------------------

#: records when the runtime says it is ready (docs/runtime.md: the `ready` event), from the
#: navigation's start, and, with ``__cpOpenFirst`` set, opens the first section at that moment
#: (a learner who clicks at once) and records when its cards are in the page; installed before
#: any script of the page runs
_READY_PROBE = """
(() => {
  let value;
  Object.defineProperty(window, "Coursepack", {
    configurable: true,
    get() { return value; },
    set(v) {
      value = v;
      v.on("ready", () => {
        window.__cpReadyMs = performance.now();
        if (!window.__cpOpenFirst) return;
        const key = v.config.modules[0].sections[0].key;
        const shown = () => document.querySelector(
          `section[data-cp-section="${key}"] [data-cp-item]`);
        const done = () => { if (shown() && window.__cpOpenMs === undefined)
          window.__cpOpenMs = performance.now(); };
        v.on("content", done);
        v.go(key);
        done();
      });
    },
  });
})();
"""


@contextmanager
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--proxy-server=http://127.0.0.1:9"],
        )
        try:
            yield browser
        finally:
            browser.close()


def page_ready(browser: Any, index: Path, first_section: bool = False) -> Callable[[], float]:
    """A measure: a fresh context opens the page; the seconds until the runtime is ready (or,
    with ``first_section``, until the first section, opened at that moment, shows its cards)."""
    mark = "__cpOpenMs" if first_section else "__cpReadyMs"

    def measure() -> float:
        context = browser.new_context()
        try:
            if first_section:
                context.add_init_script("window.__cpOpenFirst = true;")
            context.add_init_script(_READY_PROBE)
            page = context.new_page()
            page.goto(index.as_uri(), wait_until="commit")
            page.wait_for_function(f"() => window.{mark} !== undefined", timeout=120_000)
            ms: float = page.evaluate(f"() => window.{mark}")
            return ms / 1000
        finally:
            context.close()

    return measure


def _kb(path: Path) -> str:
    return f"{path.stat().st_size / 1024:.0f} KB"


def _page_sizes(index: Path) -> str:
    config = index.parent / "coursepack-config.js"
    return f"index.html {_kb(index)} + config {_kb(config)}, then content {_content_kb(index)}"


def _content_kb(index: Path) -> str:
    files = sorted((index.parent / "content").glob("*.js"))
    total = sum(f.stat().st_size for f in files)
    return f"{total / 1024:.0f} KB in {len(files)} files"


def unpacked(zip_path: Path, folder: Path) -> Path:
    with zipfile.ZipFile(zip_path) as zf:
        zf.extractall(folder)
    return folder / "index.html"


def page_available() -> str | None:
    """Why the page case cannot run here, or None."""
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Python playwright is not installed"
    return None


# -- the run --------------------------------------------------------------------------------


def run(pairs: int, sizes: list[int], page: bool, media: bool, keep: Path | None) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="coursepack-bench-"))
    results: list[Paired] = []
    peaks: dict[str, float] = {}
    notes: list[str] = []

    def measured(result: Paired) -> Paired:
        print(result.line(), flush=True)
        results.append(result)
        return result

    try:
        naive_file = work / "naive.py"
        naive_file.write_text(_NAIVE, "utf-8")
        out = work / "dist"
        courses = {
            n: generated_course(work / f"items-{n}", *SHAPES[n]) for n in sizes if n in SHAPES
        }

        example = Child("build", str(REPO / "course"), str(out / "example"), TARGET)
        floor = Child("startup")
        result = paired("example / import-floor", baseline=floor, subject=example, pairs=pairs)
        measured(result)
        measured(cpu_pairs(result, floor, example))
        peaks["example"] = example.peak_mb
        by_size: dict[int, Paired] = {}
        by_size_cpu: dict[int, Paired] = {}
        for n, course in courses.items():
            build = Child("build", str(course), str(out / course.name), TARGET)
            floor = Child("startup")
            name = f"items-{n} / import-floor"
            by_size[n] = measured(paired(name, baseline=floor, subject=build, pairs=pairs))
            by_size_cpu[n] = measured(cpu_pairs(by_size[n], floor, build))
            peaks[f"items-{n}"] = build.peak_mb
            print(f"  peak memory of the {n}-item build: {build.peak_mb:.1f} MB", flush=True)
        if 2000 in courses:
            naive = Child("naive", str(naive_file), str(courses[2000]), str(work / "naive.zip"))
            build = Child("build", str(courses[2000]), str(out / "items-2000"), TARGET)
            result = paired("items-2000 / naive-2000", baseline=naive, subject=build, pairs=pairs)
            measured(result)
            measured(cpu_pairs(result, naive, build))
        if media:
            mcourse = media_course(work / "media-200mb")
            naive = Child("naive", str(naive_file), str(mcourse), str(work / "naive.zip"))
            build = Child("build", str(mcourse), str(out / "media"), TARGET)
            measured(
                paired("media-200mb / naive-media", baseline=naive, subject=build, pairs=pairs)
            )
            peaks["media-200mb"] = build.peak_mb
        slope = _slope(by_size, "wall")
        slope_cpu = _slope(by_size_cpu, "CPU")
        for line in [*slope.get("lines", []), *slope_cpu.get("lines", [])]:
            print(line, flush=True)
        if page:
            why = page_available()
            if why is not None or 2000 not in courses:
                notes.append(f"page case skipped: {why or 'no 2,000-item course'}")
                print(notes[-1])
            else:
                seed_zip = next((out / "example").glob("*.zip"))
                big_zip = next((out / "items-2000").glob("*.zip"))
                seed = unpacked(seed_zip, work / "page-seed")
                big = unpacked(big_zip, work / "page-2000")
                with chromium() as browser:

                    def page_case(name: str, page: Path, first: bool = False) -> None:
                        measured(
                            paired(
                                name,
                                baseline=page_ready(browser, seed, first_section=first),
                                subject=page_ready(browser, page, first_section=first),
                                pairs=max(pairs, PAGE_PAIRS),
                                notes=() if first else (_page_sizes(page),),
                            )
                        )
                        for note in results[-1].notes:
                            print(f"  {note}")

                    print(f"  the seed course: {_page_sizes(seed)}")
                    page_case("page ready: items-2000 / seed course", big)
                    page_case("first section shown: items-2000 / seed course", big, first=True)
                    if 20000 in courses:  # and at ten times the size
                        huge_zip = next((out / "items-20000").glob("*.zip"))
                        huge = unpacked(huge_zip, work / "page-20000")
                        page_case("page ready: items-20000 / seed course", huge)
        if keep:
            shutil.copytree(out, keep, dirs_exist_ok=True)
        return {
            "cores": cores(),
            "load_end": load_average(),
            "results": [r.as_dict() for r in results],
            "peak_mb": {k: round(v, 1) for k, v in peaks.items()},
            "slope": {k: v for k, v in slope.items() if k != "lines"},
            "slope_cpu": {k: v for k, v in slope_cpu.items() if k != "lines"},
            "notes": notes,
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _slope(by_size: dict[int, Paired], what: str) -> dict[str, Any]:
    """The time per item from 200 to 2,000 items, and how 20,000 items compare with it.

    In units of the import floor (each size's median ratio), so that the machine's load, which
    touches a build and its floor alike, cancels out; seconds are shown for reading only.
    """
    if not {200, 2000, 20000} <= set(by_size):
        return {}
    r200, r2000, r20000 = (by_size[n].ratio for n in (200, 2000, 20000))
    per_item = (r2000 - r200) / 1800
    predicted = r2000 + per_item * 18000
    floor_s = by_size[2000].baseline_median
    flat = r20000 / predicted
    slope_far = (r20000 - r2000) / 18000
    return {
        "per_item_floor_200_2000": per_item,
        "per_item_floor_2000_20000": slope_far,
        "per_item_ms_200_2000": per_item * floor_s * 1000,
        "predicted_20000_floor": predicted,
        "actual_20000_floor": r20000,
        "actual_over_predicted": flat,
        "lines": [
            f"{what}: per item, 200 -> 2,000: {per_item * 1000:.3f} floor/1000 items "
            f"(~{per_item * floor_s * 1000:.3f} ms at today's floor of {floor_s:.3f} s); "
            f"2,000 -> 20,000: {slope_far * 1000:.3f} floor/1000 items",
            f"{what}: 20,000 items: {r20000:.2f}x the floor, {predicted:.2f}x predicted by the "
            f"200 -> 2,000 slope: {flat:.2f} of the prediction "
            f"({'flat within 10%' if flat <= 1.1 else 'NOT flat within 10%'})",
        ],
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench build",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--pairs", type=int, default=5, help="interleaved pairs (at least 5)")
    parser.add_argument(
        "--sizes", default="200,2000,20000", help="generated course sizes (of 200,2000,20000)"
    )
    parser.add_argument("--no-page", action="store_true", help="skip the page case")
    parser.add_argument("--no-media", action="store_true", help="skip the 200 MB media case")
    parser.add_argument("--keep", type=Path, help="copy the built packages here")
    parser.add_argument("--json", action="store_true", help="print JSON at the end")
    args = parser.parse_args(argv)
    if args.pairs < 5:
        parser.error("--pairs: an honest ratio needs at least 5 pairs")
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    unknown = [n for n in sizes if n not in SHAPES]
    if unknown:
        parser.error(f"unknown sizes {unknown}: use some of {sorted(SHAPES)}")
    print_header("coursepack build benchmark")
    summary = run(args.pairs, sizes, not args.no_page, not args.no_media, args.keep)
    if args.json:
        print(json.dumps(summary, indent=2))
    return 0
