"""timm train.py configs -> a plan with the timm preset, as timm 1.0.31 computes it.

Read from an ``args.yaml`` (the file train.py writes into its output folder,
``yaml.safe_dump(vars(args))``; a ``--config`` file has the same keys) or from a command
line (:mod:`warmplan.formats.timm_args`). Checked against timm's own
``create_scheduler_v2(**scheduler_kwargs(args), updates_per_epoch=U)`` driven as train.py
drives it (tests/data/formats/timm.json):

- The LR: ``lr``; when it is null or 0 (train.py tests ``not args.lr``) it is ``lr_base``
  x (``batch_size`` x processes x ``grad_accum_steps`` / ``lr_base_size``), the ratio
  square-rooted for ``lr_base_scale: sqrt`` or, when unset, an ``opt`` named ada*/lamb.
- Per epoch (``step(epoch)``) unless ``sched_on_updates``: then per update
  (``step_update``), every length in epochs times U, the updates per epoch
  (``--steps-per-epoch``).
- ``t_initial`` = ``epochs``: the warm-up counts inside it unless ``warmup_prefix``. The
  epochs trained are what the factory returns: cycle lengths + ``cooldown_epochs`` for
  cosine/tanh/poly (cooldown held at ``min_lr``), ``epochs`` (+ the warm-up with the
  prefix) for step/multistep/constant, whose cooldown is ignored.
"""

from __future__ import annotations

import math
from typing import Any

from warmplan.formats import keys
from warmplan.formats.draft import Draft
from warmplan.text import did_you_mean

#: train.py's defaults (huggingface/pytorch-image-models train.py, argparse)
DEFAULTS: dict[str, Any] = {
    "sched": "cosine",
    "sched_on_updates": False,
    "lr": None,
    "lr_base": 0.1,
    "lr_base_size": 256,
    "lr_base_scale": "",
    "lr_noise": None,
    "lr_cycle_mul": 1.0,
    "lr_cycle_decay": 0.5,
    "lr_cycle_limit": 1,
    "lr_k_decay": 1.0,
    "warmup_lr": 1e-5,
    "min_lr": 0.0,
    "epochs": 300,
    "decay_milestones": [90, 180, 270],
    "decay_epochs": 90,
    "warmup_epochs": 5,
    "warmup_prefix": False,
    "cooldown_epochs": 0,
    "decay_rate": 0.1,
    "batch_size": 128,
    "grad_accum_steps": 1,
    "opt": "sgd",
}
#: train.py's other schedule arguments (known keys, never near misses)
OTHER_KEYS = ("lr_noise_pct", "lr_noise_std", "patience_epochs", "lr_decay_fn", "seed")
SCHEDULE_KEYS = (*DEFAULTS, *OTHER_KEYS, "lr_stable_timescale", "config")
CYCLING = ("cosine", "tanh", "poly")
STEPPED = ("step", "multistep", "constant")
SCHEDULES = (*CYCLING, *STEPPED, "none")
#: timm schedulers warmplan cannot preview, and why
REFUSED = {
    "plateau": "follows an evaluation metric (PlateauLRScheduler), not the epoch count: "
    "no schedule can be computed before training",
    "wsd": "(WSDLRScheduler) is not in warmplan's timm preset yet",
    "rsqrt": "(WSDLRScheduler with an rsqrt stable phase) is not in warmplan's timm preset yet",
}


def read(draft: Draft) -> None:
    """Write the plan of the train.py arguments in ``draft.recipe`` into ``draft``."""
    if draft.recipe.syntax != "args":  # argparse refuses unknown flags; set_defaults not
        keys.warn_near_misses(draft, SCHEDULE_KEYS, "timm's train.py")
    if draft.has("config"):
        draft.error(("config",), "--config names another file: read that args file itself")
    sched = _sched(draft)
    lengths = _lengths(draft)
    per_update = draft.flag("sched_on_updates", False)
    lr = _learning_rate(draft)
    _traps(draft, sched, lengths)
    draft.raise_problems()
    if lr is None:
        given = f"lr: {_shown(draft.get('lr'))}" if draft.has("lr") else "no lr (default null)"
        raise draft.needs(
            ("lr",),
            f"{given} makes train.py compute the LR from lr_base and the global "
            "batch (batch_size x processes x grad_accum_steps): pass --world-size N",
        )
    upe = draft.facts.steps_per_epoch
    if per_update and upe is None:
        raise draft.needs(
            ("sched_on_updates",),
            "sched_on_updates: true steps the schedule after every update: pass "
            "--steps-per-epoch N (optimizer updates per epoch: the loader's batches / "
            "grad_accum_steps, rounded up)",
        )
    scale = upe if per_update and upe else 1
    args = _preset_args(draft, sched, lengths, scale, per_update)
    epochs = _epochs_trained(draft, sched, lengths, args, scale)
    draft.put(("training", "epochs"), epochs, ("epochs",))
    draft.put(("training", "interval"), "step" if per_update else "epoch")
    if upe is not None:
        draft.put(("training", "steps_per_epoch"), upe)
    if sched == "none":
        draft.note("sched none: no scheduler, every update at the optimizer's LR")
        return
    name = "step" if sched == "constant" else sched
    draft.put(("preset", "framework"), "timm", ("sched",))
    draft.put(("preset", "name"), name, ("sched",))
    draft.put(("preset", "args"), args, ("sched",))
    shown = ", ".join(f"{k}={v!r}" for k, v in args.items())
    draft.note(f"sched {sched}: timm's {name} scheduler({shown})")


def _shown(value: Any) -> str:
    return "null" if value is None else str(value)


def _sched(draft: Draft) -> str:
    sched = draft.get("sched", DEFAULTS["sched"])
    if isinstance(sched, str) and sched in REFUSED:
        draft.error(("sched",), f"sched {sched} {REFUSED[sched]}")
        return "cosine"
    if not isinstance(sched, str) or sched not in SCHEDULES:
        hint = did_you_mean(str(sched), list(SCHEDULES))
        draft.error(
            ("sched",),
            f"sched {sched!r} is not a timm scheduler (create_scheduler_v2 raises "
            f"Unknown scheduler){hint}; timm has: {', '.join((*SCHEDULES, *REFUSED))}",
        )
        return "cosine"
    return sched


def _lengths(draft: Draft) -> dict[str, Any]:
    """The schedule's numbers as train.py's argparse types them."""
    lengths = {
        "epochs": draft.number("epochs", 300, whole=True, minimum=1),
        "warmup_epochs": draft.number("warmup_epochs", 5, whole=True),
        "cooldown_epochs": draft.number("cooldown_epochs", 0, whole=True),
        "decay_epochs": draft.number("decay_epochs", 90),
        "decay_rate": draft.number("decay_rate", 0.1),
        "warmup_lr": draft.number("warmup_lr", 1e-5),
        "min_lr": draft.number("min_lr", 0.0),
        "cycle_mul": draft.number("lr_cycle_mul", 1.0),
        "cycle_decay": draft.number("lr_cycle_decay", 0.5),
        "cycle_limit": draft.number("lr_cycle_limit", 1, whole=True),
        "k_decay": draft.number("lr_k_decay", 1.0),
        "warmup_prefix": draft.flag("warmup_prefix", False),
        "milestones": _milestones(draft),
    }
    return lengths


def _milestones(draft: Draft) -> list[int]:
    value = draft.get("decay_milestones", DEFAULTS["decay_milestones"])
    if (
        not isinstance(value, list)
        or not value
        or any(isinstance(m, bool) or not isinstance(m, int) or m < 0 for m in value)
    ):
        draft.error(
            ("decay_milestones",),
            "decay_milestones must be a list of whole epochs, got "
            f"{draft.describe('decay_milestones', value)}",
        )
        return list(DEFAULTS["decay_milestones"])
    return value


def _learning_rate(draft: Draft) -> float | None:
    """train.py's LR; None when it needs the world size no flag gave."""
    lr = draft.get("lr", None)
    if lr is not None:
        lr = draft.number("lr", 0.1)
    if lr:
        draft.put(("optimizer", "lr"), lr, ("lr",))
        _optimizer(draft)
        return float(lr)
    base = draft.number("lr_base", 0.1)
    size = draft.number("lr_base_size", 256, whole=True, minimum=1)
    batch = draft.number("batch_size", 128, whole=True, minimum=1)
    accum = draft.number("grad_accum_steps", 1, whole=True, minimum=1)
    opt = draft.get("opt", "sgd")
    scale = draft.get("lr_base_scale", "") or (
        "sqrt"
        if isinstance(opt, str) and any(o in opt.lower() for o in ("ada", "lamb"))
        else "linear"
    )
    _optimizer(draft)
    if draft.facts.world_size is None:
        return None
    processes = draft.facts.processes
    ratio = batch * processes * accum / size
    if scale == "sqrt":
        ratio = ratio**0.5
    lr = base * ratio
    how = "sqrt of " if scale == "sqrt" else ""
    draft.note(
        f"LR: lr {_shown(draft.get('lr'))}: lr_base {base:g} x {how}(batch_size {batch} x "
        f"{processes} processes (--world-size) x grad_accum_steps {accum} / lr_base_size "
        f"{size}) = {lr:g}"
    )
    draft.put(("optimizer", "lr"), lr, ("lr",))
    return lr


def _optimizer(draft: Draft) -> None:
    opt = draft.get("opt", "sgd")
    kind = "adamw" if isinstance(opt, str) and "adam" in opt.lower() else "sgd"
    draft.put(("optimizer", "kind"), kind, ("opt",) if draft.has("opt") else ("lr",))


def _traps(draft: Draft, sched: str, lengths: dict[str, Any]) -> None:
    if sched == "multistep" and draft.has("decay_milestones"):
        shown = ", ".join(str(m) for m in lengths["milestones"])
        early = ", ".join(str(m - 1) for m in lengths["milestones"])
        draft.warn(
            keys.TIMM_MILESTONE_EARLY,
            ("decay_milestones",),
            f"decay_milestones [{shown}]: timm lowers the LR one step early, at {early} (it "
            "counts the milestones passed by t + 1; in updates x U with sched_on_updates), "
            f"where torch's MultiStepLR lowers it at {shown}; shown as timm runs it",
        )
    if sched in STEPPED and lengths["cooldown_epochs"]:
        draft.warn(
            keys.IGNORED_KEY,
            ("cooldown_epochs",),
            f"cooldown_epochs {lengths['cooldown_epochs']} is ignored by sched {sched} (timm "
            "adds a cooldown only to cosine, tanh and poly): training is not longer",
        )
    if draft.get("lr_noise") is not None:
        draft.warn(
            keys.TIMM_NOISE,
            ("lr_noise",),
            "lr_noise adds seeded random noise to the LR over part of training; the "
            "schedule shown is without it",
        )
    lr = draft.get("lr")
    if isinstance(lr, (int, float)) and not isinstance(lr, bool) and lr == 0:
        draft.warn(
            keys.TIMM_ZERO_LR,
            ("lr",),
            "lr 0 is not a learning rate of 0 to train.py (it tests `not args.lr`): the LR "
            "is computed from lr_base and the global batch instead",
        )


def _preset_args(
    draft: Draft, sched: str, n: dict[str, Any], scale: int, per_update: bool
) -> dict[str, Any]:
    """create_scheduler_v2's arguments of the scheduler class, times U per update."""
    args: dict[str, Any] = {
        "warmup_t": n["warmup_epochs"] * scale,
        "warmup_lr_init": float(n["warmup_lr"]),
        "warmup_prefix": n["warmup_prefix"],
        "t_in_epochs": not per_update,
    }
    if sched in CYCLING:
        args.update(
            t_initial=n["epochs"] * scale,
            lr_min=float(n["min_lr"]),
            cycle_mul=float(n["cycle_mul"]),
            cycle_decay=float(n["cycle_decay"]),
            cycle_limit=n["cycle_limit"],
        )
        if sched == "poly":
            args["power"] = float(n["decay_rate"])
        if sched != "tanh":
            args["k_decay"] = float(n["k_decay"])
    elif sched == "step":
        args.update(decay_t=float(n["decay_epochs"] * scale), decay_rate=float(n["decay_rate"]))
    elif sched == "constant":
        args.update(decay_t=1.0, decay_rate=1.0)
    elif sched == "multistep":
        args.update(decay_t=[m * scale for m in n["milestones"]], decay_rate=float(n["decay_rate"]))
    return args


def _epochs_trained(
    draft: Draft, sched: str, n: dict[str, Any], args: dict[str, Any], scale: int
) -> int:
    """The num_epochs create_scheduler_v2 returns: train.py's ``range(num_epochs)``."""
    if sched not in CYCLING:
        epochs = n["epochs"] + (n["warmup_epochs"] if n["warmup_prefix"] else 0)
        if n["warmup_prefix"]:
            draft.note(f"epochs trained: epochs {n['epochs']} + warmup_epochs (prefix) = {epochs}")
        return int(epochs)
    cycles = max(1, args["cycle_limit"])
    t_initial, mul = args["t_initial"], args["cycle_mul"]
    if mul == 1.0:
        length = t_initial * cycles
    else:
        length = math.floor(-t_initial * (mul**cycles - 1) / (1 - mul))
    if n["warmup_prefix"]:
        length += args["warmup_t"]
    total = (length + n["cooldown_epochs"] * scale) // scale
    if total != n["epochs"]:
        draft.note(
            f"epochs trained: the cycle length{' + warm-up' if n['warmup_prefix'] else ''}"
            f" + cooldown_epochs {n['cooldown_epochs']} = {total} epochs (timm's num_epochs)"
        )
    return int(total)
