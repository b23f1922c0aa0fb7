"""Resume cases: a real training loop (nn.Linear + Adam) under a warmplan scheduler.

Imported by tests/test_resume.py for the uninterrupted runs and the checkpoints, and
run as a script in a NEW process to resume them: ``python resume_child.py manifest.json``
prints, as JSON, the LRs each resumed run sees (as float.hex, to compare bit for bit).
"""

from __future__ import annotations

import json
import math
import sys
from typing import Any

import torch
from torch import nn


def square_curve(progress: float, start: float) -> float:
    """A user's own warm-up curve: it is not pickled, the resumer supplies it again."""
    return start + (1.0 - start) * progress**2


def _model_and_optimizer(groups: int) -> tuple[nn.Module, torch.optim.Optimizer]:
    torch.manual_seed(0)
    model = nn.Sequential(*[nn.Linear(3, 3) for _ in range(groups)])
    params = [{"params": layer.parameters()} for layer in model]
    return model, torch.optim.Adam(params, lr=1e-3)


def build(case: dict[str, Any]) -> tuple[nn.Module, Any, Any]:
    """The model, optimizer and scheduler of a case, built fresh."""
    groups = len(case["plan"]["optimizer"].get("groups") or [None])
    model, optimizer = _model_and_optimizer(groups)
    if case.get("wrap"):  # WarmupWrapper around the user's own scheduler
        from warmplan import WarmupWrapper

        inner = torch.optim.lr_scheduler.StepLR(optimizer, step_size=3, gamma=0.5)
        curve = square_curve if case["wrap"] == "custom" else case["wrap"]
        scheduler = WarmupWrapper(optimizer, inner, 4, start_factor=0.1, curve=curve)
    else:
        from warmplan import build_scheduler, load_plan

        scheduler = build_scheduler(optimizer, load_plan(case["plan"]))
    return model, optimizer, scheduler


def train(model: nn.Module, optimizer: Any, scheduler: Any, steps: int) -> list[list[str]]:
    """``steps`` intervals of training; the LRs of every group before each step."""
    seen = []
    data = torch.linspace(-1.0, 1.0, 3)
    for _ in range(steps):
        seen.append([group["lr"].hex() for group in optimizer.param_groups])
        optimizer.zero_grad()
        model(data).square().sum().backward()
        optimizer.step()
        scheduler.step()
    return seen


def resume(case: dict[str, Any], checkpoint: str) -> list[list[str]]:
    """Build fresh, load the optimizer's then the scheduler's state, train on."""
    model, optimizer, scheduler = build(case)
    state = torch.load(checkpoint)  # torch's default: weights_only=True
    model.load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])
    scheduler.load_state_dict(state["scheduler"])
    return train(model, optimizer, scheduler, case["total"] - state["k"])


def main(manifest: str) -> None:
    with open(manifest) as handle:
        runs = json.load(handle)
    results = [resume(run["case"], run["checkpoint"]) for run in runs]
    assert all(math.isfinite(float.fromhex(v)) for r in results for row in r for v in row)
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1])
