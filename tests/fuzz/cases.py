"""A fuzz case: the files of a course folder as data, that can be written, saved and replayed.

A case is a mapping of relative path -> content, where content is one of

- ``str`` or ``bytes``: a file (text is written as UTF-8; lone surrogates make invalid UTF-8);
- :class:`Folder`, :class:`Symlink`, :class:`HardLink`, :class:`Fifo`: what it says.

``save_case`` writes it as ``case.json`` in a corpus folder (``tests/fuzz/corpus/NAME/``),
``load_case`` reads it back: long runs of one piece (``"1. " * 25000``) are stored as
``{"repeat": "1. ", "times": 25000}`` so that the corpus stays small and readable.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CORPUS = Path(__file__).parent / "corpus"


@dataclass(frozen=True)
class Folder:
    pass


@dataclass(frozen=True)
class Symlink:
    target: str  # as written in the link (may point outside the course, or nowhere)


@dataclass(frozen=True)
class HardLink:
    target: str  # a path relative to the folder that holds the course


@dataclass(frozen=True)
class Fifo:
    pass


Content = str | bytes | Folder | Symlink | HardLink | Fifo
Case = dict[str, Content]


def write_case(case: Case, root: Path) -> Path:
    """Write the case under ``root/course`` (``root`` holds files a link may point to, such
    as ``root/secret.env``); returns the course folder."""
    course = root / "course"
    course.mkdir(parents=True, exist_ok=True)
    (root / "secret.env").write_text("COURSEPACK_LRS_PASSWORD=do-not-ship\n")
    for rel, content in sorted(case.items(), key=lambda kv: kv[0].count("/")):
        path = course / rel
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, Folder):
                path.mkdir(exist_ok=True)
            elif isinstance(content, Symlink):
                os.symlink(content.target, path)
            elif isinstance(content, HardLink):
                os.link(root / content.target, path)
            elif isinstance(content, Fifo):
                os.mkfifo(path)
            elif isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_bytes(content.encode("utf-8", "surrogatepass"))
        except OSError:  # a name the file system refuses: the case goes on without it
            continue
    return course


# -- saving -------------------------------------------------------------------------------


def _compress(text: str) -> Any:
    """``text`` as a list of pieces and runs, when that is much shorter."""
    if len(text) < 2000:
        return text
    parts: list[Any] = []
    i = 0
    while i < len(text):
        best: tuple[int, int] | None = None  # (unit length, times)
        for unit in range(1, 65):
            piece = text[i : i + unit]
            times = 1
            while text.startswith(piece, i + times * unit):
                times += 1
            if (
                times >= 4
                and times * unit >= 64
                and (best is None or times * unit > best[0] * best[1])
            ):
                best = (unit, times)
        if best:
            unit, times = best
            parts.append({"repeat": text[i : i + unit], "times": times})
            i += unit * times
        else:
            if parts and isinstance(parts[-1], str):
                parts[-1] += text[i]
            else:
                parts.append(text[i])
            i += 1
    return parts


def _expand(value: Any) -> str:
    if isinstance(value, str):
        return value
    return "".join(p if isinstance(p, str) else p["repeat"] * p["times"] for p in value)


def _encode(content: Content) -> Any:
    if isinstance(content, Folder):
        return {"folder": True}
    if isinstance(content, Symlink):
        return {"symlink": content.target}
    if isinstance(content, HardLink):
        return {"hardlink": content.target}
    if isinstance(content, Fifo):
        return {"fifo": True}
    if isinstance(content, bytes):
        return {"bytes": content.hex()}
    return {"text": _compress(content)}


def _decode(data: dict[str, Any]) -> Content:
    if "folder" in data:
        return Folder()
    if "symlink" in data:
        return Symlink(data["symlink"])
    if "hardlink" in data:
        return HardLink(data["hardlink"])
    if "fifo" in data:
        return Fifo()
    if "bytes" in data:
        return bytes.fromhex(data["bytes"])
    return _expand(data["text"])


def save_case(case: Case, folder: Path, note: str = "", subprocess_run: bool = False) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    data = {
        "note": note,
        "subprocess": subprocess_run,
        "files": {rel: _encode(content) for rel, content in sorted(case.items())},
    }
    text = json.dumps(data, indent=1, ensure_ascii=True)
    (folder / "case.json").write_text(text + "\n")
    return folder


def load_case(folder: Path) -> tuple[Case, dict[str, Any]]:
    data = json.loads((folder / "case.json").read_text())
    case = {rel: _decode(content) for rel, content in data["files"].items()}
    return case, data
