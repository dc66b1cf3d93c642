"""Hostile courses: each class of input that once crashed, hung or leaked ends as a located
problem (exit 1) or a clean build, and ``validate`` agrees with ``build``.

The inputs that once killed the process (a segmentation fault in the Markdown parser) or made
it wait forever run in a subprocess with a time bound; the others run in-process.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.fuzz.runner import Outcome, run_in_process, run_subprocess, write_course

COURSE_YAML = (
    "id: https://example.org/c\ntitle: T\nlanguage: en\nversion: '1'\nmodules:\n  - m.md\n"
)
MODULE = "# Module\n\nREAD: https://example.org/a\nTASK: Why?\n"


def _course(tmp_path: Path, module: str = MODULE, **files: str | bytes | None) -> Path:
    content: dict[str, str | bytes | None] = {"course.yaml": COURSE_YAML, "m.md": module}
    content.update({k.replace("__", "/"): v for k, v in files.items()})
    return write_course(tmp_path / "c", content)


def _both(course: Path, tmp_path: Path, *, subprocess_run: bool = False) -> tuple[Outcome, ...]:
    run = run_subprocess if subprocess_run else run_in_process
    outcomes = (run("validate", course, tmp_path / "dist"), run("build", course, tmp_path / "dist"))
    for outcome in outcomes:
        assert outcome.clean, outcome.describe()
    validate, build = outcomes
    assert (validate.code == 0) == (build.code == 0), (validate.stderr, build.stderr)
    return outcomes


def _refused(course: Path, tmp_path: Path, pattern: str, **kw: bool) -> str:
    """Both commands exit 1 and name the problem (``pattern``) with a file:line:col."""
    validate, build = _both(course, tmp_path, **kw)
    assert validate.code == build.code == 1, validate.stderr
    assert re.search(pattern, validate.stderr), validate.stderr
    located = [line for line in validate.stderr.splitlines() if re.match(r"\S+:\d+:\d+: ", line)]
    assert located == [line for line in build.stderr.splitlines() if line in located]
    return validate.stderr


# -- URLs that urlsplit refuses ------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["http://[x", "https://[::1", "http://[", "https://a]b[", "http://\uff03@x"]
)
def test_an_item_url_that_urlsplit_refuses_is_a_located_problem(tmp_path: Path, url: str) -> None:
    course = _course(tmp_path, f"# M\n\nREAD: {url}\nWATCH: {url}\nTASK: Why?\n")
    _refused(course, tmp_path, r"m\.md:3:7: READ URL .* is not an http\(s\) address")


@pytest.mark.parametrize("url", ["http://[x", "https://[::1/a", "http://\uff03@x"])
def test_a_prose_link_or_image_that_urlsplit_refuses_is_a_located_problem(
    tmp_path: Path, url: str
) -> None:
    module = f"# M\n\nSee [this]({url}) and ![pic]({url}).\n\nREAD: https://example.org/a\n"
    course = _course(tmp_path, module)
    validate, build = _both(course, tmp_path)
    # the learner would lose the link and the image: both commands say so, at their place
    assert validate.code == build.code == 1, build.stderr
    assert "Traceback" not in build.stderr
    assert "m.md:3:5: the link" in build.stderr and "m.md:3:" in build.stderr


def test_a_course_id_or_lrs_address_that_urlsplit_refuses_is_a_located_problem(
    tmp_path: Path,
) -> None:
    course = _course(tmp_path)
    (course / "course.yaml").write_text(
        COURSE_YAML.replace("https://example.org/c", "A://[")
        + "tracking:\n  lrs:\n    endpoint: http://[x\n    actor_homepage: https://[y\n"
    )
    err = _refused(course, tmp_path, r"course\.yaml:1:5: course id 'A://\[' is not")
    assert "course.yaml:9:15: LRS endpoint 'http://[x/'" in err or "LRS endpoint" in err
    assert "'https://[y' is not an http(s) URL" in err


def test_url_helpers_never_raise_on_what_urlsplit_refuses() -> None:
    from coursepack.render.embeds import embed_for, host_label, vimeo_id, youtube_id
    from coursepack.render.markdown import is_safe_link
    from coursepack.titles import link_title
    from coursepack.xapi.vocab import is_absolute_iri

    for url in ("http://[x", "https://[::1", "https://www.youtube.com]/[", "http://\uff03@x"):
        assert not is_safe_link(url)
        assert youtube_id(url) is None and vimeo_id(url) is None
        assert host_label(url) == ""
        assert embed_for(url).provider == "link"
        assert isinstance(link_title(url, "en"), str)
        assert not is_absolute_iri(url)


# -- YAML: nesting, aliases --------------------------------------------------------------


@pytest.mark.parametrize("depth", [65, 500, 5000])
def test_deeply_nested_yaml_is_a_located_problem(tmp_path: Path, depth: int) -> None:
    course = _course(tmp_path)
    (course / "course.yaml").write_text(COURSE_YAML + "description: " + "[" * depth + "\n")
    _refused(course, tmp_path, r"course\.yaml:\d+:\d+: brackets are nested more than 64")


def test_deeply_nested_yaml_in_block_style_is_a_located_problem(tmp_path: Path) -> None:
    nested = "".join("  " * i + "- \n" for i in range(200)).replace("- \n", "-\n")
    yaml_module = "title: M\nsections:\n" + "".join(f"{'  ' * (i + 1)}-\n" for i in range(300))
    course = _course(tmp_path, **{"m.yaml": yaml_module})
    (course / "course.yaml").write_text(COURSE_YAML.replace("m.md", "m.yaml"))
    assert nested
    _refused(course, tmp_path, r"m\.yaml:\d+:\d+: values are nested more than 64 levels")


@pytest.mark.parametrize(
    "module",
    [
        # a section of 100 TASKs repeated 1,000 times: 100,000 TASKs from 6 KB
        "title: M\nsections:\n  - &s\n    title: S\n    items: ["
        + ", ".join(["{task: &t Why?}"] + ["{task: *t}"] * 99)
        + "]\n"
        + "  - *s\n" * 1000,
        # aliases of aliases: a list that is 4 lists of 4 lists of ... (4^12 values)
        "title: M\nintro: &a0 [x, x, x, x]\n"
        + "".join(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 4)}]\n" for i in range(1, 12))
        + "sections: *a11\n",
        # merge keys that repeat a large mapping
        "title: M\nbase: &b {" + ", ".join(f"k{i}: v" for i in range(500)) + "}\n"
        "sections:\n" + "  - {<<: *b, title: S, items: [{task: x}]}\n" * 100,
    ],
    ids=["sections", "nested-aliases", "merge-keys"],
)
def test_yaml_aliases_that_multiply_a_module_are_a_located_problem(
    tmp_path: Path, module: str
) -> None:
    course = _course(tmp_path, **{"m.yaml": module})
    (course / "course.yaml").write_text(COURSE_YAML.replace("m.md", "m.yaml"))
    started = time.perf_counter()
    _refused(course, tmp_path, r"m\.yaml:\d+:\d+: aliases \('\*name'\) here repeat more than")
    assert time.perf_counter() - started < 60  # a hang guard, not a benchmark


# -- Markdown the renderer cannot take ---------------------------------------------------

DEEP_MARKDOWN = {
    "ordered-lists": "1. " * 25_000 + "x",
    "bullet-lists": "- " * 30_000 + "x",
    "block-quotes": ">" * 100_000,
    "quotes-in-lists": "- > " * 20_000 + "x",
    "emphasis": "*" * 99_000 + "x",
    "emphasis-over-lines": "\n".join(["*" * 20_000] * 4) + "x\n" + "\n".join(["*" * 20_000] * 4),
    "underscores": "_" * 99_000 + "x" + "_" * 900,
    "brackets": "![" * 49_000 + "x",
    "task-prompt": "TASK: " + "> " * 40_000 + "x",
}


@pytest.mark.parametrize("name", sorted(DEEP_MARKDOWN))
def test_markdown_nested_too_deep_is_a_located_problem_not_a_crash(
    tmp_path: Path, name: str
) -> None:
    module = f"# M\n\nREAD: https://example.org/a\n\n{DEEP_MARKDOWN[name]}\n"
    course = _course(tmp_path, module)
    _refused(
        course,
        tmp_path,
        r"m\.md:\d+:\d+: (block quotes and lists|emphasis, strikethrough and link brackets) "
        r"are nested [\d,]+ levels deep; at most \d+ are allowed",
        subprocess_run=True,
    )


def test_markdown_nested_too_deep_in_a_yaml_module_is_a_located_problem(
    tmp_path: Path,
) -> None:
    text = "1. " * 25_000 + "x"
    yaml_module = f"title: M\nintro: '{text}'\nsections:\n  - title: S\n    items:\n"
    yaml_module += "      - read: https://example.org/a\n"
    course = _course(tmp_path, **{"m.yaml": yaml_module})
    (course / "course.yaml").write_text(COURSE_YAML.replace("m.md", "m.yaml"))
    _refused(course, tmp_path, r"m\.yaml:1:1: block quotes and lists are nested 25,000")


def test_markdown_nested_as_deep_as_the_limit_builds(tmp_path: Path) -> None:
    from coursepack.limits import MAX_MARKDOWN_NESTING

    nested = "> " * (MAX_MARKDOWN_NESTING // 2) + "- " * (MAX_MARKDOWN_NESTING // 2) + "x"
    module = f"# M\n\n{nested}\n\n**bold *and italic***\n\nREAD: https://example.org/a\n"
    _, build = _both(_course(tmp_path, module), tmp_path)
    assert build.code == 0, build.stderr


def test_a_markdown_line_over_the_limit_is_a_located_problem(tmp_path: Path) -> None:
    from coursepack.limits import MAX_LINE_CHARS

    module = f"# M\n\nREAD: https://example.org/a\n\n{'word ' * (MAX_LINE_CHARS // 5 + 1)}\n"
    _refused(_course(tmp_path, module), tmp_path, rf"m\.md:5:{MAX_LINE_CHARS + 1}: a line of")


# -- time: lines of spaces, repeated ids -------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "#" + " " * 60_000 + "x",
        "## " + " " * 60_000 + "{#x" + " " * 30_000,
        "READ" + " " * 60_000 + "x",
        "TASK {#" + " " * 60_000,
        "READ: [" + "[" * 30_000 + "](" + "(" * 30_000,
        "READ: [a](" + " " * 60_000 + '"' + " " * 30_000,
        "read" + " " * 60_000 + ":",
        "    " * 20_000 + "READ: https://example.org/b",
    ],
)
def test_lines_of_tens_of_thousands_of_spaces_or_brackets_take_linear_time(
    tmp_path: Path, line: str
) -> None:
    module = f"# M\n\nREAD: https://example.org/a\n{line}\n"
    outcomes = _both(_course(tmp_path, module), tmp_path, subprocess_run=True)
    assert all(o.seconds < 30 for o in outcomes), [o.seconds for o in outcomes]


def test_ten_thousand_identical_items_and_sections_get_unique_ids(tmp_path: Path) -> None:
    module = "# M\n\n" + "READ: https://example.org/a\n" * 10_000
    module += "".join("## Same\n\nTASK: Why?\n\n" for _ in range(10_000))
    course = _course(tmp_path, module)
    started = time.perf_counter()
    from coursepack.pipeline import load_course

    loaded = load_course(course, environ={})
    assert time.perf_counter() - started < 30  # once 6-7 s of quadratic de-duplication
    ids = [item.id for item in loaded.items]
    assert len(ids) == 20_000 and len(set(ids)) == 20_000
    sections = [s.id for s in loaded.modules[0].sections]
    assert len(set(sections)) == len(sections) == 10_001


# -- the file system: names, links, special files, the output folder ---------------------


def test_a_module_name_over_255_bytes_is_a_located_problem(tmp_path: Path) -> None:
    course = _course(tmp_path)
    name = "é" * 200 + ".md"
    (course / "course.yaml").write_text(COURSE_YAML.replace("m.md", name))
    _refused(course, tmp_path, r"course\.yaml:6:5: cannot read '.*': File name too long")


def test_a_symlink_loop_in_media_is_a_located_problem(tmp_path: Path) -> None:
    course = _course(tmp_path, media=None)
    os.symlink("loop", course / "media" / "loop")
    (course / "media" / "sub").mkdir()
    os.symlink("../sub", course / "media" / "sub" / "up")
    _refused(course, tmp_path, r"media/loop: the media file is a symbolic link")


def test_a_fifo_in_media_is_refused_without_waiting(tmp_path: Path) -> None:
    course = _course(tmp_path, media=None)
    os.mkfifo(course / "media" / "pipe.mp4")
    err = _refused(course, tmp_path, r"media/pipe\.mp4: .*not a regular file", subprocess_run=True)
    assert "Traceback" not in err


def test_a_fifo_as_a_module_file_is_refused_without_waiting(tmp_path: Path) -> None:
    course = _course(tmp_path)
    (course / "m.md").unlink()
    os.mkfifo(course / "m.md")
    _refused(course, tmp_path, r"course\.yaml:6:5: 'm\.md' is not a regular file")


def test_a_media_symlink_or_hard_link_to_the_courses_env_file_is_never_packaged(
    tmp_path: Path,
) -> None:
    course = _course(tmp_path, media=None, **{".env": "COURSEPACK_LRS_PASSWORD=secret\n"})
    os.symlink("../.env", course / "media" / "notes.txt")
    os.link(course / ".env", course / "media" / "notes2.txt")
    module = MODULE + "READ: media/notes.txt\nREAD: media/notes2.txt\n"
    (course / "m.md").write_text(module)
    err = _refused(course, tmp_path, r"media/notes\.txt: the media file is a symbolic link")
    assert "media/notes2.txt: the media file has other hard links" in err
    assert not list((tmp_path / "dist").glob("*.zip"))


def test_a_course_yaml_that_links_outside_the_course_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "secret.yaml"
    outside.write_text(COURSE_YAML)
    course = _course(tmp_path)
    (course / "course.yaml").unlink()
    os.symlink(outside, course / "course.yaml")
    _refused(course, tmp_path, r"course\.yaml: 'course\.yaml' points outside the course folder")


def test_a_module_that_links_outside_the_course_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "secret.md"
    outside.write_text(MODULE)
    course = _course(tmp_path)
    (course / "m.md").unlink()
    os.symlink(outside, course / "m.md")
    _refused(course, tmp_path, r"course\.yaml:6:5: 'm\.md' points outside the course folder")


def test_a_broken_symlink_in_media_fails_validate_as_it_fails_build(tmp_path: Path) -> None:
    course = _course(tmp_path, media=None)
    os.symlink("missing.png", course / "media" / "pic.png")
    err = _refused(course, tmp_path, r"media/pic\.png: the media file is a symbolic link")
    assert "cannot write" not in err


@pytest.mark.parametrize("out", ["media", "media/dist", "media/../media/x"])
def test_an_output_folder_inside_media_is_refused(tmp_path: Path, out: str) -> None:
    course = _course(tmp_path, media=None)
    outcome = run_in_process("build", course, course / out)
    assert outcome.code == 1 and outcome.clean, outcome.describe()
    assert "inside the course's media/ folder" in outcome.stderr
    assert not list((course / "media").rglob("*.zip"))


def test_a_killed_build_leaves_temporary_files_that_the_next_build_removes(
    tmp_path: Path,
) -> None:
    course = _course(tmp_path, media=None)
    # a large, incompressible media file: the zip takes a while to write
    (course / "media" / "big.mp4").write_bytes(os.urandom(200 * 1024 * 1024))
    (course / "m.md").write_text(MODULE + "WATCH: media/big.mp4\n")
    dist = tmp_path / "dist"
    code = "import sys; from coursepack.cli import main; main()"
    proc = subprocess.Popen(
        [sys.executable, "-c", code, "build", str(course), "-o", str(dist)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    temporary: list[Path] = []
    while time.monotonic() < deadline and proc.poll() is None:
        temporary = [p for p in dist.glob(".*.tmp") if p.stat().st_size > 1024 * 1024]
        if temporary:
            break
        time.sleep(0.02)
    assert temporary, "the build ended before it was writing the zip"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert [p.name for p in dist.iterdir()] == [temporary[0].name]
    (course / "media" / "big.mp4").write_bytes(b"small")
    outcome = run_in_process("build", course, dist)
    assert outcome.code == 0, outcome.describe()
    assert sorted(p.name for p in dist.iterdir()) == ["c-1-scorm12.zip"]


# -- line numbers ------------------------------------------------------------------------


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85", "\x0c", "\x1c"])
def test_unicode_line_separators_in_prose_keep_every_later_line_number(
    tmp_path: Path, separator: str
) -> None:
    module = f"# M\n\nProse{separator}more{separator}prose.\n\nREAD: https://example.org/a\nREAD: ftp://x\n"
    err = _refused(_course(tmp_path, module), tmp_path, r"m\.md:6:7: READ URL 'ftp://x'")
    assert "m.md:8" not in err


def test_a_bom_and_crlf_line_ends_keep_line_numbers(tmp_path: Path) -> None:
    module = "\ufeff# M\r\n\r\nREAD: https://example.org/a\r\nREAD: ftp://x\r\n"
    _refused(_course(tmp_path, module.encode()), tmp_path, r"m\.md:4:7: READ URL 'ftp://x'")


def test_a_module_over_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    from coursepack.limits import MAX_TEXT_BYTES

    course = _course(tmp_path, MODULE + "x" * MAX_TEXT_BYTES)
    _refused(course, tmp_path, r"m\.md: the file is [\d,]+ bytes; a course file may be at most")


def test_a_module_that_is_not_utf8_is_a_located_problem(tmp_path: Path) -> None:
    course = _course(tmp_path, MODULE.encode() + b"\xff\xfe caf\xe9\n")
    _refused(course, tmp_path, r"m\.md: not UTF-8 text")
