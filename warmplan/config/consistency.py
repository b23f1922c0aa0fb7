"""Rules that relate several keys of a plan (each key alone already passed pydantic).

They find plans that cannot be built at all; plans that build but are probably not
what was meant are the business of :mod:`warmplan.lint.runner`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from warmplan import errors
from warmplan.config.kind_rules import (
    WARMUP_UNITS,
    decay_kind_findings,
    training_findings,
    warmup_unit_findings,
)
from warmplan.config.source import Source, dotted_key
from warmplan.errors import Finding

if TYPE_CHECKING:
    from warmplan.config.models import Plan


#: LinearLR and ConstantLR divide by the start factor; below this, the LR they
#: return after it overflows to inf (5e-324 does) or loses its precision.
MIN_START_FACTOR = 1e-12
#: Target LRs far beyond any optimizer's, but safe from overflow and underflow.
MIN_LR, MAX_LR = 1e-100, 1e10


def consistency_findings(plan: Plan, source: Source) -> list[Finding]:
    found: list[Finding] = []
    found += _optimizer_findings(plan, source)
    budget = training_findings(plan, source)
    if budget:  # the plan's lengths cannot be worked out: nothing more to check
        return found + budget
    found += _warmup_findings(plan, source)
    if found:
        return found
    found += _decay_findings(plan, source)
    found += decay_kind_findings(plan, source)
    if plan.preset is not None:
        from warmplan.config.preset import preset_findings

        found += preset_findings(plan, source)
    return found


def _optimizer_findings(plan: Plan, source: Source) -> list[Finding]:
    found = []
    opt = plan.optimizer
    if opt.betas is not None and opt.kind == "sgd":
        found.append(
            source.finding(
                errors.INCONSISTENT,
                ("optimizer", "betas"),
                "optimizer.betas applies to adam and adamw, not sgd",
            )
        )
    lrs = [(("optimizer", "lr"), opt.lr)] + [
        (("optimizer", "groups", index, "lr"), group.lr)
        for index, group in enumerate(opt.groups or [])
        if group.lr is not None
    ]
    for keypath, lr in lrs:
        if not MIN_LR <= lr <= MAX_LR:
            found.append(
                source.finding(
                    errors.BAD_VALUE,
                    keypath,
                    f"{dotted_key(keypath)} must be between {MIN_LR:g} and {MAX_LR:g}, got "
                    f"{lr:g}: torch's schedulers multiply LRs step by step, and at the ends "
                    "of the float range they overflow to inf or lose all precision",
                )
            )
    names = [g.name for g in opt.groups or []]
    for index, name in enumerate(names):
        if name in names[:index]:
            found.append(
                source.finding(
                    errors.INCONSISTENT,
                    ("optimizer", "groups", index, "name"),
                    f"optimizer.groups[{index}].name {name!r} is already used by another group",
                )
            )
    return found


def _warmup_findings(plan: Plan, source: Source) -> list[Finding]:
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
        found.append(
            source.finding(
                errors.BAD_VALUE,
                start_key,
                f"warmup.start_lr must be at most optimizer.lr ({plan.optimizer.lr:g}), "
                f"got {warmup.start_lr:g}",
            )
        )
    elif 0 < plan.start_factor < MIN_START_FACTOR:
        found.append(
            source.finding(
                errors.BAD_VALUE,
                start_key,
                f"a warm-up start of {plan.start_factor:g} x the target is too small for "
                f"torch's {warmup.kind} warm-up, which divides by it; start at 0 "
                f"(linear) or at least {MIN_START_FACTOR:g} x the target",
            )
        )
    elif plan.start_factor == 0 and warmup.kind not in ("linear", "cosine"):
        found.append(
            source.finding(
                errors.BAD_VALUE,
                start_key,
                f"a {warmup.kind} warm-up from 0 stays at LR 0 until it ends; "
                "use a start above 0, or kind: linear or cosine to ramp up from 0",
            )
        )
    if found:
        return found
    length_key = ("warmup", next(u for u in WARMUP_UNITS if getattr(warmup, u) is not None))
    unit = plan.interval + "s"
    if plan.warmup_intervals >= plan.intervals:
        # `length: auto` came from beta2: say so, or the number looks made up
        auto = " from length: auto, Ma & Yarats' 2 / (1 - beta2)" if warmup.length == "auto" else ""
        found.append(
            source.finding(
                errors.INCONSISTENT,
                length_key,
                f"warm-up ({plan.warmup_intervals} {unit}{auto}) must be shorter than "
                f"training ({plan.intervals} {unit}); nothing would be left for the decay",
            )
        )
    return found


def _decay_findings(plan: Plan, source: Source) -> list[Finding]:
    decay = plan.decay
    eta_min = getattr(decay, "eta_min", None)
    lowest = min(plan.target_lrs)
    if eta_min is not None and eta_min >= lowest:
        which = "optimizer.lr" if not plan.optimizer.groups else "the lowest group lr"
        return [
            source.finding(
                errors.INCONSISTENT,
                ("decay", "eta_min"),
                f"decay.eta_min must be below {which} ({lowest:g}), got {eta_min:g}",
            )
        ]
    return []
