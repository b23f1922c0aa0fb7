"""Composer's schedulers that llm-foundry's registry gives no name (mosaicml 0.32.1,
``composer/optim/scheduler.py``), for a Trainer built in Python: each preset is named
by its class. Their times are whole units (batches, samples or tokens a step:
``units_per_step``) before the Trainer's ``scale_schedule_ratio``, which scales every
one of them (``int(time x ratio)``) except a warm-up's end.

The warm-up schedulers (MultiStepWithWarmupScheduler, PolynomialWithWarmupScheduler)
ramp as the llm-foundry ones (:mod:`warmplan.presets.composer`): 0 -> 1 while the
timestamp is below the unscaled ``t_warmup``, over ``int(t_warmup x ratio)`` with
``scale_warmup``.
"""

from __future__ import annotations

import math
from typing import Any

from warmplan.presets import Arg, Preset, PresetArgumentError


def scaled(value: int, ratio: float) -> int:
    """A time under the Trainer's scale_schedule_ratio, as _convert_time truncates it."""
    return int(value * ratio)


def timestamp(t: int, per: int) -> int:
    """The timestamp whose factor update ``t`` trains at, in batches, samples or tokens
    (``per`` an update): the Trainer steps its schedulers after each batch but *before*
    it advances the timestamp, so batch ``t >= 1`` gets the LR of ``t - 1`` batches and
    batches 0 and 1 share the first (mosaicml 0.32.1, trainer.py ``_train_loop``)."""
    return max(t - 1, 0) * per


def first_update_at(time: int, per: int) -> int:
    """The first update whose timestamp (above) is at least ``time``."""
    return 0 if time <= 0 else math.ceil(time / per) + 1


def ramp(current: int, t_warmup: int, peak: float, ratio: float, scale_warmup: bool) -> float:
    """LinearScheduler(alpha_i=0, alpha_f=peak, t_max=t_warmup), ratio-scaled or not."""
    length = scaled(t_warmup, ratio) if scale_warmup else t_warmup
    return 0.0 + min(1.0, current / length) * (peak - 0.0)


def _cosine(x: float, low: float) -> float:
    x = min(max(x, 0.0), 1.0)
    return low + (1.0 - low) * (1 + math.cos(x * math.pi)) / 2


def step_factor(t: int, *, target: float, step_size: int, gamma: float, u: int, r: float) -> float:
    return gamma ** int(timestamp(t, u) / scaled(step_size, r))


def multistep_factor(
    t: int, *, target: float, milestones: list[int], gamma: float, u: int, r: float
) -> float:
    factor = 1.0
    for milestone in milestones:
        if timestamp(t, u) >= scaled(milestone, r):
            factor *= gamma
    return factor


def constant_factor(t: int, *, target: float, alpha: float, t_max: int, u: int, r: float) -> float:
    return alpha if timestamp(t, u) < scaled(t_max, r) else 1.0


def linear_factor(
    t: int, *, target: float, alpha_i: float, alpha_f: float, t_max: int, u: int, r: float
) -> float:
    fraction = min(1.0, timestamp(t, u) / scaled(t_max, r))
    return alpha_i + fraction * (alpha_f - alpha_i)


def exponential_factor(
    t: int, *, target: float, gamma: float, decay_period: int, u: int, r: float
) -> float:
    return gamma ** float(timestamp(t, u) / scaled(decay_period, r))


def cosine_factor(t: int, *, target: float, t_max: int, alpha_f: float, u: int, r: float) -> float:
    return _cosine(timestamp(t, u) / scaled(t_max, r), alpha_f)


def restarts_factor(
    t: int, *, target: float, t_0: int, t_mult: float, alpha_f: float, u: int, r: float
) -> float:
    """Cycles of ``t_0``, each ``int(t_mult x`` the last ``)`` long."""
    current, length = timestamp(t, u), scaled(t_0, r)
    if t_mult == 1.0:  # equal cycles: Composer's loop, in closed form
        return _cosine((current - current // length * length) / length, alpha_f)
    end = length
    while end <= current:
        grown = int(t_mult * length)
        if grown == length:  # the cycles stopped growing: the rest in closed form
            end += ((current - end) // length + 1) * length
            break
        length = grown
        end += length
    return _cosine((current - (end - length)) / length, alpha_f)


def polynomial_factor(
    t: int, *, target: float, power: float, t_max: int, alpha_f: float, u: int, r: float
) -> float:
    fraction = min(1.0, timestamp(t, u) / scaled(t_max, r))
    return alpha_f + (1 - fraction) ** power * (1.0 - alpha_f)


def multistep_warmup_factor(
    t: int,
    *,
    target: float,
    t_warmup: int,
    milestones: list[int],
    gamma: float,
    scale_warmup: bool,
    u: int,
    r: float,
) -> float:
    if timestamp(t, u) < t_warmup:
        return ramp(timestamp(t, u), t_warmup, 1.0, r, scale_warmup)
    return multistep_factor(t, target=target, milestones=milestones, gamma=gamma, u=u, r=r)


def polynomial_warmup_factor(
    t: int,
    *,
    target: float,
    t_warmup: int,
    power: float,
    t_max: int,
    alpha_f: float,
    scale_warmup: bool,
    u: int,
    r: float,
) -> float:
    current = timestamp(t, u)
    if current < t_warmup:
        return ramp(current, t_warmup, 1.0, r, scale_warmup)
    end = scaled(t_max, r)
    fraction = min(1.0, (current - t_warmup) / (end - t_warmup) if end > t_warmup else 0.0)
    return alpha_f + (1 - fraction) ** power * (1.0 - alpha_f)


#: the time each class divides by (a time that scales to 0 is Composer's ZeroDivisionError)
_DIVISORS = {
    "StepScheduler": "step_size",
    "LinearScheduler": "t_max",
    "ExponentialScheduler": "decay_period",
    "CosineAnnealingScheduler": "t_max",
    "CosineAnnealingWarmRestartsScheduler": "t_0",
    "PolynomialScheduler": "t_max",
}


def _derive(name: str) -> Any:
    def derive(args: dict[str, Any], lr: float) -> dict[str, Any]:
        ratio = args["scale_schedule_ratio"]
        if not ratio > 0:
            raise PresetArgumentError("scale_schedule_ratio", f"must be > 0, got {ratio!r}")
        key = _DIVISORS.get(name)
        if key is not None and scaled(args[key], ratio) < 1:
            raise PresetArgumentError(
                key, f"{args[key]} x scale_schedule_ratio {ratio} is 0: Composer divides by it"
            )
        warmup = args.get("t_warmup", 0)
        if args.get("scale_warmup") and warmup > 0 and scaled(warmup, ratio) == 0:
            raise PresetArgumentError(
                "scale_warmup", f"t_warmup {warmup} x scale_schedule_ratio {ratio} is 0"
            )
        return {"u": args["units_per_step"], "r": ratio}

    return derive


def _warmup_phases(args: Any) -> list[tuple[str, int]]:
    return [("decay", first_update_at(args["t_warmup"], args["units_per_step"]))]


def _no_warmup(args: Any) -> list[tuple[str, int]]:
    return [("decay", 0)]


_COMMON = {"units_per_step": Arg("int", 1, minimum=1), "scale_schedule_ratio": Arg("float", 1.0)}
_HIDDEN = ("units_per_step", "scale_schedule_ratio")
_CLASSES: dict[str, tuple[Any, dict[str, Arg]]] = {
    "StepScheduler": (step_factor, {"step_size": Arg("int"), "gamma": Arg("float", 0.1)}),
    "MultiStepScheduler": (
        multistep_factor,
        {"milestones": Arg("ints"), "gamma": Arg("float", 0.1)},
    ),
    "ConstantScheduler": (constant_factor, {"alpha": Arg("float", 1.0), "t_max": Arg("int")}),
    "LinearScheduler": (
        linear_factor,
        {"alpha_i": Arg("float", 1.0), "alpha_f": Arg("float", 0.0), "t_max": Arg("int")},
    ),
    "ExponentialScheduler": (
        exponential_factor,
        {"gamma": Arg("float"), "decay_period": Arg("int")},
    ),
    "CosineAnnealingScheduler": (
        cosine_factor,
        {"t_max": Arg("int"), "alpha_f": Arg("float", 0.0)},
    ),
    # t_mult below 1 shrinks the cycles to 0, where Composer raises ValueError mid-run
    "CosineAnnealingWarmRestartsScheduler": (
        restarts_factor,
        {"t_0": Arg("int"), "t_mult": Arg("float", 1.0, minimum=1), "alpha_f": Arg("float", 0.0)},
    ),
    "PolynomialScheduler": (
        polynomial_factor,
        {"power": Arg("float"), "t_max": Arg("int"), "alpha_f": Arg("float", 0.0)},
    ),
    "MultiStepWithWarmupScheduler": (
        multistep_warmup_factor,
        {
            "t_warmup": Arg("int"),
            "milestones": Arg("ints"),
            "gamma": Arg("float", 0.1),
            "scale_warmup": Arg("bool", False),
        },
    ),
    "PolynomialWithWarmupScheduler": (
        polynomial_warmup_factor,
        {
            "t_warmup": Arg("int"),
            "power": Arg("float", 2.0),
            "t_max": Arg("int"),
            "alpha_f": Arg("float", 0.0),
            "scale_warmup": Arg("bool", False),
        },
    ),
}
PRESETS: dict[str, Preset] = {
    name: Preset(
        factor,
        {**args, **_COMMON},
        _warmup_phases if "t_warmup" in args else _no_warmup,
        _derive(name),
        hidden=_HIDDEN,
    )
    for name, (factor, args) in _CLASSES.items()
}
