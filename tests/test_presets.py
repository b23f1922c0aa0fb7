"""Framework presets against the real libraries' LRs (tests/data/presets/*.json, made
by scripts/make_preset_references.py from transformers, timm, DeepSpeed, optax, Keras).

The oracle is the data: numbers the libraries themselves produced, never warmplan's.
"""

from __future__ import annotations

import json
import math
import pickle
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import DATA
from warmplan.config.load import load_plan
from warmplan.schedule.simulate import simulate

REFERENCES = sorted((DATA / "presets").glob("*.json"))


def _cases():
    for path in REFERENCES:
        document = json.loads(path.read_text())
        for index, case in enumerate(document["cases"]):
            case_id = f"{path.stem}-{case['name']}-{index}"
            yield pytest.param(document, case, id=case_id)


def plan_of(framework: str, case: dict):
    lrs = case["group_lrs"]
    optimizer: dict = {"lr": lrs[0]}
    if len(lrs) > 1:
        optimizer["groups"] = [{"name": f"g{i}", "lr": lr} for i, lr in enumerate(lrs)]
    return load_plan(
        {
            "optimizer": optimizer,
            "training": {"epochs": case["steps"], "interval": case["interval"]},
            "preset": {"framework": framework, "name": case["name"], "args": case["args"]},
        }
    )


def test_every_reference_file_is_there():
    names = {path.stem for path in REFERENCES}
    assert {"transformers", "timm", "deepspeed", "optax", "keras"} <= names
    assert "optax-x64" in names


@pytest.mark.parametrize(("document", "case"), list(_cases()))
def test_preset_matches_the_real_library(document, case):
    trace = simulate(plan_of(document["framework"], case))
    expected = np.array(case["lrs"], dtype=np.float64)
    assert trace.lr.shape == expected.shape
    if document["dtype"] == "float64":
        np.testing.assert_allclose(trace.lr, expected, rtol=1e-12, atol=1e-18)
    else:
        # float32 libraries: 1e-6 relative; values that float32 computes as a small
        # difference of large terms (a cosine near its end) carry float32's absolute
        # error of the peak LR, so the absolute floor is float32's epsilon x peak.
        peak = float(np.abs(expected).max())
        np.testing.assert_allclose(trace.lr, expected, rtol=1e-6, atol=1.2e-7 * peak)


# -- every preset: a real LambdaLR that pickles and resumes ----------------------------

ONE_CASE_PER_PRESET = {
    (document["framework"], case["name"]): (document, case)
    for document, case in (p.values for p in _cases())
}


@pytest.mark.parametrize("key", sorted(ONE_CASE_PER_PRESET), ids="-".join)
def test_scheduler_pickles_and_its_state_dict_resumes(key):
    import torch

    from warmplan.schedule.build import build_scheduler

    document, case = ONE_CASE_PER_PRESET[key]
    plan = plan_of(document["framework"], case)
    params = [torch.zeros(1, requires_grad=True) for _ in case["group_lrs"]]

    def fresh():
        optimizer = torch.optim.SGD([{"params": [p]} for p in params], lr=1.0)
        return optimizer, build_scheduler(optimizer, plan)

    straight_optimizer, straight = fresh()
    uninterrupted = []
    for _ in range(case["steps"]):
        uninterrupted.append([g["lr"] for g in straight_optimizer.param_groups])
        straight_optimizer.step()
        straight.step()
    optimizer, scheduler = fresh()
    assert type(scheduler).__name__ == "LambdaLR"
    half = case["steps"] // 2
    for _ in range(half):
        optimizer.step()
        scheduler.step()
    state = pickle.loads(pickle.dumps(scheduler.state_dict()))
    pickle.loads(pickle.dumps(scheduler))  # partials of module-level functions
    resumed_optimizer, resumed = fresh()
    resumed_optimizer.load_state_dict(optimizer.state_dict())
    resumed.load_state_dict(state)
    for t in range(half, case["steps"]):
        got = [g["lr"] for g in resumed_optimizer.param_groups]
        assert got == uninterrupted[t]
        resumed_optimizer.step()
        resumed.step()


# -- errors: the framework's valid names and arguments, at the YAML key -----------------


def _errors(tmp_path, text: str) -> list[str]:
    from warmplan.errors import ConfigError

    path = tmp_path / "plan.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_plan(path)
    return info.value.lines()


HEAD = "optimizer: {lr: 1.0e-3}\ntraining: {epochs: 100, interval: step}\npreset:\n"


def test_unknown_name_lists_the_frameworks_names(tmp_path):
    lines = _errors(tmp_path, HEAD + "  framework: transformers\n  name: cosin\n")
    assert len(lines) == 1
    assert lines[0].startswith(f"{tmp_path / 'plan.yaml'}:5:3: error: preset.name 'cosin'")
    assert "(did you mean cosine?)" in lines[0]
    assert "linear, cosine, cosine_with_restarts, polynomial" in lines[0]
    assert lines[0].endswith("[WP006]")


def test_unknown_argument_lists_the_valid_ones(tmp_path):
    text = HEAD + (
        "  framework: transformers\n  name: cosine\n  args:\n"
        "    num_warmup_steps: 10\n    num_training_steps: 100\n    warmup_ratio: 0.1\n"
    )
    (line,) = _errors(tmp_path, text)
    assert ":9:5: error: unknown argument preset.args.warmup_ratio" in line
    assert "transformers cosine takes: num_warmup_steps, num_training_steps, num_cycles" in line
    assert line.endswith("[WP004]")


def test_missing_and_mistyped_arguments(tmp_path):
    text = HEAD + (
        "  framework: timm\n  name: cosine\n  args: {warmup_t: 2.5, t_in_epochs: false}\n"
    )
    lines = _errors(tmp_path, text)
    assert any(
        "preset.args.warmup_t must be a whole number >= 0, got 2.5 [WP006]" in x for x in lines
    )
    assert any("timm cosine needs preset.args.t_initial [WP005]" in x for x in lines)


def test_unknown_framework_lists_the_frameworks(tmp_path):
    (line,) = _errors(tmp_path, HEAD + "  framework: lightning\n  name: cosine\n")
    assert "preset.framework must be one of transformers, timm, deepspeed, optax, keras" in line


def test_preset_and_warmup_together_is_an_error(tmp_path):
    text = (
        "optimizer: {lr: 1.0e-3}\ntraining: {epochs: 100, interval: step}\n"
        "warmup: {length: 5}\npreset: {framework: transformers, name: constant}\n"
    )
    (line,) = _errors(tmp_path, text)
    assert ":3:1: error: give either preset or warmup" in line
    lines = _errors(tmp_path, text.replace("constant", "nonesuch"))
    assert len(lines) == 2 and "'nonesuch' is not a transformers schedule" in lines[1]


def test_step_counting_framework_needs_interval_step(tmp_path):
    text = "optimizer: {lr: 1.0e-3}\ntraining: {epochs: 10}\npreset:\n" + (
        "  framework: optax\n  name: cosine_onecycle_schedule\n"
        "  args: {transition_steps: 10, peak_value: 1.0e-3}\n"
    )
    (line,) = _errors(tmp_path, text)
    assert "optax counts optimizer steps" in line and "training.interval: step" in line


def test_timm_counts_epochs_unless_told_otherwise(tmp_path):
    text = HEAD + "  framework: timm\n  name: cosine\n  args: {t_initial: 100}\n"
    (line,) = _errors(tmp_path, text)
    assert "timm's t_in_epochs: true counts epochs" in line


def test_framework_refusals_are_located(tmp_path):
    text = HEAD + (
        "  framework: optax\n  name: warmup_cosine_decay_schedule\n"
        "  args: {init_value: 0, peak_value: 1.0e-3, warmup_steps: 10, decay_steps: 10}\n"
    )
    (line,) = _errors(tmp_path, text)
    assert "decay_steps counts the warm-up too" in line


# -- the CLI -----------------------------------------------------------------------------


def test_cli_shows_a_preset(tmp_path):
    from typer.testing import CliRunner

    from tests.conftest import CONFIGS
    from warmplan.cli.main import app

    result = CliRunner().invoke(
        app, ["show", str(CONFIGS / "compare" / "transformers.yaml"), "-f", "csv"]
    )
    assert result.exit_code == 0, result.output
    rows = result.stdout.strip().splitlines()
    assert len(rows) == 101  # header + 100 steps
    assert rows[1].split(",")[-1] in ("0", "0.0")  # transformers' first update: LR 0


COMPARE = sorted((Path(__file__).resolve().parent.parent / "configs" / "compare").glob("*.yaml"))


def test_every_compare_config_loads_and_simulates():
    assert {p.stem for p in COMPARE} >= {"torch", "transformers", "timm", "timm-prefix"}
    for path in COMPARE:
        trace = simulate(load_plan(path))
        assert trace.intervals == 100
        assert np.isfinite(trace.lr).all() and (trace.lr >= 0).all()


def test_cli_shows_plans_side_by_side():
    from typer.testing import CliRunner

    from warmplan.cli.main import app

    paths = [str(p) for p in COMPARE]
    result = CliRunner().invoke(app, ["show", *paths, "-f", "csv"])
    assert result.exit_code == 0, result.output
    rows = [line.split(",") for line in result.stdout.strip().splitlines()]
    assert rows[0] == ["step", *(p.stem for p in COMPARE)]
    assert len(rows) == 101
    by_name = dict(zip(rows[0], zip(*rows[1:], strict=True), strict=True))
    # the differences the comparison exists to show, against closed forms
    assert float(by_name["torch"][0]) == pytest.approx(1e-4)  # LinearLR starts at 0.1 x lr
    assert float(by_name["transformers"][0]) == 0.0
    assert float(by_name["deepspeed"][1]) == 0.0  # log warm-up: log(1) = 0 on update 2
    timm_jump = float(by_name["timm"][10])
    assert timm_jump == pytest.approx(0.5e-3 * (1 + math.cos(math.pi * 10 / 100)))


def test_cli_side_by_side_table_and_markdown():
    from typer.testing import CliRunner

    from warmplan.cli.main import app

    paths = [str(p) for p in COMPARE[:3]]
    table = CliRunner().invoke(app, ["show", *paths], env={"COLUMNS": "200"})
    assert table.exit_code == 0, table.output
    assert "what differs" in table.stdout and "highlighted: differs from" in table.stdout
    markdown = CliRunner().invoke(app, ["show", *paths, "-f", "markdown"])
    assert markdown.exit_code == 0
    assert markdown.stdout.startswith("| plan | first LR (step 0) |")
    assert markdown.stdout.count("\n") == 2 + 3


def test_cli_refuses_to_compare_epochs_with_steps(example_path):
    from typer.testing import CliRunner

    from warmplan.cli.main import app

    result = CliRunner().invoke(app, ["show", str(COMPARE[0]), str(example_path)])
    assert result.exit_code == 2
    assert "usage error: plans compared side by side must step" in result.stderr


def test_every_preset_has_reference_data():
    from warmplan.presets import FRAMEWORKS, registry

    every = {(framework, name) for framework in FRAMEWORKS for name in registry(framework)}
    assert every == set(ONE_CASE_PER_PRESET)


@pytest.mark.parametrize(
    ("framework", "name", "args", "phases"),
    [
        (
            "transformers",
            "cosine",
            {"num_warmup_steps": 10, "num_training_steps": 100},
            [("warmup", 0, 10), ("decay", 10, 100)],
        ),
        (
            "transformers",
            "warmup_stable_decay",
            {"num_warmup_steps": 10, "num_decay_steps": 30, "num_training_steps": 100},
            [("warmup", 0, 10), ("constant", 10, 70), ("decay", 70, 100)],
        ),
        # DeepSpeed's first update uses iteration -1: its decay starts one step late
        (
            "deepspeed",
            "WarmupDecayLR",
            {"total_num_steps": 100, "warmup_num_steps": 10},
            [("warmup", 0, 11), ("decay", 11, 100)],
        ),
        (
            "keras",
            "CosineDecay",
            {"initial_learning_rate": 1e-3, "decay_steps": 60},
            [("decay", 0, 60), ("constant", 60, 100)],
        ),
    ],
)
def test_layout_names_the_presets_phases(framework, name, args, phases):
    from warmplan.schedule.build import layout

    plan = load_plan(
        {
            "optimizer": {"lr": 1e-3},
            "training": {"epochs": 100, "interval": "step"},
            "preset": {"framework": framework, "name": name, "args": args},
        }
    )
    assert [(p.name, p.start, p.end) for p in layout(plan).phases] == phases
    assert plan.warmup_intervals == (phases[0][2] if phases[0][0] == "warmup" else 0)


def _all_presets():
    from warmplan.presets import FRAMEWORKS, registry

    return [(framework, name) for framework in FRAMEWORKS for name in registry(framework)]


@pytest.mark.parametrize(("framework", "name"), _all_presets(), ids="-".join)
def test_odd_arguments_give_a_config_error_or_valid_lrs(framework, name):
    """Never an internal error: a located ConfigError, or finite LRs >= 0 throughout."""
    import random

    from warmplan.errors import ConfigError
    from warmplan.presets import REQUIRED, registry

    numbers = {"int": [0, 1, 2, 7, 30, -1], "float": [0.0, 1e-5, 0.5, 1.0, 2.5, -0.5]}
    rng = random.Random(f"{framework}-{name}")
    preset = registry(framework)[name]
    for _ in range(40):
        args = {}
        for key, arg in preset.args.items():
            if arg.kind in numbers and (arg.default is REQUIRED or rng.random() < 0.5):
                args[key] = rng.choice(numbers[arg.kind])
            elif arg.kind in ("bool", "str") and rng.random() < 0.5:
                args[key] = rng.choice(arg.choices or (True, False))
            elif arg.kind == "ints":
                args[key] = sorted(rng.sample(range(30), 2))
        if framework == "timm":
            args["t_in_epochs"] = False
        document = {
            "optimizer": {"lr": 1e-3},
            "training": {"epochs": 30, "interval": "step"},
            "preset": {"framework": framework, "name": name, "args": args},
        }
        try:
            trace = simulate(load_plan(document))
        except ConfigError as error:
            assert all("[WP0" in line for line in error.lines())
            continue
        assert np.isfinite(trace.lr).all() and (trace.lr >= 0).all(), args
