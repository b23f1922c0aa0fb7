"""ultralytics training configs (a ``cfg=`` YAML, or the ``args.yaml`` a run saves) -> a
plan with the ``yolo`` decay kind, as ultralytics 8.4.190's trainer computes it.

Checked against ultralytics' own ``_setup_scheduler``, ``_get_warmup_iterations`` and
``one_cycle``, run in its training loop (tests/data/formats/ultralytics.json):

- The LR is set per batch (iteration): rows are batches, ``--steps-per-epoch`` of them
  per epoch (``len(train_loader)``). In epoch e it is ``lr0`` x lf(e), lf linear
  ``max(1 - e/epochs, 0) (1 - lrf) + lrf``, or with ``cos_lr`` one_cycle(1, lrf, epochs).
- The warm-up: for iterations ni <= nw = round(min(``warmup_epochs``, epochs - 1) x
  batches) (none for ``warmup_epochs`` 0), np.interp from 0 (the bias group: from
  ``warmup_bias_lr``) to that epoch's ``lr0`` x lf(e).
- Three param groups as ``build_optimizer`` makes them: weight, bn, bias.
- ``optimizer: auto`` (the default) ignores ``lr0``: a finding (WP143).
- ``batch`` below ``nbs``: the optimizer steps every round(nbs / batch) batches (from 1,
  ramped up during the warm-up); the LRs of the batches that step are among the rows.
"""

from __future__ import annotations

from typing import Any

from warmplan.formats import keys
from warmplan.formats.draft import Draft

DEFAULTS: dict[str, Any] = {
    "epochs": 100,
    "batch": 16,
    "nbs": 64,
    "optimizer": "auto",
    "lr0": 0.01,
    "lrf": 0.01,
    "cos_lr": False,
    "warmup_epochs": 3.0,
    "warmup_bias_lr": 0.1,
}
SCHEDULE_KEYS = (*DEFAULTS, "time", "warmup_momentum", "momentum")
#: keys of a YOLOv5 hyp.yaml (data/hyps/) that ultralytics' configs do not have
YOLOV5_KEYS = frozenset({"obj", "obj_pw", "cls_pw", "iou_t", "anchor_t", "fl_gamma"})
OPTIMIZERS = ("SGD", "MuSGD", "Adam", "Adamax", "AdamW", "NAdam", "RAdam", "RMSProp", "auto")
GROUPS = ("weight", "bn", "bias")


def is_yolov5_hyp(data: dict[str, Any]) -> bool:
    """A YOLOv5 hyp.yaml: its own loss keys, and no epochs (train.py's --epochs)."""
    return "epochs" not in data and bool(YOLOV5_KEYS & set(data))


def read(draft: Draft) -> None:
    """Write the plan of the ultralytics arguments in ``draft.recipe`` into ``draft``."""
    if is_yolov5_hyp(draft.recipe.data):
        from warmplan.formats.yolov5 import read_hyp

        read_hyp(draft)
        return
    keys.warn_near_misses(draft, SCHEDULE_KEYS, "ultralytics")
    epochs = draft.number("epochs", 100, whole=True, minimum=1)
    lr0 = draft.number("lr0", 0.01)
    lrf = draft.number("lrf", 0.01)
    warmup_epochs = draft.number("warmup_epochs", 3.0)
    bias_lr = draft.number("warmup_bias_lr", 0.1)
    cos = draft.flag("cos_lr", False)
    _optimizer(draft, lr0)
    if draft.get("time") is not None:
        draft.error(
            ("time",),
            "time: training for a number of hours re-estimates epochs after the first "
            "one, from its duration: no schedule can be computed before training",
        )
    draft.raise_problems()
    batches = draft.facts.steps_per_epoch
    if batches is None:
        raise draft.needs(
            ("epochs",) if draft.has("epochs") else ("lr0",),
            f"epochs: {epochs} needs the batches of an epoch (ultralytics sets the LR every "
            "batch): pass --steps-per-epoch N (len(train_loader): images / batch, rounded up)",
        )
    capped = min(warmup_epochs, max(epochs - 1, 0))
    nw = round(capped * batches) if capped > 0 else 0
    draft.note(
        f"warm-up: round(min(warmup_epochs {warmup_epochs:g}, epochs - 1) x {batches:,} "
        f"batches) = {nw:,} iterations"
        if nw
        else "no warm-up (warmup_epochs 0)"
    )
    _accumulation(draft)
    draft.put(("training", "epochs"), epochs, ("epochs",))
    draft.put(("training", "steps_per_epoch"), batches)
    draft.put(("training", "interval"), "step")
    decay = {"kind": "yolo", "lrf": lrf, "shape": "cosine" if cos else "linear"}
    decay |= {"warmup_steps": nw, "warmup_bias_lr": bias_lr, "bias_group": "bias"}
    for key, value in decay.items():
        origin = {"lrf": ("lrf",), "shape": ("cos_lr",), "warmup_steps": ("warmup_epochs",)}
        draft.put(("decay", key), value, origin.get(key, ("warmup_bias_lr",)))


def _optimizer(draft: Draft, lr0: float) -> None:
    name = draft.get("optimizer", "auto")
    names = {n.lower(): n for n in OPTIMIZERS}
    if not isinstance(name, str) or name.lower() not in names:
        draft.error(
            ("optimizer",),
            f"optimizer {name!r} is not an ultralytics optimizer; it has: {', '.join(OPTIMIZERS)}",
        )
        return
    name = names[name.lower()]
    if name == "auto":
        draft.warn(
            keys.YOLO_AUTO_OPTIMIZER,
            ("optimizer",) if draft.has("optimizer") else ("lr0",),
            f"optimizer auto ignores lr0 {lr0:g} (and momentum): ultralytics picks MuSGD at "
            "lr 0.01 for more than 10,000 iterations, else AdamW at lr round(0.002 x 5 / "
            "(4 + classes), 6), and sets warmup_bias_lr to 0; shown here with lr0 and "
            "warmup_bias_lr as written: name the optimizer (SGD, AdamW, ...) to train with them",
        )
    draft.put(("optimizer", "kind"), "adamw" if "Adam" in name else "sgd", ("optimizer",))
    draft.put(("optimizer", "lr"), lr0, ("lr0",))
    groups = [{"name": group, "lr": lr0} for group in GROUPS]
    draft.put(("optimizer", "groups"), groups, ("lr0",))


def _accumulation(draft: Draft) -> None:
    batch, nbs = draft.get("batch", 16), draft.get("nbs", 64)
    numbers = all(isinstance(v, int) and not isinstance(v, bool) for v in (batch, nbs))
    if numbers and 0 < batch < nbs:
        every = max(round(nbs / batch), 1)
        draft.note(
            f"batch {batch} < nbs {nbs}: the optimizer steps every {every} batches (fewer "
            "during the warm-up); the rows are batches, each with the LR it was given"
        )
