"""``WatchCallback`` for Lightning's ``Trainer``: stop training at the first update
whose LR strays from the plan.

Before the first update it also reads the trainer's scheduler configuration: a
scheduler that steps once per epoch (Lightning's default ``"interval": "epoch"``) under
a plan that steps per update is reported at once, with the fix::

    trainer = L.Trainer(..., callbacks=[WatchCallback("plan.yaml")])
"""

from __future__ import annotations

from typing import Any

try:  # the unified package first, then the standalone one
    from lightning.pytorch.callbacks import Callback
except ImportError:  # pragma: no cover - depends on which Lightning is installed
    from pytorch_lightning.callbacks import Callback  # type: ignore[assignment,no-redef,unused-ignore]

from warmplan.watcher import OnDivergence, ScheduleDivergence, Watch, watch


class WatchCallback(Callback):
    """Watch every optimizer update of a Lightning run (see :func:`warmplan.watch`)."""

    def __init__(self, plan: Any, on_divergence: OnDivergence = "raise") -> None:
        self.plan = plan
        self.on_divergence: OnDivergence = on_divergence
        self.watch: Watch | None = None

    def on_train_start(self, trainer: Any, pl_module: Any) -> None:
        optimizer = trainer.optimizers[0]
        self.watch = watch(
            optimizer, self.plan, on_divergence=self.on_divergence, start=trainer.global_step
        )
        for config in getattr(trainer, "lr_scheduler_configs", []):
            if config.interval == "epoch" and self.watch.plan.interval == "step":
                divergence = ScheduleDivergence(
                    update=trainer.global_step,
                    actual=float(optimizer.param_groups[0]["lr"]),
                    planned=self.watch.planned_lr(trainer.global_step),
                    group=0,
                    kind="per-epoch-stepping",
                )
                self.watch.diverged(divergence)

    def on_train_end(self, trainer: Any, pl_module: Any) -> None:
        if self.watch is not None:
            self.watch.close()
