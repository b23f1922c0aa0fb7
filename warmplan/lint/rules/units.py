"""WP115: a length, horizon or milestone that looks like epochs on a per-step plan.

The heuristic lives in :mod:`warmplan.config.units` (`show` prints the same note). It is
the root cause of the findings it supersedes: a warm-up that never reaches the target,
the jump where the decay starts, milestones inside the warm-up, a horizon that ends
early or late, a short Adam warm-up; reporting those too would give wrong advice."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from warmplan.lint.registry import rule

if TYPE_CHECKING:
    from warmplan.config.models import Plan
    from warmplan.schedule.simulate import Trace

#: the findings a unit slip explains
SYMPTOMS = ("WP101", "WP102", "WP104", "WP105", "WP106", "WP107", "WP108", "WP109")


@rule(
    "WP115",
    "error",
    "a length, horizon or milestone that looks like epochs on a plan that steps per update",
    supersedes=SYMPTOMS,
)
def unit_slip(plan: Plan, trace: Trace) -> Iterator[tuple[Any, ...]]:
    from warmplan.config.units import unit_slips

    for slip in unit_slips(plan):
        yield (slip.keypath, slip.message, *([slip.fix] if slip.fix else []))
