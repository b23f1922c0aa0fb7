"""A GPT-NeoX config (YAML: ``optimizer.params.lr``, ``lr_decay_style``, ``train_iters``,
``lr_decay_iters``, ``warmup``, ``min_lr``) -> a plan with a neox preset
(:mod:`warmplan.presets.neox`).

As ``megatron/training.py: get_learning_rate_scheduler`` (EleutherAI/gpt-neox@ea7aefd8)
computes it: the decay runs over ``lr_decay_iters``, else floor(``train_iters`` x
``lr_decay_fraction``), else ``train_iters`` (at least 1); the warm-up is ``warmup``
(default 0.01) x those decay iterations. NeoX reads ``-`` and ``_`` in keys alike.
"""

from __future__ import annotations

import math
from typing import Any

from warmplan.formats import megatron_traps as traps
from warmplan.formats.draft import Draft
from warmplan.presets.neox import STYLES

#: NeoXArgs' schedule keys and defaults (neox_args.py)
DEFAULTS: dict[str, Any] = {
    "lr": None,
    "lr_decay_style": "linear",
    "lr_decay_iters": None,
    "lr_decay_fraction": None,
    "min_lr": 0.0,
    "warmup": 0.01,
    "train_iters": None,
}


def _key(draft: Draft, name: str) -> str | None:
    """The key as the file spells it (``lr_decay_style`` or ``lr-decay-style``)."""
    for spelled in (name, name.replace("_", "-")):
        if draft.has(spelled):
            return spelled
    return None


def read(draft: Draft) -> None:
    args = {name: _value(draft, name) for name in DEFAULTS}
    spelled = _key(draft, "lr")
    lr_key: tuple[str, ...] = (spelled,) if spelled else ("optimizer", "params", "lr")
    if args["lr"] is None:
        optimizer = draft.get("optimizer")
        params = optimizer.get("params") if isinstance(optimizer, dict) else None
        args["lr"] = params.get("lr") if isinstance(params, dict) else None
    lr = args["lr"]
    if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not lr > 0:
        draft.error(
            lr_key if lr is not None else (),
            f"the LR (optimizer.params.lr) must be a positive number, got {lr!r}",
        )
    if args["lr_decay_style"] not in STYLES:
        draft.error(
            (_key(draft, "lr_decay_style") or "lr_decay_style",),
            f"lr_decay_style must be one of {', '.join(STYLES)}, got {args['lr_decay_style']!r}",
        )
    draft.raise_problems()
    train = draft.facts.steps or args["train_iters"]
    if train is None:
        raise draft.needs(
            (), "no train_iters: NeoX infers it from train_epochs and the data; pass --steps N"
        )
    decay_key = _key(draft, "lr_decay_iters") or _key(draft, "lr_decay_fraction")
    if args["lr_decay_iters"] is not None:
        total = args["lr_decay_iters"]
    elif args["lr_decay_fraction"] is not None:
        total = math.floor(train * args["lr_decay_fraction"])
    else:
        total = train
    total = max(1, total)
    warmup_iter = args["warmup"] * total
    draft.note(
        f"NeoX: decay over {total:,} iterations, warm-up {args['warmup']:g} x {total:,} "
        f"= {warmup_iter:,g}"
    )
    draft.put(("optimizer", "lr"), float(lr), lr_key)
    draft.put(("training", "steps"), train, (_key(draft, "train_iters") or "train_iters",))
    draft.put(("training", "interval"), "step")
    style_key = (_key(draft, "lr_decay_style") or "lr_decay_style",)
    draft.put(("preset", "framework"), "neox", style_key)
    draft.put(("preset", "name"), args["lr_decay_style"], style_key)
    draft.put(("preset", "args"), {}, style_key)
    draft.put(
        ("preset", "args", "warmup_iter"), float(warmup_iter), (_key(draft, "warmup") or "warmup",)
    )
    draft.put(("preset", "args", "total_iters"), total, (decay_key,) if decay_key else None)
    draft.put(("preset", "args", "min_lr"), args["min_lr"], (_key(draft, "min_lr") or "min_lr",))
    if args["lr_decay_style"] == "cosine" and total < train - 1:
        draft.warn(
            traps.NEOX_COSINE_RISES,
            (decay_key,) if decay_key else style_key,
            f"NeoX's cosine is periodic: past its {total:,} decay iterations the LR comes back "
            f"up over the last {train - 1 - total:,} of {train:,} (only clipped at min_lr); "
            "set lr_decay_iters to train_iters",
        )


def _value(draft: Draft, name: str) -> Any:
    key = _key(draft, name)
    if key is None:
        return DEFAULTS[name]
    value = draft.get(key)
    if name == "lr_decay_style":
        return value
    whole = name in ("lr_decay_iters", "train_iters")
    kinds = (int,) if whole else (int, float)
    if value is None and DEFAULTS[name] is None:
        return None
    if isinstance(value, bool) or not isinstance(value, kinds) or value < 0:
        what = "a whole number >= 0" if whole else "a number >= 0"
        draft.error((key,), f"{key} must be {what}, got {draft.describe(key, value)}")
        return DEFAULTS[name]
    return value
