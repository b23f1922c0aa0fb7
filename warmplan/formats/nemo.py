"""A NeMo model config (Hydra YAML: ``model.optim.lr``, ``model.optim.sched``,
``trainer.max_steps``) -> a plan with a nemo preset (:mod:`warmplan.presets.nemo`).

Reproduced from nemo_toolkit 3.0.0 (``nemo/core/optim/lr_scheduler.py``, run in
tests/data/formats/nemo.json): the model passes ``trainer.max_steps`` to the policy as
``max_steps``; Lightning steps it once per update; ``warmup_ratio`` / ``hold_ratio`` /
``constant_ratio`` become ``int(ratio x max_steps)`` steps; ``${a.b}`` interpolations
(``d_model: ${model.encoder.d_model}``) are resolved from the same file.
"""

from __future__ import annotations

import re
from typing import Any

from warmplan.config.source import KeyPath
from warmplan.formats import megatron_traps as traps
from warmplan.formats.draft import Draft
from warmplan.presets.nemo import NAMES
from warmplan.text import did_you_mean

SCHED: KeyPath = ("model", "optim", "sched")
#: sched keys -> (the kind the policy takes, whether it is a whole number)
KEYS = {
    "warmup_steps": int,
    "warmup_ratio": float,
    "constant_steps": int,
    "constant_ratio": float,
    "hold_steps": int,
    "hold_ratio": float,
    "min_lr": float,
    "d_model": int,
    "power": float,
    "cycle": bool,
    "max_steps": int,
    "last_epoch": int,
}
_INTERPOLATION = re.compile(r"\$\{([A-Za-z0-9_.]+)\}")


def read(draft: Draft) -> None:
    optim = _mapping(draft, ("model", "optim"))
    sched = _mapping(draft, SCHED)
    lr = _resolved(draft, ("model", "optim", "lr"), optim.get("lr"))
    if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not lr > 0:
        draft.error(
            ("model", "optim", "lr"), f"model.optim.lr must be a positive number, got {lr!r}"
        )
    name = sched.get("name")
    if name not in NAMES:
        draft.error(
            (*SCHED, "name"),
            f"model.optim.sched.name {name!r} is not a NeMo policy warmplan reads"
            f"{did_you_mean(str(name), list(NAMES))}; it reads: {', '.join(NAMES)}",
        )
    values = {}
    for key, value in sched.items():
        if key == "name":
            continue
        where = (*SCHED, key)
        if key not in KEYS:
            draft.error(
                where,
                f"{name} has no argument {key}{did_you_mean(key, list(KEYS))} "
                "(NeMo raises TypeError)",
            )
            continue
        values[key] = _typed(draft, where, _resolved(draft, where, value), KEYS[key])
    draft.raise_problems()
    assert isinstance(name, str) and isinstance(lr, (int, float))  # refused above if not
    total = _max_steps(draft, name)
    _write(draft, float(lr), name, values, total)
    _traps(draft, float(lr), name, draft.data["preset"]["args"])


def _mapping(draft: Draft, keypath: KeyPath) -> dict[str, Any]:
    node: Any = draft.recipe.data
    for part in keypath:
        node = node.get(part) if isinstance(node, dict) else None
    if not isinstance(node, dict):
        draft.error(
            keypath[:-1], f"no {'.'.join(map(str, keypath))} mapping: NeMo has no schedule to run"
        )
        return {}
    return node


def _resolved(draft: Draft, where: KeyPath, value: Any) -> Any:
    """``${model.encoder.d_model}`` -> that key's value (OmegaConf's absolute form)."""
    return draft.interpolated(value, where, _INTERPOLATION, missing=None)


def _typed(draft: Draft, where: KeyPath, value: Any, kind: type) -> Any:
    if value is None:
        return None
    ok = (
        isinstance(value, bool)
        if kind is bool
        else (
            not isinstance(value, bool) and isinstance(value, int if kind is int else (int, float))
        )
    )
    if not ok or (kind is not bool and value < 0):
        what = {int: "a whole number >= 0", float: "a number >= 0", bool: "true or false"}[kind]
        draft.error(where, f"{'.'.join(map(str, where))} must be {what}, got {value!r}")
        return None
    return value


def _max_steps(draft: Draft, name: str) -> int:
    if draft.facts.steps is not None:
        draft.note(f"max_steps = {draft.facts.steps:,} (--steps)")
        return draft.facts.steps
    trainer = draft.get("trainer")
    steps = trainer.get("max_steps") if isinstance(trainer, dict) else None
    if isinstance(steps, int) and not isinstance(steps, bool) and steps > 0:
        draft.note(f"max_steps = trainer.max_steps {steps:,}")
        return steps
    where: KeyPath = (
        ("trainer", "max_steps") if isinstance(trainer, dict) and "max_steps" in trainer else ()
    )
    raise draft.needs(
        where,
        f"trainer.max_steps is {steps!r}: NeMo then computes it from the data at run time; "
        "pass --steps N (the number of updates)",
    )


def _write(draft: Draft, lr: float, name: str, values: dict[str, Any], total: int) -> None:
    draft.put(("optimizer", "lr"), lr, ("model", "optim", "lr"))
    draft.put(("training", "steps"), total, ("trainer", "max_steps"))
    draft.put(("training", "interval"), "step")
    draft.put(("preset", "framework"), "nemo", (*SCHED, "name"))
    draft.put(("preset", "name"), name, (*SCHED, "name"))
    draft.put(("preset", "args"), {}, SCHED)
    args = {"max_steps": total}
    for short in ("warmup", "constant", "hold"):
        steps, ratio = values.get(f"{short}_steps"), values.get(f"{short}_ratio")
        if steps is not None and ratio is not None:
            draft.error(
                (*SCHED, f"{short}_ratio"),
                f"give {short}_steps or {short}_ratio, not both (NeMo asserts it)",
            )
        elif ratio is not None:
            args[f"{short}_steps"] = int(ratio * total)
            draft.note(
                f"{short}_ratio {ratio:g} x max_steps {total:,} = "
                f"{args[f'{short}_steps']:,} steps (int)"
            )
        elif steps is not None:
            args[f"{short}_steps"] = steps
    for key in ("min_lr", "d_model", "power", "cycle"):
        if values.get(key) is not None:
            args[key] = values[key]
    for key, value in args.items():
        origin = (*SCHED, key) if key in values else (*SCHED, key.replace("_steps", "_ratio"))
        draft.put(
            ("preset", "args", key),
            value,
            origin if key != "max_steps" else ("trainer", "max_steps"),
        )
    draft.raise_problems()


def _traps(draft: Draft, lr: float, name: str, args: dict[str, Any]) -> None:
    if name == "CosineAnnealing" and args.get("constant_steps"):
        draft.warn(
            traps.NEMO_CONSTANT_STEPS,
            (*SCHED, "constant_steps")
            if "constant_steps" in _sched(draft)
            else (*SCHED, "constant_ratio"),
            f"constant_steps {args['constant_steps']:,} > 0 switches CosineAnnealing to Megatron's "
            "formula: the warm-up is lr x t / W (the first update at LR 0, not lr / (W + 1)), "
            "the cosine ends constant_steps early and min_lr is held after it",
        )
    if name == "NoamAnnealing":
        warmup = max(args.get("warmup_steps", 0), 1)
        peak = lr * args["d_model"] ** -0.5 * warmup**-0.5
        draft.warn(
            traps.NEMO_NOAM_MULTIPLIER,
            ("model", "optim", "lr"),
            f"NoamAnnealing scales model.optim.lr {lr:g} by d_model^-0.5 x step^-0.5: the peak "
            f"is {peak:.4g} (at step {warmup:,}), not {lr:g}",
        )


def _sched(draft: Draft) -> dict[str, Any]:
    return draft.recipe.data["model"]["optim"]["sched"]
