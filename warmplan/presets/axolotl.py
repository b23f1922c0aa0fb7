"""axolotl's own schedules (``axolotl.utils.schedulers``, 0.19.0), by the names its
reader in :mod:`warmplan.formats.axolotl` gives them.

``cosine_min_lr``, ``cosine_decay_constant`` and ``cosine_quadratic_warmup`` are the
LambdaLR functions of axolotl, operation by operation. ``rex`` is axolotl's RexLR (an
LRScheduler with a closed form), whose construction already steps once: update ``t``
uses its step ``t + 1``, so its warm-up peaks one update before transformers' would.
"""

from __future__ import annotations

import math
from typing import Any

from warmplan.presets import Arg, Preset, PresetArgumentError

#: axolotl's warm-up of a ratio: ``int(warmup_ratio * total_num_steps)`` (0.19.0)
FRACTION_ROUNDING = "floor"
_LENGTHS = {
    "num_warmup_steps": Arg("int", length=True),
    "num_training_steps": Arg("int", length=True),
}


def cosine_min_lr(
    current_step: int,
    *,
    target: float,
    num_warmup_steps: int,
    num_training_steps: int,
    min_lr_ratio: float,
) -> float:
    if current_step < num_warmup_steps:
        return float(current_step) / float(max(1, num_warmup_steps))
    progress = float(current_step - num_warmup_steps) / float(
        max(1, num_training_steps - num_warmup_steps)
    )
    scaling = 0.5 * (1.0 + math.cos(math.pi * progress))
    return (1 - min_lr_ratio) * scaling + min_lr_ratio


def cosine_decay_constant(
    current_step: int,
    *,
    target: float,
    num_warmup_steps: int,
    num_training_steps: int,
    constant_lr_ratio: float,
    min_lr_ratio: float,
    num_cycles: float,
) -> float:
    if current_step < num_warmup_steps:
        return float(current_step) / float(max(1, num_warmup_steps))
    num_constant_steps = int(num_training_steps * constant_lr_ratio)
    current_step = min(current_step, num_constant_steps)
    progress = float(current_step - num_warmup_steps) / float(
        max(1, num_constant_steps - num_warmup_steps)
    )
    cosine = 0.5 * (1.0 + math.cos(math.pi * float(num_cycles) * 2.0 * progress))
    return max(0, (1 - min_lr_ratio) * cosine) + min_lr_ratio


def cosine_quadratic_warmup(
    current_step: int,
    *,
    target: float,
    num_warmup_steps: int,
    num_training_steps: int,
    num_cycles: float,
) -> float:
    if current_step < num_warmup_steps:
        return (float(current_step) / float(max(1, num_warmup_steps))) ** 2
    progress = float(current_step - num_warmup_steps) / float(
        max(1, num_training_steps - num_warmup_steps)
    )
    return max(0.0, 0.5 * (1.0 + math.cos(math.pi * float(num_cycles) * 2.0 * progress)))


def rex(
    t: int,
    *,
    target: float,
    num_warmup_steps: int,
    num_training_steps: int,
    min_lr_ratio: float,
    max_lr: float,
) -> float:
    """RexLR's get_lr at its step ``t + 1``, divided by the group's LR."""
    step = t + 1
    if 1 <= step <= num_warmup_steps:
        return step / num_warmup_steps
    min_lr = max_lr * min_lr_ratio
    step_after = step - num_warmup_steps
    remaining = num_training_steps - num_warmup_steps
    if step_after >= remaining or step_after == -1 or remaining <= 0:
        return min_lr / target  # an absolute LR, the same for every group
    z = (remaining - step_after % remaining) / remaining
    return min_lr / max_lr + (1.0 - min_lr / max_lr) * (z / (0.1 + 0.9 * z))


def _ratios(args: dict[str, Any], lr: float) -> dict[str, Any]:
    for key in ("min_lr_ratio", "constant_lr_ratio"):
        if key in args and not 0 <= args[key] <= 1:
            raise PresetArgumentError(key, f"{key} must be between 0.0 and 1.0, got {args[key]}")
    return {}


def _rex_args(args: dict[str, Any], lr: float) -> dict[str, Any]:
    _ratios(args, lr)
    if args["num_warmup_steps"] > args["num_training_steps"]:
        raise PresetArgumentError(
            "num_warmup_steps",
            f"num_warmup_steps ({args['num_warmup_steps']}) must be at most num_training_steps "
            f"({args['num_training_steps']})",
        )
    return {"max_lr": lr}


def _decay_at_warmup(args: Any) -> list[tuple[str, int]]:
    return [("decay", args.get("num_warmup_steps", 0))]


def _rex_phases(args: Any) -> list[tuple[str, int]]:
    return [("decay", args.get("num_warmup_steps", 0))]


def _constant_phases(args: Any) -> list[tuple[str, int]]:
    constant = int(args["num_training_steps"] * args["constant_lr_ratio"])
    return [("decay", args["num_warmup_steps"]), ("constant", constant + 1)]


PRESETS: dict[str, Preset] = {
    "cosine_min_lr": Preset(
        cosine_min_lr,
        {**_LENGTHS, "min_lr_ratio": Arg("float", 0.0)},
        _decay_at_warmup,
        _ratios,
    ),
    "cosine_decay_constant": Preset(
        cosine_decay_constant,
        {
            **_LENGTHS,
            "constant_lr_ratio": Arg("float"),
            "min_lr_ratio": Arg("float"),
            "num_cycles": Arg("float", 0.5),
        },
        _constant_phases,
        _ratios,
    ),
    "cosine_quadratic_warmup": Preset(
        cosine_quadratic_warmup,
        {**_LENGTHS, "num_cycles": Arg("float", 0.5)},
        _decay_at_warmup,
    ),
    "rex": Preset(rex, {**_LENGTHS, "min_lr_ratio": Arg("float", 0.0)}, _rex_phases, _rex_args),
}
