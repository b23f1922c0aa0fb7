"""axolotl YAML -> a plan, as axolotl 0.19.0 computes it (tests/data/formats/
axolotl-arithmetic.md has the rules with file:line; axolotl.json the real runs).

- N = ceil(rows x ``num_epochs`` / batch) for the whole run, batch = ``micro_batch_size``
  x ``gradient_accumulation_steps`` x processes; with ``sample_packing`` N comes from
  the packed data (``--steps``); ``max_steps`` sets the schedule's length, and the
  warm-up uses min(N, ``max_steps``).
- W: ``warmup_steps`` as is; else int(``warmup_ratio`` x N) (floored); else the hidden
  default min(int(0.03 x N), 100); a W of 1 becomes 2.
- ``lr_scheduler`` (default cosine): ``one_cycle`` is torch's OneCycleLR; ``rex`` and
  cosine with ``lr_quadratic_warmup`` / ``cosine_min_lr_ratio`` (and
  ``cosine_constant_lr_ratio``, both truthy) are axolotl's own; anything else is
  transformers' scheduler of that name, with ``lr_scheduler_kwargs``.
"""

from __future__ import annotations

import math
from typing import Any

from warmplan.formats import keys
from warmplan.formats.draft import Draft
from warmplan.formats.hf_schedules import SCHEDULER_TYPES, preset_args
from warmplan.text import did_you_mean

SCHEDULE_KEYS = (
    "learning_rate",
    "lr_scheduler",
    "lr_scheduler_kwargs",
    "warmup_steps",
    "warmup_ratio",
    "cosine_min_lr_ratio",
    "cosine_constant_lr_ratio",
    "lr_quadratic_warmup",
    "num_epochs",
    "micro_batch_size",
    "gradient_accumulation_steps",
    "batch_size",
    "max_steps",
    "sample_packing",
)
AXOLOTL_TYPES = ("one_cycle", "rex")


def read(draft: Draft) -> None:
    keys.warn_near_misses(draft, SCHEDULE_KEYS, "axolotl")
    lr = draft.number("learning_rate", 0.0)
    if not draft.has("learning_rate"):
        draft.error((), "no learning_rate: axolotl requires one")
    draft.put(("optimizer", "lr"), lr, ("learning_rate",))
    draft.put(("optimizer", "kind"), "adamw", ("optimizer",))
    name = _scheduler(draft)
    estimate = _estimate(draft)
    max_steps = (
        draft.number("max_steps", None, whole=True, minimum=1) if draft.has("max_steps") else None
    )
    warmup_key = _warmup_key(draft)
    draft.raise_problems()
    total = max_steps if max_steps is not None else estimate
    if total is None:
        raise _missing(draft)
    warm_base = min(estimate, max_steps) if estimate is not None and max_steps else total
    if max_steps is not None:
        draft.note(f"N = max_steps {max_steps:,} (the schedule's length)")
    warmup = _warmup(draft, warmup_key, warm_base)
    draft.put(("training", "steps"), total, ("max_steps",) if max_steps else ("num_epochs",))
    draft.put(("training", "interval"), "step")
    _schedule(draft, name, lr, warmup, total)


def _scheduler(draft: Draft) -> str:
    name = draft.get("lr_scheduler") or "cosine"
    known = (*AXOLOTL_TYPES, *SCHEDULER_TYPES)
    if not isinstance(name, str) or name not in known:
        draft.error(
            ("lr_scheduler",),
            f"lr_scheduler {name!r} is neither axolotl's (one_cycle, rex) nor a transformers "
            f"SchedulerType{did_you_mean(str(name), list(known))}",
        )
        return "cosine"
    if name in ("reduce_lr_on_plateau", "greedy"):
        draft.error(("lr_scheduler",), f"lr_scheduler {name} follows a metric, not the step count")
    return name


def _batch(draft: Draft) -> int:
    micro = draft.number("micro_batch_size", 1, whole=True, minimum=1)
    accum = draft.get("gradient_accumulation_steps")
    if accum is None and draft.has("batch_size"):
        accum = draft.number("batch_size", micro, whole=True, minimum=1) // micro
    elif accum is not None:
        accum = draft.number("gradient_accumulation_steps", 1, whole=True, minimum=1)
    return micro * (accum or 1) * draft.facts.processes


def _estimate(draft: Draft) -> int | None:
    """axolotl's total_num_steps for the data (None: a run-time fact is missing)."""
    epochs = draft.number("num_epochs", 1)
    batch = _batch(draft)
    if draft.facts.steps is not None:
        draft.note(f"N from the data = {draft.facts.steps:,} updates (--steps)")
        return draft.facts.steps
    if draft.get("sample_packing") is True:
        return None
    rows = draft.facts.dataset_size
    if rows is None:
        return None
    estimate = math.ceil(rows * epochs / batch)
    draft.note(
        f"N from the data = ceil({rows:,} rows (--dataset-size) x num_epochs {epochs:g} / "
        f"batch {batch:,} (micro_batch_size x gradient_accumulation_steps x processes)) "
        f"= {estimate:,} updates, for the whole run"
    )
    return estimate


def _missing(draft: Draft) -> Exception:
    if draft.get("sample_packing") is True:
        return draft.needs(
            ("sample_packing",),
            "sample_packing: true makes N an estimate from the packed data's token lengths: "
            "pass --steps N (the total_num_steps axolotl logs)",
        )
    epochs = draft.get("num_epochs", 1)
    where = ("num_epochs",) if draft.has("num_epochs") else ()
    return draft.needs(
        where,
        f"num_epochs: {epochs} needs the number of training rows: pass --dataset-size N "
        "(or --steps)",
    )


def _warmup_key(draft: Draft) -> str | None:
    steps, ratio = draft.get("warmup_steps"), draft.get("warmup_ratio")
    if steps is not None and (isinstance(steps, bool) or not isinstance(steps, int)):
        draft.error(
            ("warmup_steps",),
            f"warmup_steps must be a whole number in axolotl (its schema: int), got {steps!r}; "
            "for a fraction of training write warmup_ratio",
        )
        return None
    if steps and ratio:
        draft.error(
            ("warmup_ratio",),
            "warmup_steps and warmup_ratio are mutually exclusive in axolotl; keep one",
        )
    if steps is not None:
        draft.number("warmup_steps", 0, whole=True)
        return "warmup_steps"
    if ratio is not None:
        draft.number("warmup_ratio", 0.0)
        return "warmup_ratio"
    return None


def _warmup(draft: Draft, key: str | None, base: int) -> int:
    if key == "warmup_steps":
        warmup = draft.get("warmup_steps")
        how = f"warm-up: warmup_steps {warmup:,}"
    elif key == "warmup_ratio":
        ratio = draft.get("warmup_ratio")
        warmup = max(int(ratio * base), 0)
        how = f"warm-up: int(warmup_ratio {ratio:g} x {base:,}) = {warmup:,} (floored)"
    else:
        warmup = min(int(0.03 * base), 100)
        how = (
            f"warm-up: no warm-up key, axolotl's default min(int(0.03 x {base:,}), 100) "
            f"= {warmup:,}"
        )
    if warmup == 1:
        warmup = 2
        how += ", and a warm-up of 1 becomes 2"
    draft.note(how)
    return warmup


def _schedule(draft: Draft, name: str, lr: float, warmup: int, total: int) -> None:
    min_ratio = draft.get("cosine_min_lr_ratio")
    constant_ratio = draft.get("cosine_constant_lr_ratio")
    _ignored_ratios(draft, name, min_ratio, constant_ratio)
    if name == "one_cycle":
        _one_cycle(draft, warmup, total)
        return
    own = None
    if name == "rex":
        own = ("rex", {"min_lr_ratio": min_ratio or 0.0})
    elif name == "cosine" and draft.get("lr_quadratic_warmup") is True:
        own = ("cosine_quadratic_warmup", {})
    elif name == "cosine" and min_ratio and constant_ratio:
        own = (
            "cosine_decay_constant",
            {"min_lr_ratio": min_ratio, "constant_lr_ratio": constant_ratio},
        )
    elif name == "cosine" and min_ratio:
        own = ("cosine_min_lr", {"min_lr_ratio": min_ratio})
    if own is None:
        kwargs = draft.get("lr_scheduler_kwargs") or {}
        if not isinstance(kwargs, dict):
            draft.error(("lr_scheduler_kwargs",), "lr_scheduler_kwargs must be a mapping")
            kwargs = {}
        preset_args(draft, name, kwargs, 0 if name == "constant" else warmup, total)
        draft.raise_problems()
        return
    preset, args = own
    draft.put(("preset", "framework"), "axolotl", ("lr_scheduler",))
    draft.put(("preset", "name"), preset, ("lr_scheduler",))
    draft.put(("preset", "args", "num_warmup_steps"), warmup, ("warmup_steps",))
    draft.put(("preset", "args", "num_training_steps"), total, ("max_steps",))
    for key, value in args.items():
        draft.put(("preset", "args", key), value, ("cosine_" + key,))
    draft.note(f"lr_scheduler {name}: axolotl's {preset} schedule")


def _ignored_ratios(draft: Draft, name: str, min_ratio: Any, constant_ratio: Any) -> None:
    if constant_ratio is not None and not constant_ratio and name == "cosine":
        draft.warn(
            keys.CONSTANT_RATIO_ZERO,
            ("cosine_constant_lr_ratio",),
            f"cosine_constant_lr_ratio: {constant_ratio} is ignored: axolotl tests it for "
            "truth, so 0 means no constant phase (the cosine decays to the end, shown here); "
            "remove it, or give the fraction of training where the floor starts",
        )
    if min_ratio is not None and name not in ("cosine", "rex"):
        draft.warn(
            keys.IGNORED_KEY,
            ("cosine_min_lr_ratio",),
            f"cosine_min_lr_ratio is ignored with lr_scheduler {name} (only cosine and rex "
            "use it), without a warning from axolotl",
        )


def _one_cycle(draft: Draft, warmup: int, total: int) -> None:
    """torch's OneCycleLR, max_lr = learning_rate, pct_start = W / N, cos annealing."""
    kwargs = draft.get("lr_scheduler_kwargs") or {}
    draft.put(("decay", "kind"), "onecycle", ("lr_scheduler",))
    draft.put(("decay", "pct_start"), kwargs.get("pct_start", warmup / total), ("warmup_steps",))
    draft.put(("decay", "anneal_strategy"), kwargs.get("anneal_strategy", "cos"), ("lr_scheduler",))
    for key in ("div_factor", "final_div_factor", "three_phase"):
        if key in kwargs:
            draft.put(("decay", key), kwargs[key], ("lr_scheduler_kwargs", key))
    draft.note(
        "lr_scheduler one_cycle: torch OneCycleLR(max_lr=learning_rate, "
        f"total_steps={total:,}, pct_start={warmup}/{total})"
    )
