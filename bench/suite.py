"""The test suite's wall time (the README's test command), with the machine's speed
at the time of each run.

The target is under 100 s on a 2-core machine. On a shared virtual machine the same
commit varies by ±15 % from run to run, so each run is printed beside a fixed CPU probe
(a pure-Python loop of 10 million additions, run just before it): a slow run beside a
slow probe is the machine, a slow run beside a usual probe is the suite.

    python bench/suite.py [--repeat N] [pytest arguments...]   # from the repository root
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def cpu_probe() -> float:
    """Seconds for 10 million additions in pure Python: the machine's speed right now."""
    start, total = time.perf_counter(), 0
    for i in range(10_000_000):
        total += i
    return time.perf_counter() - start


def suite(arguments: list[str]) -> tuple[float, int]:
    """One run of the suite: (wall seconds, exit code)."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *arguments],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )
    return time.perf_counter() - start, done.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    options, rest = parser.parse_known_args()
    walls = []
    for run in range(1, options.repeat + 1):
        probe = cpu_probe()
        wall, code = suite(rest)
        walls.append(wall)
        verdict = "passed" if code == 0 else f"exit {code}"
        print(f"run {run}: {wall:6.1f} s ({verdict}); CPU probe {probe:.2f} s", flush=True)
    print(f"median {statistics.median(walls):.1f} s, best {min(walls):.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
