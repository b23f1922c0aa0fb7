"""Counted nouns read right: one epoch, two epochs."""

from __future__ import annotations

import pytest

from warmplan import load_plan
from warmplan.lint.rules.optimizer import adam_warmup
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
            "training": {"steps": 100_000},
            "warmup": {"length": 1},
        }
    )
    # WP109 now fires on long runs only (issue 14): 1 step of 100,000; it reads the plan
    # alone, so no simulation. (Its "training (3 steps) is shorter" branch is gone: a run
    # shorter than 2/(1 - beta2) is one the rule leaves alone.)
    (message,) = [message for _, message in adam_warmup(plan, None)]
    assert "warm-up is 1 optimizer step, " in message
