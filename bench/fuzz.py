"""``python -m bench fuzz [--cases N] [--seed S]``: many generated courses, on demand.

Each course (from ``tests.fuzz.strategies.courses``) is written to a temporary folder and run
through ``coursepack validate`` and ``coursepack build`` in a forked child process (so that a
crash of native code or a hang costs one case, not the run); the child runs the commands
in-process through click's CliRunner. Prints the count of cases, failures, tracebacks,
crashes and timeouts; each failing course is saved to ``tests/fuzz/corpus/fuzz-SEED-N/``
(``case.json``), which ``tests/fuzz/test_fuzz.py`` replays in CI.
"""

from __future__ import annotations

import argparse
import json
import os
import select
import signal
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, given, seed, settings

REPO = Path(__file__).resolve().parents[1]


def _run_case(case: Any, timeout: float) -> list[tuple[str, str]]:
    """The failures of one case, checked in a forked child with a time bound."""
    from tests.fuzz.cases import write_case
    from tests.fuzz.runner import check_course

    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: run the case, report, and leave without cleaning up twice
        os.close(read_end)
        code = 0
        try:
            with tempfile.TemporaryDirectory(prefix="coursepack-fuzz-") as tmp:
                root = Path(tmp)
                verdict = check_course(write_case(case, root), root / "dist", timeout=timeout)
                data = json.dumps([list(f) for f in verdict.failures]).encode()
        except BaseException as exc:
            data = json.dumps([["traceback", f"harness: {exc!r}"]]).encode()
            code = 3
        with os.fdopen(write_end, "wb") as out:
            out.write(data)
        os._exit(code)
    os.close(write_end)
    chunks: list[bytes] = []
    deadline = time.monotonic() + 2 * timeout + 30
    with os.fdopen(read_end, "rb", buffering=0) as pipe:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                return [("timeout", f"no end within {2 * timeout + 30:.0f} s")]
            ready, _, _ = select.select([pipe], [], [], min(left, 1.0))
            if ready:
                chunk = pipe.read(65536)
                if not chunk:
                    break
                chunks.append(chunk)
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        return [("crash", f"killed by signal {os.WTERMSIG(status)}")]
    try:
        return [(kind, detail) for kind, detail in json.loads(b"".join(chunks) or b"[]")]
    except ValueError:
        return [("crash", f"the child ended with status {status} and no report")]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench fuzz", description=__doc__)
    parser.add_argument("--cases", type=int, default=10_000, help="courses to try")
    parser.add_argument("--seed", type=int, default=0, help="seed of the generator")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds one command may take")
    parser.add_argument(
        "--jobs", type=int, default=1, help="worker processes, each with its share of cases"
    )
    parser.add_argument("--worker", type=int, default=-1, help=argparse.SUPPRESS)
    parser.add_argument(
        "--corpus",
        type=Path,
        default=REPO / "tests" / "fuzz" / "corpus",
        help="folder that failing courses are saved to",
    )
    args = parser.parse_args(argv)
    if args.jobs > 1 and args.worker < 0:
        return _parallel(args, argv)
    sys.path.insert(0, str(REPO))
    from tests.fuzz.cases import save_case
    from tests.fuzz.runner import check_course  # imported once: every forked child has it
    from tests.fuzz.strategies import courses

    assert check_course

    counts: Counter[str] = Counter()
    saved: list[Path] = []
    started = time.perf_counter()

    @settings(
        max_examples=args.cases,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @seed(args.seed if args.worker < 0 else args.seed * 1000 + args.worker)
    @given(courses())
    def one(case: Any) -> None:
        counts["cases"] += 1
        failures = _run_case(case, args.timeout)
        if failures:
            counts["failures"] += 1
            for kind in {kind for kind, _ in failures}:
                counts[kind] += 1
            name = f"fuzz-{args.seed}-{max(args.worker, 0)}-{counts['cases']}"
            note = "\n".join(f"{kind}: {detail[-800:]}" for kind, detail in failures)
            crash_like = any(kind in ("crash", "timeout") for kind, _ in failures)
            saved.append(save_case(case, args.corpus / name, note, subprocess_run=crash_like))
        if counts["cases"] % 500 == 0:
            print(
                f"  {counts['cases']:,} cases, {counts['failures']} failures "
                f"({time.perf_counter() - started:.0f} s)",
                file=sys.stderr,
                flush=True,
            )

    one()
    elapsed = time.perf_counter() - started
    if args.worker >= 0:  # one line for the parent to add up
        print(json.dumps({"counts": dict(counts), "saved": [str(p) for p in saved]}))
        return 0
    _summary(counts, saved, elapsed)
    return 1 if counts["failures"] else 0


def _parallel(args: argparse.Namespace, argv: list[str]) -> int:
    """Run ``--jobs`` workers, each with ``--cases / jobs`` cases from a seed of its own."""
    import subprocess

    share = [args.cases // args.jobs + (i < args.cases % args.jobs) for i in range(args.jobs)]
    started = time.perf_counter()
    workers = []
    for index, cases in enumerate(share):
        command = [sys.executable, "-m", "bench", "fuzz", *argv]
        command += ["--cases", str(cases), "--worker", str(index)]
        workers.append(subprocess.Popen(command, stdout=subprocess.PIPE, cwd=REPO, text=True))
    counts: Counter[str] = Counter()
    saved: list[Path] = []
    for index, worker in enumerate(workers):
        out, _ = worker.communicate()
        try:
            report = json.loads(out.strip().splitlines()[-1])
        except (IndexError, ValueError):  # the worker itself failed: say so, count it
            print(f"worker {index} ended with exit {worker.returncode} and no report")
            counts["failures"] += 1
            counts["harness"] += 1
            continue
        counts.update(report["counts"])
        saved += [Path(p) for p in report["saved"]]
    _summary(counts, saved, time.perf_counter() - started)
    return 1 if counts["failures"] else 0


def _summary(counts: Counter[str], saved: list[Path], elapsed: float) -> None:
    print(
        f"cases: {counts['cases']:,}  failures: {counts['failures']}  "
        f"tracebacks: {counts['traceback']}  crashes: {counts['crash']}  "
        f"timeouts: {counts['timeout']}  disagreements: {counts['disagree']}  "
        f"leaks: {counts['leak']}  other exits: {counts['exit']}  "
        f"harness errors: {counts['harness']}  ({elapsed:.0f} s)"
    )
    for folder in saved:
        print(f"saved {folder.relative_to(REPO) if folder.is_relative_to(REPO) else folder}")
