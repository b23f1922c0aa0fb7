"""The new warm-up and decay kinds against independent oracles: closed forms
written here or a plain torch loop over a real optimizer."""

from __future__ import annotations

import math
import pickle

import pytest

from warmplan import build_scheduler, load_plan, simulate
from warmplan.errors import ConfigError


def plan_of(warmup=None, decay=None, lr=1e-3, epochs=40, groups=None, **training):
    optimizer = {"kind": "adamw", "lr": lr}
    if groups:
        optimizer["groups"] = groups
    data = {"optimizer": optimizer, "training": {"epochs": epochs, **training}}
    if warmup:
        data["warmup"] = warmup
    if decay:
        data["decay"] = decay
    return load_plan(data)


def lrs(plan, group=0):
    return simulate(plan).lr[:, group].tolist()


@pytest.mark.parametrize("start", [0.0, 0.1])
def test_linear_warmup_from_start(start):
    lr = lrs(plan_of({"kind": "linear", "length": 8, "start_factor": start}))
    for t in range(9):
        assert lr[t] == pytest.approx(1e-3 * (start + (1 - start) * t / 8), rel=1e-12, abs=0)
    assert lr[0] == 1e-3 * start


def test_exponential_warmup_is_geometric():
    lr = lrs(plan_of({"kind": "exponential", "length": 10, "start_factor": 0.01}))
    for t in range(10):
        assert lr[t] == pytest.approx(1e-3 * 0.01 ** (1 - t / 10), rel=1e-12)
    ratios = {round(lr[t + 1] / lr[t], 12) for t in range(9)}
    assert len(ratios) == 1  # geometric: one constant ratio
    assert lr[10:] == [1e-3] * 30


@pytest.mark.parametrize("start", [0.0, 0.2])
def test_cosine_warmup_is_a_half_cosine(start):
    lr = lrs(plan_of({"kind": "cosine", "length": 12, "start_factor": start}, {"kind": "linear"}))
    for t in range(12):
        f = start + (1 - start) * (1 - math.cos(math.pi * t / 12)) / 2
        assert lr[t] == pytest.approx(1e-3 * f, rel=1e-12, abs=1e-18)
    assert lr[12] == pytest.approx(1e-3)


def test_exponential_warmup_from_zero_is_refused():
    with pytest.raises(ConfigError, match="exponential warm-up from 0 stays at LR 0"):
        plan_of({"kind": "exponential", "length": 5, "start_factor": 0.0})


def test_cosine_restarts_matches_the_closed_form():
    plan = plan_of({"kind": "linear", "length": 4}, {"kind": "cosine_restarts", "T_0": 6})
    lr = lrs(plan)
    for t in range(4, 40):
        k = (t - 4) % 6
        assert lr[t] == pytest.approx(1e-3 * (1 + math.cos(math.pi * k / 6)) / 2, abs=1e-15)
    assert tuple(simulate(plan).layout.boundaries) == (10, 16, 22, 28, 34)


def test_cosine_restarts_with_t_mult_and_ratio_floor_per_group():
    groups = [{"name": "a", "lr": 1e-3}, {"name": "b", "lr": 1e-2}]
    decay = {"kind": "cosine_restarts", "T_0": 3, "T_mult": 2, "min_lr_ratio": 0.1}
    trace = simulate(plan_of(None, decay, groups=groups, epochs=21))
    starts, t = [], 0
    period = 3
    while t < 21:
        starts += [(t, period)]
        t, period = t + period, period * 2
    for target, g in ((1e-3, 0), (1e-2, 1)):
        for start, period in starts:
            for k in range(period):
                if start + k < 21:
                    f = 0.1 + 0.9 * (1 + math.cos(math.pi * k / period)) / 2
                    assert trace.lr[start + k, g] == pytest.approx(target * f, rel=1e-12)


def test_inverse_sqrt_is_sqrt_w_over_t():
    lr = lrs(
        plan_of({"kind": "linear", "length": 10, "start_factor": 0.0}, {"kind": "inverse_sqrt"})
    )
    for t in range(10, 40):
        assert lr[t] == pytest.approx(1e-3 * math.sqrt(10 / t), rel=1e-12)


def test_inverse_sqrt_with_timescale_and_no_warmup():
    lr = lrs(plan_of(None, {"kind": "inverse_sqrt", "timescale": 5}))
    for k in range(40):
        assert lr[k] == pytest.approx(1e-3 * math.sqrt(5 / (5 + k)), rel=1e-12)


def test_inverse_sqrt_needs_a_warmup_or_timescale():
    with pytest.raises(ConfigError, match=r"give a warm-up, or decay\.timescale"):
        plan_of(None, {"kind": "inverse_sqrt"})


def test_transformer_base_config_is_vaswanis_formula(tmp_path):
    from tests.conftest import CONFIGS

    lr = simulate(load_plan(CONFIGS / "inverse-sqrt.yaml")).lr[:, 0]
    assert lr.shape == (100_000,)
    for step in (1, 2, 1000, 3999, 4000, 4001, 10_000, 99_999):
        vaswani = 512**-0.5 * min(step**-0.5, step * 4000**-1.5)
        assert lr[step] == pytest.approx(vaswani, rel=1e-12)


@pytest.mark.parametrize(
    "shape, remaining",
    [
        ("linear", lambda p: 1 - p),
        ("cosine", lambda p: (1 + math.cos(math.pi * p)) / 2),
        ("1-sqrt", lambda p: 1 - math.sqrt(p)),
    ],
)
def test_wsd_shapes(shape, remaining):
    decay = {"kind": "wsd", "shape": shape, "decay_length": 10, "eta_min": 1e-5}
    trace = simulate(plan_of({"kind": "linear", "length": 5}, decay))
    lr = trace.lr[:, 0]
    assert list(lr[5:30]) == [1e-3] * 25  # stable: exactly the target
    for k in range(10):
        expected = 1e-5 + (1e-3 - 1e-5) * remaining(k / 10)
        assert lr[30 + k] == pytest.approx(expected, rel=1e-12)
    assert [(p.name, p.start, p.end) for p in trace.layout.phases] == [
        ("warmup", 0, 5),
        ("stable", 5, 30),
        ("decay", 30, 40),
    ]


def test_wsd_decay_fraction_defaults_to_a_tenth_of_all_intervals():
    plan = plan_of(None, {"kind": "wsd"}, epochs=200)
    assert plan.final_decay_intervals == 20
    lr = lrs(plan)
    assert lr[179] == 1e-3 and lr[181] < 1e-3


def test_wsd_decay_longer_than_training_is_refused():
    with pytest.raises(ConfigError, match=r"wsd decay \(36 epochs\) must fit in the 35 epochs"):
        plan_of({"kind": "linear", "length": 5}, {"kind": "wsd", "decay_length": 36})


def _torch_onecycle(total, max_lr, **options):
    import torch
    from torch.optim.lr_scheduler import OneCycleLR

    param = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([param], lr=max_lr, momentum=0.9)
    scheduler = OneCycleLR(optimizer, max_lr=max_lr, total_steps=total, **options)
    seen = []
    for _ in range(total):
        seen.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    return seen


@pytest.mark.parametrize(
    "options", [{}, {"anneal_strategy": "linear", "three_phase": True, "pct_start": 0.25}]
)
def test_onecycle_matches_a_plain_torch_loop(options):
    data = {
        "optimizer": {"kind": "sgd", "lr": 0.4},
        "training": {"epochs": 100},
        "decay": {"kind": "onecycle", **options},
    }
    assert lrs(load_plan(data)) == _torch_onecycle(100, 0.4, **options)
    peak = lrs(load_plan(data)).index(0.4)
    assert load_plan(data).warmup_intervals == peak


def test_onecycle_beside_a_warmup_says_why():
    with pytest.raises(ConfigError, match="onecycle warms up by itself"):
        plan_of({"kind": "linear", "length": 3}, {"kind": "onecycle"})


def test_min_lr_ratio_cosine_floors_each_group_at_its_own_target():
    groups = [{"name": "backbone", "lr": 1e-4}, {"name": "head", "lr": 1e-3}]
    decay = {"kind": "cosine", "min_lr_ratio": 0.1}
    trace = simulate(plan_of({"kind": "linear", "length": 4}, decay, groups=groups))
    for g, target in enumerate((1e-4, 1e-3)):
        for k in range(36):
            f = 0.1 + 0.9 * (1 + math.cos(math.pi * k / 36)) / 2
            assert trace.lr[4 + k, g] == pytest.approx(target * f, rel=1e-12)
    assert trace.lr[4:, 0] == pytest.approx(trace.lr[4:, 1] / 10, rel=1e-12)


def test_min_lr_ratio_one_group_equals_eta_min():
    by_ratio = lrs(plan_of(None, {"kind": "cosine", "min_lr_ratio": 0.1}))
    by_floor = lrs(plan_of(None, {"kind": "cosine", "eta_min": 1e-4}))
    assert by_ratio == pytest.approx(by_floor, rel=1e-15)


def test_eta_min_and_min_lr_ratio_together_are_refused():
    with pytest.raises(ConfigError, match=r"eta_min or decay\.min_lr_ratio, not both"):
        plan_of(None, {"kind": "cosine", "eta_min": 1e-5, "min_lr_ratio": 0.1})


def test_reduce_on_plateau_explains_it_needs_a_metric():
    with pytest.raises(ConfigError) as caught:
        plan_of(None, {"kind": "reduce_on_plateau", "patience": 3})
    (finding,) = caught.value.findings
    assert finding.key == "decay.kind"
    assert "validation metric" in finding.message and "cannot be previewed" in finding.message


NEW_KINDS = [
    ({"kind": "exponential", "length": 6, "start_factor": 0.05}, {"kind": "cosine"}),
    ({"kind": "cosine", "length": 6, "start_factor": 0.0}, None),
    ({"kind": "linear", "length": 6, "start_factor": 0.0}, {"kind": "cosine_restarts", "T_0": 7}),
    ({"kind": "linear", "length": 6}, {"kind": "inverse_sqrt"}),
    ({"kind": "linear", "length": 6}, {"kind": "wsd", "shape": "1-sqrt"}),
    (None, {"kind": "onecycle"}),
    (None, {"kind": "cosine", "min_lr_ratio": 0.1}),
]


@pytest.mark.parametrize("warmup, decay", NEW_KINDS)
def test_state_dict_round_trip_and_pickle(warmup, decay):
    """Stop halfway, save, rebuild, load: the resumed run sees the same LRs."""
    import torch

    groups = [{"name": "a", "lr": 1e-3}, {"name": "b", "lr": 3e-3}]
    plan = plan_of(warmup, decay, groups=groups)

    def optimizer():
        params = [torch.nn.Parameter(torch.zeros(1)) for _ in range(2)]
        return torch.optim.SGD([{"params": [p]} for p in params], lr=1.0, momentum=0.9)

    first = optimizer()
    scheduler = build_scheduler(first, plan)
    for _ in range(17):
        first.step()
        scheduler.step()
    saved = pickle.loads(pickle.dumps((first.state_dict(), scheduler.state_dict())))
    pickle.dumps(scheduler)  # partials over module-level functions, no lambdas
    second = optimizer()
    resumed = build_scheduler(second, plan)
    second.load_state_dict(saved[0])
    resumed.load_state_dict(saved[1])
    expected = simulate(plan).lr
    for t in range(17, 40):
        assert [g["lr"] for g in second.param_groups] == pytest.approx(expected[t], rel=1e-12)
        second.step()
        resumed.step()


@pytest.mark.parametrize("shape", ["linear", "cosine"])
def test_yolo_warms_up_per_iteration_towards_each_epochs_target(shape):
    """ultralytics' trainer, written out: lf(e) per epoch; for ni <= nw, np.interp from
    the start (warmup_bias_lr for the bias group, 0 for the others) to lr0 x lf(e)."""
    import numpy as np

    epochs, nb, nw, lr0, lrf, bias_lr = 6, 5, 12, 0.02, 0.05, 0.1
    groups = [{"name": "weight"}, {"name": "bias"}]
    decay = {"kind": "yolo", "lrf": lrf, "shape": shape, "warmup_steps": nw}
    decay |= {"warmup_bias_lr": bias_lr, "bias_group": "bias"}
    plan = plan_of(
        None, decay, lr=lr0, epochs=epochs, groups=groups, steps_per_epoch=nb, interval="step"
    )
    assert plan.interval == "step" and plan.intervals == epochs * nb

    def lf(e):
        if shape == "cosine":
            return max((1 - math.cos(e * math.pi / epochs)) / 2, 0) * (lrf - 1) + 1
        return max(1 - e / epochs, 0) * (1.0 - lrf) + lrf

    for group, start in ((0, 0.0), (1, bias_lr)):
        expected = []
        for ni in range(epochs * nb):
            target = lr0 * lf(ni // nb)
            expected.append(np.interp(ni, [0, nw], [start, target]) if ni <= nw else target)
        assert lrs(plan, group) == pytest.approx(expected, rel=1e-12, abs=1e-18)
    assert lrs(plan, 1)[0] == bias_lr and lrs(plan, 0)[0] == 0.0


def test_yolo_needs_a_per_step_plan_and_a_real_bias_group():
    decay = {"kind": "yolo", "warmup_steps": 3}
    with pytest.raises(ConfigError, match="decay yolo sets the LR every iteration"):
        plan_of(None, decay, epochs=4, interval="epoch")
    with pytest.raises(ConfigError, match=r"decay\.bias_group bias names no param group"):
        plan_of(None, {**decay, "bias_group": "bias"}, epochs=4, steps_per_epoch=3, interval="step")
