"""One process of a real 2-process accelerate run (started with torch.distributed.run's
environment, gloo on 127.0.0.1), watched by warmplan; used by tests/test_watch.py.

Two loops over the same plan (60 updates: a 10-update linear warm-up from 0.1x, then a
cosine to 1e-5): accelerate's default, whose prepared scheduler steps the wrapped one
once per process at each update, and ``step_scheduler_with_optimizer=False``, where the
loop's ``scheduler.step()`` steps it once. Writes, per process, ``RESULTS/rank-N.json``:
what each watch caught (``kind``, ``update``, ``factor``) and how many updates it checked.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import torch
from accelerate import Accelerator
from torch.optim.lr_scheduler import CosineAnnealingLR, LinearLR, SequentialLR

import warmplan

UPDATES, WARMUP = 60, 10
PLAN = {
    "optimizer": {"kind": "adamw", "lr": 1e-3},
    "training": {"steps": UPDATES, "interval": "step"},
    "warmup": {"kind": "linear", "length": WARMUP, "start_factor": 0.1},
    "decay": {"kind": "cosine", "eta_min": 1e-5},
}


def run(step_with_optimizer: bool) -> dict[str, object]:
    accelerator = Accelerator(cpu=True, step_scheduler_with_optimizer=step_with_optimizer)
    torch.manual_seed(0)
    model = torch.nn.Linear(4, 1)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    warm = LinearLR(optimizer, start_factor=0.1, end_factor=1.0, total_iters=WARMUP)
    cosine = CosineAnnealingLR(optimizer, T_max=UPDATES - WARMUP, eta_min=1e-5)
    scheduler = SequentialLR(optimizer, [warm, cosine], milestones=[WARMUP])
    model, optimizer, scheduler = accelerator.prepare(model, optimizer, scheduler)
    watched = warmplan.watch(optimizer, PLAN, on_divergence="log")
    x = torch.linspace(-1, 1, 8).reshape(2, 4)
    for _ in range(UPDATES // 2):  # the doubled schedule runs out halfway
        accelerator.backward(model(x).pow(2).mean())
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad()
    watched.close()
    first = watched.divergences[0] if watched.divergences else None
    return {
        "checked": watched.checked,
        "kind": first.kind if first else None,
        "update": first.update if first else None,
        "factor": first.factor if first else None,
        "processes": accelerator.num_processes,
    }


if __name__ == "__main__":
    results = {"default": run(True), "step_scheduler_with_optimizer=False": run(False)}
    rank = Accelerator(cpu=True).process_index
    Path(sys.argv[1], f"rank-{rank}.json").write_text(json.dumps(results))
