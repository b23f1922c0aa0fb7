"""The last line of defence: a trace never holds an LR that is not finite and >= 0,
whatever produced it; the plan's values are blamed, never warmplan (exit 1, not 3)."""

from __future__ import annotations

import math
from functools import partial

import pytest
from typer.testing import CliRunner

from warmplan import load_plan, simulate
from warmplan.cli.main import app
from warmplan.errors import ConfigError


def _broken_at(t: int, bad: float, step: int) -> float:
    return bad if t >= step else 1.0


@pytest.mark.parametrize("bad", [math.inf, math.nan, -1.0])
def test_a_scheduler_that_computes_a_bad_lr_is_a_config_error(monkeypatch, bad):
    """Stands in for what validation cannot foresee (a preset probed at only some steps
    of a long plan): a LambdaLR whose factor goes bad at interval 7."""
    from torch.optim.lr_scheduler import LambdaLR

    import warmplan.schedule.build

    monkeypatch.setattr(
        warmplan.schedule.build,
        "build_schedule",
        lambda optimizer, plan: LambdaLR(optimizer, partial(_broken_at, bad=bad, step=7)),
    )
    plan = load_plan(
        {"optimizer": {"lr": 1e-3}, "training": {"epochs": 20}, "decay": {"kind": "cosine"}}
    )
    with pytest.raises(ConfigError) as caught:
        simulate(plan)
    (finding,) = caught.value.findings
    assert finding.code == "WP006" and finding.key == "decay"
    assert "at epoch 7" in finding.message and "finite number >= 0" in finding.message


def test_an_absolute_preset_lr_that_overflows_is_refused_at_load(tmp_path):
    """DeepSpeed's warm-up starts at warmup_min_ratio x warmup_max_lr: each factor is
    finite, the LR (factor x a 1e10 target) is not. This printed inf LRs before."""
    config = tmp_path / "overflow.yaml"
    config.write_text(
        "optimizer: {lr: 1.0e+10}\ntraining: {steps: 20000}\npreset:\n  framework: deepspeed\n"
        "  name: WarmupCosineLR\n  args: {total_num_steps: 20000, warmup_min_ratio: 1.0e+300}\n"
    )
    result = CliRunner().invoke(app, ["show", str(config), "-f", "csv"])
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    assert result.stderr.startswith(f"{config}:6:3: error: deepspeed WarmupCosineLR: gives LR inf")
