"""The diagnosis as a pure function of (planned LR per update, logged points), on
schedules written as formulas here: linear warm-up then cosine, the seed formula."""

from __future__ import annotations

import math

import numpy as np
import pytest

from warmplan.runs.diagnose import diagnose, equal


def _plan(total: int = 100, warmup: int = 10, peak: float = 1e-3) -> np.ndarray:
    """lr_t = peak (0.1 + 0.9 t / W) for t < W, then cosine to 0 over the rest."""
    t = np.arange(total, dtype=np.float64)
    warm = peak * (0.1 + 0.9 * t / warmup)
    rest = total - warmup
    cosine = peak * (1 + np.cos(math.pi * (t - warmup) / rest)) / 2
    return np.where(t < warmup, warm, cosine)


PLAN = _plan()
UPDATES = np.arange(100)


def _diagnosis(logged_at, updates=UPDATES, **kwargs):
    values = np.array([logged_at(int(u)) for u in updates])
    found = diagnose(PLAN, updates, values, **kwargs)
    return None if found is None else found.as_dict()


def _plan_at(x: int) -> float:
    return float(PLAN[x]) if x < PLAN.size else float("nan")


def test_equal_logs_have_no_diagnosis():
    assert _diagnosis(_plan_at) is None


def test_float32_logs_compare_in_float32():
    logged = PLAN.astype(np.float32).astype(np.float64)
    assert equal(logged, PLAN, "float32").all()
    assert not equal(logged, PLAN, "float64").all()
    assert diagnose(PLAN, UPDATES, logged, "float32") is None


@pytest.mark.parametrize("by", [1, 2, -1, -3])
def test_shift(by):
    updates = UPDATES[UPDATES + by >= 0]
    assert _diagnosis(lambda u: _plan_at(u + by), updates) == {"kind": "shift", "by": by}


@pytest.mark.parametrize(("factor", "offset"), [(2, 0), (3, 1), (4, 4)])
def test_scheduler_steps_per_update(factor, offset):
    updates = UPDATES[: (100 - offset) // factor]
    found = _diagnosis(lambda u: _plan_at(factor * u + offset), updates)
    assert found == {"kind": "scheduler-steps-per-update", "factor": factor, "offset": offset}


def test_per_epoch_stepping_and_the_reverse():
    found = _diagnosis(lambda u: _plan_at(u // 20), steps_per_epoch=20)
    assert found == {"kind": "per-epoch-stepping", "direction": "per-epoch"}
    # a plan of 5 epochs x 20 steps stepping per epoch; the run stepped per update
    epochs = _plan(total=5, warmup=2)
    per_update_plan = np.repeat(epochs, 20)
    updates = np.arange(5)
    logged = epochs[updates]  # update u ran at the epoch-u LR
    reverse = diagnose(per_update_plan, updates, logged, steps_per_epoch=20, plan_per_epoch=True)
    assert reverse.as_dict() == {"kind": "per-epoch-stepping", "direction": "per-update"}


def test_restart_in_a_sparse_log_is_found_between_the_points():
    """Logged every 10th update (9, 19, ...): a restart at 25 shows at 29 first; only
    s = 25 makes 29, 39, ... the plan's updates 4, 14, ..."""
    updates = np.arange(9, 100, 10)
    found = _diagnosis(lambda u: _plan_at(u if u < 25 else u - 25), updates)
    assert found == {"kind": "restart", "at_update": 25, "clean": True}


def test_a_restart_that_is_not_clean():
    """Back to the plan's first LR at 30, then something else (a stale LR scaled)."""
    found = _diagnosis(lambda u: _plan_at(u) if u < 30 else PLAN[0] * (1 + 0.5 * (u - 30)))
    assert found == {"kind": "restart", "at_update": 30, "clean": False}


def test_horizon_asks_for_other_totals():
    asked = []

    def replan(total):
        asked.append(total)
        return _plan(total=total)

    run = _plan(total=150)
    found = diagnose(PLAN, UPDATES, run[UPDATES], replan=replan)
    assert found.as_dict() == {"kind": "horizon", "total": 150, "planned_total": 100}
    assert asked[-1] == 150


def test_other_when_no_law_fits():
    noise = np.random.default_rng(0).uniform(1e-4, 1e-3, 100)
    found = diagnose(PLAN, UPDATES, noise, replan=lambda total: _plan(total=total))
    assert found.as_dict() == {"kind": "other"}
