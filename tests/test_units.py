"""Values that look like epochs on a per-step plan (WP115): one root-cause finding at the
key, saying what to write, instead of the symptoms it causes; `show` prints it too."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from warmplan.cli.main import app
from warmplan.config.load import load_plan
from warmplan.lint.runner import check_plan
from warmplan.schedule.simulate import simulate

EPOCHS, PER_EPOCH = 90, 100  # a ResNet recipe (90 epochs) on 50,000 images, batch 500
RESNET = {
    "optimizer": {"kind": "sgd", "lr": 0.1},
    "training": {"epochs": EPOCHS, "steps_per_epoch": PER_EPOCH, "interval": "step"},
    "warmup": {"kind": "linear", "epochs": 5},
    "decay": {"kind": "multistep", "milestones": [30, 60, 80]},
}


#: the same plan written right (the base of the cases below)
CLEAN = {**RESNET, "decay": {"kind": "multistep", "milestones": {"epochs": [30, 60, 80]}}}


def found(data: dict) -> list:
    plan = load_plan(data)
    return check_plan(plan, simulate(plan))


def with_(base: dict, **blocks: dict) -> dict:
    return {**base, **blocks}


def test_milestones_in_epochs_give_one_finding_with_the_fix():
    (finding,) = found(RESNET)
    assert finding.code == "WP115" and finding.severity == "error"
    assert finding.key == "decay.milestones"
    steps = "; ".join(f"{m * PER_EPOCH:,}" for m in (30, 60, 80))  # 3,000; ...
    assert f"milestones: {{epochs: [30, 60, 80]}} (= steps {steps})" in finding.message
    assert "inside the 500-step warm-up" in finding.message  # 5 x 100


def test_the_written_fix_is_clean_and_drops_at_the_epochs():
    assert found(CLEAN) == []
    trace = simulate(load_plan(CLEAN))
    first_drop = 30 * PER_EPOCH
    lr = trace.lr[:, 0]
    assert lr[first_drop - 1] == pytest.approx(0.1) and lr[first_drop] == pytest.approx(0.01)


@pytest.mark.parametrize(
    "blocks, key, advice",
    [
        ({"warmup": {"kind": "linear", "length": 5}}, "warmup.length", "warmup.epochs: 5"),
        (
            {"warmup": None, "decay": {"kind": "cosine", "T_max": 90}},
            "decay.T_max",
            "T_max: {epochs: 90} (= 9,000 steps)",
        ),
        (
            {"decay": {"kind": "step", "step_size": 30}},
            "decay.step_size",
            "step_size: {epochs: 30}",
        ),
    ],
)
def test_lengths_and_horizons_in_epochs(blocks, key, advice):
    data = {k: v for k, v in with_(CLEAN, **blocks).items() if v is not None}
    (finding,) = found(data)
    assert (finding.code, finding.key) == ("WP115", key)
    assert advice in finding.message


def test_a_tiny_warmup_on_a_budget_in_steps_names_the_epoch_size():
    data = {
        "optimizer": {"kind": "adamw", "lr": 3e-4, "betas": [0.9, 0.95]},
        "training": {"steps": 60_000},  # 5 steps: under 0.01% of it
        "warmup": {"kind": "linear", "length": 5},
        "decay": {"kind": "cosine", "min_lr_ratio": 0.1},
    }
    (finding,) = found(data)
    assert (finding.code, finding.key) == ("WP115", "warmup.length")
    assert "warmup: {epochs: 5}" in finding.message and "steps_per_epoch" in finding.message


@pytest.mark.parametrize(
    "blocks",
    [
        {"decay": {"kind": "multistep", "milestones": [3_000, 6_000, 8_000]}},
        {"warmup": {"kind": "linear", "length": 2000}},  # a real warm-up in steps
        {
            "training": {"epochs": 3, "steps_per_epoch": 100, "interval": "step"},
            "warmup": {"kind": "linear", "length": 10},
            "decay": {"kind": "cosine"},
        },
    ],
)
def test_lengths_meant_in_steps_are_left_alone(blocks):
    assert [f.code for f in found(with_(CLEAN, **blocks)) if f.code == "WP115"] == []


def test_show_prints_the_same_note_and_runs(tmp_path):
    path = tmp_path / "resnet.yaml"
    path.write_text(
        "optimizer: {kind: sgd, lr: 0.1}\n"
        "training: {epochs: 90, steps_per_epoch: 100, interval: step}\n"
        "warmup: {kind: linear, epochs: 5}\n"
        "decay: {kind: multistep, milestones: [30, 60, 80]}\n"
    )
    result = CliRunner().invoke(app, ["show", str(path), "-f", "csv"])
    assert result.exit_code == 0
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"{path}:4:") and line.endswith("[WP115]")
    assert "milestones: {epochs: [30, 60, 80]}" in line
