"""What plotting a 1,000,000-step plan costs, against simulating it alone.

Each measurement runs in a fresh subprocess, so peak memory (the process's maximum
resident set, from getrusage) is that run's alone and no import is cached between them:

  simulate   load + simulate the per-step warm-up + cosine plan
  plot       the same, then draw the figure and write a PNG (matplotlib imported too)

and the plotting part alone is timed at 10,000 and 1,000,000 steps, to show that
drawing does not grow with the plan (the min/max reduction hands matplotlib at most
four points per pixel column).

    python bench/plot_long.py            # from the repository root
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def plan_data(steps: int) -> dict:
    return {
        "name": f"bench-{steps}",
        "optimizer": {"kind": "adamw", "lr": 6e-4},
        "training": {"epochs": 10, "steps_per_epoch": steps // 10, "interval": "step"},
        "warmup": {"kind": "linear", "length": steps // 50, "start_factor": 0.01},
        "decay": {"kind": "cosine", "eta_min": 6e-5},
    }


def child(mode: str, steps: int) -> dict:
    """One measurement, in this (fresh) process."""
    sys.path.insert(0, str(ROOT))
    from warmplan import load_plan, simulate

    started = time.perf_counter()
    trace = simulate(load_plan(plan_data(steps)))
    simulated = time.perf_counter()
    result = {"simulate_s": simulated - started}
    if mode == "plot":
        from warmplan.render.image_file import save_figure
        from warmplan.render.plot import plot_traces

        with tempfile.TemporaryDirectory() as folder:
            drawn = time.perf_counter()
            figure = plot_traces([trace])
            save_figure(figure, Path(folder) / "bench.png")
            result["plot_s"] = time.perf_counter() - drawn
        result["points_drawn"] = len(figure.axes[0].get_lines()[0].get_xdata())
    result["total_s"] = time.perf_counter() - started
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def measure(mode: str, steps: int, repeat: int = 2) -> dict:
    """The fastest of ``repeat`` fresh runs (a shared machine adds noise, never speed)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    runs = []
    for _ in range(repeat):
        done = subprocess.run(
            [sys.executable, __file__, "--child", mode, str(steps)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        runs.append(json.loads(done.stdout))
    return min(runs, key=lambda run: run["total_s"])


def main() -> None:
    steps = 1_000_000
    alone = measure("simulate", steps)
    plotted = measure("plot", steps)
    small = measure("plot", 10_000)
    print(f"{steps:,}-step per-step warm-up + cosine plan (each run in a fresh process)")
    print(
        f"  simulate alone      {alone['total_s']:7.2f} s   peak RSS {alone['peak_rss_mb']:6.0f} MB"
    )
    print(
        f"  simulate + plot PNG {plotted['total_s']:7.2f} s   peak RSS "
        f"{plotted['peak_rss_mb']:6.0f} MB   (simulate {plotted['simulate_s']:.2f} s + plot "
        f"{plotted['plot_s']:.2f} s; {plotted['points_drawn']:,} points drawn)"
    )
    print(
        f"  ratio: time x{plotted['total_s'] / plotted['simulate_s']:.2f} of simulating "
        f"(within the plot run, immune to noise between runs), "
        f"peak memory x{plotted['peak_rss_mb'] / alone['peak_rss_mb']:.2f}"
    )
    print(
        f"  the plot part alone: {plotted['plot_s']:.2f} s at {steps:,} steps vs "
        f"{small['plot_s']:.2f} s at 10,000 steps "
        f"(x{plotted['plot_s'] / small['plot_s']:.2f} for 100x the steps)"
    )


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        print(json.dumps(child(sys.argv[2], int(sys.argv[3]))))
    else:
        main()
