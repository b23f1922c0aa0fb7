"""mmengine configs (mmdetection, mmpretrain, mmsegmentation ...) -> a plan with the
mmengine ``param_scheduler`` preset, as mmengine 0.10.7's Runner builds it.

- The Python file is read as literals (never run), its ``_base_`` chain merged as
  ``Config.fromfile`` merges it (:mod:`warmplan.formats.mmengine_base`).
- ``optim_wrapper.optimizer.lr`` is the LR; ``train_cfg`` the loop: an
  ``EpochBasedTrainLoop`` (``by_epoch=True``) runs ``max_epochs`` x
  ``len(train_dataloader)`` iterations (``--steps-per-epoch``), an
  ``IterBasedTrainLoop`` ``max_iters``; one optimizer update per iteration.
- A scheduler without ``end`` ends with the loop (``max_epochs`` or ``max_iters``,
  by its ``by_epoch``), as ``Runner._build_param_scheduler`` sets it.
- The traps (WP150-WP154) are warnings at the keys responsible.
"""

from __future__ import annotations

from typing import Any

from warmplan.config.source import KeyPath
from warmplan.formats import pytraps
from warmplan.formats.draft import Draft
from warmplan.formats.mmengine_base import resolve
from warmplan.presets.mmengine import SchedulerError, build

#: mmengine optimizer types -> the plan's optimizer kinds (the LR does not depend on it)
KINDS = {"SGD": "sgd", "Adam": "adam", "AdamW": "adamw"}
OPTIMIZER_ARGS = {
    "sgd": ("momentum", "weight_decay", "nesterov", "dampening"),
    "adam": ("betas", "eps", "weight_decay", "amsgrad"),
    "adamw": ("betas", "eps", "weight_decay", "amsgrad"),
}
LOOPS = {"EpochBasedTrainLoop": True, "IterBasedTrainLoop": False}


def read(draft: Draft) -> None:
    draft.recipe = resolve(draft.recipe)
    _optimizer(draft)
    by_epoch, length, origin = _loop(draft)
    specs = _schedulers(draft)
    draft.raise_problems()
    epoch_length = draft.facts.steps_per_epoch
    converts = any(spec.get("convert_to_iter_based") for spec, _ in specs)
    if epoch_length is None and (by_epoch or converts):
        where = origin if by_epoch else next(o for s, o in specs if s.get("convert_to_iter_based"))
        what = f"train_cfg max_epochs={length}" if by_epoch else "convert_to_iter_based=True"
        raise draft.needs(
            where,
            f"{what} needs the iterations of an epoch (len(train_dataloader)): "
            "pass --steps-per-epoch N",
        )
    total = length * epoch_length if by_epoch else length  # type: ignore[operator]
    for spec, _ in specs:  # Runner._build_param_scheduler: the loop's max_epochs/max_iters
        spec.setdefault("end", (length if by_epoch else 1) if spec.get("by_epoch", True) else total)
    built = []
    for index, (spec, at) in enumerate(specs):
        try:
            built.append(build(index, spec, epoch_length or 1))
        except SchedulerError as exc:
            key = exc.where[1]
            draft.error(
                (*at, key) if key and (*at, key) in draft.recipe.positions else at,
                f"{spec.get('type')}: {exc.reason}",
            )
    draft.raise_problems()
    _write(draft, specs, total, epoch_length, by_epoch, origin)
    pytraps.mmengine_traps(draft, built, specs, by_epoch, length, epoch_length or 1)


def _optimizer(draft: Draft) -> None:
    wrapper = draft.get("optim_wrapper")
    if wrapper is None and isinstance(draft.get("optimizer"), dict):
        draft.error(
            ("optimizer",),
            "an mmcv 1.x config (optimizer=, lr_config=): mmengine "
            "reads optim_wrapper=dict(optimizer=...) and param_scheduler",
        )
        return
    if not isinstance(wrapper, dict) or not isinstance(wrapper.get("optimizer"), dict):
        draft.error(
            ("optim_wrapper",) if wrapper is not None else (),
            "no optim_wrapper=dict(optimizer=dict(type=..., lr=...)): the LR is in it",
        )
        return
    optimizer = wrapper["optimizer"]
    at: KeyPath = ("optim_wrapper", "optimizer")
    lr = optimizer.get("lr")
    if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not lr > 0:
        draft.error(
            (*at, "lr") if "lr" in optimizer else at,
            f"optim_wrapper.optimizer.lr must be a positive number, got {lr!r}",
        )
        return
    counts = wrapper.get("accumulative_counts", 1)
    if isinstance(counts, bool) or not isinstance(counts, int) or counts < 1:
        draft.error(
            ("optim_wrapper", "accumulative_counts"),
            f"accumulative_counts must be a whole number of at least 1, got {counts!r}",
        )
    kind = KINDS.get(str(optimizer.get("type")))
    draft.put(("optimizer", "lr"), _scaled(draft, float(lr)), (*at, "lr"))
    if kind is None:
        draft.note(f"optimizer {optimizer.get('type')} shown as adam: its LRs are the same")
        return
    draft.put(("optimizer", "kind"), kind, (*at, "type"))
    for key in OPTIMIZER_ARGS[kind]:
        if key in optimizer:
            draft.put(("optimizer", key), optimizer[key], (*at, key))
    if "paramwise_cfg" in wrapper:
        draft.note("optim_wrapper.paramwise_cfg: its lr_mult per parameter is not shown")


def _scaled(draft: Draft, lr: float) -> float:
    """Runner.scale_lr: with ``auto_scale_lr.enable``, lr x world x batch / base batch."""
    scale = draft.get("auto_scale_lr")
    if not isinstance(scale, dict) or not scale.get("enable", False):
        return lr
    at: KeyPath = ("auto_scale_lr", "enable")
    base = scale.get("base_batch_size")
    loader = draft.get("train_dataloader")
    batch = loader.get("batch_size") if isinstance(loader, dict) else None
    for name, value, where in (
        ("auto_scale_lr.base_batch_size", base, ("auto_scale_lr",)),
        ("train_dataloader.batch_size", batch, ("train_dataloader",)),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            draft.error(
                where, f"auto_scale_lr is enabled: {name} must be a whole number, got {value!r}"
            )
            return lr
    world = draft.facts.world_size
    if world is None:
        raise draft.needs(
            at,
            "auto_scale_lr enable=True scales the LR by the number of "
            "processes: pass --world-size N",
        )
    ratio = float(world * int(batch)) / float(base)  # type: ignore[arg-type]
    draft.note(f"auto_scale_lr: lr {lr:g} x ({world} x {batch}) / {base} = {lr * ratio:g}")
    return lr * ratio


def _loop(draft: Draft) -> tuple[bool, int, KeyPath]:
    """(by_epoch, max_epochs or max_iters, where it is written)."""
    cfg = draft.get("train_cfg")
    if not isinstance(cfg, dict):
        draft.error(
            ("train_cfg",) if cfg is not None else (),
            "no train_cfg=dict(by_epoch=..., max_epochs=... or max_iters=...): "
            "the length of training is in it",
        )
        return True, 1, ()
    if "type" in cfg and "by_epoch" in cfg:
        draft.error(
            ("train_cfg", "by_epoch"),
            "Only one of `type` or `by_epoch` can exist in train_cfg (mmengine raises)",
        )
    if "type" in cfg:
        by_epoch = LOOPS.get(cfg["type"])
        if by_epoch is None:
            draft.error(
                ("train_cfg", "type"),
                f"train loop {cfg['type']!r}: warmplan knows "
                f"{', '.join(LOOPS)}; cannot know how long another loop runs",
            )
            return True, 1, ()
    else:
        by_epoch = cfg.get("by_epoch", True)
    key = "max_epochs" if by_epoch else "max_iters"
    value = cfg.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        draft.error(
            ("train_cfg", key) if key in cfg else ("train_cfg",),
            f"train_cfg.{key} must be a whole number of at least 1, got {value!r}",
        )
        return bool(by_epoch), 1, ("train_cfg",)
    return bool(by_epoch), value, ("train_cfg", key)


def _schedulers(draft: Draft) -> list[tuple[dict[str, Any], KeyPath]]:
    """(config dict, where it is) for each LR scheduler."""
    value = draft.get("param_scheduler")
    if value is None:
        draft.note("no param_scheduler: the optimizer's LR all along")
        return []
    items: list[tuple[Any, KeyPath]] | None = None
    if isinstance(value, dict):
        items = [(value, ("param_scheduler",))]
    if isinstance(value, list):
        items = [(v, ("param_scheduler", i)) for i, v in enumerate(value)]
    if items is None:
        draft.error(("param_scheduler",), "param_scheduler must be a dict or a list of dicts")
        return []
    found: list[tuple[dict[str, Any], KeyPath]] = []
    for spec, at in items:
        if not isinstance(spec, dict):
            draft.error(at, f"a scheduler is a dict(type=..., ...), got {spec!r}")
            continue
        kind = str(spec.get("type"))
        if kind.endswith("Momentum"):
            draft.note(f"{kind}: momentum, not the LR; left out")
            continue
        found.append((dict(spec), at))
    return found


def _write(
    draft: Draft,
    specs: list[tuple[dict[str, Any], KeyPath]],
    total: int,
    epoch_length: int | None,
    by_epoch: bool,
    origin: KeyPath,
) -> None:
    wrapper = draft.get("optim_wrapper") or {}
    counts = wrapper.get("accumulative_counts", 1)
    updates = -(-total // counts)  # every k-th iteration, and the last
    draft.put(("training", "steps"), updates, origin)
    draft.put(("training", "steps_per_epoch"), max(1, (epoch_length or total) // counts))
    draft.put(("training", "interval"), "step")
    draft.put(("preset", "framework"), "mmengine", ("param_scheduler",))
    draft.put(("preset", "name"), "param_scheduler", ("param_scheduler",))
    draft.put(("preset", "args", "by_epoch"), by_epoch, (*origin[:1], "by_epoch"))
    draft.put(("preset", "args", "epoch_length"), epoch_length or 1)
    draft.put(("preset", "args", "schedulers"), [], ("param_scheduler",))
    for index, (spec, at) in enumerate(specs):
        draft.data["preset"]["args"]["schedulers"].append(spec)
        where: KeyPath = ("preset", "args", "schedulers", index)
        draft.locate(where, at)
        for key in spec:
            draft.locate((*where, key), (*at, key))
    shown = f"{total // (epoch_length or 1):,} epochs x {epoch_length:,} = " if by_epoch else ""
    if counts == 1:
        draft.note(f"{shown}{total:,} iterations, one optimizer update each")
        return
    written: KeyPath = ("optim_wrapper", "accumulative_counts")
    draft.put(("preset", "args", "accumulative_counts"), counts, written)
    draft.put(("preset", "args", "iterations"), total, written)
    draft.note(
        f"{shown}{total:,} iterations; accumulative_counts {counts}: {updates:,} updates, "
        f"after every {counts} iterations (counted across epochs) and after the last; the "
        "schedulers step every iteration"
    )
