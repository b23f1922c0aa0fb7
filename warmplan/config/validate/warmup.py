"""Validation of the ``warmup`` block: its length, unit and start."""

from __future__ import annotations

from typing import TYPE_CHECKING

from warmplan import errors
from warmplan.config.budget import UNITS
from warmplan.config.source import Source
from warmplan.errors import Finding
from warmplan.text import counted, with_article

if TYPE_CHECKING:
    from warmplan.config.models import Plan


WARMUP_UNITS = ("length", *UNITS)


#: LinearLR and ConstantLR divide by the start factor; below this, the LR they
#: return after it overflows to inf (5e-324 does) or loses its precision.
MIN_START_FACTOR = 1e-12


def warmup_findings(plan: Plan, source: Source) -> list[Finding]:
    warmup = plan.warmup
    if warmup is None or warmup.kind == "none":
        return []
    found = warmup_unit_findings(plan, source)
    if warmup.start_factor is not None and warmup.start_lr is not None:
        found.append(
            source.finding(
                errors.INCONSISTENT,
                ("warmup", "start_lr"),
                "give warmup.start_factor or warmup.start_lr, not both",
            )
        )
    start_key = ("warmup", "start_lr" if warmup.start_lr is not None else "start_factor")
    if warmup.start_lr is not None and warmup.start_lr > plan.optimizer.lr:
        message = (
            f"warmup.start_lr must be at most optimizer.lr ({plan.optimizer.lr:g}), "
            f"got {warmup.start_lr:g}"
        )
        found.append(source.finding(errors.BAD_VALUE, start_key, message))
    if not found and plan.warmup_intervals > 0:  # without a warm-up interval no start runs
        found += _start_findings(plan, source, start_key)
    if found:
        return found
    length_key = ("warmup", next(u for u in WARMUP_UNITS if getattr(warmup, u) is not None))
    if plan.warmup_intervals >= plan.intervals:
        # `length: auto` came from beta2: say so, or the number looks made up
        auto = " from length: auto, Ma & Yarats' 2 / (1 - beta2)" if warmup.length == "auto" else ""
        found.append(
            source.finding(
                errors.INCONSISTENT,
                length_key,
                f"warm-up ({counted(plan.warmup_intervals, plan.interval)}{auto}) must be "
                f"shorter than training ({counted(plan.intervals, plan.interval)}); nothing "
                "would be left for the decay",
            )
        )
    return found


def _start_findings(plan: Plan, source: Source, start_key: tuple[str, str]) -> list[Finding]:
    """Starts torch's warm-up classes cannot run, or that would waste the warm-up."""
    kind = plan.warmup.kind  # type: ignore[union-attr]
    if 0 < plan.start_factor < MIN_START_FACTOR:
        message = (
            f"a warm-up start of {plan.start_factor:g} x the target is too small for "
            f"torch's {kind} warm-up, which divides by it; start at 0 "
            f"(linear) or at least {MIN_START_FACTOR:g} x the target"
        )
        return [source.finding(errors.BAD_VALUE, start_key, message)]
    if plan.start_factor == 0 and kind not in ("linear", "cosine"):
        message = (
            f"{with_article(kind)} warm-up from 0 stays at LR 0 until it ends; "
            "use a start above 0, or kind: linear or cosine to ramp up from 0"
        )
        return [source.finding(errors.BAD_VALUE, start_key, message)]
    return []


def warmup_unit_findings(plan: Plan, source: Source) -> list[Finding]:
    """Exactly one of the warm-up's length units; ``auto`` only where beta2 exists."""
    warmup = plan.warmup
    if warmup is None or warmup.kind == "none":
        return []
    given = [unit for unit in WARMUP_UNITS if getattr(warmup, unit) is not None]
    if len(given) > 1:
        return [
            source.finding(
                errors.INCONSISTENT,
                ("warmup", given[1]),
                f"give one warm-up length, not {' and '.join('warmup.' + u for u in given)}",
            )
        ]
    if not given:
        return [
            source.finding(
                errors.MISSING_KEY,
                ("warmup",),
                f"{with_article(warmup.kind)} warm-up needs warmup.length (intervals, or auto), "
                "steps, epochs or fraction",
            )
        ]
    if warmup.length != "auto":
        return []
    optimizer = plan.optimizer
    if optimizer.kind == "sgd":
        return [
            source.finding(
                errors.INCONSISTENT,
                ("warmup", "length"),
                "warmup.length auto follows Adam's beta2 (2 / (1 - beta2) steps, Ma & Yarats "
                "2019); optimizer.kind sgd has no beta2: give a length",
            )
        ]
    if optimizer.betas is not None and optimizer.betas[1] >= 1.0:
        return [
            source.finding(
                errors.BAD_VALUE,
                ("optimizer", "betas"),
                "warmup.length auto needs beta2 below 1 (2 / (1 - beta2) steps), got 1",
            )
        ]
    return []
