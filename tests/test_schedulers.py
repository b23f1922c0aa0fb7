"""Every warm-up and decay kind against an independent oracle: a plain torch loop written
here, or the closed form. Rows are the LR in effect during each interval."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn
from torch.optim.lr_scheduler import (
    ConstantLR,
    CosineAnnealingLR,
    ExponentialLR,
    LinearLR,
    MultiStepLR,
    PolynomialLR,
    SequentialLR,
    StepLR,
)

from warmplan import load_plan, simulate
from warmplan.schedule.simulate import dummy_optimizer


def _plan(warmup=None, decay=None, epochs=20, lr=1e-2, **training):
    data = {"optimizer": {"lr": lr}, "training": {"epochs": epochs, **training}}
    if warmup is not None:
        data["warmup"] = warmup
    if decay is not None:
        data["decay"] = decay
    return load_plan(data)


def _torch_rows(make, epochs, lr=1e-2):
    """A plain training loop: read the LR, optimizer.step(), scheduler.step()."""
    model = nn.Linear(2, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    scheduler = make(optimizer)
    rows = []
    for _ in range(epochs):
        rows.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    return rows


def _with_warmup(decay_factory, w=5, start=0.1):
    def make(optimizer):
        warm = LinearLR(optimizer, start_factor=start, end_factor=1.0, total_iters=w)
        return SequentialLR(optimizer, [warm, decay_factory(optimizer)], milestones=[w])

    return make


DECAYS = {
    "cosine": (
        {"kind": "cosine", "eta_min": 1e-4},
        lambda o: CosineAnnealingLR(o, T_max=15, eta_min=1e-4),
    ),
    "linear": (
        {"kind": "linear", "end_factor": 0.05},
        lambda o: LinearLR(o, 1.0, 0.05, total_iters=15),
    ),
    "step": (
        {"kind": "step", "step_size": 4, "gamma": 0.5},
        lambda o: StepLR(o, step_size=4, gamma=0.5),
    ),
    "exponential": ({"kind": "exponential", "gamma": 0.9}, lambda o: ExponentialLR(o, gamma=0.9)),
    "polynomial": (
        {"kind": "polynomial", "power": 2.0},
        lambda o: PolynomialLR(o, total_iters=15, power=2.0),
    ),
    "multistep": (
        {"kind": "multistep", "milestones": [10, 15], "gamma": 0.1},
        lambda o: MultiStepLR(o, milestones=[5, 10], gamma=0.1),
    ),
    "constant": ({"kind": "constant"}, lambda o: ConstantLR(o, factor=1.0, total_iters=0)),
}


@pytest.mark.parametrize("kind", sorted(DECAYS))
def test_linear_warmup_then_each_decay_matches_a_torch_loop(kind):
    spec, factory = DECAYS[kind]
    plan = _plan({"kind": "linear", "length": 5, "start_factor": 0.1}, spec)
    expected = _torch_rows(_with_warmup(factory), 20)
    assert simulate(plan).lr[:, 0].tolist() == pytest.approx(expected, rel=1e-12, abs=0)


@pytest.mark.parametrize("kind", sorted(DECAYS))
def test_each_decay_alone_matches_a_torch_loop(kind):
    spec, factory = DECAYS[kind]
    if kind == "multistep":
        spec = {**spec, "milestones": [5, 10]}
    if kind in ("cosine", "linear", "polynomial"):  # R = N when there is no warm-up
        factory = {
            "cosine": lambda o: CosineAnnealingLR(o, T_max=20, eta_min=1e-4),
            "linear": lambda o: LinearLR(o, 1.0, 0.05, total_iters=20),
            "polynomial": lambda o: PolynomialLR(o, total_iters=20, power=2.0),
        }[kind]
    expected = _torch_rows(factory, 20)
    assert simulate(_plan(None, spec)).lr[:, 0].tolist() == pytest.approx(expected, rel=1e-12)


def test_multistep_milestones_count_from_the_start_of_training():
    """ResNet's 30/60/80 with a 5-epoch warm-up: the drops land at epochs 30, 60, 80."""
    plan = _plan(
        {"kind": "linear", "length": 5, "start_factor": 0.1},
        {"kind": "multistep", "milestones": [30, 60, 80]},
        epochs=90,
        lr=0.1,
    )
    lr = simulate(plan).lr[:, 0]
    for before, after, level in ((29, 30, 0.01), (59, 60, 0.001), (79, 80, 0.0001)):
        assert lr[after] == pytest.approx(level)
        assert lr[before] == pytest.approx(level * 10)


def test_constant_warmup_matches_seed_idea_and_torch():
    plan = _plan({"kind": "constant", "length": 3, "start_factor": 0.25}, {"kind": "cosine"})
    lr = simulate(plan).lr[:, 0]
    assert lr[:3].tolist() == pytest.approx([0.0025] * 3)
    assert lr[3] == pytest.approx(1e-2)


@pytest.mark.parametrize(("w", "start"), [(5, 0.1), (4, 0.5), (10, 0.01)])
def test_linear_warmup_follows_the_seed_formula(w, start):
    plan = _plan({"kind": "linear", "length": w, "start_factor": start}, epochs=w + 5)
    lr = simulate(plan).lr[:, 0]
    lr_init, lr_target = 1e-2 * start, 1e-2
    for t in range(w + 1):
        assert lr[t] == pytest.approx(lr_init + t * (lr_target - lr_init) / w, rel=1e-12)
    assert lr[w:].tolist() == pytest.approx([lr_target] * 5)


def test_warmup_from_zero_follows_t_over_w_then_the_decay():
    plan = _plan(
        {"kind": "linear", "length": 4, "start_lr": 0.0},
        {"kind": "cosine", "eta_min": 0.0},
        epochs=12,
    )
    lr = simulate(plan).lr[:, 0]
    assert lr[:5].tolist() == pytest.approx([0.0, 0.0025, 0.005, 0.0075, 0.01], abs=1e-15)
    for k in range(8):  # the cosine's own count starts at the end of warm-up
        assert lr[4 + k] == pytest.approx(0.005 * (1 + math.cos(math.pi * k / 8)), rel=1e-12)


def test_start_lr_is_a_factor_of_the_target():
    a = simulate(_plan({"kind": "linear", "length": 5, "start_lr": 1e-3}, epochs=10))
    b = simulate(_plan({"kind": "linear", "length": 5, "start_factor": 0.1}, epochs=10))
    assert a.lr[:, 0].tolist() == pytest.approx(b.lr[:, 0].tolist(), rel=1e-12)


def test_fraction_sets_the_warmup_length():
    plan = _plan({"kind": "linear", "fraction": 0.25, "start_factor": 0.5}, epochs=20)
    assert plan.warmup_intervals == 5
    assert simulate(plan).lr[5, 0] == pytest.approx(1e-2)
    assert simulate(plan).lr[4, 0] < 1e-2


def test_per_step_interval_steps_the_scheduler_every_optimizer_step():
    plan = _plan(
        {"kind": "linear", "length": 6, "start_factor": 0.0},
        {"kind": "linear"},
        epochs=3,
        steps_per_epoch=4,
        interval="step",
    )
    trace = simulate(plan)
    assert trace.intervals == 12
    assert trace.first_step().tolist() == list(range(12))
    assert trace.epoch().tolist() == [0] * 4 + [1] * 4 + [2] * 4
    assert trace.lr[6, 0] == pytest.approx(1e-2)


def test_per_epoch_interval_counts_optimizer_steps_per_epoch():
    plan = _plan(epochs=3, steps_per_epoch=100)
    trace = simulate(plan)
    assert trace.intervals == 3
    assert trace.first_step().tolist() == [0, 100, 200]
    assert plan.total_steps == 300


def test_dummy_optimizer_gives_the_same_lrs_as_real_adam():
    """The dynamo-free dummy must not change what torch's schedulers compute."""
    from warmplan.schedule.build import build_schedule

    plan = load_plan("configs/two-groups.yaml")
    dummy = dummy_optimizer(plan.target_lrs)
    for group in dummy.param_groups:
        group["initial_lr"] = group["lr"]
    real = torch.optim.Adam(
        [{"params": [nn.Parameter(torch.zeros(1))], "lr": lr} for lr in plan.target_lrs]
    )
    for group in real.param_groups:
        group["initial_lr"] = group["lr"]
    rows = []
    for optimizer in (dummy, real):
        scheduler = build_schedule(optimizer, plan)
        seen = []
        for _ in range(plan.intervals):
            seen.append([g["lr"] for g in optimizer.param_groups])
            optimizer.step()
            scheduler.step()
        rows.append(seen)
    assert rows[0] == rows[1]
