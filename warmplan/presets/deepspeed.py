"""DeepSpeed's schedulers (``deepspeed.runtime.lr_schedules``), with their JSON
``scheduler.params`` names: WarmupLR, WarmupDecayLR, WarmupCosineLR.

DeepSpeed's constructor sets the LR of the first update from
``last_batch_iteration = -1`` (WarmupLR: ``warmup_min_lr``; WarmupCosineLR: 0), and the
engine calls ``scheduler.step()`` after every update, so step ``t`` uses the value at
iteration ``t - 1``: the warm-up reaches its peak at step ``warmup_num_steps + 1``.
``warmup_min_lr`` / ``warmup_max_lr`` are absolute LRs, the same for every group
(WarmupLR without ``warmup_max_lr`` takes each group's own LR).
"""

from __future__ import annotations

import math
from typing import Any

from warmplan.presets import Arg, Preset, PresetArgumentError

_WARMUP = {
    "warmup_num_steps": Arg("int", 1000),
    "warmup_type": Arg("str", "log", ("log", "linear")),
}


def _gamma(iteration: int, warmup_num_steps: int, warmup_type: str) -> float:
    """The warm-up's fraction of the way at ``iteration`` (< warmup_num_steps)."""
    if warmup_type == "log":
        return 1.0 / math.log(warmup_num_steps) * math.log(iteration + 1)
    return iteration / warmup_num_steps


def warmup_lr(
    t: int,
    *,
    target: float,
    warmup_min_lr: float,
    warmup_max_lr: float | None,
    warmup_num_steps: int,
    warmup_type: str,
    total_num_steps: int | None = None,
) -> float:
    """WarmupLR, and WarmupDecayLR when ``total_num_steps`` is given."""
    iteration = t - 1
    peak = target if warmup_max_lr is None else warmup_max_lr
    warmup = max(2, warmup_num_steps)
    if iteration < 0:
        return warmup_min_lr / target
    if iteration < warmup:
        gamma = _gamma(iteration, warmup, warmup_type)
    elif total_num_steps is None:
        gamma = 1.0
    else:
        left = float(total_num_steps - iteration)
        gamma = max(0.0, left / float(max(1.0, total_num_steps - warmup)))
    return (warmup_min_lr + (peak - warmup_min_lr) * gamma) / target


def warmup_cosine_lr(
    t: int,
    *,
    target: float,
    total_num_steps: int,
    warmup_min_ratio: float,
    warmup_num_steps: int,
    cos_min_ratio: float,
    warmup_type: str,
) -> float:
    iteration = t - 1
    warmup = max(2, warmup_num_steps)
    if iteration < 0:
        return 0.0
    if iteration < warmup:
        ratio = _gamma(iteration, warmup, warmup_type)
        return warmup_min_ratio + ratio * (1.0 - warmup_min_ratio)
    real_last_step = iteration - warmup + 1
    real_total_steps = max(1, total_num_steps - warmup)
    progress = min(1.0, real_last_step / real_total_steps)
    ratio = (1 + math.cos(math.pi * progress)) / 2
    return max(0.0, cos_min_ratio + (1.0 - cos_min_ratio) * ratio)


def _positive_warmup(args: dict[str, Any], lr: float) -> dict[str, Any]:
    if args["warmup_num_steps"] <= 0:
        raise PresetArgumentError(
            "warmup_num_steps", f"warmup_num_steps must be above 0, got {args['warmup_num_steps']}"
        )
    return {}


def _phases(args: Any) -> list[tuple[str, int]]:
    after = "decay" if "total_num_steps" in args else "constant"
    return [(after, max(2, args["warmup_num_steps"]) + 1)]


PRESETS: dict[str, Preset] = {
    "WarmupLR": Preset(
        warmup_lr,
        {
            "warmup_min_lr": Arg("float", 0.0),
            "warmup_max_lr": Arg("float", None, nullable=True),
            **_WARMUP,
        },
        _phases,
        _positive_warmup,
    ),
    "WarmupDecayLR": Preset(
        warmup_lr,
        {
            "total_num_steps": Arg("int"),
            "warmup_min_lr": Arg("float", 0.0),
            "warmup_max_lr": Arg("float", 0.001),
            **_WARMUP,
        },
        _phases,
        _positive_warmup,
    ),
    "WarmupCosineLR": Preset(
        warmup_cosine_lr,
        {
            "total_num_steps": Arg("int"),
            "warmup_min_ratio": Arg("float", 0.0),
            "warmup_num_steps": Arg("int", 1000),
            "cos_min_ratio": Arg("float", 0.0001),
            "warmup_type": Arg("str", "log", ("log", "linear")),
        },
        _phases,
        _positive_warmup,
    ),
}
