"""WarmupWrapper: a custom warm-up around any torch scheduler."""

from __future__ import annotations

import math
import pickle

import pytest
import torch
from torch import nn
from torch.optim.lr_scheduler import CosineAnnealingLR, StepLR

from warmplan import WarmupWrapper
from warmplan.schedule.warmup import CURVES


def _optimizer(lr=0.1):
    return torch.optim.SGD(nn.Linear(3, 1).parameters(), lr=lr)


def _rows(optimizer, scheduler, n):
    rows = []
    for _ in range(n):
        rows.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    return rows


def test_wraps_a_user_scheduler_and_hands_over_at_w():
    optimizer = _optimizer()
    wrapped = StepLR(optimizer, step_size=3, gamma=0.5)
    scheduler = WarmupWrapper(optimizer, wrapped, warmup_length=4, start_factor=0.0)
    rows = _rows(optimizer, scheduler, 12)
    assert rows[:4] == pytest.approx([0.0, 0.025, 0.05, 0.075])
    # StepLR's own count starts at the hand-over: 3 at 0.1, then halves every 3
    assert rows[4:] == pytest.approx([0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025])
    assert scheduler.get_last_lr() == [optimizer.param_groups[0]["lr"]]


def test_without_a_scheduler_it_holds_the_target():
    optimizer = _optimizer()
    scheduler = WarmupWrapper(optimizer, None, warmup_length=2, start_factor=0.5)
    assert _rows(optimizer, scheduler, 5) == pytest.approx([0.05, 0.075, 0.1, 0.1, 0.1])


@pytest.mark.parametrize(
    ("name", "formula"),
    [
        ("linear", lambda p, s: s + (1 - s) * p),
        ("exponential", lambda p, s: s ** (1 - p)),
        ("cosine", lambda p, s: s + (1 - s) * (1 - math.cos(math.pi * p)) / 2),
        ("constant", lambda p, s: s),
    ],
)
def test_named_curves(name, formula):
    optimizer = _optimizer(lr=2.0)
    scheduler = WarmupWrapper(optimizer, None, warmup_length=5, start_factor=0.2, curve=name)
    rows = _rows(optimizer, scheduler, 7)
    assert rows[:5] == pytest.approx([2.0 * formula(t / 5, 0.2) for t in range(5)], rel=1e-12)
    assert rows[5:] == [2.0, 2.0]


def test_a_custom_curve_callable():
    optimizer = _optimizer(lr=1.0)
    scheduler = WarmupWrapper(optimizer, None, 4, 0.0, curve=lambda p, s: p * p)
    assert _rows(optimizer, scheduler, 5) == pytest.approx([0, 1 / 16, 4 / 16, 9 / 16, 1.0])


def test_state_dict_round_trip_mid_warmup_and_after_handover():
    def build():
        optimizer = _optimizer()
        cosine = CosineAnnealingLR(optimizer, T_max=10, eta_min=0.0)
        return optimizer, WarmupWrapper(optimizer, cosine, 5, 0.0, "cosine")

    optimizer, scheduler = build()
    full = _rows(optimizer, scheduler, 15)
    for k in (3, 5, 9):
        optimizer, scheduler = build()
        head = _rows(optimizer, scheduler, k)
        state = pickle.loads(pickle.dumps(scheduler.state_dict()))
        opt_state = optimizer.state_dict()
        optimizer, scheduler = build()
        optimizer.load_state_dict(opt_state)
        scheduler.load_state_dict(state)
        assert head + _rows(optimizer, scheduler, 15 - k) == full


def test_bad_arguments_are_refused():
    optimizer = _optimizer()
    with pytest.raises(ValueError, match="warmup_length"):
        WarmupWrapper(optimizer, None, -1)
    with pytest.raises(ValueError, match="start_factor"):
        WarmupWrapper(optimizer, None, 3, start_factor=1.5)
    with pytest.raises(ValueError, match="unknown curve"):
        WarmupWrapper(optimizer, None, 3, curve="sigmoid")
    assert set(CURVES) >= {"linear", "exponential", "cosine", "constant"}
