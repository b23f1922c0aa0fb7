"""The classic LinearLR -> CosineAnnealingLR example (configs/linear-warmup-cosine.yaml),
reproduced by warmplan and checked against independent oracles: the linear warm-up
formula lr_t = lr_init + t (lr_target - lr_init) / W, the cosine closed form, and the
example's own SequentialLR loop written out in the test."""

from __future__ import annotations

import math

import pytest

from warmplan import load_plan, simulate


def _document_loop() -> list[float]:
    """The classic example's loop, in substance: LR read *after* each step."""
    import torch
    from torch import nn, optim
    from torch.optim.lr_scheduler import CosineAnnealingLR, LinearLR, SequentialLR

    model = nn.Linear(5, 1)
    optimizer = optim.Adam(model.parameters(), lr=0.001)
    warmup = LinearLR(optimizer, start_factor=0.1, end_factor=1.0, total_iters=5)
    decay = CosineAnnealingLR(optimizer, T_max=15, eta_min=1e-5)
    scheduler = SequentialLR(optimizer, schedulers=[warmup, decay], milestones=[5])
    printed = []
    for _ in range(20):
        model(torch.ones(1, 5)).sum().backward()
        optimizer.step()
        scheduler.step()
        printed.append(optimizer.param_groups[0]["lr"])
    return printed


def test_example_matches_seed_formula_and_cosine(example_path):
    trace = simulate(load_plan(example_path))
    lr = trace.lr[:, 0]
    assert lr.shape == (20,)
    lr_init, lr_target, warmup = 1e-4, 1e-3, 5
    for t in range(warmup + 1):  # the seed formula, t = 0..W
        assert lr[t] == pytest.approx(lr_init + t * (lr_target - lr_init) / warmup, rel=1e-12)
    for k in range(15):  # cosine closed form from the end of warm-up
        expected = 1e-5 + (1e-3 - 1e-5) * (1 + math.cos(math.pi * k / 15)) / 2
        assert lr[warmup + k] == pytest.approx(expected, rel=1e-9)
    assert lr[0] == pytest.approx(1e-4)
    assert lr[1] == pytest.approx(2.8e-4)
    assert lr[5] == pytest.approx(1e-3)
    assert lr[19] == pytest.approx(2.1e-5, rel=0.01)


def test_document_loop_prints_lr_one_row_later(example_path):
    """The classic example prints after stepping: its "Epoch 0" is warmplan's epoch 1."""
    trace = simulate(load_plan(example_path))
    printed = _document_loop()
    assert printed[0] == pytest.approx(2.8e-4)
    assert list(trace.lr[1:, 0]) == printed[:-1]
