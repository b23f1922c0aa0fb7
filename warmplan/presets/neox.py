"""GPT-NeoX's ``AnnealingLR`` (``megatron/learning_rates.py``, EleutherAI/gpt-neox@ea7aefd8),
one preset per ``lr_decay_style``: constant, linear, cosine, exponential.

NeoX is not on PyPI; the arithmetic is re-typed from that commit (and checked against
the same formula in scripts/make_neox_references.py). DeepSpeed's engine steps the
scheduler after every update, from ``num_iters = 0``: update ``t`` uses ``get_lr`` at
``t``. The warm-up is ``lr x max(1, t) / warmup_iter`` (updates 0 and 1 share an LR),
``warmup_iter = warmup x lr_decay_iters`` (a float); every LR is clipped below at
``min_lr``. Past ``lr_decay_iters`` linear and exponential keep falling (so the clip holds
``min_lr``), but **cosine comes back up**: NeoX's cosine is periodic.
"""

from __future__ import annotations

import math

from warmplan.presets import Arg, Preset


def annealing_lr(
    t: int,
    *,
    target: float,
    style: str,
    warmup_iter: float,
    total_iters: int,
    min_lr: float,
) -> float:
    """AnnealingLR.get_lr at ``num_iters = t``, over the group's target (start_lr)."""
    start_lr = target
    if warmup_iter > 0 and t <= warmup_iter:
        return float(start_lr) * max(1, t) / warmup_iter / target
    num_iters = t - warmup_iter
    end_iter = total_iters - warmup_iter
    if style == "linear":
        lr = start_lr * (end_iter - num_iters) / end_iter
    elif style == "cosine":
        lr = min_lr + ((start_lr - min_lr) / 2.0 * (math.cos(math.pi * num_iters / end_iter) + 1))
    elif style == "exponential":
        lr = start_lr * math.exp(-0.693 * num_iters / end_iter)
    else:
        lr = start_lr
    return max(lr, min_lr) / target


def _derive(style: str):  # type: ignore[no-untyped-def]
    def derive(args, lr):  # type: ignore[no-untyped-def]
        return {"style": style}

    return derive


def _phases(args) -> list[tuple[str, int]]:  # type: ignore[no-untyped-def]
    return [("decay", math.floor(args["warmup_iter"]) + 1 if args["warmup_iter"] > 0 else 0)]


_ARGS = {
    "warmup_iter": Arg("float", 0.0),
    "total_iters": Arg("int", minimum=1),
    "min_lr": Arg("float", 0.0),
}
STYLES = ("constant", "linear", "cosine", "exponential")
PRESETS: dict[str, Preset] = {s: Preset(annealing_lr, _ARGS, _phases, _derive(s)) for s in STYLES}
