"""Preview benchmark: from saving a course file to the reloaded course in the page.

For each course (the example course in ``course/``, and the generated course of 2,000 items of
``bench/build.py``), a preview runs in this process and Chromium (Playwright, Debian's
``/usr/bin/chromium``) shows it. Each round:

- ``baseline``: a plain build of the same course in memory (``coursepack.build.prepare``, the
  work every rebuild does, without the watcher, the server or the browser), then the built
  page loaded by hand in a second tab (no LMS around it) until its runtime has started and the
  module's latest sentence has arrived: what an author did before the preview (build, then
  reload);
- ``reload``: a module's introduction gets a new sentence, saved; the clock stops when the
  course frame's runtime has started again and holds that sentence (a section's text is in the
  content files the runtime loads once the page is ready: docs/runtime.md, "Content").

The two are measured as interleaved pairs (``bench/paired.py``: A B, B A, ...) so that a machine
busy with other work slows both alike; the figure is the median of the paired ratios, with their
min and max, the machine's load, and a warning when the run was too noisy to trust. Nothing
asserts a time.

    python -m bench preview [--rounds N] [--json]
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

from bench.build import REPO, generated_course
from bench.paired import paired, print_header

TARGET = "scorm12"
#: the course in the preview's frame has started again and holds the new sentence: in the page,
#: or in the content the runtime loads once the page is ready (docs/runtime.md, "Content")
RELOADED = """marker => {
  const frame = document.getElementById("pv-course");
  const win = frame && frame.contentWindow;
  return !!(win && win.Coursepack && win.Coursepack.started === true &&
            win.document.body && (win.document.body.textContent.includes(marker) ||
            Object.values(win.COURSEPACK_CONTENT || {}).some(html => html.includes(marker))));
}"""


def _edit(module: Path, round_no: int) -> str:
    marker = f"Benchmark sentence {round_no}."
    lines = module.read_text("utf-8").splitlines()
    title = next(i for i, line in enumerate(lines) if line.startswith("# "))
    kept = [line for line in lines if not line.startswith("Benchmark sentence ")]
    kept.insert(title + 2, marker)
    module.write_text("\n".join(kept) + "\n", "utf-8")
    return marker


#: the page loaded by hand has started and holds the sentence (as RELOADED)
STARTED = """marker => !!(window.Coursepack && window.Coursepack.started === true &&
  (document.body.textContent.includes(marker) ||
   Object.values(window.COURSEPACK_CONTENT || {}).some(html => html.includes(marker))))"""


def measure(course: Path, module: Path, rounds: int, page: Any, tab: Any) -> dict[str, Any]:
    from coursepack.build import prepare
    from coursepack.preview.command import start_preview

    preview = start_preview(course, TARGET, environ={})
    edits = iter(range(10**6))
    try:
        page.goto(preview.url, wait_until="commit")
        page.wait_for_function(RELOADED, arg="", timeout=60_000)

        latest = [""]  # the sentence the module holds now

        def build_and_load() -> None:
            prepare(course, course / "dist", [TARGET], None, {})
            tab.goto(preview.url + "course/index.html", wait_until="commit")
            tab.wait_for_function(STARTED, arg=latest[0], timeout=60_000, polling=20)

        def save_and_reload() -> None:
            latest[0] = _edit(module, next(edits))
            page.wait_for_function(RELOADED, arg=latest[0], timeout=60_000, polling=20)

        result = paired(
            course.name, baseline=build_and_load, subject=save_and_reload, pairs=max(rounds, 5)
        )
    finally:
        preview.stop()
    return {
        "baseline_s": round(result.baseline_median, 3),
        "reload_s": round(result.subject_median, 3),
        "reload_best_s": round(min(result.subject), 3),
        "ratio": round(result.ratio, 2),
        "ratio_min": round(result.ratio_min, 2),
        "ratio_max": round(result.ratio_max, 2),
        "warnings": list(result.warnings),
    }


def run(rounds: int) -> list[dict[str, Any]]:
    from tests.support.browser import launch_chromium, new_context

    work = Path(tempfile.mkdtemp(prefix="coursepack-bench-preview-"))
    try:
        example = work / "example"
        shutil.copytree(REPO / "course", example)
        generated = generated_course(work / "items-2000")
        cases = [
            ("example", example, example / "modules" / "collaborative-impact-leadership.md"),
            ("items-2000", generated, generated / "modules" / "module-01.md"),
        ]
        rows = []
        with launch_chromium() as browser, new_context(browser) as context:
            context.set_default_timeout(120_000)
            page = context.new_page()
            page.set_viewport_size({"width": 1600, "height": 900})
            tab = context.new_page()
            for name, course, module in cases:
                rows.append({"case": name, **measure(course, module, rounds, page, tab)})
        return rows
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench preview", description=__doc__)
    parser.add_argument(
        "--rounds", type=int, default=5, help="interleaved pairs per course (at least 5)"
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    rows = run(args.rounds)
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    print_header("python -m bench preview")
    print(
        f"{'case':<12}{'build+load s':>14}{'save->reloaded s':>18}{'best s':>8}"
        f"{'ratio':>7}{'min':>6}{'max':>6}"
    )
    for r in rows:
        print(
            f"{r['case']:<12}{r['baseline_s']:>14.3f}{r['reload_s']:>18.3f}"
            f"{r['reload_best_s']:>8.3f}{r['ratio']:>7.2f}{r['ratio_min']:>6.2f}"
            f"{r['ratio_max']:>6.2f}"
        )
        for warning in r["warnings"]:
            print(f"  warning ({r['case']}): {warning}")
    return 0
