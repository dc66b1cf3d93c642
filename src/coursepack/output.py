"""Files produced by the render and target stages, held in memory until packaging."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path


class OutputFile:
    """One file of a package. ``path`` is a posix path relative to the package root.

    Its content is bytes in memory (``data``, or ``parts`` that follow one another: the page
    of a big course is kept as the chunks it was rendered in, shared by every target, and
    streamed into each zip without ever being joined), or a file on disk (``source``, e.g.
    course media, streamed into the zip). Immutable.
    """

    __slots__ = ("_parts", "_path", "_source")

    def __init__(
        self,
        path: str,
        data: bytes | None = None,
        source: Path | None = None,
        *,
        parts: Iterable[bytes] | None = None,
    ) -> None:
        if sum(x is not None for x in (data, source, parts)) != 1:
            raise ValueError(f"{path}: exactly one of data, source and parts is given")
        self._path = path
        self._source = source
        self._parts: tuple[bytes, ...] | None = (
            (data,) if data is not None else tuple(parts) if parts is not None else None
        )

    @property
    def path(self) -> str:
        return self._path

    @property
    def source(self) -> Path | None:
        return self._source

    @property
    def data(self) -> bytes | None:
        """The content in memory as one bytes object (joined when it is held in parts)."""
        if self._parts is None:
            return None
        if len(self._parts) == 1:
            return self._parts[0]
        return b"".join(self._parts)

    @property
    def in_memory(self) -> bool:
        return self._parts is not None

    def chunks(self) -> Iterator[bytes]:
        """The content in memory, piece by piece, without joining it (nothing for a file
        on disk)."""
        yield from self._parts or ()

    @property
    def size(self) -> int:
        if self._parts is not None:
            return sum(len(part) for part in self._parts)
        assert self._source is not None
        return self._source.stat().st_size

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, OutputFile):
            return NotImplemented
        return (self._path, self._source, self.data) == (other._path, other._source, other.data)

    def __hash__(self) -> int:
        return hash((self._path, self._source, self.size if self.in_memory else None))

    def __repr__(self) -> str:
        what = f"source={self._source!r}" if self._source is not None else f"{self.size} bytes"
        return f"OutputFile({self._path!r}, {what})"
