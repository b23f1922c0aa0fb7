"""A Megatron-LM launch script (``torchrun ... pretrain_gpt.py --lr ...``) -> a plan with a
megatron preset (:mod:`warmplan.presets.megatron`).

Reproduced from Megatron-LM (``megatron/training/arguments.py`` validate_args and
``training.py`` get_optimizer_param_scheduler, NVIDIA/Megatron-LM@001b00c2) over
megatron-core 0.16.1's OptimizerParamScheduler (tests/data/formats/megatron.json):

- iteration-based (``--train-iters``): every length is iterations x
  ``--global-batch-size`` samples; ``--lr-decay-iters`` defaults to ``--train-iters``;
  ``--lr-warmup-fraction`` is a fraction of the *decay* samples, else
  ``--lr-warmup-iters`` (default 0); the ``--*-samples`` flags are refused.
- sample-based (``--train-samples``): N = train-samples // global batch updates; the
  lengths are the ``--lr-*-samples`` flags as given (decay: train-samples).
- after the decay the LR holds ``--min-lr`` (default 0) to the end.
- ``--decoupled-lr`` makes a second param group, ``embedding_and_output`` (megatron-core
  0.16.1 ``get_standard_config_overrides``: the embedding and output-layer parameters),
  peaking at ``--decoupled-lr`` with the floor ``--decoupled-min-lr``, else ``--min-lr``;
  the warm-up's start and every length are shared. ``--decoupled-min-lr`` alone is
  ignored by Megatron (one group): a finding. Megatron asserts both are not used with
  ``--use-legacy-models`` (:mod:`warmplan.formats.megatron_decoupled`).

A script without ``--global-batch-size`` takes warmplan's ``--global-batch-size`` flag,
else ``--micro-batch-size`` x the data-parallel size (``--world-size``).
"""

from __future__ import annotations

import difflib
from typing import Any

from warmplan.formats import megatron_decoupled as decoupled
from warmplan.formats import megatron_traps as traps
from warmplan.formats.draft import Draft
from warmplan.presets.megatron import STYLES, WSD_STYLES
from warmplan.text import counted

#: the flags of the schedule, with argparse's type and default (arguments.py)
FLAGS: dict[str, tuple[type, Any]] = {
    "--lr": (float, None),
    "--min-lr": (float, 0.0),
    "--lr-decay-style": (str, "linear"),
    "--lr-wsd-decay-style": (str, "exponential"),
    "--lr-wsd-decay-iters": (int, None),
    "--lr-wsd-decay-samples": (int, None),
    "--lr-warmup-iters": (int, 0),
    "--lr-warmup-fraction": (float, None),
    "--lr-warmup-samples": (int, 0),
    "--lr-warmup-init": (float, 0.0),
    "--lr-decay-iters": (int, None),
    "--lr-decay-samples": (int, None),
    "--train-iters": (int, None),
    "--train-samples": (int, None),
    "--global-batch-size": (int, None),
    "--micro-batch-size": (int, None),
    "--tensor-model-parallel-size": (int, 1),
    "--pipeline-model-parallel-size": (int, 1),
    "--context-parallel-size": (int, 1),
    "--decoupled-lr": (float, None),
    "--decoupled-min-lr": (float, None),
}
#: flags that change the LRs in ways the preset does not follow: refused by name
UNSUPPORTED = {
    "--rampup-batch-size": "a global batch that grows, so samples per update change",
    "--override-opt_param-scheduler": None,
}
_CHOICES = {"--lr-decay-style": STYLES, "--lr-wsd-decay-style": WSD_STYLES}


def read(draft: Draft) -> None:
    args = {flag: _value(draft, flag) for flag in FLAGS}
    _refuse_unsupported(draft)
    _near_misses(draft)
    decoupled.legacy_models(draft, args)
    draft.raise_problems()
    if args["--lr"] is None:
        draft.error((), "no --lr: Megatron needs the peak learning rate (--lr 3.0e-4)")
        draft.raise_problems()
    batch = _global_batch(draft, args)
    if args["--train-iters"]:
        lengths = _iteration_lengths(draft, args, batch)
    elif args["--train-samples"]:
        lengths = _sample_lengths(draft, args, batch)
    else:
        draft.error((), "either --train-iters or --train-samples must be given (Megatron raises)")
        lengths = {}
    draft.raise_problems()
    _write(draft, args, batch, lengths)
    _traps(draft, args, lengths, batch)


def _value(draft: Draft, flag: str) -> Any:
    kind, default = FLAGS[flag]
    if not draft.has(flag):
        return default
    text = draft.get(flag)
    variable = draft.recipe.unresolved.get((flag,))
    if variable is not None:
        draft.error(
            (flag,),
            f"{flag} is {text}, but the script never sets {variable}: define "
            f"{variable}=... before the command, or write the value",
        )
        return default
    if text is True:
        draft.error((flag,), f"{flag} needs a value (argparse refuses it bare)")
        return default
    try:
        value = kind(text)
    except ValueError:
        what = {int: "a whole number", float: "a number", str: "text"}[kind]
        draft.error((flag,), f"{flag} must be {what}, got {text!r} (argparse refuses it)")
        return default
    choices = _CHOICES.get(flag)
    if choices and value not in choices:
        draft.error((flag,), f"{flag} must be one of {', '.join(choices)}, got {text!r}")
        return default
    if kind is not str and value < 0:
        draft.error((flag,), f"{flag} must be >= 0, got {text}")
        return default
    return value


def _refuse_unsupported(draft: Draft) -> None:
    for flag, why in UNSUPPORTED.items():
        if draft.has(flag) and why:
            draft.error((flag,), f"{flag} is not supported by warmplan's reader: {why}")


def _near_misses(draft: Draft) -> None:
    """Megatron's parser has allow_abbrev=False: a misspelt flag stops the launch."""
    known = [*FLAGS, *UNSUPPORTED]
    for flag in draft.recipe.data:
        if flag in known or (not flag.startswith("--lr") and not flag.startswith("--train")):
            continue
        close = difflib.get_close_matches(flag, known, n=1, cutoff=0.8)
        if close:
            draft.error(
                (flag,),
                f"unrecognized argument {flag} (did you mean {close[0]}?): Megatron's "
                "parser refuses it",
            )


def _global_batch(draft: Draft, args: dict[str, Any]) -> int:
    """The script's --global-batch-size, else warmplan's (the run's), else Megatron's
    --micro-batch-size x the data-parallel size."""
    given = args["--global-batch-size"]
    if given:
        draft.agreed("global_batch_size", ("--global-batch-size",), given)
        return int(given)
    if draft.facts.global_batch_size is not None:
        draft.note(
            f"global batch = --global-batch-size {draft.facts.global_batch_size:,} (the flag)"
        )
        return draft.facts.global_batch_size
    world = draft.facts.world_size
    micro = args["--micro-batch-size"] or 1
    if world is None:
        raise draft.needs(
            ("--micro-batch-size",) if draft.has("--micro-batch-size") else (),
            "no --global-batch-size: Megatron takes --micro-batch-size x the data-parallel "
            "size; pass --world-size (the GPUs of the run), or --global-batch-size N",
        )
    model = (
        args["--tensor-model-parallel-size"]
        * args["--pipeline-model-parallel-size"]
        * args["--context-parallel-size"]
    )
    batch = micro * max(world // model, 1)
    draft.note(f"global batch = {micro} x {world // model} data-parallel ranks = {batch}")
    return batch


def _both(draft: Draft, args: dict[str, Any], mode: str, refused: list[str]) -> None:
    for flag in refused:
        if draft.has(flag) and args[flag]:
            draft.error((flag,), f"{flag} cannot be used with {mode} (Megatron asserts it)")


def _iteration_lengths(draft: Draft, args: dict[str, Any], batch: int) -> dict[str, Any]:
    _both(
        draft,
        args,
        "--train-iters",
        ["--train-samples", "--lr-decay-samples", "--lr-warmup-samples", "--lr-wsd-decay-samples"],
    )
    if args["--lr-warmup-fraction"] is not None and args["--lr-warmup-iters"]:
        draft.error(
            ("--lr-warmup-fraction",),
            "give one of --lr-warmup-fraction and --lr-warmup-iters (Megatron asserts it)",
        )
    decay_iters = args["--lr-decay-iters"] or args["--train-iters"]
    decay = decay_iters * batch
    if args["--lr-warmup-fraction"] is not None:
        warmup = args["--lr-warmup-fraction"] * decay
    else:
        warmup = args["--lr-warmup-iters"] * batch
    wsd = args["--lr-wsd-decay-iters"]
    return {
        "updates": args["--train-iters"],
        "decay": decay,
        "warmup": warmup,
        "wsd": None if wsd is None else wsd * batch,
    }


def _sample_lengths(draft: Draft, args: dict[str, Any], batch: int) -> dict[str, Any]:
    _both(
        draft,
        args,
        "--train-samples",
        ["--lr-decay-iters", "--lr-warmup-iters", "--lr-wsd-decay-iters"],
    )
    if args["--lr-warmup-fraction"] is not None and args["--lr-warmup-samples"]:
        draft.error(
            ("--lr-warmup-fraction",),
            "give one of --lr-warmup-fraction and --lr-warmup-samples (Megatron asserts it)",
        )
    updates = args["--train-samples"] // batch
    draft.note(
        f"N = --train-samples {args['--train-samples']:,} // global batch {batch:,} = "
        f"{counted(updates, 'update', ',')}"
    )
    decay = args["--lr-decay-samples"] or args["--train-samples"]
    if args["--lr-warmup-fraction"] is not None:
        warmup = args["--lr-warmup-fraction"] * decay
    else:
        warmup = args["--lr-warmup-samples"]
    if updates < 1:
        draft.error(("--train-samples",), "--train-samples is below one global batch: no update")
    return {
        "updates": updates,
        "decay": decay,
        "warmup": warmup,
        "wsd": args["--lr-wsd-decay-samples"],
    }


def _write(draft: Draft, args: dict[str, Any], batch: int, lengths: dict[str, Any]) -> None:
    style = args["--lr-decay-style"]
    iters = bool(args["--train-iters"])
    train_flag = "--train-iters" if iters else "--train-samples"
    draft.put(("optimizer", "lr"), args["--lr"], ("--lr",))
    decoupled.groups(draft, args)
    draft.put(("training", "steps"), lengths["updates"], (train_flag,))
    draft.put(("training", "interval"), "step")
    draft.put(("preset", "framework"), "megatron", ("--lr-decay-style",))
    draft.put(("preset", "name"), style, ("--lr-decay-style",))
    unit = "--lr-decay-iters" if iters else "--lr-decay-samples"
    warm = (
        "--lr-warmup-fraction"
        if args["--lr-warmup-fraction"] is not None
        else ("--lr-warmup-iters" if iters else "--lr-warmup-samples")
    )
    put = {
        "init_lr": (args["--lr-warmup-init"], "--lr-warmup-init"),
        "min_lr": (args["--min-lr"], "--min-lr"),
        "lr_warmup_steps": (lengths["warmup"], warm),
        "lr_decay_steps": (lengths["decay"], unit if draft.has(unit) else train_flag),
        "increment": (batch, "--global-batch-size"),
    }
    if style == "WSD":
        wsd = "--lr-wsd-decay-iters" if iters else "--lr-wsd-decay-samples"
        put["wsd_decay_steps"] = (lengths["wsd"], wsd)
        put["lr_wsd_decay_style"] = (args["--lr-wsd-decay-style"], "--lr-wsd-decay-style")
    draft.put(("preset", "args"), {}, ("--lr-decay-style",))
    for key, (value, flag) in put.items():
        draft.put(("preset", "args", key), value, (flag,) if draft.has(flag) else None)
    decoupled.floors(draft, args)
    draft.note(
        f"Megatron counts samples: warm-up {lengths['warmup']:,g}, decay {lengths['decay']:,g} "
        f"samples, {batch:,} a step; --min-lr {args['--min-lr']:g} held after the decay"
    )


def _traps(draft: Draft, args: dict[str, Any], lengths: dict[str, Any], batch: int) -> None:
    style, n = args["--lr-decay-style"], lengths["updates"]
    iters = bool(args["--train-iters"])
    decay_flag = "--lr-decay-iters" if iters else "--lr-decay-samples"
    decay_updates = lengths["decay"] / batch
    if style != "constant" and draft.has(decay_flag):
        if decay_updates < n - 1:
            held = n - 1 - int(decay_updates)
            draft.warn(
                traps.DECAY_SHORTER,
                (decay_flag,),
                f"the decay ends at update {decay_updates:,g} of {n:,}: the LR then holds "
                f"{decoupled.floors_text(args)} for the last {counted(held, 'update', ',')} "
                f"({held / n:.0%} of training)",
            )
        elif decay_updates > n:
            draft.warn(
                traps.DECAY_LONGER,
                (decay_flag,),
                f"the decay is {decay_updates:,g} updates but training stops after {n:,}: "
                f"{decoupled.floors_text(args)} is never reached",
            )
    fraction = args["--lr-warmup-fraction"]
    if fraction is not None and abs(decay_updates - n) >= 1:
        draft.warn(
            traps.WARMUP_FRACTION_OF_DECAY,
            ("--lr-warmup-fraction",),
            f"--lr-warmup-fraction {fraction:g} is of the decay ({decay_updates:,g} updates), "
            f"not of training: {lengths['warmup'] / batch:,g} warm-up updates, not "
            f"{fraction * n:,g}",
        )
    if style in ("linear", "cosine", "WSD") and args["--min-lr"] == 0:
        draft.warn(
            traps.MIN_LR_ZERO,
            ("--min-lr",) if draft.has("--min-lr") else ("--lr-decay-style",),
            f"--min-lr is 0 (Megatron's default): the {style} decay ends at LR 0, and the "
            "last updates barely train; set --min-lr (often --lr / 10)",
        )
    decoupled.traps_of(draft, args, style)
    _ignored(draft, style)


def _ignored(draft: Draft, style: str) -> None:
    ignored: tuple[str, ...] = ()
    if style == "constant":
        ignored = ("--min-lr", "--decoupled-min-lr", "--lr-decay-iters", "--lr-decay-samples")
    if style != "WSD":
        ignored += ("--lr-wsd-decay-style", "--lr-wsd-decay-iters", "--lr-wsd-decay-samples")
    for flag in ignored:
        if draft.has(flag):
            draft.warn(
                traps.IGNORED_FLAG,
                (flag,),
                f"--lr-decay-style {style} ignores {flag}",
            )
