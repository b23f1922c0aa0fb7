"""WP106 (a decay horizon ending before training): silent on plans whose floor falls on
the last update (nanoGPT, OLMo, OpenCLIP: T_max = decay phase - 1), and graded by the
measured rise or time at the floor. The oracle is plain torch, stepped in the test."""

from __future__ import annotations

import itertools
import re

import pytest
import torch

from warmplan.config.load import load_plan
from warmplan.lint.runner import check_plan
from warmplan.schedule.simulate import simulate

PEAK, FLOOR, WARM, N = 6e-4, 6e-5, 20, 400
R = N - WARM  # the decay phase


def torch_cosine(t_max: int) -> list[float]:
    """CosineAnnealingLR alone over the decay phase, as a training loop steps it."""
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=PEAK)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=t_max, eta_min=FLOOR)
    lrs = []
    for _ in range(R):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return lrs


def number_after(text: str, message: str) -> float:
    """The number printed right after ``text`` in ``message``."""
    match = re.search(re.escape(text) + r"([0-9.e+-]+)", message)
    assert match, (text, message)
    return float(match.group(1).rstrip(".,"))


def findings(decay: dict) -> list:
    plan = load_plan(
        {
            "optimizer": {"kind": "adamw", "lr": PEAK, "betas": [0.9, 0.95]},
            "training": {"steps": N},
            "warmup": {"kind": "linear", "length": WARM},
            "decay": decay,
        }
    )
    return [f for f in check_plan(plan, simulate(plan)) if f.code in ("WP106", "WP107")]


def test_a_cosine_whose_floor_falls_on_the_last_update_is_clean():
    lrs = torch_cosine(R - 1)
    # the oracle: the floor on the last update, nothing comes back up
    assert lrs[-1] == pytest.approx(FLOOR, rel=1e-12)
    assert all(b <= a for a, b in itertools.pairwise(lrs))
    assert findings({"kind": "cosine", "eta_min": FLOOR, "T_max": R - 1}) == []
    assert findings({"kind": "cosine", "eta_min": FLOOR, "T_max": R}) == []


def test_a_small_rise_is_a_warning_with_the_measured_amount():
    t_max = R - 3
    lrs = torch_cosine(t_max)
    rise = max(lrs[t_max:]) - lrs[t_max]
    assert rise > 0  # torch's cosine is periodic: it climbs back past T_max
    (found,) = findings({"kind": "cosine", "eta_min": FLOOR, "T_max": t_max})
    assert found.severity == "warning"
    assert number_after("comes back up over the last 2 steps, to ", found.message) == (
        pytest.approx(lrs[-1], rel=1e-5)
    )
    assert f"{rise / (PEAK - FLOOR):.0%} of the way back" in found.message


def test_a_large_rise_is_an_error():
    t_max = R // 2
    lrs = torch_cosine(t_max)
    (found,) = findings({"kind": "cosine", "eta_min": FLOOR, "T_max": t_max})
    assert found.severity == "error"
    assert number_after("(highest ", found.message) == pytest.approx(max(lrs[t_max:]), rel=1e-5)


@pytest.mark.parametrize("held, severity", [(4, "warning"), (200, "error")])
def test_time_at_the_floor_is_counted_and_graded(held, severity):
    # LinearLR reaches end_factor after total_iters steps and stays there
    total_iters = R - 1 - held
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=PEAK)
    sched = torch.optim.lr_scheduler.LinearLR(opt, 1.0, 0.1, total_iters=total_iters)
    lrs = []
    for _ in range(R):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    at_floor = sum(1 for lr in lrs[total_iters + 1 :] if lr == pytest.approx(0.1 * PEAK))
    assert at_floor == held
    (found,) = findings({"kind": "linear", "end_factor": 0.1, "total_iters": total_iters})
    assert found.severity == severity
    assert f"stays there for the last {held} steps" in found.message


def test_a_linear_decay_ending_on_the_last_update_is_clean():
    assert findings({"kind": "linear", "end_factor": 0.1, "total_iters": R - 1}) == []
