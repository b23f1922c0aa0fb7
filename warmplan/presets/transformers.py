"""transformers' ``get_scheduler`` types that are functions of the step.

The factors follow ``transformers.optimization``'s arithmetic operation by operation
(its LambdaLR multiplies the group's LR by them, as ours does). Absolute arguments
(``lr_end``, ``min_lr``) are divided by ``optimizer.defaults["lr"]``, which is the
plan's ``optimizer.lr``. Checked against transformers 5.x by tests/test_presets.py.
"""

from __future__ import annotations

import math
from typing import Any

from warmplan.presets import Arg, Preset, PresetArgumentError

#: the Trainer's warm-up of a ratio: ``math.ceil(num_training_steps * ratio)``
#: (``TrainingArguments.get_warmup_steps``, transformers 5.24)
FRACTION_ROUNDING = "ceil"
WARMUP = Arg("int", length=True)
TRAINING = Arg("int", length=True)
SHAPES = ("linear", "cosine", "1-sqrt")


def _ramp(current_step: int, num_warmup_steps: int) -> float:
    return float(current_step) / float(max(1, num_warmup_steps))


def _progress(current_step: int, num_warmup_steps: int, num_training_steps: int) -> float:
    """How far the decay is, as transformers' cosine schedules compute it."""
    done = float(current_step - num_warmup_steps)
    return done / float(max(1, num_training_steps - num_warmup_steps))


def constant(current_step: int, *, target: float) -> float:
    return 1.0


def constant_with_warmup(current_step: int, *, target: float, num_warmup_steps: int) -> float:
    if current_step < num_warmup_steps:
        return float(current_step) / float(max(1.0, num_warmup_steps))
    return 1.0


def linear(
    current_step: int, *, target: float, num_warmup_steps: int, num_training_steps: int
) -> float:
    if current_step < num_warmup_steps:
        return _ramp(current_step, num_warmup_steps)
    left = float(num_training_steps - current_step)
    return max(0.0, left / float(max(1, num_training_steps - num_warmup_steps)))


def cosine(
    current_step: int,
    *,
    target: float,
    num_warmup_steps: int,
    num_training_steps: int,
    num_cycles: float,
    min_lr_rate: float = 0.0,
) -> float:
    if current_step < num_warmup_steps:
        return _ramp(current_step, num_warmup_steps)
    progress = _progress(current_step, num_warmup_steps, num_training_steps)
    factor = 0.5 * (1.0 + math.cos(math.pi * float(num_cycles) * 2.0 * progress))
    # transformers' cosine and cosine_with_min_lr share this function (rate 0 for cosine)
    return max(0.0, factor * (1 - min_lr_rate) + min_lr_rate)


def cosine_with_restarts(
    current_step: int,
    *,
    target: float,
    num_warmup_steps: int,
    num_training_steps: int,
    num_cycles: int,
) -> float:
    if current_step < num_warmup_steps:
        return _ramp(current_step, num_warmup_steps)
    progress = _progress(current_step, num_warmup_steps, num_training_steps)
    if progress >= 1.0:
        return 0.0
    return max(0.0, 0.5 * (1.0 + math.cos(math.pi * ((float(num_cycles) * progress) % 1.0))))


def polynomial(
    current_step: int,
    *,
    target: float,
    num_warmup_steps: int,
    num_training_steps: int,
    lr_end: float,
    power: float,
    lr_init: float,
) -> float:
    if current_step < num_warmup_steps:
        return _ramp(current_step, num_warmup_steps)
    if current_step > num_training_steps:
        return lr_end / lr_init
    pct_remaining = 1 - (current_step - num_warmup_steps) / (num_training_steps - num_warmup_steps)
    return ((lr_init - lr_end) * pct_remaining**power + lr_end) / lr_init


def _polynomial_derived(args: dict[str, Any], lr: float) -> dict[str, Any]:
    if not lr > args["lr_end"]:
        raise PresetArgumentError("lr_end", f"lr_end ({args['lr_end']}) must be below optimizer.lr")
    if args["num_training_steps"] <= args["num_warmup_steps"]:
        raise PresetArgumentError(
            "num_training_steps", "num_training_steps must be above num_warmup_steps"
        )
    return {"lr_init": lr}


def inverse_sqrt(
    current_step: int, *, target: float, num_warmup_steps: int, timescale: int | None
) -> float:
    if current_step < num_warmup_steps:
        return _ramp(current_step, num_warmup_steps)
    scale = timescale if timescale is not None else (num_warmup_steps or 10_000)
    shift = scale - num_warmup_steps
    return 1.0 / math.sqrt((current_step + shift) / scale)


def _min_lr_rate(args: dict[str, Any], lr: float) -> dict[str, Any]:
    if args["min_lr"] is not None and args["min_lr_rate"] is not None:
        raise PresetArgumentError("min_lr_rate", "give min_lr or min_lr_rate, not both")
    if args["min_lr"] is not None:
        return {"min_lr_rate": args["min_lr"] / lr}
    if args["min_lr_rate"] is None:
        raise PresetArgumentError(None, "needs min_lr or min_lr_rate")
    return {"min_lr_rate": args["min_lr_rate"]}


def cosine_warmup_min_lr(
    current_step: int,
    *,
    target: float,
    num_warmup_steps: int,
    num_training_steps: int,
    num_cycles: float,
    min_lr_rate: float,
    warmup_lr_rate: float | None,
) -> float:
    """transformers' cosine_warmup_with_min_lr: the warm-up reaches 1 on its last step."""
    step, warmup, total = float(current_step), float(num_warmup_steps), float(num_training_steps)
    if step < warmup:
        if warmup_lr_rate is None:
            return (step + 1.0) / max(1.0, warmup)
        rate = float(warmup_lr_rate)
        return rate + (1.0 - rate) * step / max(1, warmup - 1)
    progress = (step - warmup + 1.0) / max(1.0, total - warmup)
    factor = 0.5 * (1.0 + math.cos(math.pi * num_cycles * 2.0 * progress))
    return max(0.0, factor * (1 - min_lr_rate) + min_lr_rate)


def warmup_stable_decay(
    current_step: int,
    *,
    target: float,
    num_warmup_steps: int,
    num_stable_steps: int,
    num_decay_steps: int,
    warmup_type: str,
    decay_type: str,
    min_lr_ratio: float,
    num_cycles: float,
) -> float:
    if current_step < num_warmup_steps:
        progress = float(current_step) / float(max(1, num_warmup_steps))
        factor = {
            "linear": progress,
            "cosine": 0.5 * (1.0 - math.cos(math.pi * progress)),
            "1-sqrt": 1.0 - math.sqrt(1.0 - progress),
        }[warmup_type]
        return max(0.0, factor * (1.0 - min_lr_ratio) + min_lr_ratio)
    if current_step < num_warmup_steps + num_stable_steps:
        return 1.0
    if current_step < num_warmup_steps + num_stable_steps + num_decay_steps:
        progress = float(current_step - num_warmup_steps - num_stable_steps) / float(
            max(1, num_decay_steps)
        )
        if decay_type == "linear":
            factor = 1.0 - progress
        elif decay_type == "cosine":
            factor = 0.5 * (1.0 + math.cos(math.pi * float(num_cycles) * 2.0 * progress))
        else:
            factor = 1.0 - math.sqrt(progress)
        return max(0.0, factor * (1.0 - min_lr_ratio) + min_lr_ratio)
    return min_lr_ratio


def _stable_steps(args: dict[str, Any], lr: float) -> dict[str, Any]:
    stable = args["num_stable_steps"]
    if stable is None:
        if args["num_training_steps"] is None:
            raise PresetArgumentError(None, "needs num_training_steps or num_stable_steps")
        stable = args["num_training_steps"] - args["num_warmup_steps"] - args["num_decay_steps"]
    return {"num_stable_steps": stable}


def _decay_at_warmup(args: Any) -> list[tuple[str, int]]:
    return [("decay", args.get("num_warmup_steps", 0))]


def _wsd_phases(args: Any) -> list[tuple[str, int]]:
    stable = _stable_steps(dict(args), 1.0)["num_stable_steps"]
    start = args["num_warmup_steps"]
    return [("constant", start), ("decay", start + stable)]


def _constant_phases(args: Any) -> list[tuple[str, int]]:
    return [("constant", args.get("num_warmup_steps", 0))]


_COSINE_ARGS = {"num_warmup_steps": WARMUP, "num_training_steps": TRAINING}
_MIN_LR_ARGS = {
    **_COSINE_ARGS,
    "num_cycles": Arg("float", 0.5),
    "min_lr": Arg("float", None, nullable=True),
    "min_lr_rate": Arg("float", None, nullable=True),
}

PRESETS: dict[str, Preset] = {
    "linear": Preset(linear, _COSINE_ARGS, _decay_at_warmup),
    "cosine": Preset(cosine, {**_COSINE_ARGS, "num_cycles": Arg("float", 0.5)}, _decay_at_warmup),
    "cosine_with_restarts": Preset(
        cosine_with_restarts, {**_COSINE_ARGS, "num_cycles": Arg("int", 1)}, _decay_at_warmup
    ),
    "polynomial": Preset(
        polynomial,
        {**_COSINE_ARGS, "lr_end": Arg("float", 1e-7), "power": Arg("float", 1.0)},
        _decay_at_warmup,
        _polynomial_derived,
    ),
    "constant": Preset(constant, {}, _constant_phases),
    "constant_with_warmup": Preset(
        constant_with_warmup, {"num_warmup_steps": WARMUP}, _constant_phases
    ),
    "inverse_sqrt": Preset(
        inverse_sqrt,
        {"num_warmup_steps": WARMUP, "timescale": Arg("int", None, nullable=True, length=True)},
        _decay_at_warmup,
    ),
    "cosine_with_min_lr": Preset(cosine, _MIN_LR_ARGS, _decay_at_warmup, _min_lr_rate, ("min_lr",)),
    "cosine_warmup_with_min_lr": Preset(
        cosine_warmup_min_lr,
        {**_MIN_LR_ARGS, "warmup_lr_rate": Arg("float", None, nullable=True)},
        _decay_at_warmup,
        _min_lr_rate,
        ("min_lr",),
    ),
    "warmup_stable_decay": Preset(
        warmup_stable_decay,
        {
            "num_warmup_steps": WARMUP,
            "num_decay_steps": Arg("int", length=True),
            "num_training_steps": Arg("int", None, nullable=True, length=True),
            "num_stable_steps": Arg("int", None, nullable=True, length=True),
            "warmup_type": Arg("str", "linear", SHAPES),
            "decay_type": Arg("str", "cosine", SHAPES),
            "min_lr_ratio": Arg("float", 0.0),
            "num_cycles": Arg("float", 0.5),
        },
        _wsd_phases,
        _stable_steps,
        ("num_training_steps",),
    ),
}
