"""`warmplan verify` on a 1,000,000-update run: time and memory against simulating the
plan alone (issue 16: within 1.5x the time, +100 MB of memory).

    python bench/verify.py [--dir DIR] [--python SIDE_VENV_PYTHON]     # from the repo root

The logs are made on demand (not stored: ~70 MB) by scripts/make_run_logs.py --big in
the side venv that has the real SummaryWriter: a TensorBoard event file (tag ``lr``,
float32) and a ``step,lr`` CSV of a real SequentialLR stepped 1,000,000 times. Each
measurement is a fresh process (imports included, as a user runs it): wall time and
peak RSS. Then, in one process, the parts: reading each log and comparing.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIMULATE = """
import json, sys
from warmplan import load_plan, simulate
plan = load_plan(json.load(open(sys.argv[1]))["warmplan_plan"])
simulate(plan)
"""


def make_logs(folder: Path, python: str) -> None:
    if (folder / "case.json").exists():
        return
    print(f"making the 1,000,000-update logs in {folder} (about 100 s) ...", flush=True)
    subprocess.run([python, str(ROOT / "scripts" / "make_run_logs.py"), "--big", str(folder)],
                   check=True)  # fmt: skip


def timed(args: list[str]) -> tuple[float, float, int]:
    """Wall seconds, peak RSS (MiB) and exit code of a fresh process running ``args``."""
    wrapper = (
        "import resource, subprocess, sys, time; t = time.perf_counter(); "
        "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode; "
        "print(time.perf_counter() - t, "
        "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, code)"
    )
    out = subprocess.run(
        [sys.executable, "-c", wrapper, *args], capture_output=True, text=True, check=True
    ).stdout.split()
    return float(out[0]), int(out[1]) / 1024, int(out[2])


def best_of(runs: int, args: list[str]) -> tuple[float, float, int]:
    results = [timed(args) for _ in range(runs)]
    return min(r[0] for r in results), max(r[1] for r in results), results[0][2]


def parts(folder: Path) -> None:
    sys.path.insert(0, str(ROOT))
    from warmplan import load_plan, simulate
    from warmplan.runs.compare import verify
    from warmplan.runs.read import read_log

    plan = load_plan(json.loads((folder / "case.json").read_text())["warmplan_plan"])
    started = time.perf_counter()
    trace = simulate(plan)
    simulated = time.perf_counter() - started
    print(f"  in one process: simulate {simulated:.2f} s")
    for name, log in (("TensorBoard", folder / "tb"), ("CSV", folder / "lr.csv")):
        started = time.perf_counter()
        run = read_log([log])
        read = time.perf_counter() - started
        started = time.perf_counter()
        verdict = verify(trace, run)
        compared = time.perf_counter() - started
        print(
            f"  {name:<12} read {read:.2f} s, compare {compared:.2f} s: "
            f"{verdict.status}, {verdict.compared:,} points"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=Path("/tmp/warmplan-bench-verify"))
    parser.add_argument("--python", default="/work/venv-runs/bin/python")
    parser.add_argument("--runs", type=int, default=3, help="fresh processes per figure")
    args = parser.parse_args()
    make_logs(args.dir, args.python)
    case = str(args.dir / "case.json")
    plan = args.dir / "plan.json"
    plan.write_text(json.dumps(json.loads(Path(case).read_text())["warmplan_plan"]))
    base_time, base_rss, _ = best_of(args.runs, [sys.executable, "-c", SIMULATE, case])
    print(f"simulate the plan alone:  {base_time:6.2f} s  {base_rss:7.1f} MiB peak RSS")
    warmplan = [sys.executable, "-m", "warmplan", "verify", str(plan)]
    for name, log in (("TensorBoard", args.dir / "tb"), ("CSV", args.dir / "lr.csv")):
        seconds, rss, code = best_of(args.runs, [*warmplan, str(log), "-f", "json"])
        print(
            f"verify {name:<12}      {seconds:6.2f} s  {rss:7.1f} MiB   "
            f"{seconds / base_time:.2f}x the time (target 1.5x), "
            f"{rss - base_rss:+.1f} MiB (target +100), exit {code}"
        )
    parts(args.dir)


if __name__ == "__main__":
    main()
