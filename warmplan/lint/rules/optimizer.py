"""Rules that depend on the optimizer: Adam's second-moment warm-up."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import TYPE_CHECKING

from warmplan.lint.registry import rule
from warmplan.lint.rules.locate import warmup_length_key
from warmplan.text import counted

if TYPE_CHECKING:
    from warmplan.config.models import Plan
    from warmplan.config.source import KeyPath
    from warmplan.schedule.simulate import Trace

#: torch's default Adam/AdamW beta2
DEFAULT_BETA2 = 0.999


def adam_warmup_steps(beta2: float) -> int:
    """Ma & Yarats (2019), "On the adequacy of untuned warmup for adaptive
    optimization": warm up for 2 / (1 - beta2) optimizer steps (2000 for 0.999)."""
    # 2 / (1 - 0.999) is 2000.0000000000018 in floats: trim the noise before ceil
    return math.ceil(round(2.0 / (1.0 - beta2), 6))


@rule("WP109", "warning", "an Adam-family warm-up shorter than 2/(1 - beta2) optimizer steps")
def adam_warmup(plan: Plan, trace: Trace) -> Iterator[tuple[KeyPath, str]]:
    opt = plan.optimizer
    if opt.kind not in ("adam", "adamw"):
        return
    beta2 = opt.betas[1] if opt.betas else DEFAULT_BETA2
    if beta2 >= 1.0:
        return
    needed = adam_warmup_steps(beta2)
    per = plan.steps_per_interval
    warm_steps = plan.warmup_intervals * per
    if warm_steps >= needed:
        return
    need_intervals = math.ceil(needed / per)
    per_epoch = f" ({counted(plan.warmup_intervals, 'epoch')} x {per} steps)" if per > 1 else ""
    has = (
        f"the {opt.kind} warm-up is {counted(warm_steps, 'optimizer step', ',')}{per_epoch}, "
        "shorter than"
        if warm_steps
        else f"{opt.kind} runs without warm-up; it wants"
    )
    advice = (
        f"warm up for at least {counted(need_intervals, plan.interval)}"
        if need_intervals < plan.intervals
        else f"training ({counted(plan.intervals, plan.interval)}) is shorter than that: lower "
        "beta2 or train longer"
    )
    yield (
        warmup_length_key(plan),
        f"{has} 2/(1 - beta2) = {needed:,} steps for beta2 = {beta2:g} (Ma & Yarats, 2019); "
        f"{advice}",
    )
