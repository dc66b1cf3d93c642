"""Files produced by the render and target stages, held in memory until packaging."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class OutputFile:
    """One file of a package. ``path`` is a posix path relative to the package root.

    Either ``data`` (bytes in memory) or ``source`` (a file on disk, e.g. course media,
    streamed into the zip) is set.
    """

    path: str
    data: bytes | None = None
    source: Path | None = None

    @property
    def size(self) -> int:
        if self.data is not None:
            return len(self.data)
        assert self.source is not None
        return self.source.stat().st_size
