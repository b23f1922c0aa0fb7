"""WP109 (Adam warm-up shorter than 2/(1 - beta2) steps, Ma & Yarats 2019): kept for a
short warm-up of a long run from scratch, quiet on standard recipes, and agreeing with
``length: auto`` (one function, one rounding) for every beta2."""

from __future__ import annotations

import decimal
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from warmplan.config.load import load_plan
from warmplan.lint.rules.optimizer import adam_warmup
from warmplan.lint.runner import check_plan
from warmplan.schedule.simulate import simulate


def wp109(data: dict) -> list[str]:
    """WP109's messages; the rule reads the plan alone, so no simulation is needed."""
    return [message for _, message in adam_warmup(load_plan(data), None)]


def adamw(beta2: float = 0.999) -> dict:
    return {"kind": "adamw", "lr": 1e-3, "betas": [0.9, beta2]}


def test_a_short_warmup_of_a_long_run_from_scratch_is_reported():
    (message,) = wp109(
        {
            "optimizer": adamw(),
            "training": {"steps": 100_000},
            "warmup": {"kind": "linear", "length": 100},
            "decay": {"kind": "cosine"},
        }
    )
    assert "100 optimizer steps, 0.1% of 100,000" in message
    assert "2/(1 - beta2) = 2,000 steps" in message and "at least 2,000 steps" in message


def test_a_standard_finetune_warmup_is_not():
    # BERT fine-tune: 11,000 steps, 6% warm-up (660); the rule's 2,000 would be 18%
    data = {
        "optimizer": adamw(),
        "training": {"steps": 11_000},
        "warmup": {"kind": "linear", "fraction": 0.06},
        "decay": {"kind": "linear"},
    }
    plan = load_plan(data)
    assert plan.warmup_intervals == 660
    assert [f.code for f in check_plan(plan, simulate(plan)) if f.code == "WP109"] == []


def test_a_per_epoch_plan_without_epoch_size_names_it():
    (message,) = wp109(
        {
            "optimizer": {"kind": "adam", "lr": 1e-3},
            "training": {"epochs": 20},
            "warmup": {"kind": "linear", "length": 5},
        }
    )
    assert "no epoch size" in message and "training.steps_per_epoch" in message
    assert "at least" not in message  # no 2,000-epoch warm-up advice


def test_an_auto_warmup_never_falls_short_of_the_rule_beta2_09985():
    # 2 / 0.0015 = 1,333.33...: auto gave round() = 1,333 and WP109 asked for 1,334
    data = {
        "optimizer": adamw(0.9985),
        "training": {"steps": 1_000_000},
        "warmup": {"kind": "linear", "length": "auto"},
    }
    assert load_plan(data).warmup_intervals == 1334
    assert wp109(data) == []


def exact_rule(beta2: float) -> int:
    """2 / (1 - beta2) in decimal arithmetic on beta2 as written, rounded up."""
    with decimal.localcontext(decimal.Context(prec=60)):
        return math.ceil(decimal.Decimal(2) / (1 - decimal.Decimal(repr(beta2))))


BETA2 = st.one_of(
    st.floats(min_value=0.5, max_value=0.9999, allow_nan=False),
    st.decimals(min_value="0.5", max_value="0.9999", places=4).map(float),
)


@settings(max_examples=200, deadline=None)
@given(beta2=BETA2)
def test_auto_warmup_is_the_rule_rounded_up_and_wp109_agrees(beta2):
    steps = exact_rule(beta2)
    data = {
        "optimizer": adamw(beta2),
        "training": {"steps": 1000 * steps},  # a long run: the rule applies
        "warmup": {"kind": "linear", "length": "auto"},
    }
    assert load_plan(data).warmup_intervals == steps
    assert wp109(data) == []
    short = {**data, "warmup": {"kind": "linear", "length": steps - 1}}
    if steps > 1 and steps - 1 < 0.01 * 1000 * steps:
        assert len(wp109(short)) == 1
