"""An OLMo training config (``optimizer.learning_rate``, ``scheduler``, ``max_duration``,
``global_train_batch_size``, ``model.max_sequence_length``) -> a plan with an olmo
preset (:mod:`warmplan.presets.olmo`).

As ai2-olmo 0.6.0's ``Trainer`` computes it (``olmo/train.py``: ``max_steps``,
``max_tokens``, ``scheduler_current``/``scheduler_max``; reference in
tests/data/formats/olmo.json): ``max_duration`` is updates (``5000``), tokens
(``2e12T``: ceil(tokens / tokens per batch) updates) or epochs (``2ep``: needs
``--steps-per-epoch``, the batches of an epoch); ``units: tokens`` counts the schedule in
tokens, global batch x sequence length a step. A file without
``global_train_batch_size`` or ``model.max_sequence_length`` takes ``--global-batch-size``
/ ``--sequence-length`` (a run that sets them on OLMo's command line), else OLMo's
defaults; a flag that contradicts the file is an error.
"""

from __future__ import annotations

import math
from typing import Any

from warmplan.formats import olmo_traps
from warmplan.formats.draft import Draft
from warmplan.presets.olmo import NAMES

#: OLMo's TrainConfig defaults for what the schedule reads
DEFAULT_BATCH, DEFAULT_SEQUENCE = 512, 1024


def read(draft: Draft) -> None:
    scheduler = draft.get("scheduler") or {}
    optimizer = draft.get("optimizer") or {}
    lr = optimizer.get("learning_rate") if isinstance(optimizer, dict) else None
    if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not lr > 0:
        draft.error(
            ("optimizer", "learning_rate"),
            f"optimizer.learning_rate must be a positive number, got {lr!r}",
        )
    name = scheduler.get("name", "cosine_with_warmup")
    if name not in NAMES:
        draft.error(
            ("scheduler", "name"),
            f"scheduler.name {name!r} is not an OLMo scheduler; OLMo has: {', '.join(NAMES)}",
        )
    units = scheduler.get("units", "steps")
    if units not in ("steps", "tokens"):
        draft.error(
            ("scheduler", "units"), f"scheduler.units must be steps or tokens, got {units!r}"
        )
    draft.raise_problems()
    per_batch = _tokens_per_batch(draft)
    updates, max_tokens = _duration(draft, per_batch)
    draft.raise_problems()
    per_step = per_batch if units == "tokens" else 1
    maximum = max_tokens if units == "tokens" else updates
    assert isinstance(lr, (int, float))  # refused above if not
    draft.put(("optimizer", "lr"), float(lr), ("optimizer", "learning_rate"))
    draft.put(("training", "steps"), updates, ("max_duration",))
    draft.put(("training", "interval"), "step")
    draft.put(
        ("preset", "framework"),
        "olmo",
        ("scheduler", "name") if "name" in scheduler else ("scheduler",),
    )
    draft.put(
        ("preset", "name"), name, ("scheduler", "name") if "name" in scheduler else ("scheduler",)
    )
    draft.put(("preset", "args"), {}, ("scheduler",))
    args = {
        "warmup_steps": (int(scheduler.get("t_warmup", 100)), "t_warmup"),
        "alpha_f": (scheduler.get("alpha_f", 0.1), "alpha_f"),
        "t_max": (None if scheduler.get("t_max") is None else int(scheduler["t_max"]), "t_max"),
        "warmup_min_lr": (scheduler.get("warmup_min_lr"), "warmup_min_lr"),
        "units_per_step": (per_step, "units"),
        "max_units": (maximum, "max_duration"),
    }
    for key, (value, origin) in args.items():
        where = ("max_duration",) if origin == "max_duration" else ("scheduler", origin)
        draft.put(("preset", "args", key), value, where)
    run = olmo_traps.Run(
        name=name,
        lr=float(lr),
        units=units,
        warmup=args["warmup_steps"][0],
        t_max=args["t_max"][0],
        alpha_f=args["alpha_f"][0],
        warmup_min_lr=args["warmup_min_lr"][0],
        per_step=per_step,
        updates=updates,
        maximum=maximum,
    )
    olmo_traps.find(draft, scheduler, run)
    start = scheduler.get("warmup_min_lr")
    draft.note(
        f"OLMo counts {units} after each update (update 0 at {per_step:,}); the warm-up starts at "
        + (
            "0.1 x learning_rate (warmup_min_lr's default)"
            if start is None
            else f"warmup_min_lr {start:g}"
        )
    )


def _tokens_per_batch(draft: Draft) -> int:
    """Global batch x sequence length: the file's, else the flags', else OLMo's defaults."""
    model = draft.get("model") or {}
    batch = _batch_value(draft, draft.recipe.data, ("global_train_batch_size",), DEFAULT_BATCH)
    sequence = _batch_value(
        draft,
        model if isinstance(model, dict) else {},
        ("model", "max_sequence_length"),
        DEFAULT_SEQUENCE,
    )
    return batch * sequence


def _batch_value(draft: Draft, block: dict[str, Any], where: tuple[str, ...], default: int) -> int:
    fact = "global_batch_size" if where[-1] == "global_train_batch_size" else "sequence_length"
    if where[-1] not in block:
        return getattr(draft.facts, fact) or default
    value = block[where[-1]]
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        draft.error(where, f"{'.'.join(where)} must be a whole number >= 1, got {value!r}")
        return 1
    return draft.agreed(fact, where, value) or value


def _duration(draft: Draft, per_batch: int) -> tuple[int, int]:
    """(updates, tokens) of ``max_duration``, as OLMo's Trainer reads it."""
    duration: Any = draft.get("max_duration", None)
    if draft.facts.steps is not None:
        return draft.facts.steps, draft.facts.steps * per_batch
    if isinstance(duration, int) and not isinstance(duration, bool) and duration > 0:
        return duration, duration * per_batch
    if isinstance(duration, str) and duration.endswith("T"):
        tokens = _number(draft, duration[:-1])
        steps = math.ceil(tokens / per_batch)
        draft.note(
            f"max_duration {duration}: ceil({tokens:,} / {per_batch:,} tokens a batch) "
            f"= {steps:,} updates"
        )
        return steps, tokens
    if isinstance(duration, str) and duration.endswith("ep"):
        epochs = _epochs(draft, duration)
        draft.raise_problems()  # a refused count before the flag it would need
        per_epoch = draft.facts.steps_per_epoch
        if per_epoch is None:
            raise draft.needs(
                ("max_duration",),
                f"max_duration {duration} needs the batches of an epoch: pass "
                "--steps-per-epoch N (or --steps)",
            )
        return epochs * per_epoch, epochs * per_epoch * per_batch
    if isinstance(duration, str):
        steps = _number(draft, duration)
        return steps, steps * per_batch
    draft.error(
        ("max_duration",) if draft.has("max_duration") else (),
        f"max_duration must be updates (5000), tokens (2e12T) or epochs (2ep), got {duration!r}",
    )
    return 1, per_batch


def _epochs(draft: Draft, duration: str) -> int:
    """OLMo's ``int(max_duration[:-2].strip())``: whole epochs, no float() first."""
    text = duration[:-2].strip()
    try:
        epochs = int(text)
    except ValueError:
        draft.error(
            ("max_duration",),
            f"max_duration {duration!r}: OLMo reads epochs with int(), which refuses {text!r} "
            "(whole epochs only; give a part of an epoch as updates or tokens, e.g. 2e12T)",
        )
        return 1
    return _at_least_one(draft, epochs)


def _number(draft: Draft, text: str) -> int:
    try:
        value = int(float(text.strip()))
    except ValueError:
        draft.error(
            ("max_duration",),
            f"max_duration {draft.get('max_duration')!r}: OLMo cannot read {text!r} as a "
            "number (float() refuses it; tokens end in a capital T)",
        )
        return 1
    return _at_least_one(draft, value)


def _at_least_one(draft: Draft, count: int) -> int:
    """A duration read as a number of epochs, updates or tokens: 1 or more."""
    if count < 1:
        draft.error(("max_duration",), f"max_duration must be at least 1, got {count}")
        return 1
    return count
