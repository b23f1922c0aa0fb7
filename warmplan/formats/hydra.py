"""Hydra configs (``_target_`` + arguments, ``_partial_``) -> a plan, as
``hydra.utils.instantiate`` (hydra-core 1.3.8) builds the objects and the project's
Lightning module (lightning-hydra-template style) steps them (tests/data/formats/
hydra.json: real instantiate + Lightning Trainer runs).

- ``optimizer`` / ``scheduler`` (or ``lr_scheduler``) blocks anywhere in the file (a
  composed config's ``model:``, or a model config alone), each ``_partial_: true``:
  the module calls them with the parameters and the optimizer. Without ``_partial_``
  instantiate calls the class without them (TypeError): a located error.
- How often the scheduler steps is in the module's configure_optimizers (Python):
  ``--interval step|epoch``. The budget is the ``trainer`` block's (Lightning
  Trainer's arithmetic), or ``--steps`` for a file without one.
"""

from __future__ import annotations

import re
from typing import Any

from warmplan.config.source import KeyPath
from warmplan.formats import torch_classes
from warmplan.formats.draft import Draft
from warmplan.formats.lightning import one_cycle
from warmplan.formats.lightning_budget import Budget, budget
from warmplan.presets import registry
from warmplan.text import describe, did_you_mean

TARGET = "_target_"
INTERPOLATION = re.compile(r"\$\{([A-Za-z_][\w.]*)\}")
#: Hydra's own keys of an instantiated block (not arguments of the target)
SPECIAL = ("_target_", "_partial_", "_recursive_", "_convert_", "_args_")
_ADAM = {"Adam": "adam", "AdamW": "adamw"}


def find(node: Any, names: tuple[str, ...], at: KeyPath = (), depth: int = 3) -> KeyPath | None:
    """The key path of the first block named one of ``names`` with a ``_target_``."""
    if not isinstance(node, dict) or depth < 0:
        return None
    for key, value in node.items():
        if key in names and isinstance(value, dict) and TARGET in value:
            return (*at, key)
    for key, value in node.items():
        found = find(value, names, (*at, key), depth - 1)
        if found is not None:
            return found
    return None


def _block(draft: Draft, at: KeyPath) -> dict[str, Any]:
    node: Any = draft.recipe.data
    for part in at:
        node = node[part]
    return dict(node)


def _arguments(draft: Draft, block: dict[str, Any], at: KeyPath) -> dict[str, Any]:
    args = {}
    for key, value in block.items():
        if key in SPECIAL:
            continue
        text = draft.recipe.loose_numbers.get((*at, key))  # OmegaConf reads 1e-3 as a number
        args[key] = float(text) if text is not None else _interpolated(draft, value, (*at, key))
    return args


def _interpolated(draft: Draft, value: Any, where: KeyPath) -> Any:
    """``${trainer.max_steps}``: OmegaConf's absolute interpolation, resolved in the file."""
    return draft.interpolated(value, where, INTERPOLATION, missing=value)


def _partial(draft: Draft, block: dict[str, Any], at: KeyPath, needs: str) -> None:
    if block.get("_partial_") is not True:
        draft.error(
            (*at, TARGET),
            f"{'.'.join(map(str, at))} has no _partial_: true, so hydra.utils.instantiate "
            f"calls {block[TARGET]} without {needs}, which raises TypeError; add "
            "_partial_: true (the module passes it later)",
        )


def read(draft: Draft) -> None:
    optimizer_at = find(draft.recipe.data, ("optimizer",))
    scheduler_at = find(draft.recipe.data, ("scheduler", "lr_scheduler"))
    if optimizer_at is None:
        draft.error((), "no optimizer block with a _target_: the LR is not in this file")
        draft.raise_problems()
    assert optimizer_at is not None
    optimizer = _block(draft, optimizer_at)
    _partial(draft, optimizer, optimizer_at, "the model's parameters")
    lr, lr_at = _optimizer(draft, optimizer, optimizer_at)
    scheduler = _block(draft, scheduler_at) if scheduler_at else None
    kind = _kind(draft, scheduler, scheduler_at) if scheduler_at and scheduler else None
    draft.raise_problems()
    interval = _interval(draft, scheduler_at)
    plan = _budget(draft, interval)
    draft.put(("training", "steps"), plan.total, plan.origin)
    draft.put(("training", "interval"), interval, scheduler_at or optimizer_at)
    if plan.per_epoch is not None:
        draft.put(("training", "steps_per_epoch"), plan.per_epoch, plan.origin)
    if scheduler_at is None or scheduler is None or kind is None:
        draft.note("no scheduler: the optimizer's LR all along")
        return
    args = _arguments(draft, scheduler, scheduler_at)
    if kind[0] == "transformers":
        _preset(draft, kind[1], args, scheduler_at)
    elif kind[1] == "OneCycleLR":
        checked = torch_classes.init_args(draft, kind[1], args, scheduler_at)
        if checked is not None:
            one_cycle(draft, checked, scheduler_at, (lr, lr_at), plan, interval)
    else:
        checked = torch_classes.init_args(draft, kind[1], args, scheduler_at)
        if checked is not None:
            torch_classes.write_scheduler(draft, kind[1], checked, scheduler_at)
    draft.raise_problems()


def _optimizer(draft: Draft, block: dict[str, Any], at: KeyPath) -> tuple[float, KeyPath]:
    args = _arguments(draft, block, at)
    lr = args.get("lr", 1e-3)
    lr_at = (*at, "lr") if "lr" in args else (*at, TARGET)
    if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not lr > 0:
        draft.error(lr_at, f"optimizer lr must be a positive number, got {describe(lr)}")
        lr = 1e-3
    draft.put(("optimizer", "lr"), float(lr), lr_at)
    path = str(block[TARGET])
    draft.put(("optimizer", "kind"), _ADAM.get(path.removeprefix("torch.optim."), "sgd"), lr_at)
    return float(lr), lr_at


def _kind(draft: Draft, block: dict[str, Any], at: KeyPath) -> tuple[str, str] | None:
    """("torch", class) or ("transformers", SchedulerType); None after an error."""
    path, where = str(block[TARGET]), (*at, TARGET)
    name = torch_classes.scheduler_name(path)
    schedule = torch_classes.hf_schedule(path)
    if name in torch_classes.UNPREVIEWABLE:
        draft.error(where, f"{path} {torch_classes.UNPREVIEWABLE[name]}")
        return None
    if name is None and schedule is None:
        torch_classes.refuse_unknown(draft, path, where, f"{'.'.join(map(str, at))}._target_")
        return None
    _partial(draft, block, at, "the optimizer")
    return ("torch", name) if name is not None else ("transformers", str(schedule))


def _interval(draft: Draft, scheduler_at: KeyPath | None) -> str:
    if scheduler_at is None:
        return draft.facts.interval or "step"
    if draft.facts.interval is None:
        raise draft.needs(
            (*scheduler_at, TARGET),
            f"{'.'.join(map(str, scheduler_at))} is stepped by the module's own "
            "configure_optimizers (Python): pass --interval step or --interval epoch (its "
            "lr_scheduler dict's interval; Lightning's default is epoch)",
        )
    draft.note(f"interval {draft.facts.interval} (--interval): the module's code steps it")
    return draft.facts.interval


def _budget(draft: Draft, interval: str) -> Budget:
    if isinstance(draft.get("trainer"), dict):
        return budget(draft, interval)
    facts = draft.facts
    if facts.steps is None or (interval == "epoch" and facts.steps_per_epoch is None):
        flag = "--steps N" if facts.steps is None else "--steps-per-epoch N"
        raise draft.needs(
            (),
            f"no trainer block: the training's length is in another file; pass {flag}"
            + (" (and --steps-per-epoch N)" if interval == "epoch" and facts.steps is None else ""),
        )
    draft.note(f"N = {facts.steps:,} updates (--steps)")
    return Budget(facts.steps, facts.steps_per_epoch, ())


def _preset(draft: Draft, name: str, args: dict[str, Any], at: KeyPath) -> None:
    """A transformers schedule function, with its arguments as the file gives them."""
    preset = registry("transformers")[name]
    draft.put(("preset", "framework"), "transformers", (*at, TARGET))
    draft.put(("preset", "name"), name, (*at, TARGET))
    draft.put(("preset", "args"), {}, at)
    for key, value in args.items():
        if key not in preset.args:
            known = list(preset.args)
            draft.error(
                (*at, key),
                f"{key} is not an argument of transformers' {name} schedule"
                f"{did_you_mean(str(key), known)}; it takes: {', '.join(known)}",
            )
            continue
        draft.put(("preset", "args", key), value, (*at, key))
    draft.note(f"{'.'.join(map(str, at))}: transformers' {name} schedule")
