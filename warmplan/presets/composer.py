"""The schedulers llm-foundry's ``build_scheduler`` names (its registry,
``llmfoundry/optim/__init__.py`` of llm-foundry 0.22.0), with the arithmetic of their
classes: cosine_with_warmup (Composer's CosineAnnealingWithWarmupScheduler),
linear_decay_with_warmup (LinearWithWarmupScheduler), constant_with_warmup
(ConstantWithWarmupScheduler), all of mosaicml 0.32.1's ``composer/optim/scheduler.py``,
and inv_sqrt_with_warmup (llm-foundry's InverseSquareRootWithWarmupScheduler); and
Composer's other classes under their class names (:mod:`warmplan.presets.composer_classes`).

Composer's trainer steps its LambdaLR after every batch, but before it moves the
timestamp on: update ``t`` (0-based) has the factor of the timestamp after ``t - 1``
batches (0 for updates 0 and 1), ``(t - 1) x units_per_step`` in the unit of
``t_warmup`` (batches, samples or tokens; the reader converts ``dur`` and ``ep``).
The times are whole numbers of that unit (``_convert_time`` truncates).

``scale_schedule_ratio`` (the Trainer's, from Python: llm-foundry's YAML cannot set it)
scales every time but the warm-up's own end: ``int(time x ratio)``. The warm-up branch
still runs while the timestamp is below the unscaled ``t_warmup``; ``scale_warmup``
only makes its linear ramp ``int(t_warmup x ratio)`` long (clipped at the peak after).
"""

from __future__ import annotations

import math
from typing import Any

from warmplan.presets import Arg, Preset, PresetArgumentError, composer_classes
from warmplan.presets.composer_classes import first_update_at, ramp, scaled, timestamp

NAMES = (
    "cosine_with_warmup",
    "linear_decay_with_warmup",
    "constant_with_warmup",
    "inv_sqrt_with_warmup",
)


def composer_scheduler(
    t: int,
    *,
    target: float,
    name: str,
    t_warmup: int,
    t_max: int,
    units_per_step: int,
    alpha_i: float = 1.0,
    alpha_f: float = 0.0,
    scale_schedule_ratio: float = 1.0,
    scale_warmup: bool = False,
) -> float:
    """The factor of update ``t`` of the three Composer warm-up schedulers (``target``,
    the LR, does not enter: Composer's factors are relative). constant_with_warmup is a
    linear decay from ``alpha`` to ``alpha`` (``alpha_i = alpha_f = alpha``)."""
    current = timestamp(t, units_per_step)
    if current < t_warmup:
        return ramp(current, t_warmup, alpha_i, scale_schedule_ratio, scale_warmup)
    end = scaled(t_max, scale_schedule_ratio)
    fraction = (current - t_warmup) / (end - t_warmup) if end > t_warmup else 0.0
    fraction = min(1.0, fraction)
    if name == "cosine_with_warmup":
        return alpha_f + (1.0 - alpha_f) * (1 + math.cos(fraction * math.pi)) / 2
    return alpha_i + fraction * (alpha_f - alpha_i)


def inv_sqrt_scheduler(
    t: int,
    *,
    target: float,
    t_warmup: int,
    t_scale: int,
    t_cooldown: int,
    t_max: int,
    alpha_f_decay: float,
    alpha_f_cooldown: float,
    units_per_step: int,
    scale_schedule_ratio: float = 1.0,
) -> float:
    """llm-foundry's inverse square root: ``alpha_f_decay + (1 - alpha_f_decay) /
    sqrt((t - t_warmup + t_scale) / t_scale)`` after the warm-up, then a linear
    cooldown to ``alpha_f_cooldown`` over the last ``t_cooldown`` (never before the
    warm-up's end); the warm-up is never ratio-scaled, the other times are."""
    current = timestamp(t, units_per_step)
    if current < t_warmup:
        return ramp(current, t_warmup, 1.0, 1.0, False)
    scale = scaled(t_scale, scale_schedule_ratio)
    cooldown = scaled(t_cooldown, scale_schedule_ratio)
    shift = scale - t_warmup
    start = max(scaled(t_max, scale_schedule_ratio) - cooldown, t_warmup)
    if current < start:
        return alpha_f_decay + 1 / ((current + shift) / scale) ** 0.5 * (1.0 - alpha_f_decay)
    held = alpha_f_decay + 1 / ((start + shift) / scale) ** 0.5 * (1.0 - alpha_f_decay)
    if cooldown == 0:
        return held
    fraction = min(1.0, (current - start) / cooldown)
    return held + fraction * (alpha_f_cooldown - held)


def _derive(name: str) -> Any:
    def derive(args: dict[str, Any], lr: float) -> dict[str, Any]:
        ratio = args["scale_schedule_ratio"]
        if not ratio > 0:
            raise PresetArgumentError("scale_schedule_ratio", f"must be > 0, got {ratio!r}")
        if name == "inv_sqrt_with_warmup":
            return _inv_sqrt_derive(args)
        vanishes = args["t_warmup"] > 0 and scaled(args["t_warmup"], ratio) == 0
        if args["scale_warmup"] and vanishes:
            raise PresetArgumentError(
                "scale_warmup",
                f"t_warmup {args['t_warmup']} x scale_schedule_ratio {ratio} is 0: Composer's "
                "warm-up divides by it (ZeroDivisionError)",
            )
        if name == "constant_with_warmup":  # LinearWithWarmupScheduler(alpha, alpha)
            return {"name": name, "alpha_i": args["alpha"], "alpha_f": args["alpha"]}
        return {"name": name}

    return derive


def _inv_sqrt_derive(args: dict[str, Any]) -> dict[str, Any]:
    if args["alpha_f_decay"] < args["alpha_f_cooldown"]:
        raise PresetArgumentError(
            "alpha_f_cooldown",
            "llm-foundry requires alpha_f_decay >= alpha_f_cooldown, got "
            f"{args['alpha_f_decay']} < {args['alpha_f_cooldown']}",
        )
    if scaled(args["t_scale"], args["scale_schedule_ratio"]) < 1:
        raise PresetArgumentError(
            "t_scale", "must be at least 1 (after the ratio): llm-foundry divides by it"
        )
    return {}


def _phases(args: Any) -> list[tuple[str, int]]:
    return [("decay", first_update_at(args["t_warmup"], args["units_per_step"]))]


def _inv_sqrt_phases(args: Any) -> list[tuple[str, int]]:
    ratio, per = args["scale_schedule_ratio"], args["units_per_step"]
    end = scaled(args["t_max"], ratio) - scaled(args["t_cooldown"], ratio)
    cooldown = first_update_at(max(end, args["t_warmup"]), per)
    return [*_phases(args), ("cooldown", cooldown)]


_COMMON = {
    "t_warmup": Arg("int"),
    "units_per_step": Arg("int", 1, minimum=1),
    "scale_schedule_ratio": Arg("float", 1.0),
}
_WARMUP = {**_COMMON, "t_max": Arg("int"), "scale_warmup": Arg("bool", False)}
ARGS: dict[str, dict[str, Arg]] = {
    "cosine_with_warmup": {**_WARMUP, "alpha_f": Arg("float", 0.0)},
    "linear_decay_with_warmup": {
        **_WARMUP,
        "alpha_i": Arg("float", 1.0),
        "alpha_f": Arg("float", 0.0),
    },
    "constant_with_warmup": {**_WARMUP, "alpha": Arg("float", 1.0)},
    "inv_sqrt_with_warmup": {
        **_COMMON,
        "t_scale": Arg("int"),
        "t_cooldown": Arg("int"),
        "t_max": Arg("int"),
        "alpha_f_decay": Arg("float", 0.0),
        "alpha_f_cooldown": Arg("float", 0.0),
    },
}
PRESETS: dict[str, Preset] = {
    name: Preset(composer_scheduler, ARGS[name], _phases, _derive(name), hidden=("alpha",))
    for name in NAMES[:3]
}
PRESETS["inv_sqrt_with_warmup"] = Preset(
    inv_sqrt_scheduler,
    ARGS["inv_sqrt_with_warmup"],
    _inv_sqrt_phases,
    _derive("inv_sqrt_with_warmup"),
)
#: Composer's classes without an llm-foundry name, for Trainers built in Python
PRESETS.update(composer_classes.PRESETS)
