"""Small things a new user hit (issue 14, item 15, config side): each one fails the way
it did before the fix."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from tests.conftest import CONFIGS
from warmplan import load_plan
from warmplan.cli.main import app
from warmplan.errors import ConfigError

runner = CliRunner()


def test_step_with_milestones_points_to_multistep(tmp_path):
    path = tmp_path / "step.yaml"
    path.write_text(
        "optimizer: {kind: sgd, lr: 0.1}\ntraining: {epochs: 90}\n"
        "decay: {kind: step, milestones: [30, 60]}\n"
    )
    with pytest.raises(ConfigError) as caught:
        load_plan(path)
    (finding,) = caught.value.findings  # not also "missing decay.step_size"
    assert finding.key == "decay.milestones"
    assert "did you mean kind: multistep?" in finding.message


def test_ignore_codes_in_lower_case():
    result = runner.invoke(app, ["check", str(CONFIGS / "gpt-cosine.yaml"), "--ignore", "wp109"])
    assert result.exit_code == 0, result.output


def test_set_milestones_takes_the_same_list_as_the_flag():
    base = ["show", str(CONFIGS / "linear-warmup-cosine.yaml"), "-f", "csv", "--decay", "multistep"]
    by_flag = runner.invoke(app, [*base, "--milestones", "8,12"])
    by_set = runner.invoke(app, [*base, "--set", "decay.milestones=8,12"])
    assert by_flag.exit_code == by_set.exit_code == 0, by_set.output
    assert by_flag.stdout == by_set.stdout
    lrs = [float(line.split(",")[-1]) for line in by_set.stdout.splitlines()[1:]]
    # gamma 0.1 at epochs 8 and 12 (the formula: 1e-3 x 0.1^k)
    assert (lrs[7], lrs[8], lrs[12]) == pytest.approx((1e-3, 1e-4, 1e-5))


@pytest.mark.parametrize(
    "flags, named",
    [(["--lr", "1e-3"], "--epochs or --steps"), (["--epochs", "3"], "--lr")],
)
def test_a_plan_of_flags_alone_names_the_missing_flags(flags, named):
    result = runner.invoke(app, ["show", *flags])
    assert result.exit_code == 1
    assert f"give {named}" in result.stderr and "missing required key" not in result.stderr


@pytest.mark.parametrize("config", ["linear-warmup-cosine.yaml", "wsd.yaml", "gpt-cosine.yaml"])
def test_the_readme_api_override_works_on_plans_with_either_floor(config):
    # wsd.yaml gives min_lr_ratio: the override replaces it (one floor per plan)
    plan = load_plan(str(CONFIGS / config), overrides={"decay.eta_min": 0.0})
    assert plan.floor_lrs == [0.0] * len(plan.target_lrs)


def test_both_floors_from_the_caller_are_still_refused():
    with pytest.raises(ConfigError, match="not both"):
        load_plan(
            str(CONFIGS / "wsd.yaml"), overrides={"decay.eta_min": 0.0, "decay.min_lr_ratio": 0.1}
        )


def test_show_says_which_file_key_an_alternative_replaced():
    result = runner.invoke(app, ["show", str(CONFIGS / "wsd.yaml"), "--eta-min", "0", "-f", "csv"])
    assert result.exit_code == 0, result.output
    assert "note: --eta-min overrides decay.min_lr_ratio from" in result.stderr


def test_show_names_the_defaults_it_filled_in_and_the_readme_lists_them():
    from tests.conftest import ROOT

    result = runner.invoke(
        app,
        ["show", "--lr", "3e-4", "--steps", "1000", "--warmup-length", "10", "--decay", "cosine"],
    )
    assert result.exit_code == 0, result.output
    line = next(line for line in result.stdout.splitlines() if "defaults:" in line)
    for filled in (
        "optimizer.kind adam",
        "warmup.kind linear",
        "warmup.start_factor 0.1",
        "decay.eta_min 0",
    ):
        assert filled in line
    readme = (ROOT / "README.md").read_text()
    for key in (
        "optimizer.kind",
        "warmup.start_factor",
        "decay.eta_min",
        "decay.gamma",
        "training.interval",
        "training.steps_per_epoch",
    ):
        assert f"| `{key}`" in readme
    given = runner.invoke(
        app,
        [
            "show",
            "--lr",
            "3e-4",
            "--steps",
            "1000",
            "--start-factor",
            "0.2",
            "--warmup-length",
            "10",
            "--optimizer",
            "adamw",
        ],
    )
    assert "start_factor" not in next(
        (line for line in given.stdout.splitlines() if "defaults:" in line), ""
    )
