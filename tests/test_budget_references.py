"""Preset arguments that refer to the plan's own budget (``num_training_steps: total``,
``num_warmup_steps: {fraction: 0.1}``): each framework's rounding, the budget flags
moving them, located refusals, and the JSON schema. Expected values are the
frameworks' formulas written here (transformers' cosine; ceil / floor / round of
0.1 x 93 = 9.3)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from warmplan import load_plan, simulate
from warmplan.cli.main import app


def _hf_cosine(t: int, warmup: int, total: int) -> float:
    """transformers' get_cosine_schedule_with_warmup factor (num_cycles 0.5)."""
    if t < warmup:
        return t / max(1, warmup)
    progress = (t - warmup) / max(1, total - warmup)
    return max(0.0, 0.5 * (1.0 + math.cos(math.pi * 2.0 * 0.5 * progress)))


def _plan(framework: str, name: str, args: dict, steps: int = 93) -> dict:
    return {
        "optimizer": {"lr": 1e-3},
        "training": {"steps": steps, "interval": "step"},
        "preset": {"framework": framework, "name": name, "args": args},
    }


REFERRED = {"num_warmup_steps": {"fraction": 0.1}, "num_training_steps": "total"}


@pytest.mark.parametrize(
    ("framework", "name", "key", "expected"),
    [
        ("transformers", "cosine", "num_warmup_steps", 10),  # ceil(9.3), as the Trainer
        ("axolotl", "cosine_min_lr", "num_warmup_steps", 9),  # int(9.3), as axolotl
        ("optax", "warmup_cosine_decay_schedule", "warmup_steps", 9),  # round(9.3)
    ],
)
def test_a_fraction_is_rounded_as_the_framework_rounds(framework, name, key, expected) -> None:
    extra = {
        "axolotl": {"num_training_steps": "total", "min_lr_ratio": 0.1},
        "optax": {"init_value": 0.0, "peak_value": 1e-3, "decay_steps": "total"},
        "transformers": {"num_training_steps": "total"},
    }[framework]
    plan = load_plan(_plan(framework, name, {key: {"fraction": 0.1}, **extra}))
    assert plan.preset.args[key] == expected
    total_key = "decay_steps" if framework == "optax" else "num_training_steps"
    assert plan.preset.args[total_key] == 93


def test_every_lr_follows_the_resolved_numbers() -> None:
    lrs = simulate(load_plan(_plan("transformers", "cosine", REFERRED))).lr[:, 0]
    expected = [1e-3 * _hf_cosine(t, 10, 93) for t in range(93)]
    np.testing.assert_allclose(lrs, expected, rtol=1e-12, atol=0)


def test_the_budget_flags_move_the_references(tmp_path) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(_plan("transformers", "cosine", REFERRED)))
    result = CliRunner().invoke(app, ["show", str(path), "--steps", "201", "-f", "csv"])
    assert result.exit_code == 0, result.output
    lrs = [float(row.split(",")[-1]) for row in result.stdout.splitlines()[1:]]
    assert len(lrs) == 201
    expected = [1e-3 * _hf_cosine(t, 21, 201) for t in range(201)]  # ceil(20.1) = 21
    np.testing.assert_allclose(lrs, expected, rtol=1e-12, atol=0)


def test_show_says_how_each_reference_was_resolved(tmp_path) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(_plan("transformers", "cosine", REFERRED)))
    result = CliRunner().invoke(app, ["show", str(path), "--rows", "4"])
    assert result.exit_code == 0, result.output
    assert "preset.args.num_warmup_steps: 0.1 x 93 steps = 9.3, rounded up to 10" in result.stdout
    assert "preset.args.num_training_steps: total = 93 steps" in result.stdout


def test_epochs_and_steps_are_converted_to_the_presets_count() -> None:
    per_step = _plan("transformers", "linear", {"num_warmup_steps": {"epochs": 1.25}})
    per_step["preset"]["args"]["num_training_steps"] = "total"
    per_step["training"] = {"epochs": 4, "steps_per_epoch": 10, "interval": "step"}
    assert load_plan(per_step).preset.args["num_warmup_steps"] == 13  # ceil(12.5)
    timm = {
        "optimizer": {"lr": 0.1},
        "training": {"epochs": 30, "steps_per_epoch": 7},
        "preset": {
            "framework": "timm",
            "name": "cosine",
            "args": {"t_initial": "total", "warmup_t": {"steps": 15}},
        },
    }
    args = load_plan(timm).preset.args
    assert (args["t_initial"], args["warmup_t"]) == (30, 3)  # ceil(15 / 7) epochs


@pytest.mark.parametrize(
    ("args", "key", "words"),
    [
        ({"num_cycles": {"fraction": 0.5}}, "num_cycles", "is not a length of transformers cosine"),
        ({"num_warmup_steps": {"fractoin": 0.1}}, "num_warmup_steps", "one of total, {fraction"),
        ({"num_warmup_steps": {"steps": 2.5}}, "num_warmup_steps", "positive whole number"),
        ({"num_warmup_steps": {"fraction": 0}}, "num_warmup_steps", "positive number, got 0"),
    ],
)
def test_a_bad_reference_is_a_located_error(tmp_path, args, key, words) -> None:
    plan = _plan("transformers", "cosine", {**REFERRED, **args})
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(plan, sort_keys=False))
    result = CliRunner().invoke(app, ["show", str(path)])
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    number = next(i for i, text in enumerate(path.read_text().splitlines(), 1) if f"{key}:" in text)
    assert line.startswith(f"{path}:{number}:")
    assert words in line and line.endswith("[WP006]")


def test_the_json_schema_knows_the_reference_forms() -> None:
    import jsonschema

    result = CliRunner().invoke(app, ["schema"])
    schema = json.loads(result.stdout)
    good = _plan("transformers", "cosine", REFERRED)
    jsonschema.validate(good, schema)
    bad = _plan("transformers", "cosine", {"num_warmup_steps": {"fractoin": 0.1}})
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)
