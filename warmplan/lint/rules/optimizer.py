"""Rules that depend on the optimizer: Adam's second-moment warm-up (WP109).

Ma & Yarats (2019) warm Adam up for 2 / (1 - beta2) optimizer steps (2,000 for 0.999)
so that the second-moment estimate has settled before full-size updates: a concern of a
long run from scratch. The rule keeps to that case and is quiet on standard recipes:

- it fires only on a run of at least ``LONG_RUN`` x 2 / (1 - beta2) steps (20,000 for
  0.999) whose warm-up is under ``SHORT_SHARE`` (1%) of it: 100 steps of 100,000 fires;
  a 6% warm-up of an 11,000-step BERT fine-tune, where the rule's 2,000 steps would be
  18% of training, does not;
- a per-epoch plan with no epoch size counts one optimizer step per epoch (the
  default), so its warm-up is a handful of "steps": the rule then names the missing
  epoch size as the likely cause, instead of advising a 2,000-epoch warm-up.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import TYPE_CHECKING

from warmplan.config.budget import adam_warmup_steps, beta2_of
from warmplan.lint.registry import rule
from warmplan.lint.rules.locate import warmup_length_key
from warmplan.text import counted, number

if TYPE_CHECKING:
    from warmplan.config.models import Plan
    from warmplan.config.source import KeyPath
    from warmplan.schedule.simulate import Trace

__all__ = ["adam_warmup", "adam_warmup_steps"]

#: a run this many times the rule's warm-up or longer is one the rule is for
LONG_RUN = 10
#: a warm-up under this share of training is short for such a run
SHORT_SHARE = 0.01


@rule("WP109", "warning", "an Adam-family warm-up shorter than 2/(1 - beta2) steps on a long run")
def adam_warmup(plan: Plan, trace: Trace) -> Iterator[tuple[KeyPath, str]]:
    opt = plan.optimizer
    if opt.kind not in ("adam", "adamw"):
        return
    beta2 = beta2_of(opt)
    if beta2 >= 1.0:
        return
    needed = adam_warmup_steps(beta2)
    per = plan.steps_per_interval
    warm_steps = plan.warmup_intervals * per
    if warm_steps >= needed:
        return
    rule_text = f"2/(1 - beta2) = {number(needed)} steps for beta2 = {beta2:g} (Ma & Yarats, 2019)"
    t = plan.training
    if plan.interval == "epoch" and t.steps_per_epoch is None and t.dataset_size is None:
        yield (
            ("training",),
            f"this per-epoch plan gives no epoch size, so each epoch counts as 1 optimizer "
            f"step (training.steps_per_epoch, default 1) and the {opt.kind} warm-up as "
            f"{counted(warm_steps, 'step', ',')}, against {rule_text}; the missing epoch "
            "size is the likely cause: give training.steps_per_epoch (or dataset_size and "
            "batch_size) to count the warm-up in optimizer steps",
        )
        return
    total = plan.total_steps
    if total < LONG_RUN * needed or warm_steps >= SHORT_SHARE * total:
        return  # a short run (a fine-tune) or a warm-up of a usual share: not this rule's
    need_intervals = math.ceil(needed / per)
    per_epoch = f" ({counted(plan.warmup_intervals, 'epoch')} x {per} steps)" if per > 1 else ""
    share = f"{100 * warm_steps / total:.2g}% of {number(total)}"
    has = (
        f"the {opt.kind} warm-up is {counted(warm_steps, 'optimizer step', ',')}{per_epoch}, "
        f"{share}, shorter than"
        if warm_steps
        else f"{opt.kind} runs {number(total)} steps without warm-up; it wants"
    )
    yield (
        warmup_length_key(plan),
        f"{has} {rule_text}; warm up for at least {counted(need_intervals, plan.interval, ',')}",
    )
