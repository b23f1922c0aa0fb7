"""Keras' learning-rate schedules (``keras.optimizers.schedules``): CosineDecay (with
its warm-up), CosineDecayRestarts, PolynomialDecay, InverseTimeDecay.

A Keras optimizer calls the schedule with ``optimizer.iterations``, the number of
updates done, so step ``t`` uses ``schedule(t)``. Values are absolute LRs, the same
for every group. Keras computes in float32 (``floatx``); these factors compute the same
operations in float64, checked against float32 references (1e-6) and float64 ones
(1e-12). Unlike optax, CosineDecay's ``decay_steps`` does not count the warm-up.
"""

from __future__ import annotations

import math
from typing import Any

from warmplan.presets import Arg, Preset, PresetArgumentError


def cosine_decay(
    t: int,
    *,
    target: float,
    initial_learning_rate: float,
    decay_steps: int,
    alpha: float,
    warmup_target: float | None,
    warmup_steps: int,
) -> float:
    step = float(t)
    if warmup_target is None:
        step, peak = min(step, decay_steps), initial_learning_rate
    else:
        step, peak = min(step, decay_steps + warmup_steps), warmup_target
        if step < warmup_steps:
            delta = warmup_target - initial_learning_rate
            return (delta * (step / warmup_steps) + initial_learning_rate) / target
        step -= warmup_steps
    cosine = 0.5 * (1.0 + math.cos(math.pi * (step / decay_steps)))
    return peak * ((1 - alpha) * cosine + alpha) / target


def cosine_decay_restarts(
    t: int,
    *,
    target: float,
    initial_learning_rate: float,
    first_decay_steps: int,
    t_mul: float,
    m_mul: float,
    alpha: float,
) -> float:
    fraction = t / first_decay_steps
    if t_mul == 1.0:
        restart = math.floor(fraction)
        fraction -= restart
    else:
        restart = math.floor(math.log(1.0 - fraction * (1.0 - t_mul)) / math.log(t_mul))
        done = (1.0 - t_mul**restart) / (1.0 - t_mul)
        fraction = (fraction - done) / t_mul**restart
    cosine = 0.5 * m_mul**restart * (1.0 + math.cos(math.pi * fraction))
    return initial_learning_rate * ((1 - alpha) * cosine + alpha) / target


def polynomial_decay(
    t: int,
    *,
    target: float,
    initial_learning_rate: float,
    decay_steps: int,
    end_learning_rate: float,
    power: float,
    cycle: bool,
) -> float:
    step, steps = float(t), float(decay_steps)
    if cycle:
        steps *= 1.0 if step == 0 else math.ceil(step / decay_steps)
    else:
        step = min(step, steps)
    p = step / steps
    value = (initial_learning_rate - end_learning_rate) * (1 - p) ** power + end_learning_rate
    return value / target


def inverse_time_decay(
    t: int,
    *,
    target: float,
    initial_learning_rate: float,
    decay_steps: int,
    decay_rate: float,
    staircase: bool,
) -> float:
    p = float(t) / decay_steps
    if staircase:
        p = math.floor(p)
    return initial_learning_rate / (1.0 + decay_rate * p) / target


def _positive(key: str) -> Any:
    def check(args: dict[str, Any], lr: float) -> dict[str, Any]:
        if args[key] <= 0:
            raise PresetArgumentError(key, f"{key} must be above 0, got {args[key]}")
        return {}

    return check


def _cosine_phases(args: Any) -> list[tuple[str, int]]:
    start = 0 if args["warmup_target"] is None else args["warmup_steps"]
    return [("decay", start), ("constant", start + args["decay_steps"])]


def _decay_phases(key: str) -> Any:
    def phases(args: Any) -> list[tuple[str, int]]:
        return [("decay", 0), *([("constant", args[key])] if key else [])]

    return phases


_LR = {"initial_learning_rate": Arg("float")}
PRESETS: dict[str, Preset] = {
    "CosineDecay": Preset(
        cosine_decay,
        {
            **_LR,
            "decay_steps": Arg("int", length=True),
            "alpha": Arg("float", 0.0),
            "warmup_target": Arg("float", None, nullable=True),
            "warmup_steps": Arg("int", 0, length=True),
        },
        _cosine_phases,
        _positive("decay_steps"),
    ),
    "CosineDecayRestarts": Preset(
        cosine_decay_restarts,
        {
            **_LR,
            "first_decay_steps": Arg("int", length=True),
            "t_mul": Arg("float", 2.0),
            "m_mul": Arg("float", 1.0),
            "alpha": Arg("float", 0.0),
        },
        _decay_phases(""),
        _positive("first_decay_steps"),
    ),
    "PolynomialDecay": Preset(
        polynomial_decay,
        {
            **_LR,
            "decay_steps": Arg("int", length=True),
            "end_learning_rate": Arg("float", 0.0001),
            "power": Arg("float", 1.0),
            "cycle": Arg("bool", False),
        },
        _decay_phases("decay_steps"),
        _positive("decay_steps"),
    ),
    "InverseTimeDecay": Preset(
        inverse_time_decay,
        {
            **_LR,
            "decay_steps": Arg("int", length=True),
            "decay_rate": Arg("float"),
            "staircase": Arg("bool", False),
        },
        _decay_phases(""),
        _positive("decay_steps"),
    ),
}
