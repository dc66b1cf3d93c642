"""The one clock of coursepack: now, or SOURCE_DATE_EPOCH when it is set.

Builds and reports read time only through a :data:`Clock`; tests pin it. SOURCE_DATE_EPOCH
(reproducible-builds.org) is read and checked here and nowhere else, so ``build`` and
``report`` agree on what a valid value is.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime

from coursepack.errors import UserError

Clock = Callable[[], datetime]

#: 2107-12-31T23:59:58Z, the latest time a zip entry can hold (and so the latest we accept)
LATEST_EPOCH = 4354819198


def source_date_epoch(environ: Mapping[str, str]) -> int | None:
    """SOURCE_DATE_EPOCH as whole seconds, or None when unset.

    A malformed value is a user error: a build must not silently fall back to another time.
    """
    raw = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not raw:
        return None
    if not raw.isascii() or not raw.isdigit() or int(raw) > LATEST_EPOCH:
        raise UserError(
            f"SOURCE_DATE_EPOCH is '{raw}': it must be a whole number of seconds since "
            f"1970-01-01 UTC, at most {LATEST_EPOCH} (the last time a zip can hold)"
        )
    return int(raw)


def clock_from_env(environ: Mapping[str, str]) -> Clock:
    """SOURCE_DATE_EPOCH as a fixed moment when it is set, else the wall clock (UTC)."""
    epoch = source_date_epoch(environ)
    if epoch is not None:
        moment = datetime.fromtimestamp(epoch, tz=UTC)
        return lambda: moment
    return lambda: datetime.now(tz=UTC)
