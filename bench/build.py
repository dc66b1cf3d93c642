"""Build benchmark: wall time and peak memory of `coursepack build`, against baselines.

Cases (each run in a fresh process, so start-up is counted as a user would feel it):

- ``example``: the example course in ``course/``;
- ``items-2000``: a generated course of 2,000 items (10 modules x 10 sections x 20 items);
- ``media-200mb``: the example course with 200 MB of already-compressed media.

Baselines, measured in the same run on the same machine:

- ``python-startup``: a process that only imports lxml, jinja2, yaml and click;
- ``naive-2000``: the obvious pipeline for the 2,000 items - markdown-it-py for every intro,
  a Jinja2 page per item, an lxml manifest, a zip with every entry deflated;
- ``naive-media``: zipping the same 200 MB with every entry deflated.

Figures are printed as seconds and as ratios to the baseline of their case; the README quotes
them. Nothing here asserts a time.

    python -m bench build [--repeat N] [--keep DIR]
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
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MEDIA_BYTES = 200 * 1024 * 1024

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
print(json.dumps({"seconds": time.perf_counter() - t0,
                  "peak_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
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
    """A course of modules x sections x items items, with an intro paragraph each."""
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
                elif kind == "WATCH":
                    lines.append(
                        f"WATCH: https://www.youtube.com/watch?v=vid{m:03d}{s:03d}{i:03d}"[:54]
                    )
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


def _child(*args: str) -> dict[str, float]:
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, *args], capture_output=True, text=True, check=False
    )
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"benchmark child failed: {args}\n{proc.stderr}")
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    return {"wall": wall, "peak_mb": data["peak_kb"] / 1024}


def _best(runs: list[dict[str, float]]) -> dict[str, float]:
    return {"wall": min(r["wall"] for r in runs), "peak_mb": max(r["peak_mb"] for r in runs)}


def run(repeat: int, keep: Path | None) -> list[dict[str, object]]:
    work = Path(tempfile.mkdtemp(prefix="coursepack-bench-"))
    try:
        naive_file = work / "naive.py"
        naive_file.write_text(_NAIVE, "utf-8")
        cases = {
            "example": REPO / "course",
            "items-2000": generated_course(work / "items-2000"),
            "media-200mb": media_course(work / "media-200mb"),
        }
        out = work / "dist"
        rows: list[dict[str, object]] = []
        startup = _best([_child("startup") for _ in range(repeat)])
        for name, course in cases.items():
            ours = _best([_child("build", str(course), str(out), "scorm12") for _ in range(repeat)])
            if name == "example":
                base_name, base = "python-startup", startup
            else:
                base_name = "naive-2000" if name == "items-2000" else "naive-media"
                base = _best(
                    [
                        _child("naive", str(naive_file), str(course), str(work / "naive.zip"))
                        for _ in range(repeat)
                    ]
                )
            rows.append(
                {
                    "case": name,
                    "seconds": round(ours["wall"], 3),
                    "peak_mb": round(ours["peak_mb"], 1),
                    "baseline": base_name,
                    "baseline_seconds": round(base["wall"], 3),
                    "ratio": round(ours["wall"] / base["wall"], 2),
                }
            )
        if keep:
            shutil.copytree(out, keep, dirs_exist_ok=True)
        return rows
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench build", description=__doc__)
    parser.add_argument("--repeat", type=int, default=3, help="runs per case (best is kept)")
    parser.add_argument("--keep", type=Path, help="copy the built packages here")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    rows = run(args.repeat, args.keep)
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    print(f"{'case':<13}{'build s':>9}{'peak MB':>9}  {'baseline':<15}{'base s':>8}{'ratio':>7}")
    for r in rows:
        print(
            f"{r['case']:<13}{r['seconds']:>9.3f}{r['peak_mb']:>9.1f}  {r['baseline']:<15}"
            f"{r['baseline_seconds']:>8.3f}{r['ratio']:>7.2f}"
        )
    return 0
