"""Run the coursepack command line and record its peak memory, for tests that bound it.

    python -m tests.support.run_measured PEAK_FILE report COURSE --lrs ...

Runs ``coursepack`` with the remaining arguments in this process (its output, errors and exit
code unchanged) and writes this process's peak resident set size in KiB (``VmHWM``, which the
interpreter and imports are part of) to PEAK_FILE, not to standard error.
"""

from __future__ import annotations

import resource
import sys
from pathlib import Path


def peak_kib() -> int:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main(argv: list[str]) -> int:
    peak_file = Path(argv[0])
    from coursepack.cli import cli

    code = 0
    try:
        cli.main(args=argv[1:], prog_name="coursepack", standalone_mode=True)
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    finally:
        peak_file.write_text(str(peak_kib()))
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
