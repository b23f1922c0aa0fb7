"""warmplan.integrations.lightning.WatchCallback in real Lightning Trainer runs on a tiny
CPU model: a run stepping its scheduler per update is never stopped; Lightning's default
interval (once per epoch) under a per-update plan is reported before the first update."""

from __future__ import annotations

import functools
from types import SimpleNamespace
from typing import Any

import pytest
import torch

from warmplan import ScheduleDivergence

pytestmark = [
    # Lightning's own warnings, not warmplan's: its pytree use (deprecated by this torch)
    # and its advice to use more data-loader workers
    pytest.mark.filterwarnings("ignore:.*LeafSpec.*:FutureWarning"),
    pytest.mark.filterwarnings("ignore:.*does not have many workers.*"),
    pytest.mark.filterwarnings("ignore:.*log_every_n_steps.*"),
]

STEPS_PER_EPOCH, EPOCHS, WARMUP = 8, 2, 4
PLAN = {
    "optimizer": {"kind": "adamw", "lr": 1e-3},
    "training": {"epochs": EPOCHS, "steps_per_epoch": STEPS_PER_EPOCH, "interval": "step"},
    "warmup": {"kind": "linear", "length": WARMUP, "start_factor": 0.25},
    "decay": {"kind": "cosine", "eta_min": 0.0},
}


@functools.cache
def _lightning() -> SimpleNamespace:
    """Lightning, warmplan's callback for it, and a tiny module stepping its scheduler at
    the given interval (None: Lightning's default)."""
    L = pytest.importorskip("lightning")
    from warmplan.integrations.lightning import WatchCallback

    class Module(L.LightningModule):
        def __init__(self, interval: str | None) -> None:
            super().__init__()
            self.linear = torch.nn.Linear(4, 1)
            self.interval = interval
            self.seen: list[float] = []

        def training_step(self, batch, batch_index):  # type: ignore[no-untyped-def]
            x, y = batch
            return torch.nn.functional.mse_loss(self.linear(x).squeeze(-1), y)

        def on_before_optimizer_step(self, optimizer):  # type: ignore[no-untyped-def]
            self.seen.append(optimizer.param_groups[0]["lr"])

        def configure_optimizers(self):  # type: ignore[no-untyped-def]
            from torch.optim.lr_scheduler import CosineAnnealingLR, LinearLR, SequentialLR

            optimizer = torch.optim.AdamW(self.parameters(), lr=1e-3)
            total = EPOCHS * STEPS_PER_EPOCH
            warm = LinearLR(optimizer, start_factor=0.25, total_iters=WARMUP)
            cosine = CosineAnnealingLR(optimizer, T_max=total - WARMUP, eta_min=0.0)
            scheduler = {"scheduler": SequentialLR(optimizer, [warm, cosine], [WARMUP])}
            if self.interval is not None:
                scheduler["interval"] = self.interval
            return {"optimizer": optimizer, "lr_scheduler": scheduler}

    return SimpleNamespace(L=L, WatchCallback=WatchCallback, Module=Module)


def _module(interval: str | None) -> Any:
    return _lightning().Module(interval)


def _callback(plan: dict[str, Any]) -> Any:
    return _lightning().WatchCallback(plan)


def _fit(
    module: Any,
    callback: Any,
    epochs: int = EPOCHS,
    folder: Any = None,
    resume: str | None = None,
) -> None:
    g = torch.Generator().manual_seed(0)
    x = torch.randn(STEPS_PER_EPOCH * 4, 4, generator=g)
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, x.sum(-1)), batch_size=4)
    trainer = _lightning().L.Trainer(
        max_epochs=epochs,
        accelerator="cpu",
        logger=False,
        enable_checkpointing=folder is not None,
        default_root_dir=folder,
        enable_progress_bar=False,
        enable_model_summary=False,
        callbacks=[callback],
    )
    trainer.fit(module, loader, ckpt_path=resume)


def test_a_run_stepping_per_update_is_never_stopped():
    module, callback = _module("step"), _callback(PLAN)
    _fit(module, callback)
    assert callback.watch is not None and callback.watch.checked == EPOCHS * STEPS_PER_EPOCH
    assert not callback.watch.divergences
    assert module.seen[0] == pytest.approx(0.25e-3, rel=1e-12)  # the warm-up's start
    assert module.seen[WARMUP] == pytest.approx(1e-3, rel=1e-12)  # the peak


def test_lightnings_default_interval_is_reported_before_the_first_update():
    module = _module(None)  # no "interval": Lightning steps the scheduler once per epoch
    with pytest.raises(ScheduleDivergence) as caught:
        _fit(module, _callback(PLAN))
    assert (caught.value.update, caught.value.kind) == (0, "per-epoch-stepping")
    assert '"interval": "step"' in str(caught.value)
    assert module.seen == []  # stopped before any update trained


# Lightning notes that the resumed run writes its checkpoints beside the first one
@pytest.mark.filterwarnings("ignore:Checkpoint directory .* exists and is not empty")
def test_a_resumed_run_is_watched_from_its_global_step_without_a_false_alarm(tmp_path):
    """Stop after epoch 1 with a checkpoint (Lightning saves the scheduler's state in
    it), resume for epoch 2: the watch starts at update 8 and the run follows the plan."""
    _fit(_module("step"), _callback(PLAN), epochs=1, folder=tmp_path)
    (checkpoint,) = tmp_path.rglob("*.ckpt")
    module, resumed = _module("step"), _callback(PLAN)
    _fit(module, resumed, epochs=EPOCHS, folder=tmp_path, resume=str(checkpoint))
    assert resumed.watch is not None and resumed.watch.start == STEPS_PER_EPOCH
    assert resumed.watch.checked == STEPS_PER_EPOCH and not resumed.watch.divergences
    assert len(module.seen) == STEPS_PER_EPOCH
