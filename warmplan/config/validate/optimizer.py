"""Validation of the ``optimizer`` block against the rest of the plan."""

from __future__ import annotations

from typing import TYPE_CHECKING

from warmplan import errors
from warmplan.config.source import Source, dotted_key
from warmplan.errors import Finding

if TYPE_CHECKING:
    from warmplan.config.models import Plan


#: Target LRs far beyond any optimizer's, but safe from overflow and underflow.
MIN_LR, MAX_LR = 1e-100, 1e10


def optimizer_findings(plan: Plan, source: Source) -> list[Finding]:
    found = _argument_findings(plan, source)
    opt = plan.optimizer
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
    found += _group_findings(plan, source)
    return found


def _argument_findings(plan: Plan, source: Source) -> list[Finding]:
    """Each torch argument on the kinds that take it; nesterov as torch requires it."""
    from warmplan.config.models import TORCH_ARGUMENTS

    opt, found = plan.optimizer, []
    every = sorted({name for names in TORCH_ARGUMENTS.values() for name in names})
    for name in every:
        if getattr(opt, name) is None or name in TORCH_ARGUMENTS[opt.kind]:
            continue
        kinds = [kind for kind, names in TORCH_ARGUMENTS.items() if name in names]
        found.append(
            source.finding(
                errors.INCONSISTENT,
                ("optimizer", name),
                f"optimizer.{name} applies to {' and '.join(kinds)}, not {opt.kind}",
            )
        )
    if opt.kind == "sgd" and opt.nesterov and not (opt.momentum and not opt.dampening):
        found.append(
            source.finding(
                errors.INCONSISTENT,
                ("optimizer", "nesterov"),
                "optimizer.nesterov needs momentum above 0 and dampening 0 (torch refuses "
                f"it otherwise), got momentum {opt.momentum or 0:g}, dampening "
                f"{opt.dampening or 0:g}",
            )
        )
    return found


def _group_findings(plan: Plan, source: Source) -> list[Finding]:
    opt, found = plan.optimizer, []
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
