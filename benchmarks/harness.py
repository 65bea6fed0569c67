"""A small timing harness: each case runs a candidate and its baseline in the same process, side by side.

Timings are best-of-``repeat`` wall-clock seconds (``time.perf_counter``); the ratio is
baseline / candidate, so 25.0 means the candidate is 25 times faster. No thresholds are asserted:
the numbers are for reading, and for comparing runs on the same machine.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field


def best_time(fn: Callable[[], object], repeat: int = 5, number: int = 1) -> float:
    """Best of ``repeat`` runs of ``number`` calls, in seconds per call."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, (time.perf_counter() - start) / number)
    return best


@dataclass
class Suite:
    rows: list[tuple[str, float, str, float | None]] = field(default_factory=list)

    def compare(
        self,
        name: str,
        candidate: Callable[[], object],
        baseline: Callable[[], object] | None = None,
        baseline_name: str = "baseline",
        repeat: int = 5,
        number: int = 1,
        baseline_repeat: int | None = None,
    ) -> None:
        """Time ``candidate`` (and ``baseline`` if given) and print one line."""
        cand = best_time(candidate, repeat, number)
        base = (
            best_time(baseline, baseline_repeat or repeat, number) if baseline is not None else None
        )
        self.rows.append((name, cand, baseline_name, base))
        print(self.format_row(name, cand, baseline_name, base), flush=True)

    def note(self, text: str) -> None:
        print(f"  {text}", flush=True)

    @staticmethod
    def format_row(name: str, cand: float, baseline_name: str, base: float | None) -> str:
        line = f"{name:<58} {_fmt(cand):>10}"
        if base is not None:
            line += f"   {baseline_name}: {_fmt(base):>10}   ratio {base / cand:8.1f}x"
        return line


def _fmt(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds:.2f} s"
