"""optax's schedules (``optax.schedules``): warmup_cosine_decay_schedule,
warmup_exponential_decay_schedule, linear_onecycle_schedule, cosine_onecycle_schedule.

optax calls the schedule with ``count``, the number of updates done, so step ``t``
uses ``schedule(t)``. Its values are absolute LRs, the same for every group. optax
computes in float32 (JAX's default); these factors compute the same operations in
float64, which the tests check against float32 references (1e-6) and float64 ones
(JAX with x64 enabled, 1e-12).
"""

from __future__ import annotations

import math
from typing import Any

from warmplan.presets import Arg, Preset, PresetArgumentError


def _linear(count: int, init_value: float, end_value: float, transition_steps: int) -> float:
    """optax.linear_schedule (polynomial_schedule with power 1, from 0)."""
    if transition_steps <= 0:
        return init_value
    frac = 1 - min(max(count, 0), transition_steps) / transition_steps
    return (init_value - end_value) * frac + end_value


def warmup_cosine_decay(
    t: int,
    *,
    target: float,
    init_value: float,
    peak_value: float,
    warmup_steps: int,
    decay_steps: int,
    end_value: float,
    exponent: float,
) -> float:
    if t < warmup_steps:
        return _linear(t, init_value, peak_value, warmup_steps) / target
    alpha = 0.0 if peak_value == 0.0 else end_value / peak_value
    steps = float(decay_steps - warmup_steps)
    count = min(float(t - warmup_steps), steps)
    cosine = 0.5 * (1 + math.cos(math.pi * count / steps))
    return peak_value * ((1 - alpha) * cosine**exponent + alpha) / target


def warmup_exponential_decay(
    t: int,
    *,
    target: float,
    init_value: float,
    peak_value: float,
    warmup_steps: int,
    transition_steps: int,
    decay_rate: float,
    transition_begin: int,
    staircase: bool,
    end_value: float | None,
) -> float:
    if t < warmup_steps:
        return _linear(t, init_value, peak_value, warmup_steps) / target
    if transition_steps <= 0 or decay_rate == 0:
        return peak_value / target
    decreased = t - warmup_steps - max(transition_begin, 0)
    p = decreased / transition_steps
    if staircase:
        p = math.floor(p)
    value = peak_value if decreased <= 0 else peak_value * decay_rate**p
    if end_value is not None:
        value = max(value, end_value) if decay_rate < 1.0 else min(value, end_value)
    return value / target


def onecycle(
    t: int, *, target: float, interpolation: str, bounds: tuple[int, ...], values: tuple[float, ...]
) -> float:
    """optax.piecewise_interpolate_schedule over the onecycle's boundaries."""
    if t >= bounds[-1]:
        return values[-1] / target
    for index in range(len(bounds) - 1):
        if bounds[index] <= t < bounds[index + 1]:
            size = max(bounds[index + 1] - bounds[index], 1)
            pct = (t - bounds[index]) / size
            start, end = values[index], values[index + 1]
            if interpolation == "linear":
                return ((end - start) * pct + start) / target
            return (end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)) / target
    return 0.0


def _interpolated(
    interpolation: str, init_value: float, scales: dict[int, float]
) -> dict[str, Any]:
    boundaries = sorted(scales.items())
    values = [init_value]
    for _, scale in boundaries:
        values.append(values[-1] * scale)
    bounds = (0, *(b for b, _ in boundaries))
    return {"interpolation": interpolation, "bounds": bounds, "values": tuple(values)}


def _linear_onecycle(args: dict[str, Any], lr: float) -> dict[str, Any]:
    steps, div = _transition_steps(args), args["div_factor"]
    scales = {int(args["pct_start"] * steps): div}
    scales[int(args["pct_final"] * steps)] = 1.0 / div
    scales[steps] = 1.0 / args["final_div_factor"]
    return _interpolated("linear", args["peak_value"] / div, scales)


def _cosine_onecycle(args: dict[str, Any], lr: float) -> dict[str, Any]:
    steps, div = _transition_steps(args), args["div_factor"]
    scales = {int(args["pct_start"] * steps): div}
    scales[int(steps)] = 1.0 / (div * args["final_div_factor"])
    return _interpolated("cosine", args["peak_value"] / div, scales)


def _transition_steps(args: dict[str, Any]) -> int:
    if args["transition_steps"] <= 0:
        raise PresetArgumentError("transition_steps", "transition_steps must be above 0")
    return args["transition_steps"]


def _cosine_steps(args: dict[str, Any], lr: float) -> dict[str, Any]:
    if not args["decay_steps"] - args["warmup_steps"] > 0:
        raise PresetArgumentError(
            "decay_steps",
            "decay_steps counts the warm-up too, so it must be above warmup_steps "
            f"(got decay_steps={args['decay_steps']}, warmup_steps={args['warmup_steps']})",
        )
    return {}


def _warmup_phases(args: Any) -> list[tuple[str, int]]:
    return [("decay", args["warmup_steps"])]


def _onecycle_phases(args: Any) -> list[tuple[str, int]]:
    steps = args["transition_steps"]
    return [("decay", int(args["pct_start"] * steps)), ("constant", steps)]


_WARMUP = {
    "init_value": Arg("float"),
    "peak_value": Arg("float"),
    "warmup_steps": Arg("int", length=True),
}
_ONECYCLE = {
    "transition_steps": Arg("int", length=True),
    "peak_value": Arg("float"),
    "pct_start": Arg("float", 0.3),
}
_DIVS = {"div_factor": Arg("float", 25.0), "final_div_factor": Arg("float", 1e4)}
_ONECYCLE_KEYS = ("transition_steps", "peak_value", "pct_start", "pct_final", *_DIVS)

PRESETS: dict[str, Preset] = {
    "warmup_cosine_decay_schedule": Preset(
        warmup_cosine_decay,
        {
            **_WARMUP,
            "decay_steps": Arg("int", length=True),
            "end_value": Arg("float", 0.0),
            "exponent": Arg("float", 1.0),
        },
        _warmup_phases,
        _cosine_steps,
    ),
    "warmup_exponential_decay_schedule": Preset(
        warmup_exponential_decay,
        {
            **_WARMUP,
            "transition_steps": Arg("int", length=True),
            "decay_rate": Arg("float"),
            "transition_begin": Arg("int", 0, length=True),
            "staircase": Arg("bool", False),
            "end_value": Arg("float", None, nullable=True),
        },
        _warmup_phases,
    ),
    "linear_onecycle_schedule": Preset(
        onecycle,
        {**_ONECYCLE, "pct_final": Arg("float", 0.85), **_DIVS},
        _onecycle_phases,
        _linear_onecycle,
        _ONECYCLE_KEYS,
    ),
    "cosine_onecycle_schedule": Preset(
        onecycle, {**_ONECYCLE, **_DIVS}, _onecycle_phases, _cosine_onecycle, _ONECYCLE_KEYS
    ),
}
