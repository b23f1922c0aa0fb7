"""OLMo's schedulers (``olmo/optim.py``, ai2-olmo 0.6.0), the names of
``scheduler.name``: cosine_with_warmup, linear_with_warmup, inverse_sqrt_with_warmup,
max_scheduler, constant, cosine_linear_envelope, constant_with_warmup.

OLMo's trainer sets each group's LR before every update to
``scheduler.get_lr(lr, current, maximum)`` with ``current`` counted *after* the batch:
the update's 1-based step (``units: steps``) or the tokens seen with it
(``units: tokens``, ``units_per_step`` = global batch x sequence length). The warm-up
starts at ``warmup_min_lr`` (default 0.1 x lr); ``alpha_f`` is the floor's ratio, held
from ``t_max`` (default: ``maximum``) on.
"""

from __future__ import annotations

import math
from typing import Any

from warmplan.presets import Arg, Preset, PresetArgumentError


def olmo_lr(
    name: str,
    initial_lr: float,
    step: int,
    max_steps: int,
    warmup_steps: int,
    alpha_f: float,
    t_max: int | None,
    warmup_min_lr: float | None,
) -> float:
    """The scheduler's ``get_lr(initial_lr, step, max_steps)``."""
    if name == "max_scheduler":  # the larger of the two, update by update
        args = (initial_lr, step, max_steps, warmup_steps, alpha_f, t_max, warmup_min_lr)
        return max(olmo_lr("cosine_with_warmup", *args), olmo_lr("inverse_sqrt_with_warmup", *args))
    if name == "constant":
        return initial_lr
    if step < warmup_steps:
        floor = warmup_min_lr if warmup_min_lr is not None else initial_lr * 0.10
        return floor + (initial_lr - floor) * min(step, warmup_steps) / warmup_steps
    if name == "constant_with_warmup":
        return initial_lr
    if name == "inverse_sqrt_with_warmup":
        return initial_lr * math.sqrt(warmup_steps / max(warmup_steps, step))
    max_steps = max_steps if t_max is None else t_max
    eta_min = initial_lr * alpha_f
    if step >= max_steps:
        return eta_min
    step, max_steps = step - warmup_steps, max_steps - warmup_steps
    if name == "linear_with_warmup":
        return initial_lr - (initial_lr - eta_min) * (step / max_steps)
    cosine = (initial_lr - eta_min) * (1 + math.cos(math.pi * step / max_steps)) / 2
    if name == "cosine_linear_envelope":
        return eta_min + (1 - (step / max_steps)) * cosine
    return eta_min + cosine


def olmo_scheduler(
    t: int,
    *,
    target: float,
    name: str,
    warmup_steps: int,
    alpha_f: float,
    t_max: int | None,
    warmup_min_lr: float | None,
    units_per_step: int,
    max_units: int,
) -> float:
    """The factor of update ``t`` (0-based): OLMo's LR at ``(t + 1) x units_per_step``."""
    current = (t + 1) * units_per_step
    return (
        olmo_lr(name, target, current, max_units, warmup_steps, alpha_f, t_max, warmup_min_lr)
        / target
    )


def _derive(name: str) -> Any:
    def derive(args: dict[str, Any], lr: float) -> dict[str, Any]:
        floor = args["warmup_min_lr"]
        warms = name not in ("constant",) and args["warmup_steps"] > 0
        if warms and floor is not None and not 0 <= floor < lr:
            raise PresetArgumentError(
                "warmup_min_lr", f"warmup_min_lr must be below the LR {lr:g} (OLMo asserts it)"
            )
        if name in ("inverse_sqrt_with_warmup", "max_scheduler") and args["warmup_steps"] <= 0:
            raise PresetArgumentError(
                "warmup_steps", f"{name} divides by warmup_steps: it must be above 0"
            )
        return {"name": name}

    return derive


def _phases(args: Any) -> list[tuple[str, int]]:
    # the first update whose current is at least t_warmup
    first = max(math.ceil(args["warmup_steps"] / args["units_per_step"]) - 1, 0)
    return [("decay", first)] if args["warmup_steps"] else [("decay", 0)]


_ARGS = {
    "warmup_steps": Arg("int", 100),
    "alpha_f": Arg("float", 0.1),
    "t_max": Arg("int", None, nullable=True),
    "warmup_min_lr": Arg("float", None, nullable=True),
    "units_per_step": Arg("int", 1, minimum=1),
    "max_units": Arg("int", minimum=1),
}
NAMES = (
    "cosine_with_warmup",
    "linear_with_warmup",
    "inverse_sqrt_with_warmup",
    "max_scheduler",
    "constant",
    "cosine_linear_envelope",
    "constant_with_warmup",
)
PRESETS: dict[str, Preset] = {n: Preset(olmo_scheduler, _ARGS, _phases, _derive(n)) for n in NAMES}
