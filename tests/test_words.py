"""Counted nouns read right: one epoch, two epochs."""

from __future__ import annotations

import pytest

from warmplan import load_plan, simulate
from warmplan.lint.runner import check_plan
from warmplan.text import counted


@pytest.mark.parametrize(
    ("count", "spec", "expected"),
    [(1, "", "1 epoch"), (2, "", "2 epochs"), (0, "", "0 epochs"), (1.0, "g", "1 epoch"),
     (1.5, "g", "1.5 epochs"), (10_000, ",", "10,000 epochs")],
)  # fmt: skip
def test_counted(count, spec, expected):
    assert counted(count, "epoch", spec) == expected


def test_messages_count_in_the_singular_when_there_is_one():
    plan = load_plan(
        {
            "optimizer": {"kind": "adam", "lr": 1e-3},
            "training": {"epochs": 1, "steps_per_epoch": 3, "interval": "step"},
            "warmup": {"length": 1},
        }
    )
    (finding,) = [f for f in check_plan(plan, simulate(plan)) if f.code == "WP109"]
    assert "warm-up is 1 optimizer step, shorter" in finding.message
    assert "training (3 steps) is shorter" in finding.message
