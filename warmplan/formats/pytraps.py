"""The traps of the Python configs (mmengine WP150-WP154, nanoGPT WP155-WP159): the
readers find them while reading, at the keys responsible; registered as `check`
rules in :mod:`warmplan.lint.rules.formats`."""

from __future__ import annotations

from typing import Any

from warmplan.config.source import KeyPath
from warmplan.formats.draft import Draft
from warmplan.presets.mmengine_chain import Scheduler

EPOCH_WARMUP = "WP150"  # a warm-up stepped per epoch
COSINE_T_MAX = "WP151"  # a cosine whose T_max is not its phase's length
NEVER_STEPS = "WP152"  # a by_epoch scheduler in an IterBasedTrainLoop
OUTSIDE_TRAINING = "WP153"  # a scheduler that begins, or is cut, outside training
DECAY_ITERS = "WP155"  # nanoGPT lr_decay_iters != max_iters
MIN_LR = "WP156"  # nanoGPT min_lr not about learning_rate / 10
NO_COSINE = "WP157"  # nanoGPT warmup_iters >= lr_decay_iters
IGNORED = "WP158"  # nanoGPT decay_lr False: warm-up and decay keys ignored

TITLES = {
    EPOCH_WARMUP: "an mmengine warm-up stepped once per epoch (by_epoch=True)",
    COSINE_T_MAX: "an mmengine cosine whose T_max is not the length of its phase",
    NEVER_STEPS: "an mmengine by_epoch scheduler in an IterBasedTrainLoop (it never steps)",
    OUTSIDE_TRAINING: "an mmengine scheduler that begins after training or is cut short",
    DECAY_ITERS: "nanoGPT lr_decay_iters different from max_iters",
    MIN_LR: "nanoGPT min_lr far from learning_rate / 10",
    NO_COSINE: "nanoGPT warmup_iters at or past lr_decay_iters (no cosine)",
    IGNORED: "nanoGPT decay_lr = False with warm-up or decay keys (ignored)",
}


def mmengine_traps(
    draft: Draft,
    built: list[Scheduler],
    specs: list[tuple[dict[str, Any], KeyPath]],
    by_epoch: bool,
    length: int,
    epoch_length: int,
) -> None:
    total = length * epoch_length if by_epoch else length
    for s, (spec, at) in zip(built, specs, strict=True):

        def key(name: str, at: KeyPath = at, spec: dict[str, Any] = spec) -> KeyPath:
            return (*at, name) if name in spec else (*at, "type")

        unit = epoch_length if s.by_epoch else 1  # iterations per step of this scheduler
        if s.by_epoch and not by_epoch:
            draft.warn(
                NEVER_STEPS,
                key("by_epoch"),
                f"{s.kind} steps once per epoch (by_epoch=True), but an "
                "IterBasedTrainLoop has no epochs: it never steps after it is built; "
                "write by_epoch=False (begin/end in iterations)",
            )
            continue
        warmup = s.kind == "LinearLR" and s.args["start_factor"] < s.args["end_factor"]
        if (warmup or s.kind == "ConstantLR") and s.by_epoch and s.begin == 0:
            draft.warn(
                EPOCH_WARMUP,
                key("by_epoch"),
                f"{s.kind} warms up once per epoch (by_epoch=True): each of its "
                f"{_plural(s.end - s.begin, 'epoch')} keeps one LR for {epoch_length:,} "
                "iterations, then jumps; write convert_to_iter_based=True (or "
                "by_epoch=False with begin/end in iterations)",
            )
        if (
            s.kind == "CosineAnnealingLR"
            and spec.get("T_max")
            and s.args["T_max"] != s.end - s.begin
        ):
            t_max, span = s.args["T_max"], s.end - s.begin
            what = "comes back up after T_max" if t_max < span else "never reaches eta_min"
            draft.warn(
                COSINE_T_MAX,
                key("T_max"),
                f"CosineAnnealingLR T_max {t_max:g} is not its phase's length "
                f"end - begin = {span:g}: the LR {what}; leave T_max out (mmengine "
                "then uses end - begin)",
            )
        if s.begin * unit >= total:
            draft.warn(
                OUTSIDE_TRAINING,
                key("begin"),
                f"{s.kind} begins at {_plural(s.begin, 'epoch' if s.by_epoch else 'iteration')}, "
                f"when training ({total:,} iterations) is over: it never runs",
            )
        elif "end" in spec and s.end * unit > total and s.kind in _REACHING:
            draft.warn(
                OUTSIDE_TRAINING,
                key("end"),
                f"{s.kind} ends at {s.end:g} {'epochs' if s.by_epoch else 'iterations'}, "
                f"after training ({total:,} iterations): the curve is cut before its "
                "end; leave end out (it then ends with training)",
            )


_REACHING = {"CosineAnnealingLR", "LinearLR", "PolyLR", "OneCycleLR"}


def _plural(n: float, unit: str) -> str:
    return f"{n:g} {unit}" + ("" if n == 1 else "s")


def nanogpt_traps(draft: Draft, values: dict[str, Any]) -> None:
    lr, warmup, decay = values["learning_rate"], values["warmup_iters"], values["lr_decay_iters"]
    min_lr, max_iters = values["min_lr"], values["max_iters"]

    def at(name: str) -> KeyPath:
        return (name,) if draft.has(name) else ()

    if not values["decay_lr"]:
        written = [k for k in ("warmup_iters", "lr_decay_iters", "min_lr") if draft.has(k)]
        if written:
            draft.warn(
                IGNORED,
                (written[0],),
                f"{', '.join(written)} ignored: decay_lr = False trains at "
                f"learning_rate {lr:g} from the first iteration (no warm-up either)",
            )
        return
    if warmup >= decay:
        draft.warn(
            NO_COSINE,
            at("warmup_iters") if draft.has("warmup_iters") else at("lr_decay_iters"),
            f"warmup_iters {warmup:,} is not below lr_decay_iters {decay:,}: no cosine; "
            f"the LR drops from the warm-up straight to min_lr {min_lr:g}",
        )
    elif decay != max_iters:
        where = at("lr_decay_iters") if draft.has("lr_decay_iters") else at("max_iters")
        if decay < max_iters:
            what = f"the last {max_iters - decay:,} iterations stay at min_lr {min_lr:g}"
        else:
            from warmplan.presets.nanogpt import get_lr

            end = get_lr(max_iters, lr, warmup, decay, min_lr)
            what = f"training stops at LR {end:.3g}, before the cosine reaches min_lr {min_lr:g}"
        draft.warn(
            DECAY_ITERS,
            where,
            f"lr_decay_iters {decay:,} is not max_iters {max_iters:,}: {what} "
            "(nanoGPT: 'should be ~= max_iters per Chinchilla')",
        )
    ratio = min_lr / lr
    if not 0.05 <= ratio <= 0.2:
        where = at("min_lr") if draft.has("min_lr") else at("learning_rate")
        default = "" if draft.has("min_lr") else " (train.py's default, sized for 6e-4)"
        draft.warn(
            MIN_LR,
            where,
            f"min_lr {min_lr:g}{default} is {ratio:.3g} x learning_rate {lr:g}; nanoGPT "
            f"means about learning_rate / 10 ({lr / 10:g})",
        )
