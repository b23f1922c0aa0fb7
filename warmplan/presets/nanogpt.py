"""nanoGPT's ``get_lr`` (karpathy/nanoGPT@3adf61e1, train.py lines 231-242).

``train.py`` sets every param group's LR to ``get_lr(iter_num)`` (or to
``learning_rate`` when ``decay_lr`` is False) before the update of iteration
``iter_num``, for ``iter_num`` = 0 .. ``max_iters`` (its loop stops once
``iter_num > max_iters``: ``max_iters + 1`` updates). Step ``t`` of the plan is
``iter_num``; ``learning_rate`` is the plan's target, ``min_lr`` an absolute LR.
"""

from __future__ import annotations

import math
from typing import Any

from warmplan.presets import Arg, Preset


def get_lr(
    it: int, learning_rate: float, warmup_iters: int, lr_decay_iters: int, min_lr: float
) -> float:
    """train.py's get_lr, word for word."""
    if it < warmup_iters:
        return learning_rate * (it + 1) / (warmup_iters + 1)
    if it > lr_decay_iters:
        return min_lr
    decay_ratio = (it - warmup_iters) / (lr_decay_iters - warmup_iters)
    assert 0 <= decay_ratio <= 1
    coeff = 0.5 * (1.0 + math.cos(math.pi * decay_ratio))
    return min_lr + coeff * (learning_rate - min_lr)


def cosine(
    t: int,
    *,
    target: float,
    warmup_iters: int,
    lr_decay_iters: int,
    min_lr: float,
    decay_lr: bool,
) -> float:
    """``get_lr(t) / learning_rate``; warmup_iters = lr_decay_iters divides by zero at
    iteration warmup_iters, as train.py does (the reader says so at the key)."""
    if not decay_lr:
        return 1.0
    return get_lr(t, target, warmup_iters, lr_decay_iters, min_lr) / target


def _phases(args: Any) -> list[tuple[str, int]]:
    if not args["decay_lr"]:
        return [("constant", 0)]
    return [("cosine", args["warmup_iters"]), ("floor", args["lr_decay_iters"] + 1)]


PRESETS = {
    "get_lr": Preset(
        cosine,
        {
            "warmup_iters": Arg("int", 2000, minimum=None),
            "lr_decay_iters": Arg("int", 600000, minimum=None),
            "min_lr": Arg("float", 6e-5),
            "decay_lr": Arg("bool", True),
        },
        phases=_phases,
    ),
}
