"""Peak Python-heap memory (tracemalloc) of each path over one long trace.

The trace is simulated once, untraced; then each consumer (layout, table, JSON and CSV
export, check, plot) runs under tracemalloc and reports its own peak. numpy reports its
buffers to tracemalloc, so the LR array itself counts where it is allocated.

    python bench/memory.py [--intervals N] [--only NAME ...]     # from the repo root

The plan is a step decay with step_size 1: one asked-for boundary per interval, the
worst case for anything that keeps per-boundary or per-row Python objects.
"""

from __future__ import annotations

import argparse
import io
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from warmplan import load_plan, simulate  # noqa: E402


def step_plan(intervals: int) -> dict:
    return {
        "optimizer": {"lr": 1e-3},
        "training": {"steps": intervals},
        "warmup": {"length": 10},
        "decay": {"kind": "step", "step_size": 1, "gamma": 0.999999},
    }


def preset_plan(intervals: int) -> dict:
    return {
        "optimizer": {"lr": 1e-3},
        "training": {"steps": intervals},
        "preset": {
            "framework": "transformers",
            "name": "cosine",
            "args": {"num_warmup_steps": 100, "num_training_steps": intervals},
        },
    }


def measure(name: str, work: Callable[[], object]) -> None:
    tracemalloc.start()
    started = time.perf_counter()
    work()
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"{name:<22} peak {peak / 2**20:9.1f} MiB   {elapsed:6.1f} s", flush=True)


def drain(chunks) -> None:
    for _ in chunks:
        pass


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--intervals", type=int, default=1_000_000)
    parser.add_argument("--only", nargs="*")
    args = parser.parse_args()
    n = args.intervals
    plan = load_plan(step_plan(n))
    trace = simulate(plan, max_steps=max(n, 10_000_000))
    print(f"{n:,} intervals; the LR array itself: {trace.lr.nbytes / 2**20:.1f} MiB")

    def layout():
        from warmplan.schedule.build import layout

        return layout(plan)

    def table(all_rows: bool):
        import os

        from rich.console import Console

        from warmplan.render.grid import each_renderable
        from warmplan.render.table import render_show

        def work():
            with open(os.devnull, "w") as sink:  # the text itself is not what is measured
                console = Console(file=sink, width=120)
                for part in each_renderable(render_show(trace, "step", 200, all_rows)):
                    console.print(part, crop=False)

        return work

    def export(kind):
        from warmplan.render.export import EXPORTERS

        return lambda: drain(EXPORTERS[kind](trace))

    def check():
        from warmplan.lint.runner import check_plan

        return check_plan(plan, trace)

    def plot():
        from warmplan.render.plot import plot_traces

        figure = plot_traces([trace])
        figure.savefig(io.BytesIO(), format="png")

    def simulate_step():
        simulate(plan, max_steps=max(n, 10_000_000))

    def simulate_preset():
        simulate(load_plan(preset_plan(n)), max_steps=max(n, 10_000_000))

    paths = {
        "layout": layout,
        "show table": table(all_rows=False),
        "show table --all": table(all_rows=True),
        "export json": export("json"),
        "export csv": export("csv"),
        "check": check,
        "plot": plot,
        "simulate step decay": simulate_step,
        "simulate preset": simulate_preset,
    }
    for name, work in paths.items():
        if not args.only or name.split()[0] in args.only or name in args.only:
            measure(name, work)


if __name__ == "__main__":
    main()
