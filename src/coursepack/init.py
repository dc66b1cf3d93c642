"""``coursepack init``: a new course folder that shows every construct, ready to build.

The folder holds ``course.yaml`` (every key, optional ones commented out with what they do), a
Markdown module (intro, two sections, READ, WATCH, TASK and an image of ``media/``), a YAML
module, ``media/welcome.png`` (a small PNG drawn here), ``.gitignore`` for ``dist/`` and the
JSON Schemas that the ``# yaml-language-server`` lines of the YAML files point to.
"""

from __future__ import annotations

import json
import re
import shlex
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

import click

from coursepack.errors import UserError
from coursepack.ids import slugify
from coursepack.schema import SCHEMAS, schema_text

SCHEMA_DIR = ".coursepack"
# a folder holding only these still counts as empty (`git init && coursepack init`)
ALLOWED_EXISTING = frozenset({".git"})
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_IRI = re.compile(r"^https?://[^\s/?#]+[^\s?#]*$")


@dataclass(frozen=True)
class InitResult:
    root: Path
    files: list[Path]
    next_steps: list[str]


def _quoted(text: str) -> str:
    """A YAML scalar for any text (a JSON string is a YAML double-quoted scalar)."""
    return json.dumps(text, ensure_ascii=False)


def _course_yaml(course_id: str, title: str, language: str) -> str:
    schema = f"{SCHEMA_DIR}/{SCHEMAS['course']}"
    return f"""\
# yaml-language-server: $schema={schema}
# The course: what LMSs and learners see. `coursepack schema course` prints every key.
id: {course_id}   # the course IRI: an address you control
title: {_quoted(title)}
description: What the learner will get from this course, in a sentence or two.
language: {language}   # learner-facing words follow it (English and French ship)
version: 1.0.0
completion: all-tasks   # or all-items, pass, all-tasks-and-pass (pass: CHECK questions)
modules:
  - modules/getting-started.md
  - file: modules/going-further.yaml
    id: going-further   # an explicit id keeps learners' progress if the file is renamed

# Optional keys (remove the '#' to use one):
# lms: moodle   # LMS profile: generic, moodle, cornerstone or scorm-cloud
# cmi5:
#   au_per: module   # one cmi5 assignable unit per module, or 'course' for one in all
# assessment:   # how CHECK questions are graded (docs/checks.md)
#   pass_mark: 80   # percent of the CHECKs answered right
#   attempts: 1     # attempts per question (0: unlimited)
#   shuffle: false  # shuffle each question's options, the same way for a learner every time
#   retry: true     # a learner who failed may answer the questions again
# tracking:   # dual tracking: a SCORM package that also sends xAPI statements to an LRS
#   lrs:
#     endpoint: https://lrs.example.org/xapi/   # credentials go in the environment, never here
#     actor_homepage: https://lms.example.org   # the LMS address learners' ids belong to
"""


MARKDOWN_MODULE = """\
# Getting started

This is the module's introduction: a few paragraphs that say what the learner will do here.
Everything before the first `##` heading is the introduction.

![A welcome banner](media/welcome.png)

## Read and watch

The paragraphs before an item introduce it. A READ is a link that opens in a new tab:

READ: [What is a course folder?](https://en.wikipedia.org/wiki/Course_(education))

A WATCH embeds a YouTube or Vimeo video (a file of `media/` plays in the page):

WATCH: https://www.youtube.com/watch?v=dQw4w9WgXcQ

## Reflect {#reflect}

A TASK asks the learner to write a reflection and mark it complete.

TASK {#first-reflection}: What do you want to be able to do at the end of this course?
A prompt goes on over the lines right below it, up to a blank line.
"""


def _yaml_module() -> str:
    schema = f"../{SCHEMA_DIR}/{SCHEMAS['module']}"
    return f"""\
# yaml-language-server: $schema={schema}
# The same constructs as a Markdown module, written in YAML.
title: Going further
intro: A YAML module says the same things as a Markdown one, as data.
sections:
  - title: Practise
    id: practise
    items:
      - read: https://en.wikipedia.org/wiki/Reflective_practice
        title: Reflective practice
        intro: Read about reflective practice first.
      - task: Which idea from this course will you try first, and when?
        id: first-step
"""


GITIGNORE = "# built packages (coursepack build)\ndist/\n"


def tiny_png(width: int = 64, height: int = 32) -> bytes:
    """A small valid PNG (8-bit RGB): a blue band over a light background."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = bytearray()
    for y in range(height):
        rows.append(0)  # filter: none
        for x in range(width):
            band = height // 3 <= y < 2 * height // 3 and width // 8 <= x < 7 * width // 8
            rows.extend((37, 99, 235) if band else (241, 245, 249))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + chunk(b"IEND", b"")
    )


def init_course(
    root: Path, title: str | None = None, language: str = "en", course_id: str | None = None
) -> InitResult:
    """Write a new course into ``root`` (which must not exist or be empty)."""
    if root.exists() and not root.is_dir():
        raise UserError(f"{root}: is a file, not a folder (choose a new folder name)")
    if root.is_dir() and any(p.name not in ALLOWED_EXISTING for p in root.iterdir()):
        raise UserError(
            f"{root}: the folder is not empty; init writes a new course only into an empty "
            "or new folder (choose another one, e.g. `coursepack init my-course`)"
        )
    name = root.resolve().name
    title = title or name.replace("-", " ").replace("_", " ").strip().capitalize() or "My course"
    title = " ".join(title.split())
    if len(title) > 200:
        raise UserError(f"--title is {len(title)} characters; LMSs allow at most 200")
    if not _LANGUAGE.match(language):
        raise UserError(f"--language '{language}' is not a language tag (e.g. en, en-GB, fr)")
    course_id = course_id or f"https://courses.example.org/{slugify(title) or 'my-course'}"
    if not _IRI.match(course_id):
        raise UserError(
            f"--id '{course_id}' is not an absolute http(s) IRI without query or fragment "
            "(e.g. https://courses.example.org/my-course)"
        )
    files: dict[str, bytes] = {
        "course.yaml": _course_yaml(course_id.rstrip("/"), title, language).encode(),
        "modules/getting-started.md": MARKDOWN_MODULE.encode(),
        "modules/going-further.yaml": _yaml_module().encode(),
        "media/welcome.png": tiny_png(),
        ".gitignore": GITIGNORE.encode(),
    }
    for name_, filename in SCHEMAS.items():
        files[f"{SCHEMA_DIR}/{filename}"] = schema_text(name_).encode()
    written: list[Path] = []
    try:
        for rel, data in files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            written.append(path)
    except OSError as exc:
        raise UserError(f"cannot write {root}: {exc.strerror or exc}") from None
    if root.resolve() == Path.cwd().resolve():
        steps = ["coursepack preview", "coursepack build --target all"]
    else:  # the packages go to the course's own dist/ (which its .gitignore names)
        shown = shlex.quote(str(root))
        dist = shlex.quote(str(root / "dist"))
        steps = [f"coursepack preview {shown}", f"coursepack build {shown} -o {dist} --target all"]
    return InitResult(root=root, files=written, next_steps=steps)


def _command() -> click.Command:
    @click.command(name="init")
    @click.argument(
        "course_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=".",
        required=False,
    )
    @click.option("--title", help="The course title (default: from the folder's name).")
    @click.option("--language", default="en", show_default=True, help="BCP 47 language tag.")
    @click.option(
        "--id",
        "course_id",
        help="The course IRI (default: https://courses.example.org/<title as a slug>).",
    )
    def init(course_dir: Path, title: str | None, language: str, course_id: str | None) -> None:
        """Start a new course in COURSE_DIR (new or empty; default: the current folder).

        The course shows every construct (Markdown and YAML modules, READ, WATCH, TASK, an
        image of media/) and builds for every target as it is.
        """
        result = init_course(course_dir, title, language, course_id)
        click.echo(f"Created a course in {result.root} ({len(result.files)} files). Next:")
        for step in result.next_steps:
            click.echo(f"  {step}")

    return init


command = _command()
