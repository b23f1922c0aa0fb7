"""Hydra configs read as plans: every LR of every optimizer update that
``hydra.utils.instantiate`` (hydra-core 1.3.8) and a Lightning 2.6.6 Trainer gave
(tests/data/formats/hydra.json, made by scripts/make_classpath_references.py hydra)
must come out of `warmplan show CONFIG --interval I --steps-per-epoch N -f csv`
(rtol 1e-12); what they refused is a located error."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from tests.conftest import DATA
from tests.test_formats import _key_place
from tests.test_formats_lightning import _per_update
from warmplan.cli.main import app

FORMATS = DATA / "formats"
CASES = json.loads((FORMATS / "hydra.json").read_text())["cases"]
RAN = [case for case in CASES if "lrs" in case]
REFUSED = [case for case in CASES if "error" in case]


def _flags(case: dict[str, Any]) -> list[str]:
    per_epoch = case.get("derived", {}).get("updates_per_epoch", 13)
    return ["--interval", case["interval"], "--steps-per-epoch", str(per_epoch)]


def _show(path: Path, *flags: str) -> Any:
    return CliRunner().invoke(app, ["show", str(path), *flags, "-f", "csv"])


@pytest.mark.parametrize("case", RAN, ids=[c["name"] for c in RAN])
def test_every_update_has_the_instantiated_schedulers_lr(case: dict[str, Any]) -> None:
    result = _show(FORMATS / case["config"], *_flags(case))
    assert result.exit_code == 0, result.output
    lrs = _per_update(result.stdout, case["updates"])
    expected = np.array(case["lrs"], dtype=float)[:, 0]
    assert lrs.shape == expected.shape
    np.testing.assert_allclose(lrs, expected, rtol=1e-12, atol=0)


@pytest.mark.parametrize("case", RAN, ids=[c["name"] for c in RAN])
def test_the_converted_plan_gives_identical_lrs(case: dict[str, Any], tmp_path) -> None:
    out = tmp_path / "plan.yaml"
    config = FORMATS / case["config"]
    result = CliRunner().invoke(app, ["convert", str(config), *_flags(case), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "(Hydra config)" in out.read_text().splitlines()[0]
    assert _show(out).stdout == _show(config, *_flags(case)).stdout


REFUSALS = {
    "missing-partial": ("model.scheduler._target_", "has no _partial_: true"),
    "plateau": ("model.scheduler._target_", "monitored metric"),
    "project-target": (
        "model.scheduler._target_",
        "cannot know what src.utils.schedulers.WarmupCosine does",
    ),
}


@pytest.mark.parametrize("case", REFUSED, ids=[c["name"] for c in REFUSED])
def test_what_hydra_or_lightning_refuses_is_a_located_error(case: dict[str, Any]) -> None:
    config = FORMATS / case["config"]
    key, words = REFUSALS[case["name"]]
    result = _show(config, *_flags(case))
    assert result.exit_code == 1 and result.stdout == ""
    (line,) = result.stderr.splitlines()
    place = _key_place(config, key)
    assert line.startswith(f"{config}:{place[0]}:{place[1]}: error: "), line
    assert words in line and line.endswith("[WP006]"), line


def test_the_interval_is_one_located_error_naming_the_flag() -> None:
    config = FORMATS / "configs/hydra/cosine-per-epoch.yaml"
    result = _show(config, "--steps-per-epoch", "13")
    line, col = _key_place(config, "scheduler._target_")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{config}:{line}:{col}: error: model.scheduler is stepped")
    assert "pass --interval step or --interval epoch" in result.stderr
    assert result.stderr.endswith("[WP011]\n")


def test_a_model_config_alone_needs_the_steps(tmp_path) -> None:
    path = tmp_path / "model.yaml"
    path.write_text(
        "_target_: src.models.mnist_module.MNISTLitModule\noptimizer:\n  _target_: "
        "torch.optim.Adam\n  _partial_: true\n  lr: 0.001\nscheduler:\n  _target_: "
        "torch.optim.lr_scheduler.StepLR\n  _partial_: true\n  step_size: 10\n"
    )
    missing = _show(path, "--interval", "step")
    assert missing.exit_code == 1 and "pass --steps N" in missing.stderr
    given = _show(path, "--interval", "step", "--steps", "25")
    lrs = [float(row.split(",")[-1]) for row in given.stdout.splitlines()[1:]]
    expected = [0.001 * 0.1 ** (t // 10) for t in range(25)]  # StepLR's closed form
    np.testing.assert_allclose(lrs, expected, rtol=1e-12, atol=0)


def test_the_format_is_recognised() -> None:
    from warmplan.config.source import read_source
    from warmplan.formats import detect

    for case in CASES:
        assert detect(read_source(FORMATS / case["config"]).data) == "hydra", case["name"]


def test_an_interpolation_of_the_trainers_budget_is_resolved(tmp_path) -> None:
    config = (FORMATS / "configs/hydra/transformers-cosine.yaml").read_text()
    assert "num_training_steps: 40" in config
    path = tmp_path / "config.yaml"
    path.write_text(
        config.replace("num_training_steps: 40", "num_training_steps: ${trainer.max_steps}")
    )
    case = next(c for c in RAN if c["name"] == "transformers-cosine")
    result = _show(path, *_flags(case))
    assert result.exit_code == 0, result.output
    np.testing.assert_allclose(
        _per_update(result.stdout, case["updates"]), np.array(case["lrs"])[:, 0], rtol=1e-12
    )
    path.write_text(
        config.replace("num_training_steps: 40", "num_training_steps: ${trainer.steps}")
    )
    wrong = _show(path, *_flags(case))
    assert wrong.exit_code == 1 and "${trainer.steps} names no key of this file" in wrong.stderr
