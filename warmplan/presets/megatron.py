"""Megatron-LM's ``OptimizerParamScheduler`` (megatron-core 0.16.1,
``megatron/core/optimizer_param_scheduler.py``), one preset per ``--lr-decay-style``:
constant, linear, cosine, inverse-square-root, WSD.

Megatron counts in samples: ``pretrain_gpt.py``'s setup
(``megatron/training/training.py: get_optimizer_param_scheduler``) makes every length
a number of samples (iterations x ``--global-batch-size``, or the ``--*-samples``
flags as given; a ``--lr-warmup-fraction`` is that fraction of the decay's samples,
a float), and the training loop calls ``step(increment)`` with the global batch after
every update. So update ``t`` uses ``get_lr`` at ``num_steps = t x increment``: the
arguments here are the scheduler's own, in samples, with ``increment`` the global
batch. ``max_lr`` is each group's target; ``init_lr`` and ``min_lr`` are absolute.
After ``lr_decay_steps`` the LR holds ``min_lr`` to the end of training.

Param groups: ``get_lr`` reads each group's own ``max_lr`` and ``min_lr`` (megatron-core's
``get_standard_config_overrides`` gives the embedding and output-layer group
``--decoupled-lr`` and ``--decoupled-min-lr``), while ``init_lr`` and every length are the
scheduler's, shared. So ``min_lr`` may be a list, one floor per group of
``optimizer.groups``; a single number is every group's floor.
"""

from __future__ import annotations

import math
from typing import Any

from warmplan.presets import Arg, Preset, PresetArgumentError

WSD_STYLES = ("linear", "cosine", "exponential", "minus_sqrt")


def megatron_lr(
    num_steps: int,
    style: str,
    max_lr: float,
    init_lr: float,
    min_lr: float,
    lr_warmup_steps: float,
    lr_decay_steps: float,
    wsd_decay_steps: float | None,
    lr_wsd_decay_style: str,
) -> float:
    """OptimizerParamScheduler.get_lr at ``num_steps`` samples, operation for operation."""
    if lr_warmup_steps > 0 and num_steps <= lr_warmup_steps:
        return init_lr + ((max_lr - init_lr) * float(num_steps) / float(lr_warmup_steps))
    if style == "constant":
        return max_lr
    if num_steps > lr_decay_steps:
        return min_lr
    if style == "inverse-square-root":
        warmup_steps = max(lr_warmup_steps, 1)
        num = max(num_steps, 1)
        return max(min_lr, max_lr * warmup_steps**0.5 / (num**0.5))
    decay_ratio = float(num_steps - lr_warmup_steps) / float(lr_decay_steps - lr_warmup_steps)
    if style == "linear":
        coeff = 1.0 - decay_ratio
    elif style == "cosine":
        coeff = 0.5 * (math.cos(math.pi * decay_ratio) + 1.0)
    else:  # WSD: hold, then anneal over the last wsd_decay_steps
        anneal_start = lr_decay_steps - wsd_decay_steps  # type: ignore[operator]
        if num_steps <= anneal_start:
            coeff = 1.0
        else:
            ratio = float(num_steps - anneal_start) / float(wsd_decay_steps)  # type: ignore[arg-type]
            if lr_wsd_decay_style == "linear":
                coeff = 1.0 - ratio
            elif lr_wsd_decay_style == "cosine":
                coeff = 0.5 * (math.cos(math.pi * ratio) + 1.0)
            elif lr_wsd_decay_style == "exponential":
                coeff = (2.0 * math.pow(0.5, ratio)) - 1.0
            else:
                coeff = 1.0 - math.sqrt(ratio)
    return min_lr + coeff * (max_lr - min_lr)


def optimizer_param_scheduler(
    t: int,
    *,
    target: float,
    style: str,
    init_lr: float,
    min_lr: float,
    lr_warmup_steps: float,
    lr_decay_steps: float,
    increment: int,
    wsd_decay_steps: float | None = None,
    lr_wsd_decay_style: str = "exponential",
) -> float:
    """The factor of update ``t``: Megatron's LR after ``t`` steps of ``increment``."""
    lr = megatron_lr(
        t * increment,
        style,
        target,
        init_lr,
        min_lr,
        lr_warmup_steps,
        lr_decay_steps,
        wsd_decay_steps,
        lr_wsd_decay_style,
    )
    return lr / target


def _first_after(samples: float, increment: int) -> int:
    """The first update whose ``num_steps`` is past ``samples``."""
    return math.floor(samples / increment) + 1


def _style(style: str) -> Any:
    def derive(args: dict[str, Any], lr: float) -> dict[str, Any]:
        if not args["lr_decay_steps"] > 0:
            raise PresetArgumentError("lr_decay_steps", "lr_decay_steps must be above 0")
        if not args["lr_warmup_steps"] < args["lr_decay_steps"]:
            raise PresetArgumentError(
                "lr_warmup_steps",
                f"the warm-up ({args['lr_warmup_steps']:g} samples) must be shorter than "
                f"the decay ({args['lr_decay_steps']:g}); Megatron asserts it",
            )
        # the scheduler asserts max_lr >= min_lr for --lr and --min-lr only: a list's
        # floors (the decoupled group's) go unchecked, as in megatron-core
        if not isinstance(args["min_lr"], list) and args["min_lr"] > lr:
            raise PresetArgumentError("min_lr", f"min_lr must not exceed the LR {lr:g}")
        if args["init_lr"] > lr:
            raise PresetArgumentError("init_lr", f"init_lr must not exceed the LR {lr:g}")
        if style == "WSD" and args.get("wsd_decay_steps") is None:
            raise PresetArgumentError(
                "wsd_decay_steps", "WSD needs wsd_decay_steps (--lr-wsd-decay-iters|samples)"
            )
        return {"style": style}

    return derive


def _phases(style: str) -> Any:
    def phases(args: Any) -> list[tuple[str, int]]:
        step = args["increment"]
        after_warmup = _first_after(args["lr_warmup_steps"], step) if args["lr_warmup_steps"] else 0
        if style == "constant":
            return [("constant", after_warmup)]
        held = _first_after(args["lr_decay_steps"], step)
        marks = [("decay", after_warmup)]
        if style == "WSD":
            anneal = args["lr_decay_steps"] - args["wsd_decay_steps"]
            marks = [("stable", after_warmup), ("decay", _first_after(anneal, step))]
        return [*marks, ("constant", held)] if style != "inverse-square-root" else marks

    return phases


_ARGS = {
    "init_lr": Arg("float", 0.0),
    "min_lr": Arg("float", 0.0, per_group=True),
    "lr_warmup_steps": Arg("float", 0),
    "lr_decay_steps": Arg("float"),
    "increment": Arg("int", 1, minimum=1),
}
_WSD = {
    "wsd_decay_steps": Arg("float", None, nullable=True),
    "lr_wsd_decay_style": Arg("str", "exponential", WSD_STYLES),
}
STYLES = ("constant", "linear", "cosine", "inverse-square-root", "WSD")

PRESETS: dict[str, Preset] = {
    style: Preset(
        optimizer_param_scheduler,
        {**_ARGS, **(_WSD if style == "WSD" else {})},
        _phases(style),
        _style(style),
    )
    for style in STYLES
}
