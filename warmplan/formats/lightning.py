"""Lightning CLI YAML (``optimizer`` / ``lr_scheduler`` as ``class_path`` + ``init_args``,
``trainer.*``) -> a plan, as Lightning 2.6 runs it (tests/data/formats/lightning.json:
real ``LightningCLI`` runs).

- The top-level ``lr_scheduler`` goes through LightningCLI's own configure_optimizers,
  which returns it without an ``interval``: it steps once per epoch. A scheduler given
  inside the model (``model.init_args.*``) is stepped however the model's own
  configure_optimizers says, which is Python: ``--interval step|epoch`` says it.
- Updates per epoch = ceil(batches / ``accumulate_grad_batches``) (the last partial
  accumulation is an update): ``--steps-per-epoch``, or an int ``limit_train_batches``.
- Training ends at ``max_steps`` or after ``max_epochs`` (default 1000 when max_steps
  is -1, unbounded otherwise), whichever comes first.
"""

from __future__ import annotations

import math
from typing import Any

from warmplan.config.source import KeyPath
from warmplan.formats import classpath_keys as keys
from warmplan.formats import torch_classes
from warmplan.formats.draft import Draft
from warmplan.formats.lightning_budget import Budget, budget
from warmplan.text import describe

#: where a model's own scheduler and optimizer sit (its configure_optimizers steps them)
NESTED = (("model", "init_args", "lr_scheduler"), ("model", "init_args", "scheduler"))
NESTED_OPTIMIZER = (("model", "init_args", "optimizer"),)
_ADAM = {"Adam": "adam", "AdamW": "adamw", "NAdam": "adam", "RAdam": "adam", "Adamax": "adam"}


def read(draft: Draft) -> None:
    scheduler_at, scheduler = _component(draft, (("lr_scheduler",), *NESTED))
    optimizer_at, optimizer = _component(draft, (("optimizer",), *NESTED_OPTIMIZER))
    lr = _optimizer(draft, optimizer, optimizer_at)
    name = _scheduler_class(draft, scheduler, scheduler_at)
    draft.raise_problems()
    interval = _interval(draft, scheduler_at, name)
    plan = budget(draft, interval)
    draft.put(("training", "steps"), plan.total, plan.origin)
    draft.put(("training", "interval"), interval, scheduler_at or ("trainer",))
    if plan.per_epoch is not None:
        draft.put(("training", "steps_per_epoch"), plan.per_epoch, ("trainer",))
    if name is None:
        draft.note("no lr_scheduler: the optimizer's LR all along")
        return
    where: KeyPath = (*scheduler_at, "init_args")
    args = torch_classes.init_args(draft, name, _init_args(draft, scheduler, where), where)
    draft.raise_problems()
    assert args is not None
    if name == "OneCycleLR":
        lr_at = (*optimizer_at, "init_args", "lr")
        one_cycle(draft, args, where, (lr, lr_at), plan, interval)
    else:
        torch_classes.write_scheduler(draft, name, args, where)
        _epoch_horizon(draft, name, args, where, plan, interval)
    draft.raise_problems()


def _component(draft: Draft, places: tuple[KeyPath, ...]) -> tuple[KeyPath, Any]:
    """The first of ``places`` that holds a class path (a mapping, or its text)."""
    for place in places:
        node: Any = draft.recipe.data
        for part in place:
            node = node.get(part) if isinstance(node, dict) else None
        if node is not None:
            return place, node
    return (), None


def _class_path(draft: Draft, node: Any, where: KeyPath) -> str | None:
    if isinstance(node, str):
        return node
    if isinstance(node, dict) and isinstance(node.get("class_path"), str):
        return str(node["class_path"])
    draft.error(where, f"{where[-1]} must be a class_path with init_args, got {describe(node)}")
    return None


def _init_args(draft: Draft, node: Any, where: KeyPath) -> dict[str, Any]:
    given = node.get("init_args", {}) if isinstance(node, dict) else {}
    if not isinstance(given, dict):
        draft.error(where, f"init_args must be a mapping, got {describe(given)}")
        return {}
    # jsonargparse reads 1e-3 as a number (PyYAML alone would not)
    return {key: _loose(draft, (*where, key), value) for key, value in given.items()}


def _loose(draft: Draft, keypath: KeyPath, value: Any) -> Any:
    text = draft.recipe.loose_numbers.get(keypath)
    return float(text) if text is not None else value


def _optimizer(draft: Draft, node: Any, where: KeyPath) -> float:
    """The optimizer's kind and LR (torch's default lr 1e-3 when init_args has none)."""
    if node is None:
        draft.error((), "no optimizer: LightningCLI needs one (optimizer.class_path) here")
        return 1e-3
    path = _class_path(draft, node, where)
    if path is None:
        return 1e-3
    name = path.removeprefix("torch.optim.")
    args = _init_args(draft, node, (*where, "init_args"))
    lr = args.get("lr", 1e-3)
    lr_at = (*where, "init_args", "lr") if "lr" in args else (*where, "class_path")
    if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not lr > 0:
        draft.error(lr_at, f"optimizer lr must be a positive number, got {describe(lr)}")
        return 1e-3
    draft.put(("optimizer", "lr"), float(lr), lr_at)
    kind = _ADAM.get(name, "sgd")
    draft.put(("optimizer", "kind"), kind, (*where, "class_path"))
    if kind != "sgd" and isinstance(args.get("betas"), list):
        draft.put(("optimizer", "betas"), list(args["betas"]), (*where, "init_args", "betas"))
    if name not in _ADAM and name != "SGD":
        draft.note(f"optimizer {path}: not Adam; the Adam warm-up rules are not applied")
    return float(lr)


def _scheduler_class(draft: Draft, node: Any, where: KeyPath) -> str | None:
    if node is None:
        return None
    path = _class_path(draft, node, where)
    if path is None:
        return None
    at = (*where, "class_path") if isinstance(node, dict) else where
    name = torch_classes.scheduler_name(path)
    if name in torch_classes.UNPREVIEWABLE:
        draft.error(at, f"{path} {torch_classes.UNPREVIEWABLE[name]}")
    elif name is None and torch_classes.hf_schedule(path):
        draft.error(
            at,
            f"{path} is a function, and LightningCLI's lr_scheduler takes an LRScheduler "
            "class; read the config it runs with as a plan (preset: transformers)",
        )
    elif name is None:
        torch_classes.refuse_unknown(draft, path, at, "lr_scheduler.class_path")
    return name


def _interval(draft: Draft, where: KeyPath, name: str | None) -> str:
    """LightningCLI's own configure_optimizers steps per epoch; a model's is Python."""
    given = draft.facts.interval
    if where[:1] == ("lr_scheduler",) or name is None:
        if given is not None and name is not None and given != "epoch":
            draft.note(
                f"--interval {given}: LightningCLI's own configure_optimizers steps its "
                "lr_scheduler per epoch; shown as your code steps it instead"
            )
        elif name is not None:
            draft.note("interval epoch: LightningCLI steps a top-level lr_scheduler per epoch")
        return given or "epoch"
    if given is None:
        raise draft.needs(
            (*where, "class_path"),
            f"{'.'.join(map(str, where))} is stepped by the model's own configure_optimizers "
            "(Python): "
            "pass --interval step or --interval epoch (its lr_scheduler dict's interval; "
            "Lightning's default is epoch)",
        )
    draft.note(f"interval {given} (--interval): the model's configure_optimizers steps it")
    return given


def one_cycle(
    draft: Draft,
    args: dict[str, Any],
    where: KeyPath,
    optimizer_lr: tuple[float, KeyPath],
    plan: Budget,
    interval: str,
) -> None:
    """torch's OneCycleLR: max_lr replaces the optimizer's LR (given at its key path);
    its length must cover training."""
    lr, given = optimizer_lr
    total, origin = args["total_steps"], (*where, "total_steps")
    if total is None and args["epochs"] is not None and args["steps_per_epoch"] is not None:
        total, origin = args["epochs"] * args["steps_per_epoch"], (*where, "epochs")
    if total is None:
        draft.error(where, "OneCycleLR needs total_steps, or epochs and steps_per_epoch")
        return
    per_epoch = plan.per_epoch or plan.total  # an epoch-stepped budget always knows it
    intervals = plan.total if interval == "step" else math.ceil(plan.total / per_epoch)
    if total < intervals:
        draft.error(
            origin,
            f"OneCycleLR's {total:,} steps are shorter than training's {intervals:,} "
            f"{interval}s: torch raises ValueError ('Tried to step {total + 1} times') at "
            f"{interval} {total + 1:,}; set total_steps: {intervals} (or stop training there)",
        )
        return
    if total > intervals:
        draft.error(
            origin,
            f"OneCycleLR over {total:,} steps outlives training ({intervals:,} {interval}s): "
            "warmplan's onecycle spans the training; set trainer.max_steps to it to preview",
        )
        return
    max_lr = args["max_lr"]
    if given in draft.recipe.positions and max_lr != lr:
        draft.warn(
            keys.CYCLE_OVERRIDES_LR,
            given,
            f"optimizer lr {lr:g} is ignored: OneCycleLR sets every group's LR from max_lr "
            f"{max_lr:g} (shown here)",
        )
    draft.put(("optimizer", "lr"), max_lr, (*where, "max_lr"))
    draft.put(("decay", "kind"), "onecycle", where)
    for key in ("pct_start", "anneal_strategy", "div_factor", "final_div_factor", "three_phase"):
        draft.put(("decay", key), args[key], (*where, key))
    draft.note(f"OneCycleLR(max_lr={max_lr!r}, total_steps={total:,}): torch's own class")


_HORIZONS = ("T_max", "total_iters", "step_size", "T_0")


def _epoch_horizon(
    draft: Draft, name: str, args: dict[str, Any], where: KeyPath, plan: Budget, interval: str
) -> None:
    """WP130: a per-epoch scheduler whose horizon fits the steps, not the epochs."""
    if interval != "epoch" or draft.facts.interval is not None or plan.per_epoch is None:
        return
    epochs = math.ceil(plan.total / plan.per_epoch)
    for key in (*_HORIZONS, "milestones"):
        value = args.get(key) if key in torch_classes.SCHEDULERS[name] else None
        horizon = max(value) if key == "milestones" and value else value
        if isinstance(horizon, int) and epochs < horizon <= plan.total:
            draft.warn(
                keys.EPOCH_HORIZON,
                (*where, key),
                f"{key} {horizon:,} is counted in epochs (LightningCLI steps its lr_scheduler "
                f"once per epoch) but training has {epochs:,}; it fits the {plan.total:,} "
                "optimizer steps: return the scheduler with interval: step from "
                "configure_optimizers, or give it in epochs",
            )
