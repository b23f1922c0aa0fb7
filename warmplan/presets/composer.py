"""Composer's (mosaicml 0.32.1, ``composer/optim/scheduler.py``) warm-up schedulers, the
names llm-foundry's ``scheduler.name`` gives them: cosine_with_warmup
(CosineAnnealingWithWarmupScheduler), linear_decay_with_warmup
(LinearWithWarmupScheduler), constant_with_warmup (ConstantWithWarmupScheduler).

Composer's trainer steps its LambdaLR after every batch, so update ``t`` (0-based) has
the factor of the timestamp after ``t`` batches: ``t x units_per_step`` in the unit of
``t_warmup`` (batches, samples or tokens; the reader converts ``dur`` and ``ep``).
``t_warmup`` and ``t_max`` are whole numbers of that unit (``_convert_time`` truncates).
"""

from __future__ import annotations

import math
from typing import Any

from warmplan.presets import Arg, Preset

NAMES = ("cosine_with_warmup", "linear_decay_with_warmup", "constant_with_warmup")


def composer_scheduler(
    t: int,
    *,
    target: float,
    name: str,
    t_warmup: int,
    t_max: int,
    alpha_f: float,
    units_per_step: int,
) -> float:
    """The factor of update ``t``: the scheduler at ``t x units_per_step`` units
    (``target``, the LR, does not enter: Composer's factors are relative)."""
    current = t * units_per_step
    if current < t_warmup:  # LinearScheduler(alpha_i=0, alpha_f=1, t_max=t_warmup)
        return min(1.0, current / t_warmup)
    if name == "constant_with_warmup":
        return 1.0  # ConstantScheduler(alpha=1.0): 1.0 before t_max and after
    fraction = (current - t_warmup) / (t_max - t_warmup) if t_max > t_warmup else 0.0
    fraction = min(1.0, fraction)
    if name == "linear_decay_with_warmup":
        return 1.0 + fraction * (alpha_f - 1.0)
    return alpha_f + (1.0 - alpha_f) * (1 + math.cos(fraction * math.pi)) / 2


def _derive(name: str) -> Any:
    def derive(args: dict[str, Any], lr: float) -> dict[str, Any]:
        return {"name": name}

    return derive


def _phases(args: Any) -> list[tuple[str, int]]:
    # the first update whose timestamp is at least t_warmup
    return [("decay", math.ceil(args["t_warmup"] / args["units_per_step"]))]


_ARGS = {
    "t_warmup": Arg("int"),
    "t_max": Arg("int"),
    "alpha_f": Arg("float", 0.0),
    "units_per_step": Arg("int", 1, minimum=1),
}
PRESETS: dict[str, Preset] = {
    n: Preset(composer_scheduler, _ARGS, _phases, _derive(n)) for n in NAMES
}
