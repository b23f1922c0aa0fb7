"""DeepSpeed's schedulers (``deepspeed.runtime.lr_schedules``), with their JSON
``scheduler.params`` names: WarmupLR, WarmupDecayLR, WarmupCosineLR, OneCycle and
LRRangeTest (the LR only: OneCycle also cycles Adam's beta1, which is not simulated).

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
    "warmup_num_steps": Arg("int", 1000, length=True),
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


def one_cycle(
    t: int,
    *,
    target: float,
    cycle_min_lr: float,
    cycle_max_lr: float,
    decay_lr_rate: float,
    cycle_first_step_size: float,
    cycle_second_step_size: float | None,
    cycle_first_stair_count: int,
    cycle_second_stair_count: int | None,
    decay_step_size: float,
) -> float:
    """OneCycle: ``_get_cycle_lr`` over the cycle, then ``_get_decay_lr`` (0.19.8)."""
    iteration = t - 1
    first = float(cycle_first_step_size)
    second = first if cycle_second_step_size is None else float(cycle_second_step_size)
    total_size = first + second
    if iteration >= total_size:
        if math.isclose(decay_step_size, 0) or math.isclose(decay_lr_rate, 0):
            return cycle_min_lr / target
        decay_interval = (iteration - total_size + 1) / decay_step_size
        return cycle_min_lr / (1 + decay_lr_rate * decay_interval) / target
    step_ratio = first / total_size
    batch_iteration = iteration + 1
    cycle = math.floor(1 + batch_iteration / total_size)
    x = 1.0 + batch_iteration / total_size - cycle
    if x <= step_ratio:
        scale, stairs = x / step_ratio, cycle_first_stair_count
    else:
        scale = (x - 1) / (step_ratio - 1)
        stairs = (
            cycle_first_stair_count
            if cycle_second_stair_count is None
            else cycle_second_stair_count
        )
    if stairs > 0:
        in_cycle = batch_iteration % total_size
        if in_cycle <= first:
            position = in_cycle * stairs / first
        else:
            position = (total_size - in_cycle) * stairs / second
        scale = math.floor(position) / stairs
    return (cycle_min_lr + (cycle_max_lr - cycle_min_lr) * scale) / target


def lr_range_test(
    t: int,
    *,
    target: float,
    lr_range_test_min_lr: float,
    lr_range_test_step_size: int,
    lr_range_test_step_rate: float,
    lr_range_test_staircase: bool,
) -> float:
    """LRRangeTest: min_lr x (1 + rate x interval), the interval continuous or stepped."""
    interval = float(t) / lr_range_test_step_size
    if lr_range_test_staircase:
        interval = math.floor(interval)
    return lr_range_test_min_lr * (1 + lr_range_test_step_rate * interval) / target


def _cycle_sizes(args: dict[str, Any], lr: float) -> dict[str, Any]:
    if not args["cycle_first_step_size"] > 0:
        raise PresetArgumentError(
            "cycle_first_step_size",
            f"cycle_first_step_size must be positive, got {args['cycle_first_step_size']}",
        )
    return {}


def _range_step(args: dict[str, Any], lr: float) -> dict[str, Any]:
    if args["lr_range_test_step_size"] <= 0:
        raise PresetArgumentError(
            "lr_range_test_step_size",
            "lr_range_test_step_size must be a positive integer, got "
            f"{args['lr_range_test_step_size']}",
        )
    return {}


def _cycle_phases(args: Any) -> list[tuple[str, int]]:
    first = args["cycle_first_step_size"]
    second = args["cycle_second_step_size"]
    second = first if second is None else second
    return [("decay", math.ceil(first) + 1), ("constant", math.ceil(first + second) + 1)]


def _range_phases(args: Any) -> list[tuple[str, int]]:
    return [("increase", 0)]  # a range test raises the LR all along: no warm-up phase


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
            "total_num_steps": Arg("int", length=True),
            "warmup_min_lr": Arg("float", 0.0),
            "warmup_max_lr": Arg("float", 0.001, nullable=True),  # None: each group's own
            **_WARMUP,
        },
        _phases,
        _positive_warmup,
    ),
    "WarmupCosineLR": Preset(
        warmup_cosine_lr,
        {
            "total_num_steps": Arg("int", length=True),
            "warmup_min_ratio": Arg("float", 0.0),
            "warmup_num_steps": Arg("int", 1000, length=True),
            "cos_min_ratio": Arg("float", 0.0001),
            "warmup_type": Arg("str", "log", ("log", "linear")),
        },
        _phases,
        _positive_warmup,
    ),
    "OneCycle": Preset(
        one_cycle,
        {
            "cycle_min_lr": Arg("float"),
            "cycle_max_lr": Arg("float"),
            "decay_lr_rate": Arg("float", 0.0),
            "cycle_first_step_size": Arg("float", 2000, length=True),
            "cycle_second_step_size": Arg("float", None, nullable=True, length=True),
            "cycle_first_stair_count": Arg("int", 0),
            "cycle_second_stair_count": Arg("int", None, nullable=True),
            "decay_step_size": Arg("float", 0, length=True),
            # the momentum cycle's arguments: accepted, not simulated (LRs only)
            "cycle_momentum": Arg("bool", True),
            "cycle_min_mom": Arg("float", 0.8),
            "cycle_max_mom": Arg("float", 0.9),
            "decay_mom_rate": Arg("float", 0.0),
        },
        _cycle_phases,
        _cycle_sizes,
        ("cycle_momentum", "cycle_min_mom", "cycle_max_mom", "decay_mom_rate"),
    ),
    "LRRangeTest": Preset(
        lr_range_test,
        {
            "lr_range_test_min_lr": Arg("float", 1e-3),
            "lr_range_test_step_size": Arg("int", 2000, length=True),
            "lr_range_test_step_rate": Arg("float", 1.0),
            "lr_range_test_staircase": Arg("bool", False),
        },
        _range_phases,
        _range_step,
    ),
}
