"""Run every ``benchmarks/bench_*.py`` (each defines ``run(suite)``) and print one line per case."""

from __future__ import annotations

import importlib.util
import platform
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from harness import Suite  # noqa: E402


def main(selected: list[str]) -> int:
    print(f"python {platform.python_version()} on {platform.machine()}, {_cores()} cores")
    suite = Suite()
    for path in sorted(HERE.glob("bench_*.py")):
        if selected and not any(s in path.stem for s in selected):
            continue
        print(f"\n== {path.stem}")
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        module.run(suite)
    return 0


def _cores() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
