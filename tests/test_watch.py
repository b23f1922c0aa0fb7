"""warmplan.watch in plain training loops: a real nn.Linear and a real optimizer, the
schedule built with plain torch written here (the oracle), each fault done for real.

A plan of 60 updates: a 10-update linear warm-up from 0.1x to 1e-3, then a cosine to
1e-5 (LinearLR -> CosineAnnealingLR chained by SequentialLR at 10)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest
import torch
from torch.optim.lr_scheduler import CosineAnnealingLR, LinearLR, SequentialLR

import warmplan
from tests import warm
from warmplan import ScheduleDivergence

UPDATES, WARMUP = 60, 10
PLAN = {
    "optimizer": {"kind": "adamw", "lr": 1e-3},
    "training": {"steps": UPDATES, "interval": "step"},
    "warmup": {"kind": "linear", "length": WARMUP, "start_factor": 0.1},
    "decay": {"kind": "cosine", "eta_min": 1e-5},
}


def _model_and_optimizer(seed: int = 0) -> tuple[torch.nn.Module, torch.optim.Optimizer]:
    torch.manual_seed(seed)
    model = torch.nn.Linear(4, 1)
    return model, torch.optim.AdamW(model.parameters(), lr=1e-3)


def _scheduler(optimizer: torch.optim.Optimizer) -> SequentialLR:
    warm = LinearLR(optimizer, start_factor=0.1, end_factor=1.0, total_iters=WARMUP)
    cosine = CosineAnnealingLR(optimizer, T_max=UPDATES - WARMUP, eta_min=1e-5)
    return SequentialLR(optimizer, [warm, cosine], milestones=[WARMUP])


def _update(model: torch.nn.Module, optimizer: torch.optim.Optimizer) -> None:
    x = torch.linspace(-1, 1, 8).reshape(2, 4)
    loss = model(x).pow(2).mean()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()


def test_a_run_that_follows_the_plan_is_never_stopped():
    model, optimizer = _model_and_optimizer()
    scheduler = _scheduler(optimizer)
    with warmplan.watch(optimizer, PLAN) as watched:
        for _ in range(UPDATES):
            _update(model, optimizer)
            scheduler.step()
    assert watched.checked == UPDATES and not watched.divergences
    assert watched.report() == "60 updates checked (updates 0-59): every LR as planned"


def test_an_extra_scheduler_step_per_update_is_caught_at_update_1():
    """As accelerate's prepared scheduler does with 2 processes: two steps per update."""
    model, optimizer = _model_and_optimizer()
    scheduler = _scheduler(optimizer)
    watched = warmplan.watch(optimizer, PLAN)
    with pytest.raises(ScheduleDivergence) as caught:
        for _ in range(UPDATES):
            _update(model, optimizer)
            scheduler.step()
            scheduler.step()
    divergence = caught.value
    assert (divergence.update, divergence.kind, divergence.factor) == (
        1,
        "scheduler-steps-per-update",
        2,
    )
    # the oracle: update 1 would have used row 2 of the plan, 1e-4 + 2 x 9e-4 / 10
    assert divergence.actual == pytest.approx(1e-4 + 2 * 9e-4 / WARMUP, rel=1e-12)
    assert divergence.planned == pytest.approx(1e-4 + 1 * 9e-4 / WARMUP, rel=1e-12)
    assert "stepped 2 times per update" in str(divergence)
    watched.close()


def test_a_resume_that_lost_the_scheduler_state_is_a_restart():
    model, optimizer = _model_and_optimizer()
    scheduler = _scheduler(optimizer)
    for _ in range(30):
        _update(model, optimizer)
        scheduler.step()
    saved = optimizer.state_dict()  # the checkpoint keeps the optimizer, not the scheduler
    model2, optimizer2 = _model_and_optimizer()
    model2.load_state_dict(model.state_dict())
    fresh = _scheduler(optimizer2)  # built anew: it starts at row 0 again
    optimizer2.load_state_dict(saved)
    for group in optimizer2.param_groups:  # what a fresh scheduler set, as in a real resume
        group["lr"] = fresh.get_last_lr()[0]
    watched = warmplan.watch(optimizer2, PLAN)  # start read from AdamW's state: 30
    assert watched.start == 30
    with pytest.raises(ScheduleDivergence) as caught:
        _update(model2, optimizer2)
    assert (caught.value.update, caught.value.kind, caught.value.at_update) == (30, "restart", 30)
    assert caught.value.actual == pytest.approx(1e-4, rel=1e-12)
    assert "scheduler.state_dict()" in str(caught.value)


def test_stepping_the_scheduler_before_the_optimizer_is_a_shift_by_one():
    model, optimizer = _model_and_optimizer()
    scheduler = _scheduler(optimizer)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch warns about this order: the fault itself
        scheduler.step()
    with warmplan.watch(optimizer, PLAN, start=0), pytest.raises(ScheduleDivergence) as caught:
        _update(model, optimizer)
    assert (caught.value.update, caught.value.kind, caught.value.by) == (0, "shift", 1)


def _scheduler_over(optimizer: torch.optim.Optimizer, total: int) -> SequentialLR:
    warm = LinearLR(optimizer, start_factor=0.1, end_factor=1.0, total_iters=WARMUP)
    cosine = CosineAnnealingLR(optimizer, T_max=total - WARMUP, eta_min=1e-5)
    return SequentialLR(optimizer, [warm, cosine], milestones=[WARMUP])


def _lrs_over(total: int) -> list[float]:
    _, optimizer = _model_and_optimizer()
    scheduler = _scheduler_over(optimizer, total)
    lrs = []
    for _ in range(UPDATES):
        lrs.append(scheduler.get_last_lr()[0])
        optimizer.step()  # no gradients: a no-op update, so torch keeps the order
        scheduler.step()
    return lrs


def test_a_scheduler_built_for_another_total_is_a_horizon():
    """The run's cosine is built for 72 updates (6/5 of the plan's 60: another dataset
    size); the warm-up is the same, so the first update that strays is the first decay
    update whose LR differs, found here with plain torch."""
    run_lrs, plan_lrs = _lrs_over(72), _lrs_over(UPDATES)
    first = next(u for u in range(UPDATES) if run_lrs[u] != pytest.approx(plan_lrs[u], rel=1e-9))
    assert first > WARMUP
    model, optimizer = _model_and_optimizer()
    scheduler = _scheduler_over(optimizer, 72)
    watched = warmplan.watch(optimizer, PLAN)
    with pytest.raises(ScheduleDivergence) as caught:
        for _ in range(UPDATES):
            _update(model, optimizer)
            scheduler.step()
    divergence = caught.value
    assert (divergence.update, divergence.kind, divergence.total) == (first, "horizon", 72)
    assert divergence.actual == pytest.approx(run_lrs[first], rel=1e-12)
    assert "over 72 updates" in str(divergence)
    watched.close()


def test_a_fault_no_law_explains_is_other_and_names_no_horizon():
    model, optimizer = _model_and_optimizer()
    scheduler = _scheduler(optimizer)
    watched = warmplan.watch(optimizer, PLAN, on_divergence="log")
    for step in range(UPDATES):
        if step == 20:
            for group in optimizer.param_groups:
                group["lr"] = 0.123  # set by hand: no schedule over any total gives it
        _update(model, optimizer)
        scheduler.step()
    assert watched.divergences[0].kind == "other" and watched.divergences[0].total is None
    assert watched.divergences[0].update == 20
    watched.close()


def test_a_run_longer_than_its_plan_diverges_past_the_end():
    model, optimizer = _model_and_optimizer()
    scheduler = _scheduler(optimizer)
    with warmplan.watch(optimizer, PLAN) as watched:
        for _ in range(UPDATES):
            _update(model, optimizer)
            scheduler.step()
        with pytest.raises(ScheduleDivergence) as caught:
            _update(model, optimizer)
    assert (caught.value.update, caught.value.kind, caught.value.planned) == (
        UPDATES,
        "past-plan-end",
        None,
    )
    assert watched.checked == UPDATES + 1


def test_warn_mode_never_changes_training():
    """Same faulty run with and without the watch: bit-identical weights."""

    def run(watched: bool) -> list[torch.Tensor]:
        model, optimizer = _model_and_optimizer(seed=3)
        scheduler = _scheduler(optimizer)
        handle = warmplan.watch(optimizer, PLAN, on_divergence="warn") if watched else None
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            for _ in range(20):
                _update(model, optimizer)
                scheduler.step()
                scheduler.step()
        if handle is not None:
            assert len(handle.divergences) == 19 and len(seen) >= 19
            assert all(w.category is RuntimeWarning for w in seen if "update" in str(w.message))
            handle.close()
        return [p.detach().clone() for p in model.parameters()]

    for with_watch, without in zip(run(True), run(False), strict=True):
        assert torch.equal(with_watch, without)


def test_close_removes_the_hook():
    model, optimizer = _model_and_optimizer()
    watched = warmplan.watch(optimizer, PLAN)
    watched.close()
    for _ in range(3):
        _update(model, optimizer)  # no scheduler at all: the LR never warms up
    assert watched.checked == 0 and "no update checked" in watched.report()


def test_every_param_group_is_checked():
    torch.manual_seed(0)
    body, head = torch.nn.Linear(4, 4), torch.nn.Linear(4, 1)
    optimizer = torch.optim.SGD(
        [{"params": body.parameters(), "lr": 1e-3}, {"params": head.parameters(), "lr": 1e-2}]
    )
    plan = {
        "optimizer": {
            "kind": "sgd",
            "lr": 1e-3,
            "groups": [{"name": "body"}, {"name": "head", "lr": 1e-2}],
        },
        "training": {"steps": 10, "interval": "step"},
        "decay": {"kind": "linear"},
    }
    # the head's LR is never decayed: the bug is in group 1 only
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, [lambda t: 1 - t / 10, lambda t: 1.0])
    watched = warmplan.watch(optimizer, plan)
    with pytest.raises(ScheduleDivergence) as caught:
        for _ in range(10):
            x = torch.ones(1, 4)
            optimizer.zero_grad()
            head(body(x)).sum().backward()
            optimizer.step()
            scheduler.step()
    assert (caught.value.update, caught.value.group) == (1, 1)
    assert caught.value.planned == pytest.approx(1e-2 * (1 - 1 / 10), rel=1e-12)
    watched.close()


def test_a_bad_on_divergence_is_refused():
    _, optimizer = _model_and_optimizer()
    with pytest.raises(warmplan.errors.UsageError, match="raise, warn or log"):
        warmplan.watch(optimizer, PLAN, on_divergence="stop")  # type: ignore[arg-type]


def test_the_readme_shows_the_real_message():

    model, optimizer = _model_and_optimizer()
    scheduler = _scheduler(optimizer)
    with warmplan.watch(optimizer, PLAN), pytest.raises(ScheduleDivergence) as caught:
        for _ in range(3):
            _update(model, optimizer)
            scheduler.step()
            scheduler.step()
    head, advice = str(caught.value).split(". ", 1)
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    assert f"ScheduleDivergence: {head}.\n{advice[:60]}" in readme


def test_watching_imports_neither_matplotlib_nor_rich_nor_the_frameworks():

    code = (
        "import sys, torch, warmplan\n"
        "opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1e-3)\n"
        "w = warmplan.watch(opt, {'optimizer': {'lr': 1e-3}, 'training': {'steps': 5}})\n"
        "heavy = {'matplotlib', 'rich', 'transformers', 'lightning', 'plotext', 'typer'}\n"
        "print(sorted(heavy & {m.split('.')[0] for m in sys.modules}))\n"
    )
    done = warm.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]", done.stdout


def test_accelerate_is_watched_through_the_optimizer_it_wraps():
    """Accelerator.prepare wraps optimizer and scheduler; under gradient accumulation the
    wrapped optimizer steps once per 2 batches, and only those steps are updates."""
    accelerate = pytest.importorskip("accelerate")
    accelerator = accelerate.Accelerator(cpu=True, gradient_accumulation_steps=2)
    model, optimizer = _model_and_optimizer()
    model, optimizer, scheduler = accelerator.prepare(model, optimizer, _scheduler(optimizer))
    watched = warmplan.watch(optimizer, PLAN)
    x = torch.linspace(-1, 1, 8).reshape(2, 4)
    for _ in range(2 * UPDATES):  # micro-batches
        with accelerator.accumulate(model):
            accelerator.backward(model(x).pow(2).mean())
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
    assert watched.checked == UPDATES and not watched.divergences
    watched.close()


def test_a_step_skipped_by_the_grad_scaler_while_the_scheduler_steps_is_a_shift():
    """A GradScaler skips optimizer.step() after an overflow; the loop still steps the
    scheduler, so from then on the schedule runs one interval ahead of the updates."""
    model, optimizer = _model_and_optimizer()
    scheduler = _scheduler(optimizer)
    scaler = torch.amp.GradScaler("cpu")
    x = torch.linspace(-1, 1, 8).reshape(2, 4)
    watched = warmplan.watch(optimizer, PLAN)
    with pytest.raises(ScheduleDivergence) as caught:
        for step in range(UPDATES):
            optimizer.zero_grad()
            loss = model(x).pow(2).mean() * (float("inf") if step == 3 else 1.0)
            scaler.scale(loss).backward()
            scaler.step(optimizer)  # skipped at step 3: the gradients are not finite
            scaler.update()
            scheduler.step()
    # updates 0-2 ran at rows 0-2; batch 3 made no update; the next update (3) got row 4
    assert (caught.value.update, caught.value.kind, caught.value.by) == (3, "shift", 1)
    watched.close()


def test_a_real_two_process_accelerate_run_is_two_scheduler_steps_per_update(tmp_path):
    """accelerate's prepared scheduler steps the wrapped one once per process at each
    update (2 processes here, gloo on 127.0.0.1): caught at update 1, factor 2, in
    every process; with step_scheduler_with_optimizer=False it steps once: no alarm."""
    pytest.importorskip("accelerate")
    import socket

    with socket.socket() as s:  # a free port for the rendezvous
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    child = Path(__file__).with_name("accelerate_child.py")
    # the two ranks started as torch.distributed.run starts them: its environment (with
    # env:// rendezvous), the same script, one process per rank
    world = {"WORLD_SIZE": "2", "LOCAL_WORLD_SIZE": "2", "MASTER_ADDR": "127.0.0.1"}
    env = {**os.environ, **world, "MASTER_PORT": str(port), "PYTHONPATH": str(child.parent.parent)}
    logs = [(tmp_path / f"rank-{rank}.err").open("w") for rank in (0, 1)]
    ranks = [
        warm.Popen(
            [sys.executable, str(child), str(tmp_path)],
            env={**env, "RANK": str(rank), "LOCAL_RANK": str(rank), "GROUP_RANK": "0"},
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        for rank, log in enumerate(logs)
    ]
    deadline = time.monotonic() + 300
    while any(p.poll() is None for p in ranks) and time.monotonic() < deadline:
        if any(p.returncode for p in ranks):  # one failed: the other would wait for it
            break
        time.sleep(0.05)
    for process, log in zip(ranks, logs, strict=True):
        process.kill()  # only one still running
        process.wait(timeout=30)
        log.close()
    for rank, process in enumerate(ranks):
        assert process.returncode == 0, (tmp_path / f"rank-{rank}.err").read_text()[-3000:]
    for rank in (0, 1):
        results = json.loads((tmp_path / f"rank-{rank}.json").read_text())
        default, once = results["default"], results["step_scheduler_with_optimizer=False"]
        assert default["processes"] == 2
        assert (default["kind"], default["update"], default["factor"]) == (
            "scheduler-steps-per-update",
            1,
            2,
        )
        assert once["kind"] is None and once["checked"] == UPDATES // 2
