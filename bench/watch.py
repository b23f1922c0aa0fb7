"""The cost of warmplan.watch per optimizer update, against the same loop without it.

A real torch optimizer (SGD over one tiny parameter, so the step itself is as cheap as
torch allows and the watch's share is as visible as it can be) steps N times with a
real scheduler, alternately with and without a watch; the medians' difference divided
by N is the overhead per update. Also the memory the watch holds for a 10M-update plan.

    .venv/bin/python bench/watch.py [--updates N] [--rounds R]
"""

from __future__ import annotations

import argparse
import statistics
import time
import tracemalloc

import torch

import warmplan


def _loop(updates: int, watched: bool) -> float:
    parameter = torch.nn.Parameter(torch.zeros(1))
    parameter.grad = torch.zeros(1)
    optimizer = torch.optim.SGD([parameter], lr=1e-3)
    scheduler = torch.optim.lr_scheduler.LinearLR(optimizer, 1.0, 1.0, total_iters=updates)
    plan = {
        "optimizer": {"kind": "sgd", "lr": 1e-3},
        "training": {"steps": updates, "interval": "step"},
    }
    handle = warmplan.watch(optimizer, plan) if watched else None
    started = time.perf_counter()
    for _ in range(updates):
        optimizer.step()
        scheduler.step()
    elapsed = time.perf_counter() - started
    if handle is not None:
        assert handle.checked == updates and not handle.divergences
        handle.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    options = parser.parse_args()
    plain, watched = [], []
    for _ in range(options.rounds):
        plain.append(_loop(options.updates, False))
        watched.append(_loop(options.updates, True))
    base, with_watch = statistics.median(plain), statistics.median(watched)
    per_update = (with_watch - base) / options.updates * 1e6
    print(f"{options.updates:,} updates, {options.rounds} rounds (medians)")
    print(f"  without the watch: {base / options.updates * 1e6:.2f} us per update")
    print(f"  with the watch:    {with_watch / options.updates * 1e6:.2f} us per update")
    print(f"  overhead:          {per_update:.2f} us per update (target: at most 2)")

    plan = {"optimizer": {"lr": 1e-3}, "training": {"steps": 10_000_000, "interval": "step"}}
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1e-3)
    tracemalloc.start()
    handle = warmplan.watch(optimizer, plan)
    held = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    handle.close()
    print(f"  a 10M-update plan: the watch holds {held / 2**20:.0f} MiB (8 bytes an update)")


if __name__ == "__main__":
    main()
