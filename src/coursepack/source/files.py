"""Reading course files from disk, safely: nothing outside the course folder is ever read.

Every file the build opens (course.yaml, module files, media) goes through here:

- its path is resolved (symlinks followed) and must stay inside the course folder;
- it must be a regular file: a FIFO, device or socket is refused (opening a FIFO would wait
  forever), and so is a broken or looping symlink;
- a media file may not be a symlink or have other hard links: either could make a file from
  elsewhere (the course's own ``.env``, a home folder) reach learners;
- a name the file system refuses (over 255 bytes, ...) is a located problem, not a traceback.

Problems are reported into a :class:`~coursepack.errors.Problems` sink as data.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from coursepack.errors import Problems
from coursepack.limits import MAX_TEXT_BYTES
from coursepack.model import MediaFile, Position

#: characters XML 1.0 cannot hold (tab, line feed and carriage return are fine): no manifest
#: or page may carry them
NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

MEDIA_DIR = "media"
#: files of media/ that are an editor's, an operating system's or an office suite's, never the
#: author's: left out of packages (and named in a warning)
MEDIA_JUNK = re.compile(r"^(?:\..*|~\$.*|.*~|Thumbs\.db|desktop\.ini|ehthumbs\.db|Icon\r)$", re.I)
_MEDIA_NAME = re.compile(r"[A-Za-z0-9._/-]+")


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError):
        return exc.strerror or type(exc).__name__
    return str(exc) or type(exc).__name__


def resolve_inside(
    root: Path, rel: str, pos: Position, problems: Problems, what: str
) -> Path | None:
    """``root/rel`` resolved, if it is a regular file inside ``root``; else a problem."""
    candidate = Path(rel)
    if candidate.is_absolute() or "\\" in rel or rel.startswith("~") or "\x00" in rel:
        problems.add(
            pos,
            f"'{rel}' is not a relative path inside the course folder",
            "write it relative to course.yaml, with '/' between folders",
        )
        return None
    try:
        real_root = root.resolve(strict=True)
        resolved = (root / candidate).resolve(strict=False)
    except (OSError, RuntimeError) as exc:  # a symlink loop, a name too long, ...
        problems.add(pos, f"cannot read '{rel}': {_reason(exc)}", f"check the {what}'s name")
        return None
    if not resolved.is_relative_to(real_root):
        problems.add(
            pos,
            f"'{rel}' points outside the course folder",
            f"keep the {what} inside the course folder",
        )
        return None
    try:
        info = os.stat(resolved)
    except FileNotFoundError:
        problems.add(pos, f"{what} '{rel}' does not exist", "check the path and name")
        return None
    except (OSError, RuntimeError) as exc:
        problems.add(pos, f"cannot read '{rel}': {_reason(exc)}", f"check the {what}'s name")
        return None
    if stat.S_ISDIR(info.st_mode):
        problems.add(
            pos, f"'{rel}' is a folder, not a {what}", "name the .md or .yaml file inside it"
        )
        return None
    if not stat.S_ISREG(info.st_mode):
        problems.add(
            pos,
            f"'{rel}' is not a regular file (a pipe, device or socket)",
            f"replace it with the {what} itself",
        )
        return None
    return resolved


def read_text(path: Path, rel: str, problems: Problems) -> str | None:
    """The UTF-8 text of a course file (a BOM is dropped), or None with a problem."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except (OSError, RuntimeError) as exc:
        problems.add(Position(rel), f"cannot read: {_reason(exc)}")
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            problems.add(Position(rel), "not a regular file", "replace it with the file itself")
            return None
        if info.st_size > MAX_TEXT_BYTES:
            problems.add(
                Position(rel),
                f"the file is {info.st_size:,} bytes; a course file may be at most "
                f"{MAX_TEXT_BYTES:,}",
                "split it into several modules",
            )
            return None
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(MAX_TEXT_BYTES + 1)
    except OSError as exc:
        problems.add(Position(rel), f"cannot read: {_reason(exc)}")
        return None
    finally:
        os.close(fd)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problems.add(Position(rel), f"not UTF-8 text ({exc.reason})", "save the file as UTF-8")
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    for match in NOT_TEXT.finditer(text):  # no manifest (XML) or page may hold them
        line = text.count("\n", 0, match.start()) + 1
        col = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
        problems.add(
            Position(rel, line, col),
            f"control character U+{ord(match.group()):04X} in the text",
            "remove it: it is invisible, often pasted from another program",
        )
    return text


def walk_media(root: Path, problems: Problems) -> tuple[tuple[MediaFile, ...], tuple[str, ...]]:
    """The files of ``root/media`` in a fixed order, and the junk files left out.

    Hidden files and folders are passed over; editor and OS junk (Thumbs.db, ``~$draft.docx``)
    is left out and listed, so that the caller can warn about it.
    """
    media_dir = root / MEDIA_DIR
    try:
        if media_dir.is_symlink() or not media_dir.is_dir():
            if media_dir.is_symlink():
                problems.add(
                    Position(MEDIA_DIR),
                    "the media folder is a symbolic link",
                    "make media/ a real folder inside the course folder",
                )
            return (), ()
        real_root = root.resolve(strict=True)
    except (OSError, RuntimeError):
        return (), ()
    files: list[MediaFile] = []
    junk: list[str] = []

    def walk_error(exc: OSError) -> None:
        where = Path(exc.filename).relative_to(root).as_posix() if exc.filename else MEDIA_DIR
        problems.add(Position(where), f"cannot read the folder: {_reason(exc)}")

    for dirpath, dirnames, filenames in os.walk(media_dir, onerror=walk_error):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            path = Path(dirpath) / name
            rel = path.relative_to(root).as_posix()
            if MEDIA_JUNK.match(name):
                if not name.startswith("."):
                    junk.append(rel)
                continue
            media = _media_file(path, rel, real_root, problems)
            if media is not None:
                files.append(media)
        # symlinked folders are not followed by os.walk; say so rather than skip silently
        for name in list(dirnames):
            sub = Path(dirpath) / name
            if sub.is_symlink():
                problems.add(
                    Position(sub.relative_to(root).as_posix()),
                    "a folder of media/ is a symbolic link",
                    "copy the files into media/ instead of linking them",
                )
    return tuple(files), tuple(junk)


def _media_file(path: Path, rel: str, real_root: Path, problems: Problems) -> MediaFile | None:
    pos = Position(rel)
    try:
        info = os.lstat(path)
    except OSError as exc:
        problems.add(pos, f"cannot read the media file: {_reason(exc)}")
        return None
    if stat.S_ISLNK(info.st_mode):
        problems.add(
            pos,
            "the media file is a symbolic link",
            "copy the file into media/ instead of linking it (a link can bring in a file from "
            "outside the course)",
        )
        return None
    if not stat.S_ISREG(info.st_mode):
        problems.add(
            pos,
            "the media file is not a regular file (a pipe, device or socket)",
            "remove it from media/",
        )
        return None
    if info.st_nlink > 1:
        problems.add(
            pos,
            "the media file has other hard links",
            "copy the file into media/ instead of linking it (a hard link can bring in a file "
            "from outside the course)",
        )
        return None
    if not path.resolve().is_relative_to(real_root):  # pragma: no cover - a parent is a link
        problems.add(pos, "the media file is outside the course folder")
        return None
    if not _MEDIA_NAME.fullmatch(rel):
        problems.add(
            pos,
            "media file names may use letters, digits, '.', '-' and '_' only",
            "rename it: LMSs serve from case-sensitive, URL-strict storage",
        )
        return None
    return MediaFile(path=rel, source=path)
