"""Honest timing: every figure is a ratio to a baseline run interleaved with it.

A benchmark measures ``subject`` against ``baseline`` as pairs, A B A B ..., alternating which
of the two goes first, so that a change in the machine's load touches both sides of a pair alike.
The figure is the median of the paired ratios, with their min and max; the machine's load is
read before and after, and a run whose ratios spread too widely (or that ran on a loaded
machine) is flagged as too noisy to trust.

    from bench.paired import paired, print_header
    result = paired("build 2,000 items", baseline=lambda: ..., subject=lambda: ..., pairs=5)
    print(result.line())

A callable returns the seconds it measured (so a child process can report its own time, start-
up excluded or included as the case wants), or None to have the wall time of the call taken.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

#: the spread of the paired ratios (max / min) above which a figure is called noisy
NOISY_SPREAD = 1.5
#: load per core (1-minute load average / cores) above which the machine is called busy
BUSY_LOAD = 0.7

Measure = Callable[[], float | None]


def cores() -> int:
    return os.cpu_count() or 1


def load_average() -> float | None:
    """The 1-minute load average, or None where the system has none."""
    try:
        return os.getloadavg()[0]
    except (AttributeError, OSError):
        return None


def _timed(measure: Measure) -> float:
    started = time.perf_counter()
    seconds = measure()
    return seconds if seconds is not None else time.perf_counter() - started


@dataclass(frozen=True)
class Paired:
    """The outcome of one paired measurement."""

    name: str
    baseline: tuple[float, ...]
    subject: tuple[float, ...]
    load_before: float | None
    load_after: float | None
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def ratios(self) -> tuple[float, ...]:
        return tuple(s / b for s, b in zip(self.subject, self.baseline, strict=True) if b > 0)

    @property
    def ratio(self) -> float:
        return statistics.median(self.ratios)

    @property
    def ratio_min(self) -> float:
        return min(self.ratios)

    @property
    def ratio_max(self) -> float:
        return max(self.ratios)

    @property
    def subject_median(self) -> float:
        return statistics.median(self.subject)

    @property
    def baseline_median(self) -> float:
        return statistics.median(self.baseline)

    @property
    def warnings(self) -> tuple[str, ...]:
        found = []
        if self.ratio_min > 0 and self.ratio_max / self.ratio_min > NOISY_SPREAD:
            found.append(
                f"noisy: paired ratios spread {self.ratio_min:.2f}-{self.ratio_max:.2f}; "
                "do not trust this figure, run again on a quiet machine"
            )
        loads = [x for x in (self.load_before, self.load_after) if x is not None]
        if loads and max(loads) / cores() > BUSY_LOAD:
            found.append(f"busy machine: load {max(loads):.2f} on {cores()} cores while it ran")
        return tuple(found)

    def line(self) -> str:
        text = (
            f"{self.name}: {self.ratio:.2f}x (min {self.ratio_min:.2f}, max "
            f"{self.ratio_max:.2f}, {len(self.ratios)} pairs; median {self.subject_median:.3f} s "
            f"against {self.baseline_median:.3f} s)"
        )
        return "\n".join([text, *(f"  warning: {w}" for w in self.warnings)])

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "ratio": round(self.ratio, 3),
            "ratio_min": round(self.ratio_min, 3),
            "ratio_max": round(self.ratio_max, 3),
            "pairs": len(self.ratios),
            "seconds": round(self.subject_median, 4),
            "baseline_seconds": round(self.baseline_median, 4),
            "load": [self.load_before, self.load_after],
            "warnings": list(self.warnings),
            "notes": list(self.notes),
        }


def paired(
    name: str,
    *,
    baseline: Measure,
    subject: Measure,
    pairs: int = 5,
    warmup: bool = True,
    notes: tuple[str, ...] = (),
) -> Paired:
    """Measure ``subject`` against ``baseline`` in ``pairs`` interleaved pairs (at least 5)."""
    if pairs < 5:
        raise ValueError("an honest ratio needs at least 5 pairs")
    if warmup:  # first runs pay for cold caches: measured, not counted
        _timed(baseline)
        _timed(subject)
    load_before = load_average()
    base: list[float] = []
    subj: list[float] = []
    for n in range(pairs):
        if n % 2 == 0:
            base.append(_timed(baseline))
            subj.append(_timed(subject))
        else:
            subj.append(_timed(subject))
            base.append(_timed(baseline))
    return Paired(name, tuple(base), tuple(subj), load_before, load_average(), notes)


def print_header(title: str) -> None:
    """What a reader needs to weigh the figures below: the machine and its load now."""
    load = load_average()
    load_text = "unknown" if load is None else f"{load:.2f}"
    print(f"{title} - {cores()} cores, load {load_text} at start, {time.strftime('%Y-%m-%d')}")
