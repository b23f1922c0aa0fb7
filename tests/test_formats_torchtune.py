"""torchtune recipe configs read as plans: every LR of every optimizer update that
torchtune 0.6.1's own ``config.instantiate`` and scheduler code gave under its recipe's
step arithmetic (tests/data/formats/torchtune.json, made by
scripts/make_classpath_references.py torchtune) must come out of
`warmplan show CONFIG --dataset-size N [--world-size K] -f csv` (rtol 1e-12)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from tests.conftest import DATA
from tests.test_formats import _csv_lrs, _key_place
from warmplan.cli.main import app

FORMATS = DATA / "formats"
CASES = json.loads((FORMATS / "torchtune.json").read_text())["cases"]
RAN = [case for case in CASES if "lrs" in case]
REFUSED = [case for case in CASES if "error" in case]


def _flags(case: dict[str, Any]) -> list[str]:
    flags = ["--dataset-size", str(case["dataset_size"])]
    if case["world_size"] != 1:
        flags += ["--world-size", str(case["world_size"])]
    return flags


def _show(path: Path, *flags: str) -> Any:
    return CliRunner().invoke(app, ["show", str(path), *flags, "-f", "csv"])


@pytest.mark.parametrize("case", RAN, ids=[c["name"] for c in RAN])
def test_every_update_has_torchtunes_lr(case: dict[str, Any]) -> None:
    result = _show(FORMATS / case["config"], *_flags(case))
    assert result.exit_code == 0, result.output
    lrs = _csv_lrs(result.stdout)[:, 0]
    expected = np.array(case["lrs"], dtype=float)[:, 0]
    assert lrs.shape == expected.shape == (case["updates"],)
    np.testing.assert_allclose(lrs, expected, rtol=1e-12, atol=0)


def test_the_updates_per_epoch_flag_gives_the_same_lrs() -> None:
    case = next(c for c in RAN if c["name"] == "cosine-lora-like")
    per_epoch = str(case["derived"]["updates_per_epoch"])
    by_size = _show(FORMATS / case["config"], *_flags(case))
    by_updates = _show(FORMATS / case["config"], "--steps-per-epoch", per_epoch)
    assert by_updates.exit_code == 0 and by_updates.stdout == by_size.stdout


@pytest.mark.parametrize("case", RAN, ids=[c["name"] for c in RAN])
def test_the_converted_plan_gives_identical_lrs(case: dict[str, Any], tmp_path) -> None:
    out = tmp_path / "plan.yaml"
    config = FORMATS / case["config"]
    result = CliRunner().invoke(app, ["convert", str(config), *_flags(case), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert _show(out).stdout == _show(config, *_flags(case)).stdout


REFUSALS = {
    "torch-class-refused": ("lr_scheduler._component_", "does not take num_training_steps"),
    "project-component-refused": (
        "lr_scheduler._component_",
        "cannot know what myproj.sched.warmup_cosine does",
    ),
}


@pytest.mark.parametrize("case", REFUSED, ids=[c["name"] for c in REFUSED])
def test_what_torchtune_refuses_is_a_located_error(case: dict[str, Any]) -> None:
    config = FORMATS / case["config"]
    key, words = REFUSALS[case["name"]]
    result = _show(config, *_flags(case))
    assert result.exit_code == 1 and result.stdout == ""
    (line,) = result.stderr.splitlines()
    place = _key_place(config, key)
    assert line.startswith(f"{config}:{place[0]}:{place[1]}: error: "), line
    assert words in line and line.endswith("[WP006]"), line


def test_a_missing_epoch_size_is_one_located_error_naming_the_flag() -> None:
    config = FORMATS / "configs/torchtune/cosine-two-epochs.yaml"
    result = _show(config)
    line, col = _key_place(config, "epochs")
    assert result.exit_code == 1
    assert result.stderr == (
        f"{config}:{line}:{col}: error: epochs: 2 needs the updates per epoch "
        "(len(dataloader) // gradient_accumulation_steps): pass --steps-per-epoch N (or "
        "--dataset-size N) [WP011]\n"
    )


def test_the_format_is_recognised() -> None:
    from warmplan.config.source import read_source
    from warmplan.formats import detect

    for case in CASES:
        assert detect(read_source(FORMATS / case["config"]).data) == "torchtune", case["name"]
