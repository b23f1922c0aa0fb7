"""The `expect:` block: what the team means, against what the simulation shows.

Tolerances: an exact LR matches within a relative 1e-6 (the schedulers' float noise is
far below it); ``{min, max}`` bounds are inclusive, with the same 1e-6 slack for LRs;
step counts are whole numbers and match exactly.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from warmplan.lint.registry import rule
from warmplan.lint.rules.locate import fmt

if TYPE_CHECKING:
    from warmplan.config.models import Plan
    from warmplan.config.source import KeyPath
    from warmplan.schedule.simulate import Trace

LR_RTOL = 1e-6


def measured(plan: Plan, trace: Trace) -> dict[str, float | int]:
    """The values `expect:` can pin, read from the simulated schedule.

    peak_lr / final_lr: the highest LR of any group, overall / at the last interval;
    warmup_end: the first optimizer step at which every group is at its peak.
    """
    import numpy as np

    lr = trace.lr
    at_peak = (lr >= lr.max(axis=0) * (1 - LR_RTOL)).all(axis=1)
    first = int(np.argmax(at_peak))
    return {
        "peak_lr": float(lr.max()),
        "final_lr": float(lr[-1].max()),
        "warmup_end": first * plan.steps_per_interval,
        "total_steps": plan.total_steps,
    }


def _problem(name: str, bounds: Any, value: float) -> str | None:
    lr = name.endswith("_lr")
    shown = fmt(value) if lr else f"{int(value):,}"
    slack = LR_RTOL if lr else 0.0
    if bounds.equals is not None:
        ok = (
            math.isclose(value, bounds.equals, rel_tol=LR_RTOL, abs_tol=0)
            if lr
            else value == bounds.equals
        )
        return None if ok else f"expects {fmt(bounds.equals)} but the schedule has {shown}"
    if bounds.min is not None and value < bounds.min * (1 - slack):
        return f"expects at least {fmt(bounds.min)} but the schedule has {shown}"
    if bounds.max is not None and value > bounds.max * (1 + slack):
        return f"expects at most {fmt(bounds.max)} but the schedule has {shown}"
    return None


@rule("WP113", "error", "a value pinned in `expect:` that the schedule does not have")
def expectations(plan: Plan, trace: Trace) -> Iterator[tuple[KeyPath, str]]:
    expect = plan.expect
    if expect is None:
        return
    values = measured(plan, trace)
    for name, value in values.items():
        bounds = getattr(expect, name)
        if bounds is None:
            continue
        problem = _problem(name, bounds, value)
        if problem:
            yield (
                ("expect", name),
                f"expect.{name} {problem}; fix the plan, or the expectation if the plan is right",
            )
