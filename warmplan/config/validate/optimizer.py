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
