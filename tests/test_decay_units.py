"""Decay lengths and milestones in steps, epochs or a fraction of training, whatever the
interval (``T_max: {epochs: 3}``, ``milestones: {epochs: [30, 60, 80]}``).

Oracles: closed forms of torch's schedules written here, on the converted lengths
worked out by hand (ceil for steps and epochs, round for fractions).
"""

from __future__ import annotations

import numpy as np
import pytest
from typer.testing import CliRunner

from warmplan import load_plan, simulate
from warmplan.cli.main import app
from warmplan.errors import ConfigError


def _plan(training: dict, decay: dict, warmup: dict | None = None, lr: float = 1e-3):
    data = {"optimizer": {"lr": lr}, "training": training, "decay": decay}
    if warmup is not None:
        data["warmup"] = warmup
    return load_plan(data)


def _cosine(k: np.ndarray, period: int, lr: float, floor: float = 0.0) -> np.ndarray:
    return floor + (lr - floor) * (1 + np.cos(np.pi * k / period)) / 2


def test_resnet_milestones_in_epochs_on_a_per_step_plan():
    """ResNet's 30/60/80 epochs, the scheduler stepping every optimizer step."""
    spe = 37
    plan = _plan(
        {"epochs": 90, "steps_per_epoch": spe, "interval": "step"},
        {"kind": "multistep", "milestones": {"epochs": [30, 60, 80]}, "gamma": 0.1},
        {"kind": "linear", "epochs": 5, "start_factor": 0.1},
        lr=0.1,
    )
    assert plan.milestones == [30 * spe, 60 * spe, 80 * spe]
    t = np.arange(90 * spe)
    drops = (t >= 30 * spe).astype(int) + (t >= 60 * spe) + (t >= 80 * spe)
    warm = 5 * spe
    expected = np.where(t < warm, 0.1 * (0.1 + 0.9 * t / warm), 0.1 * 0.1**drops)
    np.testing.assert_allclose(simulate(plan).lr[:, 0], expected, rtol=1e-9)
    # "; " between items: "1,110, 2,220" read as four numbers
    assert plan.derivation[-1] == "decay.milestones: epochs 30; 60; 80 = steps 1,110; 2,220; 2,960"


def test_milestones_in_steps_on_an_epoch_plan_round_up():
    plan = _plan(
        {"epochs": 10, "steps_per_epoch": 100},
        {"kind": "multistep", "milestones": {"steps": [250, 700]}, "gamma": 0.5},
    )
    assert plan.milestones == [3, 7]  # 2.5 epochs -> the drop applies from epoch 3
    expected = 1e-3 * 0.5 ** ((np.arange(10) >= 3).astype(int) + (np.arange(10) >= 7))
    np.testing.assert_allclose(simulate(plan).lr[:, 0], expected, rtol=1e-12)
    assert "(rounded: steps and epochs up, fractions to the nearest)" in plan.derivation[-1]


def test_cosine_t_max_in_steps_on_an_epoch_plan_rounds_up():
    plan = _plan(
        {"epochs": 10, "steps_per_epoch": 100},
        {"kind": "cosine", "T_max": {"steps": 750}},
        {"kind": "linear", "length": 2, "start_factor": 0.1},
    )
    assert plan.decay_length("T_max") == 8  # 7.5 epochs, never shorter than asked
    expected = _cosine(np.arange(8), 8, 1e-3)
    np.testing.assert_allclose(simulate(plan).lr[2:, 0], expected, rtol=1e-9)
    assert "decay.T_max: 750 steps / 100 per epoch = 7.5 epochs, rounded up to 8" in (
        plan.derivation
    )


def test_cosine_t_max_in_epochs_on_a_per_step_plan():
    plan = _plan(
        {"epochs": 4, "steps_per_epoch": 25, "interval": "step"},
        {"kind": "cosine", "T_max": {"epochs": 3.2}, "eta_min": 1e-5},
        {"kind": "linear", "steps": 20, "start_factor": 0.1},
    )
    assert plan.decay_length("T_max") == 80  # 3.2 x 25
    expected = _cosine(np.arange(80), 80, 1e-3, 1e-5)
    np.testing.assert_allclose(simulate(plan).lr[20:, 0], expected, rtol=1e-9)
    assert "decay.T_max: 3.2 epochs x 25 = 80 steps" in plan.derivation


@pytest.mark.parametrize(("fraction", "length"), [(0.5, 500), (0.3333, 333), (0.0005, 0)])
def test_linear_total_iters_as_a_fraction_of_training(fraction, length):
    training, decay = {"steps": 1000}, {"kind": "linear", "total_iters": {"fraction": fraction}}
    if length == 0:
        with pytest.raises(ConfigError, match=r"decay.total_iters rounds to 0 steps"):
            _plan(training, decay)
        return
    plan = _plan(training, decay)
    assert plan.decay_length("total_iters") == length == round(fraction * 1000)
    k = np.arange(1000)
    expected = 1e-3 * np.clip(1 - k / length, 0, None)
    np.testing.assert_allclose(simulate(plan).lr[:, 0], expected, rtol=1e-9, atol=1e-18)


def test_step_size_in_epochs_on_a_per_step_plan():
    plan = _plan(
        {"epochs": 6, "steps_per_epoch": 10, "interval": "step"},
        {"kind": "step", "step_size": {"epochs": 2}, "gamma": 0.5},
        {"kind": "linear", "length": 5, "start_factor": 0.1},
    )
    k = np.arange(55)
    np.testing.assert_allclose(simulate(plan).lr[5:, 0], 1e-3 * 0.5 ** (k // 20), rtol=1e-12)
    boundaries = simulate(plan).layout.boundaries
    assert tuple(boundaries) == (25, 45)


def test_cosine_restarts_period_in_epochs():
    plan = _plan(
        {"epochs": 3, "steps_per_epoch": 10, "interval": "step"},
        {"kind": "cosine_restarts", "T_0": {"epochs": 1}},
    )
    k = np.arange(30)
    np.testing.assert_allclose(simulate(plan).lr[:, 0], _cosine(k % 10, 10, 1e-3), rtol=1e-9)


def test_wsd_decay_length_in_epochs():
    plan = _plan(
        {"epochs": 5, "steps_per_epoch": 20, "interval": "step"},
        {"kind": "wsd", "decay_length": {"epochs": 1}, "shape": "linear"},
        {"kind": "linear", "length": 10, "start_factor": 0.1},
    )
    assert plan.final_decay_intervals == 20
    lr = simulate(plan).lr[:, 0]
    np.testing.assert_allclose(lr[10:80], 1e-3)
    np.testing.assert_allclose(lr[80:], 1e-3 * (1 - np.arange(20) / 20), rtol=1e-12)
    assert "wsd decay: 1 epoch x 20 = 20 steps" in plan.derivation


def _error(data_decay: dict, training: dict | None = None) -> str:
    with pytest.raises(ConfigError) as caught:
        _plan(training or {"steps": 100}, data_decay)
    (finding,) = caught.value.findings
    return finding.message


def test_one_unit_exactly():
    assert _error({"kind": "cosine", "T_max": {"steps": 10, "epochs": 1}}) == (
        "decay.T_max takes one unit: steps, epochs or fraction (got steps and epochs)"
    )
    assert "got none" in _error({"kind": "cosine", "T_max": {}})
    message = _error({"kind": "cosine", "T_max": {"epoch": 1}})
    assert message.startswith("unknown key decay.T_max.epoch (did you mean epochs?)")
    assert _error({"kind": "cosine", "T_max": 1.5}) == "decay.T_max must be a whole number, got 1.5"
    message = _error({"kind": "multistep", "milestones": {"fraction": [0.001]}})
    assert "rounds to step 0" in message


def _check_milestones(tmp_path, training: str, milestones: str):
    path = tmp_path / "plan.yaml"
    path.write_text(
        "optimizer: {lr: 0.1}\n"
        f"training: {training}\n"
        f"decay: {{kind: multistep, milestones: {milestones}}}\n"
    )
    return path, CliRunner().invoke(app, ["check", str(path)])


def test_milestones_in_epochs_are_checked_in_their_unit(tmp_path):
    training = "{epochs: 10, steps_per_epoch: 10, interval: step}"
    path, result = _check_milestones(tmp_path, training, "{epochs: [6, 3]}")
    assert result.exit_code == 1
    # in the unit written, with the step it became (epochs x 10 steps)
    assert "milestones are not sorted (epoch 6 = step 60, then epoch 3 = step 30)" in result.stdout
    assert f"{path}:3:51: error:" in result.stdout  # at the entry, inside its unit


def test_milestones_in_the_plans_own_unit_are_shown_as_written(tmp_path):
    _, result = _check_milestones(tmp_path, "{epochs: 10}", "{epochs: [6, 3]}")
    assert "milestones are not sorted (epoch 6, then epoch 3)" in result.stdout


def test_show_prints_the_decay_conversion():
    result = CliRunner().invoke(
        app,
        ["show", "--lr", "1e-3", "--epochs", "10", "--steps-per-epoch", "100", "--decay",
         "cosine", "--set", "decay.T_max={steps: 750}", "--no-curve"],
        env={"COLUMNS": "200"},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "decay.T_max: 750 steps / 100 per epoch = 7.5 epochs, rounded up to 8" in result.stdout
