"""OLMo training configs read as plans: every LR of every update that ai2-olmo 0.6.0's
own Scheduler classes give (tests/data/formats/olmo.json, made by
scripts/make_olmo_references.py with the Trainer's step and token counting) must come
out of `warmplan show CONFIG -f csv` (rtol 1e-12)."""

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
REFERENCE = json.loads((FORMATS / "olmo.json").read_text())
CASES = REFERENCE["cases"]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_every_update_has_olmos_lr(case: dict[str, Any]) -> None:
    code, out, err = run_show(str(FORMATS / case["config"]), "-f", "csv")
    assert code == 0, err
    expected = np.array(case["lrs"], dtype=float)[:, 0]
    np.testing.assert_allclose(csv_lrs(out), expected, rtol=1e-12, atol=0)


def test_the_reference_shows_olmos_warm_up_and_token_units() -> None:
    assert REFERENCE["versions"]["ai2-olmo"] == "0.6.0"
    by_name = {c["name"]: c for c in CASES}
    linear = by_name["linear-steps"]["lrs"]
    # the warm-up starts at 0.1 x lr and the first update is step 1: 3e-5 + 2.7e-4 / 20
    assert linear[0][0] == pytest.approx(3e-5 + 2.7e-4 / 20, rel=1e-15)
    zero = by_name["cosine-tokens-zero-start"]
    assert zero["lrs"][0][0] == pytest.approx(3e-4 * 256 / 5120, rel=1e-15)  # warmup_min_lr 0
    # 2.4e5 tokens over 16 x 64 a batch: ceil(234.375) = 235 updates
    assert by_name["cosine-tokens"]["updates"] == 235


@pytest.mark.parametrize("case", CASES[:3], ids=[c["name"] for c in CASES[:3]])
def test_convert_writes_a_plan_with_the_same_lrs(case: dict[str, Any], tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    result = CliRunner().invoke(app, ["convert", str(FORMATS / case["config"]), "-o", str(plan)])
    assert result.exit_code == 0, result.output
    assert "(OLMo training config)" in plan.read_text().splitlines()[0]
    code, out, err = run_show(str(plan), "-f", "csv")
    assert code == 0, err
    np.testing.assert_allclose(csv_lrs(out), np.array(case["lrs"])[:, 0], rtol=1e-12, atol=0)


def test_epochs_need_the_batches_of_an_epoch(tmp_path: Path) -> None:
    config = tmp_path / "olmo.yaml"
    config.write_text(
        "optimizer: {learning_rate: 1.0e-3}\n"
        "scheduler: {name: constant_with_warmup, t_warmup: 4, warmup_min_lr: 0.0}\n"
        "max_duration: 2ep\n"
    )
    code, _, err = run_show(str(config))
    assert code == 1 and "pass --steps-per-epoch N" in err and err.rstrip().endswith("[WP011]")
    code, out, err = run_show(str(config), "--steps-per-epoch", "5", "-f", "csv")
    assert code == 0, err
    # update t counts step t + 1: 1e-3 x (t + 1) / 4 up to the target, 10 updates in all
    assert csv_lrs(out).tolist() == pytest.approx([1e-3 * min(t + 1, 4) / 4 for t in range(10)])


@pytest.mark.parametrize(("duration", "shown"), [("0ep", "0"), ("'0'", "0"), ("0.5T", "0")])
def test_a_duration_under_one_is_one_located_error(
    duration: str, shown: str, tmp_path: Path
) -> None:
    """Epochs (int()), updates and tokens (int(float())) under 1: no run to preview."""
    config = tmp_path / "olmo.yaml"
    config.write_text(
        "optimizer: {learning_rate: 1.0e-3}\n"
        "scheduler: {name: constant_with_warmup, t_warmup: 4, warmup_min_lr: 0.0}\n"
        f"max_duration: {duration}\n"
    )
    code, out, err = run_show(str(config), "--steps-per-epoch", "5")
    assert code == 1 and out == ""
    assert err.startswith(f"{config}:3:")
    assert f"max_duration must be at least 1, got {shown}" in err and err.count("\n") == 1


def test_an_olmo_config_is_recognised() -> None:
    from warmplan.config.load import source_of
    from warmplan.formats import detect

    assert detect(source_of(FORMATS / CASES[0]["config"]).data) == "olmo"
    composer = {
        "optimizer": {"name": "decoupled_adamw", "lr": 6e-4},
        "scheduler": {"t_warmup": "100ba"},
    }
    assert detect(composer) != "olmo"
