"""``python -m bench NAME [options]``: run one benchmark (``python -m bench NAME --help``)."""

from __future__ import annotations

import importlib
import sys

# benchmark name -> module with ``main(argv: list[str]) -> int``
BENCHMARKS = {
    "build": "bench.build",
    "report": "bench.report",
    "preview": "bench.preview",
    "fuzz": "bench.fuzz",
}


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help") or argv[0] not in BENCHMARKS:
        names = "|".join(BENCHMARKS)
        print(f"usage: python -m bench {{{names}}} [options]", file=sys.stderr)
        return 0 if argv and argv[0] in ("-h", "--help") else 2
    module = importlib.import_module(BENCHMARKS[argv[0]])
    code: int = module.main(argv[1:])
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
