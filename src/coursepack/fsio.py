"""Writing files atomically: a temporary file beside the destination, renamed into place.

A failed or killed write never leaves a partial file at the destination and never removes
the last good one. Temporary files carry the writer's process id in their name
(``.NAME.coursepack-PID-RANDOM.tmp``), so a later run can remove those of a writer that was
killed (:func:`clean_stale`) without touching those of one that is still running.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

_MARK = ".coursepack-"
_STALE = re.compile(r"^\..+\.coursepack-(\d+)-[A-Za-z0-9_]+\.tmp$")


def temp_name_prefix(dest: Path) -> str:
    return f".{dest.name}{_MARK}{os.getpid()}-"


@contextmanager
def staged(dest: Path, mode: int = 0o644) -> Iterator[tuple[IO[bytes], Path]]:
    """Open a temporary file beside ``dest`` for writing; yields (file, temporary path).

    The caller moves it into place (``os.replace``) when every file of the job is ready; on
    any exception the temporary file is removed.
    """
    fd, name = tempfile.mkstemp(prefix=temp_name_prefix(dest), suffix=".tmp", dir=dest.parent)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as out:
            yield out, tmp
        os.chmod(tmp, mode)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_atomically(dest: Path, data: bytes) -> None:
    """Write ``data`` to ``dest`` whole or not at all."""
    with staged(dest) as (out, tmp):
        out.write(data)
    try:
        os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by someone else
        return True
    except OSError:
        return False
    return True


def clean_stale(folder: Path) -> list[Path]:
    """Remove temporary files of writers that are no longer running; returns what went."""
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        match = _STALE.match(entry.name)
        if not match or not entry.is_file(follow_symlinks=False):
            continue
        if _pid_alive(int(match.group(1))):
            continue
        try:
            os.unlink(entry.path)
            removed.append(Path(entry.path))
        except OSError:
            pass
    return removed
