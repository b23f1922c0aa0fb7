"""transformers TrainingArguments (YAML or JSON, as ``HfArgumentParser`` reads them) ->
a plan with a transformers preset, as transformers 5.x computes it.

Reproduced from transformers 5.24 (``trainer.py``, ``training_args.py``,
``optimization.get_scheduler``) and checked against real ``Trainer.train()`` runs
(tests/data/formats/transformers.json):

- N (updates) = ``max_steps`` if > 0, else ceil(``num_train_epochs`` x updates per
  epoch); updates per epoch = max(1, ceil(batches / ``gradient_accumulation_steps``))
  (the remainder of an epoch is an update); batches = ceil(examples / (batch x
  processes)), floor with ``dataloader_drop_last``.
- W = ``warmup_steps``: an int as is; a float below 1 is a ratio, ceil(ratio x N); a
  float of 1 or more is truncated. ``warmup_ratio`` is gone in 5.x.
- ``lr_scheduler_kwargs`` (a mapping, or JSON text starting with ``{``, whose numeric
  strings become numbers) go to the schedule function, except for ``constant`` (which
  also ignores the warm-up) and ``constant_with_warmup``.
"""

from __future__ import annotations

import math
from typing import Any

from warmplan.formats import keys
from warmplan.formats.draft import Draft, loose_number_problem
from warmplan.formats.hf_schedules import (
    METRIC_DRIVEN,
    SCHEDULER_TYPES,
    preset_args,
    scheduler_kwargs,
)
from warmplan.text import did_you_mean

#: the keys this reader reads; near misses of them are warned about
SCHEDULE_KEYS = (
    "learning_rate",
    "lr_scheduler_type",
    "lr_scheduler_kwargs",
    "warmup_steps",
    "warmup_ratio",
    "max_steps",
    "num_train_epochs",
    "per_device_train_batch_size",
    "gradient_accumulation_steps",
    "dataloader_drop_last",
    "optim",
    "adam_beta1",
    "adam_beta2",
    "weight_decay",
    "deepspeed",
)
DEFAULTS = {
    "learning_rate": 5e-5,
    "lr_scheduler_type": "linear",
    "num_train_epochs": 3.0,
    "max_steps": -1,
    "per_device_train_batch_size": 8,
    "gradient_accumulation_steps": 1,
    "warmup_steps": 0,
    "adam_beta1": 0.9,
    "adam_beta2": 0.999,
    "optim": "adamw_torch_fused",
}


def read(draft: Draft) -> None:
    """Write the plan of the TrainingArguments in ``draft.recipe`` into ``draft``."""
    keys.warn_near_misses(draft, SCHEDULE_KEYS, "TrainingArguments")
    lr = _learning_rate(draft)
    _optimizer(draft, lr)
    name = _scheduler_name(draft)
    kwargs = scheduler_kwargs(draft, name)
    total = _total_updates(draft)
    warmup = _warmup(draft, total, name)
    draft.raise_problems()
    if total is None:
        raise _missing_fact(draft)
    length = total.value
    steps_per_epoch = total.per_epoch
    draft.put(("training", "steps"), length, total.origin)
    draft.put(("training", "interval"), "step")
    if steps_per_epoch is not None:
        draft.put(("training", "steps_per_epoch"), steps_per_epoch, ("num_train_epochs",))
    warmup_steps = warmup(length)
    if draft.has("deepspeed") and _deepspeed_schedule(draft, lr, length, warmup_steps):
        return
    if name == "constant":
        warmup_steps = 0
    preset_args(draft, name, kwargs, warmup_steps, length)


def _deepspeed_schedule(draft: Draft, lr: float, total: int, warmup: int) -> bool:
    """The DeepSpeed file the recipe names: whether its scheduler block runs instead."""
    from warmplan.formats.deepspeed import Trainer
    from warmplan.formats.deepspeed_trainer import with_trainer

    betas = draft.data.get("optimizer", {}).get("betas")
    replaced = with_trainer(draft, draft.get("deepspeed"), Trainer(lr, betas, total, warmup))
    draft.raise_problems()
    return replaced


class Total:
    """N, the key it came from, and the updates per epoch when known."""

    def __init__(self, value: int, origin: tuple[str, ...], per_epoch: int | None) -> None:
        self.value, self.origin, self.per_epoch = value, origin, per_epoch


def _learning_rate(draft: Draft) -> float:
    if loose_number_problem(draft, "learning_rate", "transformers"):
        return 5e-5
    lr: float = draft.number("learning_rate", 5e-5)
    draft.put(("optimizer", "lr"), lr, ("learning_rate",))
    return lr


def _optimizer(draft: Draft, lr: float) -> None:
    optim = draft.get("optim", DEFAULTS["optim"])
    if not isinstance(optim, str):
        draft.error(("optim",), f"optim must be text (an optimizer name), got {optim!r}")
        optim = DEFAULTS["optim"]
    if "adam" not in optim:
        draft.put(("optimizer", "kind"), "sgd", ("optim",))
        draft.note(f"optim {optim}: not Adam; the Adam warm-up rules are not applied")
        return
    beta1 = draft.number("adam_beta1", DEFAULTS["adam_beta1"])
    beta2 = draft.number("adam_beta2", DEFAULTS["adam_beta2"])
    draft.put(("optimizer", "kind"), "adamw", ("optim",))
    origin = ("adam_beta2",) if draft.has("adam_beta2") else ("adam_beta1",)
    draft.put(("optimizer", "betas"), [beta1, beta2], origin)


def _scheduler_name(draft: Draft) -> str:
    name = draft.get("lr_scheduler_type", DEFAULTS["lr_scheduler_type"])
    where = ("lr_scheduler_type",)
    if not isinstance(name, str) or name not in SCHEDULER_TYPES:
        shown = name if isinstance(name, str) else draft.describe("lr_scheduler_type", name)
        hint = did_you_mean(str(name), list(SCHEDULER_TYPES))
        draft.error(
            where,
            f"lr_scheduler_type {shown} is not a transformers SchedulerType{hint}; "
            f"transformers has: {', '.join(SCHEDULER_TYPES)}",
        )
        return "linear"
    if name in METRIC_DRIVEN:
        draft.error(
            where,
            f"lr_scheduler_type {name} follows {METRIC_DRIVEN[name]}, not the step count: "
            "no schedule can be computed before training",
        )
        return "linear"
    return name


def _total_updates(draft: Draft) -> Total | None:
    """N from max_steps, or from epochs and the data (None: a run-time fact is missing)."""
    facts = draft.facts
    max_steps = draft.number("max_steps", -1, whole=True, minimum=-math.inf)
    epochs = draft.number("num_train_epochs", DEFAULTS["num_train_epochs"])
    batch = draft.number("per_device_train_batch_size", 8, whole=True, minimum=1)
    accum = draft.number("gradient_accumulation_steps", 1, whole=True, minimum=1)
    drop_last = draft.flag("dataloader_drop_last", False)
    per_epoch = None
    if facts.dataset_size is not None:
        per_epoch = _updates_per_epoch(draft, facts.dataset_size, batch, accum, drop_last)
    if facts.steps is not None:
        draft.note(f"N = {facts.steps:,} updates (--steps)")
        return Total(facts.steps, ("max_steps",), per_epoch)
    if max_steps > 0:
        draft.note(f"N = max_steps {max_steps:,} updates")
        return Total(max_steps, ("max_steps",), per_epoch)
    if per_epoch is None:
        return None
    total = math.ceil(epochs * per_epoch)
    draft.note(
        f"N = ceil(num_train_epochs {epochs:g} x {per_epoch:,} updates per epoch) = "
        f"{total:,} updates"
    )
    return Total(total, ("num_train_epochs",), per_epoch)


def _updates_per_epoch(draft: Draft, examples: int, batch: int, accum: int, drop: bool) -> int:
    processes = draft.facts.processes
    global_batch = batch * processes
    batches = examples // global_batch if drop else -(-examples // global_batch)
    per_epoch = max(1, -(-batches // accum))
    rounding = "floor (dataloader_drop_last)" if drop else "ceil"
    draft.note(
        f"batches per epoch: {rounding}({examples:,} examples (--dataset-size) / "
        f"(per_device_train_batch_size {batch} x {processes} process"
        f"{'' if processes == 1 else 'es'})) = {batches:,}; updates per epoch: "
        f"max(1, ceil({batches:,} / gradient_accumulation_steps {accum})) = {per_epoch:,}"
    )
    return per_epoch


def _missing_fact(draft: Draft) -> Exception:
    epochs = draft.get("num_train_epochs", DEFAULTS["num_train_epochs"])
    shown = (
        f"num_train_epochs: {epochs:g}"
        if draft.has("num_train_epochs")
        else (f"num_train_epochs (default {epochs:g}, no max_steps)")
    )
    return draft.needs(
        ("num_train_epochs",),
        f"{shown} needs the number of training examples: pass --dataset-size N (or --steps)",
    )


def _warmup(draft: Draft, total: Total | None, name: str) -> Any:
    """A function of N giving W, after checking warmup_steps and warmup_ratio."""
    _warmup_ratio(draft)
    where = ("warmup_steps",)
    value = draft.number("warmup_steps", 0)
    if name == "constant" and value and not draft.has("deepspeed"):
        draft.warn(
            keys.IGNORED_KEY,
            where,
            f"warmup_steps {value:g} is ignored by lr_scheduler_type constant (no "
            "warm-up); use constant_with_warmup for one",
        )
    if isinstance(value, int):
        if value:
            draft.note(f"warm-up: warmup_steps {value:,} updates")
        return lambda n: value
    if value < 1:
        _float_warmup_trap(draft, value)

        def ratio(n: int) -> int:
            steps = math.ceil(n * value)
            draft.note(
                f"warm-up: warmup_steps {value:g} < 1 is a ratio: "
                f"ceil({value:g} x {n:,}) = {steps:,} updates"
            )
            return steps

        return ratio
    draft.note(
        f"warm-up: warmup_steps {value:g} (a float of 1 or more) truncated to {int(value):,}"
    )
    return lambda n: int(value)


def _warmup_ratio(draft: Draft) -> None:
    """``warmup_ratio`` left from transformers 4: never dropped without a word."""
    if not draft.has("warmup_ratio"):
        return
    ratio = draft.get("warmup_ratio")
    shown = (
        f"{ratio:g}"
        if isinstance(ratio, (int, float)) and not isinstance(ratio, bool)
        else repr(ratio)
    )
    if draft.has("warmup_steps"):
        draft.warn(
            keys.STEPS_AND_RATIO,
            ("warmup_ratio",),
            f"warmup_ratio {shown} given with warmup_steps: transformers 4 used warmup_steps "
            "when above 0 and the ratio otherwise; transformers 5 has no warmup_ratio "
            "(refused, or dropped with allow_extra_keys); remove one of them",
        )
        return
    draft.warn(
        keys.WARMUP_RATIO,
        ("warmup_ratio",),
        f"warmup_ratio {shown} is not a transformers 5 argument: HfArgumentParser refuses "
        "it, and with allow_extra_keys (TRL-style parsers) drops it, so training has no "
        f"warm-up (shown here); write warmup_steps: {shown} for a ratio in transformers 5 "
        f"(transformers 4 warmed up over ceil({shown} x N) updates)",
    )


def _float_warmup_trap(draft: Draft, value: float) -> None:
    draft.warn(
        keys.FLOAT_WARMUP,
        ("warmup_steps",),
        f"warmup_steps {value:g} is a ratio in transformers 5 (ceil({value:g} x N) updates, "
        "shown here) but transformers 4 reads it as steps (no warm-up: every update past "
        f"the first at the full LR); for both, write an int, or use warmup_ratio: {value:g} "
        "on transformers 4 only",
    )
