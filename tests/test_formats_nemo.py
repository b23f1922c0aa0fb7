"""NeMo model configs read as plans: every LR of every update that nemo_toolkit 3.0.0's
own LR policies used (tests/data/formats/nemo.json, made by
scripts/make_nemo_references.py: OmegaConf resolved each config, the policy class ran
over a torch optimizer) must come out of `warmplan show CONFIG -f csv` (rtol 1e-12);
what NeMo refuses is a located error."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from tests.cli_csv import csv_lrs, run_show
from tests.conftest import DATA
from warmplan.cli.main import app

FORMATS = DATA / "formats"
RTOL = 1e-12
REFERENCE = json.loads((FORMATS / "nemo.json").read_text())
RAN = [case for case in REFERENCE["cases"] if "lrs" in case]
REFUSED = [case for case in REFERENCE["cases"] if "error" in case]


@pytest.mark.parametrize("case", RAN, ids=[c["name"] for c in RAN])
def test_every_update_has_nemos_lr(case: dict[str, Any]) -> None:
    code, out, err = run_show(str(FORMATS / case["config"]), "-f", "csv")
    assert code == 0, err
    expected = np.array(case["lrs"], dtype=float)[:, 0]
    lrs = csv_lrs(out)
    assert lrs.shape == expected.shape == (case["updates"],)
    np.testing.assert_allclose(lrs, expected, rtol=RTOL, atol=0)


def test_the_reference_covers_every_policy_and_both_cosine_branches() -> None:
    assert REFERENCE["versions"]["nemo_toolkit"] == "3.0.0"
    from warmplan.presets.nemo import NAMES

    assert {c["sched"] for c in RAN} == set(NAMES)
    cosines = [c for c in RAN if c["sched"] == "CosineAnnealing"]
    assert {bool(c["kwargs"].get("constant_steps")) for c in cosines} == {False, True}
    # the two branches' warm-ups: (t + 1) / (W + 1), and Megatron's t / W
    plain = next(c for c in cosines if not c["kwargs"]["constant_steps"])
    held = next(c for c in cosines if c["kwargs"]["constant_steps"])
    assert plain["lrs"][0][0] == pytest.approx(2e-4 / 11, rel=1e-15)
    assert held["lrs"][0][0] == 0.0
    # constant_steps: min_lr held for them at the end
    assert [row[0] for row in held["lrs"][-30:]] == [2e-5] * 30


def test_a_refused_config_is_a_located_error() -> None:
    (case,) = REFUSED
    assert case["error"]["type"] == "ValueError"
    path = FORMATS / case["config"]
    code, out, err = run_show(str(path))
    assert code == 1 and out == ""
    assert err.startswith(f"{path}:8:7: error: ") and "below min_lr" in err


@pytest.mark.parametrize("case", RAN[:4], ids=[c["name"] for c in RAN[:4]])
def test_convert_writes_a_plan_with_the_same_lrs(case: dict[str, Any], tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    result = CliRunner().invoke(app, ["convert", str(FORMATS / case["config"]), "-o", str(plan)])
    assert result.exit_code == 0, result.output
    assert "(NeMo model config)" in plan.read_text().splitlines()[0]
    code, out, err = run_show(str(plan), "-f", "csv")
    assert code == 0, err
    np.testing.assert_allclose(csv_lrs(out), np.array(case["lrs"])[:, 0], rtol=RTOL, atol=0)


def test_steps_from_the_flag_when_the_trainer_leaves_them_to_the_data(tmp_path: Path) -> None:
    config = tmp_path / "asr.yaml"
    config.write_text(
        "trainer: {max_epochs: 100, max_steps: -1}\n"
        "model:\n  optim:\n    lr: 1.0e-3\n    sched: {name: WarmupAnnealing, warmup_steps: 4}\n"
    )
    code, out, err = run_show(str(config), "--steps", "20", "-f", "csv")
    assert code == 0, err
    # (t + 1) / (W + 1) up to W, then linear from the LR to 0 over max_steps - W
    expected = [1e-3 * (t + 1) / 5 for t in range(5)] + [
        1e-3 * (1 - (t - 4) / 16) for t in range(5, 20)
    ]
    np.testing.assert_allclose(csv_lrs(out), expected, rtol=RTOL)


def test_a_nemo_config_is_recognised_without_stealing_others() -> None:
    from warmplan.config.load import source_of
    from warmplan.formats import detect

    assert detect(source_of(FORMATS / RAN[0]["config"]).data) == "nemo"
    assert detect({"model_name_or_path": "x", "learning_rate": 1e-3}) == "transformers"
    assert detect({"optimizer": {"lr": 1e-3}, "training": {"steps": 5}}) == "warmplan"
