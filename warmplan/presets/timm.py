"""timm's schedulers (``timm.scheduler``): cosine, tanh, poly, step and multistep.

timm sets the LR of step ``t`` with ``scheduler.step(t)`` (``t_in_epochs: true``, the
default: the training loop calls it after each epoch with the next epoch) or
``step_update(t)`` (after each update). Before the first call the LR is what the
constructor set: ``warmup_lr_init`` with a warm-up, else the group's LR. Noise is off.
``warmup_lr_init`` and ``lr_min`` are absolute LRs, the same for every group.
"""

from __future__ import annotations

import bisect
import math
from typing import Any

from warmplan.presets import Arg, Preset, PresetArgumentError

_COMMON = {
    "warmup_t": Arg("int", 0, length=True),
    "warmup_lr_init": Arg("float", 0.0),
    "t_in_epochs": Arg("bool", True),
}
_CYCLES = {
    "t_initial": Arg("int", length=True),
    "lr_min": Arg("float", 0.0),
    "cycle_mul": Arg("float", 1.0),
    "cycle_decay": Arg("float", 1.0),
    "cycle_limit": Arg("int", 1),
    **_COMMON,
    "warmup_prefix": Arg("bool", False),
}


def _cycle(t: int, t_initial: int, cycle_mul: float) -> tuple[int, float, float]:
    """(cycle index, cycle length, position in the cycle), as timm computes them."""
    if cycle_mul != 1:
        i = math.floor(math.log(1 - t / t_initial * (1 - cycle_mul), cycle_mul))
        t_i = cycle_mul**i * t_initial
        t_curr = t - (1 - cycle_mul**i) / (1 - cycle_mul) * t_initial
        return i, t_i, t_curr
    i = t // t_initial
    return i, t_initial, t - (t_initial * i)


def _cosine_shape(lr_max: float, lr_min: float, t_curr: float, t_i: float, a: Any) -> float:
    k = a["k_decay"]
    return lr_min + 0.5 * (lr_max - lr_min) * (1 + math.cos(math.pi * t_curr**k / t_i**k))


def _tanh_shape(lr_max: float, lr_min: float, t_curr: float, t_i: float, a: Any) -> float:
    tr = t_curr / t_i
    return lr_min + 0.5 * (lr_max - lr_min) * (1 - math.tanh(a["lb"] * (1.0 - tr) + a["ub"] * tr))


def _poly_shape(lr_max: float, lr_min: float, t_curr: float, t_i: float, a: Any) -> float:
    k = a["k_decay"]
    return lr_min + (lr_max - lr_min) * (1 - t_curr**k / t_i**k) ** a["power"]


_SHAPES = {"cosine": _cosine_shape, "tanh": _tanh_shape, "poly": _poly_shape}


def _cycling_lr(t: int, target: float, shape: str, a: dict[str, Any]) -> float:
    """timm's _get_lr after the warm-up (``t`` not yet shifted by the prefix)."""
    if a["warmup_prefix"]:
        t = t - a["warmup_t"]
    i, t_i, t_curr = _cycle(t, a["t_initial"], a["cycle_mul"])
    if i >= a["cycle_limit"]:
        return a["lr_min"]
    lr_max = target * a["cycle_decay"] ** i
    return _SHAPES[shape](lr_max, a["lr_min"], t_curr, t_i, a)


def cycling(t: int, *, target: float, shape: str, **a: Any) -> float:
    """cosine, tanh and poly: ``lr(t) / target``."""
    warmup_t, start = a["warmup_t"], a["warmup_lr_init"]
    if t == 0 or t < warmup_t:
        if not warmup_t:
            return 1.0
        # tanh without a prefix warms up to its own value at warmup_t, not the target
        end = (
            target
            if shape != "tanh" or a["warmup_prefix"]
            else _cycling_lr(warmup_t, target, shape, a)
        )
        return (start + t * ((end - start) / warmup_t)) / target
    return _cycling_lr(t, target, shape, a) / target


def stepped(t: int, *, target: float, shape: str, **a: Any) -> float:
    """step and multistep: ``lr(t) / target``."""
    warmup_t, start = a["warmup_t"], a["warmup_lr_init"]
    if t == 0 or t < warmup_t:
        if not warmup_t:
            return 1.0
        return (start + t * ((target - start) / warmup_t)) / target
    if a["warmup_prefix"]:
        t = t - warmup_t
    if shape == "step":
        return a["decay_rate"] ** (t // a["decay_t"])
    # timm counts the milestones passed by t + 1
    return a["decay_rate"] ** bisect.bisect_right(a["decay_t"], t + 1)


def _shape(name: str) -> Any:
    def derive(args: dict[str, Any], lr: float) -> dict[str, Any]:
        if args.get("t_initial", 1) <= 0:
            raise PresetArgumentError("t_initial", "t_initial must be above 0")
        if args.get("decay_t", 1) == 0:
            raise PresetArgumentError("decay_t", "decay_t must not be 0")
        if args["warmup_t"] < 0:
            raise PresetArgumentError("warmup_t", "warmup_t must be 0 or more")
        return {"shape": name}

    return derive


def _phases(args: Any) -> list[tuple[str, int]]:
    return [("decay", args["warmup_t"])]


_K = {"k_decay": Arg("float", 1.0)}
PRESETS: dict[str, Preset] = {
    "cosine": Preset(cycling, {**_CYCLES, **_K}, _phases, _shape("cosine"), ("t_in_epochs",)),
    "tanh": Preset(
        cycling,
        {
            **_CYCLES,
            "lb": Arg("float", -7.0, minimum=None),
            "ub": Arg("float", 3.0, minimum=None),
        },
        _phases,
        _shape("tanh"),
        ("t_in_epochs",),
    ),
    "poly": Preset(
        cycling,
        {**_CYCLES, "power": Arg("float", 0.5), **_K},
        _phases,
        _shape("poly"),
        ("t_in_epochs",),
    ),
    "step": Preset(
        stepped,
        {
            "decay_t": Arg("float", length=True),
            "decay_rate": Arg("float", 1.0),
            **_COMMON,
            "warmup_prefix": Arg("bool", True),
        },
        _phases,
        _shape("step"),
        ("t_in_epochs",),
    ),
    "multistep": Preset(
        stepped,
        {
            "decay_t": Arg("ints"),
            "decay_rate": Arg("float", 1.0),
            **_COMMON,
            "warmup_prefix": Arg("bool", True),
        },
        _phases,
        _shape("multistep"),
        ("t_in_epochs",),
    ),
}
