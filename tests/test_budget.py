"""Training budgets in the user's units: steps per epoch from the data, budgets in
steps, warm-up lengths in any unit, and length: auto (Ma & Yarats, 2019)."""

from __future__ import annotations

import math

import pytest

from warmplan import load_plan, simulate
from warmplan.errors import ConfigError


def plan_of(training, warmup=None, optimizer=None, decay=None):
    data = {"optimizer": optimizer or {"kind": "adam", "lr": 1e-3}, "training": training}
    if warmup:
        data["warmup"] = warmup
    if decay:
        data["decay"] = decay
    return load_plan(data)


@pytest.mark.parametrize(
    "data, expected",
    [
        # ceil(50000 / 128) = 391 batches, one step each
        ({"dataset_size": 50000, "batch_size": 128}, 391),
        # drop_last: floor(50000 / 128) = 390
        ({"dataset_size": 50000, "batch_size": 128, "drop_last": True}, 390),
        # 4 devices: ceil(50000 / 512) = 98 batches per device
        ({"dataset_size": 50000, "batch_size": 128, "world_size": 4}, 98),
        # grad_accum 4: ceil(98 / 4) = 25 optimizer steps (the last partial accumulation
        # is an update, as in transformers 5 and Lightning; was 98 // 4 = 24)
        ({"dataset_size": 50000, "batch_size": 128, "world_size": 4, "grad_accum": 4}, 25),
        # grad_accum larger than the batches: still one optimizer step per epoch
        ({"dataset_size": 1000, "batch_size": 100, "grad_accum": 16}, 1),
        # exact split
        ({"dataset_size": 1024, "batch_size": 32, "world_size": 2, "drop_last": True}, 16),
    ],
)
def test_steps_per_epoch_from_the_data(data, expected):
    global_batch = data["batch_size"] * data.get("world_size", 1)
    rounding = math.floor if data.get("drop_last") else math.ceil
    batches = rounding(data["dataset_size"] / global_batch)
    oracle = max(1, math.ceil(batches / data.get("grad_accum", 1)))
    assert oracle == expected
    plan = plan_of({"epochs": 3, **data})
    assert plan.steps_per_epoch == expected
    assert plan.total_steps == 3 * expected
    assert any("steps per epoch" in line for line in plan.derivation)


def _trainer_cases():
    """Cases the real transformers 5.24 Trainer ran (tests/data/formats/transformers.json)."""
    import json
    from pathlib import Path

    data = Path(__file__).parent / "data" / "formats" / "transformers.json"
    for case in json.loads(data.read_text())["cases"]:
        derived = case.get("derived", {})
        if "updates_per_epoch" in derived:
            yield pytest.param(case, id=case["name"])


@pytest.mark.parametrize("case", list(_trainer_cases()))
def test_updates_per_epoch_match_the_transformers_trainer(case):
    """The Trainer's own count of batches and updates per epoch is the oracle."""
    args = case["args"]
    plan = plan_of(
        {
            "epochs": 1,
            "dataset_size": case["dataset_size"],
            "batch_size": args.get("per_device_train_batch_size", 8),  # the Trainer's default
            "world_size": case["world_size"],
            "grad_accum": args.get("gradient_accumulation_steps", 1),
            "drop_last": bool(args.get("dataloader_drop_last", False)),
        }
    )
    assert plan.steps_per_epoch == case["derived"]["updates_per_epoch"]


def test_drop_last_with_no_full_batch_is_refused():
    with pytest.raises(ConfigError, match="no full batch"):
        plan_of(
            {"epochs": 1, "dataset_size": 100, "batch_size": 64, "world_size": 2, "drop_last": True}
        )


@pytest.mark.parametrize(
    "training, message",
    [
        ({"epochs": 2, "steps": 10}, "epochs or training.steps, not both"),
        ({"interval": "step"}, "training needs epochs, or steps"),
        ({"epochs": 2, "steps_per_epoch": 5, "dataset_size": 10, "batch_size": 2}, "not both"),
        ({"epochs": 2, "dataset_size": 10}, "training.dataset_size needs training.batch_size"),
        ({"epochs": 2, "steps_per_epoch": 5, "grad_accum": 4}, "training.grad_accum applies"),
        ({"steps": 100, "interval": "epoch"}, "needs the size of an epoch"),
    ],
)
def test_budget_mistakes(training, message):
    with pytest.raises(ConfigError, match=message):
        plan_of(training)


def test_budget_in_steps():
    plan = plan_of({"steps": 1000})
    assert (plan.interval, plan.intervals, plan.total_steps, plan.epochs) == ("step", 1000, 1000, 1)
    partial = plan_of({"steps": 1000, "steps_per_epoch": 300, "interval": "epoch"})
    assert (partial.intervals, partial.epochs, partial.total_steps) == (4, 4, 1000)
    assert any("rounded up to 4" in line for line in partial.derivation)


@pytest.mark.parametrize("beta2, steps", [(0.999, 2000), (0.98, 100), (0.95, 40)])
def test_length_auto_follows_beta2(beta2, steps):
    assert round(2 / (1 - beta2)) == steps
    optimizer = {"kind": "adamw", "lr": 1e-3, "betas": [0.9, beta2]}
    plan = plan_of({"steps": 5000}, {"kind": "linear", "length": "auto"}, optimizer)
    assert plan.warmup_intervals == steps
    assert f"= {steps:,} optimizer steps" in plan.derivation[0]
    lr = simulate(plan).lr[:, 0]
    assert lr[steps] == pytest.approx(1e-3, rel=1e-12)
    assert lr[steps - 1] < 1e-3 * (1 - 1e-6)


def test_length_auto_defaults_to_beta2_0999_and_rounds_up_to_epochs():
    plan = plan_of({"epochs": 20, "steps_per_epoch": 300}, {"kind": "linear", "length": "auto"})
    assert plan.warmup_intervals == 7  # ceil(2000 / 300)
    assert "Adam's default" in plan.derivation[0]
    assert "rounded up to 7" in plan.derivation[1]


def test_length_auto_needs_adam():
    with pytest.raises(ConfigError, match="sgd has no beta2"):
        plan_of({"epochs": 5}, {"kind": "linear", "length": "auto"}, {"kind": "sgd", "lr": 0.1})


@pytest.mark.parametrize(
    "training, warmup, intervals",
    [
        ({"epochs": 10, "steps_per_epoch": 100, "interval": "step"}, {"epochs": 2}, 200),
        ({"epochs": 10, "steps_per_epoch": 100, "interval": "step"}, {"epochs": 0.25}, 25),
        ({"epochs": 10, "steps_per_epoch": 100}, {"steps": 250}, 3),  # 2.5 epochs, up
        ({"epochs": 10, "steps_per_epoch": 100}, {"steps": 200}, 2),
        ({"epochs": 10, "steps_per_epoch": 100}, {"epochs": 1.5}, 2),
        ({"epochs": 10, "steps_per_epoch": 100}, {"fraction": 0.25}, 2),  # 2.5 -> 2 (even)
        ({"epochs": 10, "steps_per_epoch": 100, "interval": "step"}, {"fraction": 0.05}, 50),
    ],
)
def test_warmup_length_in_any_unit(training, warmup, intervals):
    plan = plan_of(training, {"kind": "linear", **warmup})
    assert plan.warmup_intervals == intervals


def test_inexact_warmup_conversion_is_reported():
    plan = plan_of({"epochs": 10, "steps_per_epoch": 100}, {"kind": "linear", "steps": 250})
    assert plan.derivation == ["warm-up: 250 steps / 100 per epoch = 2.5 epochs, rounded up to 3"]


def test_two_warmup_units_are_refused():
    with pytest.raises(ConfigError, match=r"not warmup\.length and warmup\.steps"):
        plan_of({"epochs": 10}, {"kind": "linear", "length": 2, "steps": 3})
