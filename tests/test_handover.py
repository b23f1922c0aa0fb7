"""WarmupWrapper hands over exactly as torch's SequentialLR does at its milestone W.

The oracle is plain torch: ``SequentialLR([LambdaLR(warm-up curve), X], [W])``, the
curve written here from its formula, against ``WarmupWrapper(X, W)`` for every kind of
decay scheduler a plan builds (and OneCycleLR). At the hand-over SequentialLR starts X
with its closed form at step 0: ``MultiStepLR``'s counts every milestone <= 0, so a
milestone inside the warm-up has passed by then.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from torch.optim import lr_scheduler as torch_lr

from warmplan import WarmupWrapper, load_plan, simulate

FORMULAS = {
    "linear": lambda p, s: s + (1 - s) * p,
    "constant": lambda p, s: s,
    "exponential": lambda p, s: s ** (1 - p),
    "cosine": lambda p, s: s + (1 - s) * (1 - math.cos(math.pi * p)) / 2,
}


def _decays(kind: str, draw, after: int, warmup: int):
    """(optimizer -> torch scheduler) for one decay kind, its arguments drawn."""
    gamma = draw(st.floats(0.05, 1.0))
    length = draw(st.integers(1, after + 3))
    eta = draw(st.floats(0.0, 1e-4))
    mult = draw(st.integers(1, 3))
    if kind == "multistep":  # milestones counted from the hand-over: <= 0 inside the warm-up
        marks = sorted(draw(st.lists(st.integers(-warmup, after), min_size=1, max_size=4)))
        return lambda o: torch_lr.MultiStepLR(o, milestones=marks, gamma=gamma)
    if kind == "lambda":  # inverse_sqrt and wsd are LambdaLRs
        tau = draw(st.integers(1, 10))
        return lambda o: torch_lr.LambdaLR(o, lambda k: math.sqrt(tau / (tau + k)))
    if kind == "onecycle":
        pct = draw(st.floats(0.05, 0.95))
        total = after + 1
        # pct x total = 1: OneCycleLR's warm-up ends where it starts and torch divides
        # by its length (a plan with it is refused, WP007): no schedule to compare
        assume(float(pct * total) - 1 != 0)
        return lambda o: torch_lr.OneCycleLR(
            o, max_lr=0.5, total_steps=total, pct_start=pct, cycle_momentum=False
        )
    return {
        "constant": lambda o: torch_lr.ConstantLR(o, factor=1.0, total_iters=0),
        "cosine": lambda o: torch_lr.CosineAnnealingLR(o, T_max=length, eta_min=eta),
        "linear": lambda o: torch_lr.LinearLR(o, 1.0, end_factor=gamma, total_iters=length),
        "step": lambda o: torch_lr.StepLR(o, step_size=length, gamma=gamma),
        "exponential": lambda o: torch_lr.ExponentialLR(o, gamma=gamma),
        "polynomial": lambda o: torch_lr.PolynomialLR(o, total_iters=length, power=gamma * 3),
        "cosine_restarts": lambda o: torch_lr.CosineAnnealingWarmRestarts(
            o, T_0=length, T_mult=mult, eta_min=eta
        ),
    }[kind]


KINDS = [
    "constant",
    "cosine",
    "linear",
    "step",
    "multistep",
    "exponential",
    "polynomial",
    "cosine_restarts",
    "lambda",
    "onecycle",
]


def _optimizer(targets: list[float]) -> torch.optim.Optimizer:
    groups = [{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": lr} for lr in targets]
    return torch.optim.SGD(groups, lr=targets[0])


def _run(optimizer, scheduler, intervals: int) -> np.ndarray:
    rows = []
    optimizer.step()  # once, as torch asks before a scheduler step; it changes no LR
    for _ in range(intervals):
        rows.append([group["lr"] for group in optimizer.param_groups])
        scheduler.step()
    return np.array(rows)


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_wrapper_equals_sequential_lr_for_every_decay_kind(data) -> None:
    draw = data.draw
    kind = draw(st.sampled_from(KINDS))
    curve = draw(st.sampled_from(sorted(FORMULAS)))
    warmup, after = draw(st.integers(1, 8)), draw(st.integers(1, 25))
    start = draw(st.floats(0.01 if curve == "exponential" else 0.0, 1.0))
    targets = draw(st.lists(st.sampled_from([1.0, 0.3, 2e-3]), min_size=1, max_size=2))
    decay = _decays(kind, draw, after, warmup)
    formula = FORMULAS[curve]

    plain = _optimizer(targets)
    after_warmup = decay(plain)  # first, as for the wrapper: OneCycleLR sets initial_lr
    ramp = torch_lr.LambdaLR(plain, lambda t: formula(t / warmup, start) if t < warmup else 1.0)
    sequential = torch_lr.SequentialLR(plain, [ramp, after_warmup], milestones=[warmup])
    expected = _run(plain, sequential, warmup + after)

    wrapped = _optimizer(targets)
    wrapper = WarmupWrapper(wrapped, decay(wrapped), warmup, start, curve)
    got = _run(wrapped, wrapper, warmup + after)

    np.testing.assert_allclose(got[:warmup], expected[:warmup], rtol=1e-12, atol=0)
    # from the hand-over on, the same torch scheduler in the same state: equal
    np.testing.assert_array_equal(got[warmup:], expected[warmup:])


def test_a_milestone_inside_the_warmup_has_passed_at_the_hand_over() -> None:
    # the plan: 3 epochs, linear warm-up of 2 from 0, multistep at epoch 1
    plain = _optimizer([1.0])
    ramp = torch_lr.LambdaLR(plain, lambda t: t / 2 if t < 2 else 1.0)
    drop = torch_lr.MultiStepLR(plain, milestones=[1 - 2], gamma=0.1)
    expected = _run(plain, torch_lr.SequentialLR(plain, [ramp, drop], milestones=[2]), 3)
    np.testing.assert_allclose(expected[:, 0], [0.0, 0.5, 0.1], rtol=1e-15)
    for start in (0.0, 0.5):  # WarmupWrapper (from 0) and LinearLR (from 0.5) alike
        plan = load_plan(
            {
                "optimizer": {"lr": 1.0},
                "training": {"epochs": 3},
                "warmup": {"kind": "linear", "length": 2, "start_factor": start},
                "decay": {"kind": "multistep", "milestones": [1]},
            }
        )
        lr = simulate(plan).lr[:, 0]
        assert math.isclose(lr[2], 0.1, rel_tol=1e-15)
        np.testing.assert_allclose(lr[:2], [start, start + (1 - start) / 2], rtol=1e-15)
