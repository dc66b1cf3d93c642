"""Course versions: ids that follow the content from one version of a course to the next.

``lockfile`` reads and writes ``coursepack.lock`` (every id the course ever gave, with what
identifies it); ``stabilise`` is the pure step that, after validation, gives the course the
ids of its lock and says in plain words what changed. See docs/versions.md.
"""

from __future__ import annotations

from coursepack.versions.lockfile import (
    LOCK_FILE,
    Lock,
    LockInvalid,
    dump_lock,
    parse_lock,
    read_lock,
    read_lock_text,
)
from coursepack.versions.stabilise import (
    SIMILAR,
    Change,
    Explicit,
    Stabilised,
    explicit_ids,
    fingerprint,
    lock_of,
    similarity,
    stabilise,
)

__all__ = [
    "LOCK_FILE",
    "SIMILAR",
    "Change",
    "Explicit",
    "Lock",
    "LockInvalid",
    "Stabilised",
    "dump_lock",
    "explicit_ids",
    "fingerprint",
    "lock_of",
    "parse_lock",
    "read_lock",
    "read_lock_text",
    "similarity",
    "stabilise",
]
