"""A YOLOv5 ``hyp.yaml`` (data/hyps/hyp.scratch-low.yaml and the like) -> a yolo plan,
by YOLOv5's train.py (ultralytics/yolov5@5081342f, lines 234-246, 338, 382-388, 438).

The file holds the LR hyper-parameters only: ``epochs`` and the cosine are train.py's
command line (``--epochs``, default 100; ``--cos-lr``): ``--epochs N`` and ``--set
decay.shape=cosine`` here. It differs from ultralytics' trainer in three ways: the
warm-up is nw = max(round(``warmup_epochs`` x batches), 100) iterations (at least 100,
not capped before the last epoch, even for ``warmup_epochs: 0``), the bias group is the
optimizer's first (``smart_optimizer`` builds it on the biases, then adds weights and
BatchNorm weights), and the optimizer is train.py's ``--optimizer`` (default SGD).
"""

from __future__ import annotations

from warmplan.formats import keys
from warmplan.formats.draft import Draft

#: train.py's --epochs default
EPOCHS = 100
#: the hyp keys of the schedule (near misses of them are warned about)
HYP_KEYS = ("lr0", "lrf", "warmup_epochs", "warmup_bias_lr", "warmup_momentum", "momentum")


def read_hyp(draft: Draft) -> None:
    keys.warn_near_misses(draft, HYP_KEYS, "YOLOv5's hyp.yaml")
    lr0 = draft.number("lr0", 0.01)
    lrf = draft.number("lrf", 0.01)
    warmup_epochs = draft.number("warmup_epochs", 3.0)
    bias_lr = draft.number("warmup_bias_lr", 0.1)
    draft.raise_problems()
    batches = draft.facts.steps_per_epoch
    if batches is None:
        raise draft.needs(
            ("warmup_epochs",) if draft.has("warmup_epochs") else ("lr0",),
            "a YOLOv5 hyp.yaml sets the LR every batch: pass --steps-per-epoch N (the "
            "batches of an epoch, len(train_loader)) and --epochs N (train.py's --epochs, "
            f"default {EPOCHS})",
        )
    nw = max(round(warmup_epochs * batches), 100)
    draft.note(
        f"warm-up: max(round(warmup_epochs {warmup_epochs:g} x {batches:,} batches), 100) = "
        f"{nw:,} iterations"
    )
    draft.note(
        f"epochs: train.py's --epochs (default {EPOCHS}; --epochs N here); linear lf unless "
        "train.py's --cos-lr (--set decay.shape=cosine here)"
    )
    draft.put(("optimizer", "kind"), "sgd", ("lr0",))
    draft.put(("optimizer", "lr"), lr0, ("lr0",))
    groups = [{"name": name, "lr": lr0} for name in ("bias", "weight", "bn")]
    draft.put(("optimizer", "groups"), groups, ("lr0",))
    draft.put(("training", "epochs"), EPOCHS)
    draft.put(("training", "steps_per_epoch"), batches)
    draft.put(("training", "interval"), "step")
    decay = {"kind": "yolo", "lrf": lrf, "shape": "linear", "warmup_steps": nw}
    decay |= {"warmup_bias_lr": bias_lr, "bias_group": "bias"}
    for key, value in decay.items():
        origin = {"lrf": ("lrf",), "warmup_steps": ("warmup_epochs",)}
        draft.put(("decay", key), value, origin.get(key, ("warmup_bias_lr",)))
