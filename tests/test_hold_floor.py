"""``decay.hold_floor``: a decay that holds its floor from its horizon to the end of
training (Megatron-LM, NeMo and OLMo hold min_lr; torch's CosineAnnealingLR comes back
up). Expectations from the closed form written here, and megatron-core's own LRs."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pytest
import torch

from tests.conftest import DATA
from warmplan.formats.load import load_plan
from warmplan.lint.runner import check_plan
from warmplan.schedule.codegen import snippet
from warmplan.schedule.simulate import simulate

LR, FLOOR, W, T_MAX, N = 1e-3, 1e-4, 4, 10, 30


def _plan(kind: str = "cosine", hold: bool | None = True, **decay: Any) -> dict[str, Any]:
    block: dict[str, Any] = {"kind": kind, **decay}
    if hold is not None:
        block["hold_floor"] = hold
    return {
        "optimizer": {"lr": LR},
        "training": {"steps": N},
        "warmup": {"kind": "linear", "length": W, "start_factor": 0.5},
        "decay": block,
    }


def _held_cosine(t: int) -> float:
    if t < W:
        return LR * (0.5 + 0.5 * t / W)
    k = min(t - W, T_MAX)
    return FLOOR + (LR - FLOOR) * (1 + math.cos(math.pi * k / T_MAX)) / 2


def _findings(data: dict[str, Any]) -> list[Any]:
    plan = load_plan(data)
    return check_plan(plan, simulate(plan))


def test_a_held_cosine_stays_at_its_floor_after_t_max() -> None:
    lrs = simulate(load_plan(_plan(T_max=T_MAX, eta_min=FLOOR))).lr[:, 0]
    np.testing.assert_allclose(lrs, [_held_cosine(t) for t in range(N)], rtol=1e-12, atol=0)
    assert (lrs[W + T_MAX :] == FLOOR).all()


def test_without_it_torchs_cosine_comes_back_up_and_check_says_so() -> None:
    data = _plan(hold=None, T_max=T_MAX, eta_min=FLOOR)
    lrs = simulate(load_plan(data)).lr[:, 0]
    assert lrs[-1] > 5 * FLOOR
    assert "WP106" in {f.code for f in _findings(data)}


def test_a_floor_held_as_asked_is_no_finding_of_the_horizon_rule() -> None:
    for kind, keys in (
        ("cosine", {"T_max": T_MAX, "eta_min": FLOOR}),
        ("linear", {"total_iters": T_MAX, "end_factor": 0.1}),
        ("polynomial", {"total_iters": T_MAX}),
    ):
        held = _findings(_plan(kind, **keys))
        assert {f.code for f in held} <= {"WP102"}, (kind, held)
        # the same horizon, the hold not asked for: the floor for 16 of 30 steps is an error
        unasked = _findings(_plan(kind, hold=False, **keys))
        assert [f.severity for f in unasked if f.code == "WP106"] == ["error"], kind


def test_a_horizon_after_training_is_still_a_finding() -> None:
    assert "WP107" in {f.code for f in _findings(_plan(T_max=2 * N, eta_min=FLOOR))}


def test_per_group_floors_are_held_too() -> None:
    data = _plan(T_max=T_MAX, min_lr_ratio=0.1)
    data["optimizer"]["groups"] = [{"name": "a", "lr": 1e-3}, {"name": "b", "lr": 1e-2}]
    lrs = simulate(load_plan(data)).lr
    np.testing.assert_allclose(lrs[W + T_MAX :], [[1e-4, 1e-3]] * (N - W - T_MAX), rtol=1e-12)


def _snippet_lrs(text: str, steps: int, lr: float) -> list[float]:
    namespace: dict[str, Any] = {}
    exec(compile(text, "snippet", "exec"), namespace)  # __name__ is not __main__: no loop
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=lr)  # the plan's target
    scheduler = namespace["build_scheduler"](optimizer)
    lrs = []
    for _ in range(steps):
        lrs.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    return lrs


def test_warmplan_code_writes_the_held_cosine_in_plain_torch() -> None:
    text = snippet(load_plan(_plan(T_max=T_MAX, eta_min=FLOOR)))
    assert "warmplan" not in text.replace("`warmplan code`", "")
    expected = [_held_cosine(t) for t in range(N)]
    np.testing.assert_allclose(_snippet_lrs(text, N, LR), expected, rtol=1e-12, atol=0)


@pytest.mark.parametrize("name", ["gpt-cosine-fraction", "wsd-minus_sqrt", "llama-samples"])
def test_warmplan_code_of_a_launch_script_gives_megatrons_lrs(name: str) -> None:
    cases = json.loads((DATA / "formats" / "megatron.json").read_text())["cases"]
    case = next(c for c in cases if c["name"] == name)
    text = snippet(load_plan(DATA / "formats" / case["config"]))
    expected = [row[0] for row in case["lrs"]]
    np.testing.assert_allclose(
        _snippet_lrs(text, len(expected), case["derived"]["max_lr"]), expected, rtol=1e-12, atol=0
    )


def test_the_schema_documents_it() -> None:
    from typer.testing import CliRunner

    from warmplan.cli.main import app

    result = CliRunner().invoke(app, ["schema"])
    assert result.exit_code == 0
    assert result.stdout.count('"hold_floor"') == 3  # cosine, linear, polynomial
