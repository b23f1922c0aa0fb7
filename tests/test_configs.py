"""Every shipped example config loads, simulates with finite LRs, and means what it says."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tests.conftest import CONFIGS
from warmplan import load_plan, simulate

EXAMPLES = sorted(CONFIGS.glob("**/*.yaml"))


def test_there_are_real_examples():
    assert len(EXAMPLES) >= 5


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_simulates_to_finite_nonnegative_lrs(path):
    plan = load_plan(path)
    trace = simulate(plan)
    assert trace.lr.shape == (plan.intervals, len(plan.target_lrs))
    assert np.isfinite(trace.lr).all() and (trace.lr >= 0).all()
    if "WP105" not in plan.ignore:  # a plan that says its target is never reached
        assert trace.lr.max(axis=0) == pytest.approx(plan.target_lrs, rel=1e-9)


def test_bert_warms_up_from_zero_and_decays_linearly_to_zero():
    trace = simulate(load_plan(CONFIGS / "bert-linear.yaml"))
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


def test_resnet_drops_at_30_60_80():
    lr = simulate(load_plan(CONFIGS / "resnet-multistep.yaml")).lr[:, 0]
    assert lr[0] == pytest.approx(0.1)
    assert lr[5] == pytest.approx(3.2)
    assert [lr[29], lr[30], lr[60], lr[80], lr[89]] == pytest.approx(
        [3.2, 0.32, 0.032, 0.0032, 0.0032]
    )
