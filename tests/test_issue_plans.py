"""The plans warmplan got wrong or refused (random plans against plain torch found
them), each against an independent oracle: exact decimal arithmetic on the numbers as
written, or torch's own classes run here."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from torch.optim.lr_scheduler import OneCycleLR
from typer.testing import CliRunner

from warmplan import load_plan, simulate
from warmplan.cli.main import app
from warmplan.errors import ConfigError


def _plan(training: dict, warmup: dict | None = None, decay: dict | None = None, lr=1e-3):
    data: dict = {"optimizer": {"lr": lr}, "training": training}
    if warmup is not None:
        data["warmup"] = warmup
    if decay is not None:
        data["decay"] = decay
    return load_plan(data)


# -- 1. unit conversions in exact decimals -------------------------------------------


def test_an_epoch_warmup_that_is_exactly_whole_steps_is_not_rounded_up():
    # 0.28 x 25 = 7 exactly (7.000000000000001 in binary floats)
    plan = _plan({"epochs": 1, "steps_per_epoch": 25, "interval": "step"}, {"epochs": 0.28})
    assert plan.warmup_intervals == 7
    assert plan.derivation == ["warm-up: 0.28 epochs x 25 = 7 steps"]
    lr = simulate(plan).lr[:, 0]
    np.testing.assert_allclose(lr[:8], [1e-3 * (0.1 + 0.9 * t / 7) for t in range(8)], rtol=1e-12)


def test_a_fraction_that_is_a_tie_rounds_to_even():
    # 0.14 x 75 = 10.5 exactly: the tie goes to 10 (10.500000000000002 in floats: 11)
    plan = _plan({"epochs": 75}, {"fraction": 0.14})
    assert plan.warmup_intervals == 10
    assert plan.derivation == [
        "warm-up: 0.14 x 75 epochs = 10.5, rounded to 10 (a tie: to the even one)"
    ]


def test_a_fraction_of_a_step_rounds_up_and_says_so_in_steps():
    plan = _plan({"epochs": 3, "steps_per_epoch": 100, "interval": "step"}, {"epochs": 1.557})
    assert plan.warmup_intervals == 156
    assert plan.derivation == ["warm-up: 1.557 epochs x 100 = 155.7 steps, rounded up to 156"]


def test_decay_horizons_and_milestones_in_epochs_convert_exactly():
    per_step = {"epochs": 2, "steps_per_epoch": 25, "interval": "step"}
    cosine = _plan(per_step, decay={"kind": "cosine", "T_max": {"epochs": 1.12}})
    assert cosine.decay_length("T_max") == 28  # 1.12 x 25 = 28 (28.000000000000004)
    assert "decay.T_max: 1.12 epochs x 25 = 28 steps" in cosine.derivation
    k = np.arange(50)
    want = 1e-3 * (1 + np.cos(np.pi * k / 28)) / 2
    np.testing.assert_allclose(simulate(cosine).lr[:, 0], want, rtol=1e-9, atol=1e-18)

    training = {"epochs": 2, "steps_per_epoch": 100, "interval": "step"}
    drop = _plan(training, decay={"kind": "multistep", "milestones": {"epochs": [0.56]}})
    assert drop.milestones == [56]  # 0.56 x 100 = 56 (56.00000000000001)
    assert drop.derivation == ["decay.milestones: epochs 0.56 = steps 56"]
    lr = simulate(drop).lr[:, 0]
    assert lr[55] == 1e-3 and math.isclose(lr[56], 1e-4, rel_tol=1e-12)


def test_wsd_decay_fraction_converts_exactly():
    # 0.7 x 45 = 31.5, a tie: 32 (31.499999999999996 in floats: 31)
    plan = _plan({"epochs": 45}, decay={"kind": "wsd", "decay_fraction": 0.7})
    assert plan.final_decay_intervals == 32
    assert plan.derivation == [
        "decay.decay_fraction: 0.7 x 45 epochs = 31.5, rounded to 32 (a tie: to the even one)"
    ]


# -- 3. onecycle refused exactly where torch cannot run it ---------------------------


def _torch_onecycle(total: int, pct: float, three: bool = False) -> list[float]:
    params = [torch.nn.Parameter(torch.zeros(1))]
    optimizer = torch.optim.SGD(params, lr=1e-3)
    scheduler = OneCycleLR(
        optimizer, 1e-3, total_steps=total, pct_start=pct, three_phase=three, cycle_momentum=False
    )
    seen = []
    optimizer.step()
    for _ in range(total):  # every interval's scheduler.step(), the last one included
        seen.append(optimizer.param_groups[0]["lr"])
        scheduler.step()
    return seen


def test_onecycle_with_a_short_warmup_runs_as_torch_does():
    # pct_start 0.3 x 4 = 1.2: between 1 and 2, refused before; torch runs it
    want = _torch_onecycle(4, 0.3)
    np.testing.assert_allclose(want, [4e-05, 8.117e-04, 2.831e-04, 4e-09], rtol=1e-3)
    lr = simulate(_plan({"epochs": 4}, decay={"kind": "onecycle"})).lr[:, 0]
    np.testing.assert_allclose(lr, want, rtol=1e-15)


@pytest.mark.parametrize(
    ("total", "pct", "three", "message"),
    [
        (4, 0.25, False, "decay.pct_start 0.25 x 4 epochs = 1: OneCycleLR's warm-up would end"),
        (2, 0.5, False, "decay.pct_start 0.5 x 2 epochs = 1"),
        (10, 0.55, True, "onecycle's second phase (2 x pct_start 0.55 x 10 = 11) ends at epoch 9"),
    ],
)
def test_onecycle_that_torch_cannot_run_is_refused_with_pct_start_x_n(total, pct, three, message):
    with pytest.raises(ZeroDivisionError):
        _torch_onecycle(total, pct, three)
    decay = {"kind": "onecycle", "pct_start": pct, "three_phase": three}
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        _plan({"epochs": total}, decay=decay)


def test_three_phase_onecycle_past_its_middle_runs_as_torch_does():
    # 2 x 0.6 x 10 = 12 > N + 1: the final phase never starts, but torch runs it
    want = _torch_onecycle(10, 0.6, True)
    decay = {"kind": "onecycle", "pct_start": 0.6, "three_phase": True}
    np.testing.assert_allclose(simulate(_plan({"epochs": 10}, decay=decay)).lr[:, 0], want)


# -- 4. a zero-length warm-up from 0, whatever its kind ------------------------------


@pytest.mark.parametrize(
    ("warmup", "said"),
    [
        ({"kind": "constant", "length": 0, "start_factor": 0}, "a constant warm-up"),
        ({"kind": "exponential", "fraction": 0.01, "start_factor": 0}, "an exponential warm-up"),
        ({"kind": "linear", "length": 0, "start_factor": 0}, "a linear warm-up"),
        ({"kind": "cosine", "steps": 0, "start_factor": 0}, "a cosine warm-up"),
    ],
)
def test_a_zero_length_warmup_from_zero_is_no_warmup_for_every_kind(tmp_path, warmup, said):
    plan = _plan({"epochs": 10}, warmup)
    assert plan.warmup_intervals == 0
    assert (simulate(plan).lr[:, 0] == 1e-3).all()
    path = tmp_path / "plan.yaml"
    path.write_text(
        "optimizer: {lr: 1.0e-3}\ntraining: {epochs: 10}\nwarmup: "
        + str(warmup).replace("'", "")
        + "\n"
    )
    result = CliRunner().invoke(app, ["check", str(path), "--ignore", "WP109"])
    assert result.exit_code == 1
    assert f"{said} was asked for but" in result.stdout and "[WP101]" in result.stdout


def test_a_warmup_from_zero_that_stays_at_zero_is_still_refused():
    with pytest.raises(ConfigError, match="an exponential warm-up from 0 stays at LR 0"):
        _plan({"epochs": 10}, {"kind": "exponential", "length": 3, "start_factor": 0})


# -- messages --------------------------------------------------------------------------


def test_inverse_sqrt_says_the_warmup_rounded_to_zero():
    warmup = {"fraction": 0.005}  # 0.005 x 50 = 0.25: W = 0
    with pytest.raises(ConfigError) as caught:
        _plan({"epochs": 50}, warmup, {"kind": "inverse_sqrt"})
    message = str(caught.value)
    assert "the warm-up is 0 epochs (warm-up: 0.005 x 50 epochs = 0.25, rounded to 0)" in message
    assert "give a warm-up" not in message


def test_wsd_says_its_fraction_rounded_to_zero():
    with pytest.raises(ConfigError) as caught:
        _plan({"epochs": 10}, decay={"kind": "wsd", "decay_fraction": 0.01})
    assert (
        "the wsd decay rounds to 0 epochs (decay.decay_fraction: 0.01 x 10 epochs = 0.1, "
        "rounded to 0); it must last at least 1 epoch"
    ) in str(caught.value)
