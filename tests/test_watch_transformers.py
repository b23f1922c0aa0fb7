"""warmplan.integrations.transformers.WatchCallback in real transformers Trainer runs on
a tiny CPU model: a run that follows its TrainingArguments is never stopped (a resumed
one included), and each fault done for real is stopped at the right update."""

from __future__ import annotations

import functools
import math
import shutil
from types import ModuleType
from typing import Any

import pytest
import torch

from warmplan import ScheduleDivergence


@functools.cache
def _transformers() -> tuple[ModuleType, Any]:
    """transformers and warmplan's callback for it, imported by the first test that runs
    (not at collection: every xdist worker collects, one runs these; SHARED_WORK)."""
    transformers = pytest.importorskip("transformers")
    from warmplan.integrations.transformers import WatchCallback

    return transformers, WatchCallback


class _Tiny(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.linear = torch.nn.Linear(4, 1)

    def forward(self, x, labels):  # type: ignore[no-untyped-def]
        return {"loss": torch.nn.functional.mse_loss(self.linear(x).squeeze(-1), labels)}


def _data(n: int = 64) -> list[dict]:
    g = torch.Generator().manual_seed(0)
    xs = torch.randn(n, 4, generator=g)
    return [{"x": x, "labels": x.sum()} for x in xs]


def _trainer(tmp_path, callbacks, **overrides):  # type: ignore[no-untyped-def]
    args = {
        "output_dir": str(tmp_path / "out"),
        "per_device_train_batch_size": 8,
        "learning_rate": 1e-3,
        "lr_scheduler_type": "cosine",
        "warmup_steps": 3,
        "max_steps": 16,
        "report_to": "none",
        "use_cpu": True,
        "save_strategy": "no",
        "logging_strategy": "no",
        "disable_tqdm": True,
        "seed": 0,
        **overrides,
    }
    transformers, _ = _transformers()
    torch.manual_seed(0)
    return transformers.Trainer(
        model=_Tiny(),
        args=transformers.TrainingArguments(**args),
        train_dataset=_data(),
        callbacks=callbacks,
    )


def _cosine_with_warmup(t: int, warmup: int, total: int) -> float:
    """transformers' cosine schedule, written from its documented formula."""
    if t < warmup:
        return t / max(1, warmup)
    progress = (t - warmup) / max(1, total - warmup)
    return max(0.0, 0.5 * (1.0 + math.cos(math.pi * progress)))


def test_a_run_that_follows_its_training_arguments_is_never_stopped(tmp_path):
    transformers, WatchCallback = _transformers()
    callback = WatchCallback()
    seen: list[float] = []

    class Record(transformers.TrainerCallback):  # the oracle: the LR each update used
        def on_optimizer_step(self, args, state, control, optimizer=None, **kwargs):  # type: ignore[no-untyped-def]
            seen.append(optimizer.param_groups[0]["lr"])

    _trainer(tmp_path, [callback, Record()]).train()
    assert callback.watch is not None and callback.watch.checked == 16
    assert not callback.watch.divergences
    expected = [1e-3 * _cosine_with_warmup(t, 3, 16) for t in range(16)]
    assert seen == pytest.approx(expected, rel=1e-12, abs=0)


def test_an_extra_scheduler_step_per_update_is_stopped_at_update_1(tmp_path):
    transformers, WatchCallback = _transformers()

    class StepAgain(transformers.TrainerCallback):  # what an accelerate mix-up does
        def on_step_end(self, args, state, control, lr_scheduler=None, **kwargs):  # type: ignore[no-untyped-def]
            lr_scheduler.step()

    with pytest.raises(ScheduleDivergence) as caught:
        _trainer(tmp_path, [WatchCallback(), StepAgain()]).train()
    assert (caught.value.update, caught.value.kind, caught.value.factor) == (
        1,
        "scheduler-steps-per-update",
        2,
    )


def test_a_resume_continues_the_watch_and_a_lost_scheduler_is_a_restart(tmp_path):
    transformers, WatchCallback = _transformers()
    saving = {"save_strategy": "steps", "save_steps": 8}

    class StopAt8(transformers.TrainerCallback):  # a run killed after its checkpoint
        def on_step_end(self, args, state, control, **kwargs):  # type: ignore[no-untyped-def]
            control.should_training_stop = state.global_step >= 8

    _trainer(tmp_path, [WatchCallback(), StopAt8()], **saving).train()
    checkpoint = tmp_path / "out" / "checkpoint-8"
    # a faithful resume: no divergence over the rest of the run
    resumed = WatchCallback()
    _trainer(tmp_path, [resumed], **saving).train(resume_from_checkpoint=str(checkpoint))
    assert resumed.watch is not None and resumed.watch.start == 8
    assert resumed.watch.checked == 8 and not resumed.watch.divergences
    # the same checkpoint without its scheduler: the Trainer starts the schedule over
    (checkpoint / "scheduler.pt").unlink()
    shutil.rmtree(tmp_path / "out" / "checkpoint-16", ignore_errors=True)
    with pytest.raises(ScheduleDivergence) as caught:
        _trainer(tmp_path, [WatchCallback()], **saving).train(
            resume_from_checkpoint=str(checkpoint)
        )
    assert (caught.value.update, caught.value.kind, caught.value.at_update) == (8, "restart", 8)


def test_a_plan_for_another_number_of_updates_is_a_horizon(tmp_path):
    """The plan previewed 16 updates; the run trains 20 (a larger dataset): the cosine
    the Trainer builds is over 20, and the first update whose LR differs (found from
    the documented formula) is stopped as a horizon of 20."""
    _, WatchCallback = _transformers()
    plan = {
        "optimizer": {"kind": "adamw", "lr": 1e-3},
        "training": {"steps": 16, "interval": "step"},
        "preset": {
            "framework": "transformers",
            "name": "cosine",
            "args": {"num_warmup_steps": 3, "num_training_steps": 16},
        },
        "ignore": ["WP102"],
    }
    first = next(
        t
        for t in range(16)
        if not math.isclose(_cosine_with_warmup(t, 3, 20), _cosine_with_warmup(t, 3, 16))
    )
    with pytest.raises(ScheduleDivergence) as caught:
        _trainer(tmp_path, [WatchCallback(plan)], max_steps=20).train()
    assert (caught.value.update, caught.value.kind, caught.value.total) == (first, "horizon", 20)
    assert caught.value.actual == pytest.approx(1e-3 * _cosine_with_warmup(first, 3, 20))


def test_a_plain_loop_is_watched_against_a_training_arguments_file(tmp_path):
    """watch() takes what load_plan takes, another tool's config included: a
    TrainingArguments YAML, followed by transformers' own scheduler in a plain loop."""
    transformers, _ = _transformers()
    path = tmp_path / "args.yaml"
    path.write_text(
        "learning_rate: 1.0e-3\nlr_scheduler_type: linear\nwarmup_steps: 3\nmax_steps: 16\n"
        "output_dir: out\n"
    )
    import warmplan

    model = torch.nn.Linear(4, 1)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    scheduler = transformers.get_linear_schedule_with_warmup(optimizer, 3, 16)
    with warmplan.watch(optimizer, path) as watched:
        for _ in range(16):
            model(torch.ones(2, 4)).sum().backward()
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
    assert watched.checked == 16 and not watched.divergences
