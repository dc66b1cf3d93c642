"""Files -> deterministic zip, written atomically.

Same input, same bytes: entries sorted by path, every timestamp fixed (SOURCE_DATE_EPOCH when
set, else 1980-01-01), fixed permissions and compression. Files that are already compressed
(images, audio, video, PDF, archives, fonts) are stored, not deflated: deflating them costs
time and saves nothing. The zip is written to a temporary file beside the target and moved
into place only when complete, so a failed build never leaves a partial zip and never
removes the last good one.
"""

from __future__ import annotations

import errno
import os
import shutil
import time
import zipfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from coursepack.clock import source_date_epoch
from coursepack.fsio import clean_stale, staged
from coursepack.output import OutputFile

STORED_SUFFIXES = frozenset(
    [
        ".png",
        ".jpg",
        ".jpeg",
        ".gif",
        ".webp",
        ".avif",
        ".mp4",
        ".m4v",
        ".mov",
        ".webm",
        ".mkv",
        ".mp3",
        ".m4a",
        ".aac",
        ".ogg",
        ".oga",
        ".ogv",
        ".opus",
        ".flac",
        ".pdf",
        ".zip",
        ".gz",
        ".tgz",
        ".bz2",
        ".xz",
        ".7z",
        ".woff",
        ".woff2",
        ".docx",
        ".xlsx",
        ".pptx",
        ".epub",
    ]
)
ZIP_EPOCH = 315532800  # 1980-01-01T00:00:00Z, the earliest time a zip entry can hold
FILE_MODE = 0o644 << 16
CHUNK = 1024 * 1024


def zip_timestamp(environ: Mapping[str, str]) -> tuple[int, int, int, int, int, int]:
    epoch = max(source_date_epoch(environ) or ZIP_EPOCH, ZIP_EPOCH)
    t = time.gmtime(epoch)
    return (t.tm_year, t.tm_mon, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec - t.tm_sec % 2)


def stage_zip(
    files: Sequence[OutputFile], dest: Path, environ: Mapping[str, str] | None = None
) -> Path:
    """Write the zip to a temporary file beside ``dest`` and return it (not yet in place)."""
    env = os.environ if environ is None else environ
    stamp = zip_timestamp(env)
    dest.parent.mkdir(parents=True, exist_ok=True)
    if dest.is_dir():  # found now, before anything is moved into place
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(dest))
    seen: set[str] = set()
    with staged(dest) as (raw, tmp), zipfile.ZipFile(raw, "w") as zf:
        for f in sorted(files, key=lambda f: f.path):
            if f.path in seen:
                raise ValueError(f"two files for one package path: {f.path}")
            seen.add(f.path)
            info = zipfile.ZipInfo(f.path, date_time=stamp)
            info.create_system = 3
            info.external_attr = FILE_MODE
            stored = Path(f.path).suffix.lower() in STORED_SUFFIXES
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            if f.in_memory:
                # written piece by piece: the page of a big course is never joined in memory
                info.file_size = f.size
                with zf.open(info, "w") as out:
                    for chunk in f.chunks():
                        out.write(chunk)
            else:
                assert f.source is not None
                info.file_size = f.source.stat().st_size
                with f.source.open("rb") as src, zf.open(info, "w") as out:
                    shutil.copyfileobj(src, out, CHUNK)
    return tmp


def write_zips(
    packages: Sequence[tuple[Sequence[OutputFile], Path]],
    environ: Mapping[str, str] | None = None,
    on_error: Callable[[Path, OSError], BaseException] | None = None,
) -> list[Path]:
    """Write several zips all or nothing: each is staged, and moved into place only when
    every one of them has been written (a failure leaves the previous zips as they were).

    ``on_error(dest, exc)`` may turn an OSError met while writing ``dest`` into another
    exception (the build makes it a user error naming the package).
    """
    ready: list[tuple[Path, Path]] = []
    for folder in sorted({dest.parent for _, dest in packages}):
        clean_stale(folder)  # what killed builds left behind
    try:
        for files, dest in packages:
            try:
                ready.append((stage_zip(files, dest, environ), dest))
            except OSError as exc:
                if on_error is None:
                    raise
                raise on_error(dest, exc) from None
        for tmp, dest in ready:
            try:
                os.replace(tmp, dest)
            except OSError as exc:
                if on_error is None:
                    raise
                raise on_error(dest, exc) from None
    except BaseException:
        for tmp, _ in ready:
            tmp.unlink(missing_ok=True)
        raise
    return [dest for _, dest in ready]


def write_zip(
    files: Sequence[OutputFile], dest: Path, environ: Mapping[str, str] | None = None
) -> Path:
    """Write one zip atomically: a failure never leaves a partial file at ``dest``."""
    return write_zips([(files, dest)], environ)[0]
