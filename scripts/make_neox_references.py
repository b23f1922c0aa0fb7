"""Reference LRs of GPT-NeoX configs, from GPT-NeoX's documented scheduler arithmetic.

GPT-NeoX is not on PyPI and its package needs DeepSpeed and a GPU build, so this script
re-types, line for line, the two pieces that set the LR, from
EleutherAI/gpt-neox@ea7aefd8f8e183256992d9fede4d7c71a46d67a5:

- ``megatron/learning_rates.py``: ``AnnealingLR`` (``get_lr``, ``step``), below as
  :class:`AnnealingLR`;
- ``megatron/training.py``: ``get_learning_rate_scheduler`` (the decay iterations from
  ``lr_decay_iters`` / ``lr_decay_fraction`` / ``train_iters``, ``warmup`` x those);
- ``megatron/neox_arguments``: the defaults (``lr_decay_style`` linear, ``warmup`` 0.01,
  ``min_lr`` 0) and the reading of its YAML (``yaml.load``, ``-`` in keys read as ``_``,
  ``lr`` from ``optimizer.params.lr``).

It drives :class:`AnnealingLR` as DeepSpeed's engine does (``optimizer.step()``, then
``lr_scheduler.step()``) over a torch SGD with one dummy parameter, recording each
update's LR with a step pre-hook. This is the documented formula, not the library:
tests/data/formats/README.md says so. Run with any Python that has torch and PyYAML::

    /work/venv-megatron/bin/python scripts/make_neox_references.py
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "data" / "formats"
CONFIGS = OUT / "configs" / "neox"
COMMIT = "EleutherAI/gpt-neox@ea7aefd8f8e183256992d9fede4d7c71a46d67a5"


class AnnealingLR:
    """megatron/learning_rates.py at that commit (checkpoint and muP parts left out)."""

    def __init__(
        self, optimizer, start_lr, warmup_iter, total_iters, decay_style, last_iter, min_lr=0.0
    ):
        self.optimizer = optimizer
        self.start_lr = start_lr
        self.min_lr = min_lr
        self.warmup_iter = warmup_iter
        self.num_iters = last_iter
        self.end_iter = total_iters
        assert self.end_iter > 0
        self.decay_style = decay_style
        self.step(self.num_iters)

    def get_lr(self):
        num_iters_ = self.num_iters
        if self.warmup_iter > 0 and self.num_iters <= self.warmup_iter:
            return float(self.start_lr) * max(1, num_iters_) / self.warmup_iter
        num_iters_ = num_iters_ - self.warmup_iter
        if self.decay_style == "linear":
            end_iter_ = self.end_iter - self.warmup_iter
            lr = self.start_lr * (end_iter_ - num_iters_) / end_iter_
        elif self.decay_style == "cosine":
            end_iter_ = self.end_iter - self.warmup_iter
            lr = self.min_lr + (
                (self.start_lr - self.min_lr)
                / 2.0
                * (math.cos(math.pi * num_iters_ / end_iter_) + 1)
            )
        elif self.decay_style == "exponential":
            end_iter = self.end_iter - self.warmup_iter
            lr = self.start_lr * math.exp(-0.693 * num_iters_ / end_iter)
        else:
            lr = self.start_lr
        return max(lr, self.min_lr)

    def step(self, step_num=None):
        if step_num is None:
            step_num = self.num_iters + 1
        self.num_iters = step_num
        new_lr = self.get_lr()
        for group in self.optimizer.param_groups:
            group["lr"] = new_lr


def neox_args(path: Path) -> dict:
    import yaml

    raw = yaml.load(path.read_text(), Loader=yaml.FullLoader)
    args = {
        "lr_decay_style": "linear",
        "lr_decay_iters": None,
        "lr_decay_fraction": None,
        "min_lr": 0.0,
        "warmup": 0.01,
        "lr": None,
    }
    args.update({key.replace("-", "_"): value for key, value in raw.items()})
    if args["lr"] is None:
        args["lr"] = args["optimizer"]["params"]["lr"]
    return args


def run(path: Path) -> dict:
    import torch

    args = neox_args(path)
    # get_learning_rate_scheduler
    if args["lr_decay_iters"] is not None:
        num_iters = args["lr_decay_iters"]
    elif args["lr_decay_fraction"] is not None:
        num_iters = math.floor(args["train_iters"] * args["lr_decay_fraction"])
    else:
        num_iters = args["train_iters"]
    num_iters = max(1, num_iters)
    warmup_iter = args["warmup"] * num_iters
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=args["lr"])
    scheduler = AnnealingLR(
        optimizer, args["lr"], warmup_iter, num_iters, args["lr_decay_style"], 0, args["min_lr"]
    )
    lrs: list[list[float]] = []
    optimizer.register_step_pre_hook(
        lambda opt, a, k: lrs.append([float(g["lr"]) for g in opt.param_groups])
    )
    for _ in range(args["train_iters"]):
        optimizer.step()
        scheduler.step()
    return {
        "name": path.stem,
        "config": str(path.relative_to(OUT)),
        "derived": {
            "total_iters": num_iters,
            "warmup_iter": warmup_iter,
            "style": args["lr_decay_style"],
        },
        "updates": len(lrs),
        "lrs": lrs,
    }


def main() -> None:
    cases = [run(path) for path in sorted(CONFIGS.glob("*.yml"))]
    for case in cases:
        print(case["name"], case["updates"], file=sys.stderr)
    data = {
        "source": COMMIT,
        "kind": "documented formula, re-typed (not the library)",
        "cases": cases,
    }
    (OUT / "neox.json").write_text(json.dumps(data) + "\n")


if __name__ == "__main__":
    main()
