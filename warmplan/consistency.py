"""Rules that relate several keys of a plan (each key alone already passed pydantic).

They find plans that cannot be built at all; plans that build but are probably not
what was meant are the business of :mod:`warmplan.checks`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from warmplan import errors
from warmplan.errors import Finding
from warmplan.source import Source

if TYPE_CHECKING:
    from warmplan.plan import Plan


def consistency_findings(plan: Plan, source: Source) -> list[Finding]:
    found: list[Finding] = []
    found += _optimizer_findings(plan, source)
    found += _warmup_findings(plan, source)
    found += _decay_findings(plan, source)
    if plan.preset is not None:
        from warmplan.presets import preset_findings

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
    found = []
    if warmup.length is not None and warmup.fraction is not None:
        found.append(
            source.finding(
                errors.INCONSISTENT,
                ("warmup", "fraction"),
                "give warmup.length or warmup.fraction, not both",
            )
        )
    if warmup.length is None and warmup.fraction is None:
        found.append(
            source.finding(
                errors.MISSING_KEY,
                ("warmup",),
                f"a {warmup.kind} warm-up needs warmup.length (intervals) or warmup.fraction",
            )
        )
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
    elif plan.start_factor == 0 and warmup.kind != "linear":
        found.append(
            source.finding(
                errors.BAD_VALUE,
                start_key,
                f"a {warmup.kind} warm-up from 0 trains with LR 0 throughout; "
                "use a start above 0, or kind: linear to ramp up from 0",
            )
        )
    if found:
        return found
    length_key = ("warmup", "length" if warmup.length is not None else "fraction")
    unit = plan.interval + "s"
    if plan.warmup_intervals >= plan.intervals:
        found.append(
            source.finding(
                errors.INCONSISTENT,
                length_key,
                f"warm-up ({plan.warmup_intervals} {unit}) must be shorter than training "
                f"({plan.intervals} {unit}); nothing would be left for the decay",
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
