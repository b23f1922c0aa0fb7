"""Every shipped example config loads, simulates with finite LRs, and means what it says."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tests.conftest import CONFIGS, config_trace
from warmplan import load_plan, simulate

EXAMPLES = sorted(CONFIGS.glob("**/*.yaml"))


def test_there_are_real_examples():
    assert len(EXAMPLES) >= 5


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_simulates_to_finite_nonnegative_lrs(path):
    plan = load_plan(path)
    trace = config_trace(path)
    assert trace.lr.shape == (plan.intervals, len(plan.target_lrs))
    assert np.isfinite(trace.lr).all() and (trace.lr >= 0).all()
    if "WP105" not in plan.ignore:  # a plan that says its target is never reached
        assert trace.lr.max(axis=0) == pytest.approx(plan.target_lrs, rel=1e-9)


def test_bert_warms_up_from_zero_and_decays_linearly_to_zero():
    trace = config_trace(CONFIGS / "bert-linear.yaml")
    lr = trace.lr[:, 0]
    assert len(lr) == 1_000_000
    for t in (0, 1, 5_000, 9_999, 10_000):
        assert lr[t] == pytest.approx(1e-4 * min(t / 10_000, 1.0), rel=1e-9, abs=1e-18)
    for t in (10_000, 505_000, 999_999):  # linear from the peak to 0 over 990,000 steps
        assert lr[t] == pytest.approx(1e-4 * (1 - (t - 10_000) / 990_000), rel=1e-6, abs=1e-9)


def test_gpt_cosine_reaches_ten_percent_of_the_peak():
    lr = simulate(load_plan(CONFIGS / "gpt-cosine.yaml")).lr[:, 0]
    assert lr[2000] == pytest.approx(6e-4)
    k, r = 49_000, 98_000
    assert lr[2000 + k] == pytest.approx(
        6e-5 + 5.4e-4 * (1 + math.cos(math.pi * k / r)) / 2, rel=1e-9
    )
    assert lr[-1] == pytest.approx(6e-5, rel=1e-6)


def test_resnet_warms_up_every_step_and_drops_at_epochs_30_60_80():
    """Goyal et al. (2017): 0.1 raised linearly to 3.2 every iteration over 5 epochs,
    then x0.1 at epochs 30, 60 and 80 of 90; 1,281,167 images // 8192 = 156 steps an
    epoch (the last partial batch dropped)."""
    plan = load_plan(CONFIGS / "resnet-multistep.yaml")
    per_epoch = 1_281_167 // (32 * 256)
    assert (plan.interval, plan.steps_per_epoch, plan.intervals) == ("step", 156, 90 * 156)
    t = np.arange(90 * per_epoch)
    warm = 5 * per_epoch
    drops = sum((t >= e * per_epoch).astype(int) for e in (30, 60, 80))
    expected = np.where(t < warm, 0.1 + (3.2 - 0.1) * t / warm, 3.2 * 0.1**drops)
    lr = simulate(plan).lr[:, 0]
    np.testing.assert_allclose(lr, expected, rtol=1e-12)
    assert (np.diff(lr[: warm + 1]) > 0).all()  # rises every step: a ramp, not a staircase
